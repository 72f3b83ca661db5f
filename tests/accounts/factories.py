"""Accounts as allauth knows them: a person and their verified e-mail address."""

from allauth.account.models import EmailAddress

from tests.members.factories import UserFactory

PASSWORD = "motdepasse-de-test"  # the password of tests.members.factories.UserFactory


def verified_user(**kwargs):
    """A person whose e-mail address is verified, so they can sign in with PASSWORD."""
    user = UserFactory(**kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
