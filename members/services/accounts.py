"""Accounts of the people of the registry: creation, sessions, deactivation."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.public_cache import public_pages_changed

from ..audit_actions import MembersAudit


@transaction.atomic
def user_get_or_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    actor=None,
    now: datetime.datetime | None = None,
):
    """The person with this e-mail address (any case), created if new; returns (user, created).

    A new account has no usable password: the person chooses one with "mot de passe
    oublié" before signing in. An existing person's names are only filled in, never
    overwritten.
    """
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    email = user_model.objects.normalize_email(email.strip())
    user = user_model.objects.filter(email__iexact=email).first()
    if user is not None:
        changed = []
        if first_name and not user.first_name:
            user.first_name, changed = first_name, [*changed, "first_name"]
        if last_name and not user.last_name:
            user.last_name, changed = last_name, [*changed, "last_name"]
        if changed:
            user.save(update_fields=changed)
            public_pages_changed()  # a name shown on an organisation page
        return user, False
    user = user_model(email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(
        action=MembersAudit.USER_CREATED, actor=actor, target=user, data={"email": email}, now=now
    )
    return user, True


def user_sessions_end(*, user, now: datetime.datetime | None = None) -> int:
    """Delete the person's open sessions in the database; returns how many.

    Sessions are signed blobs keyed by a random id, so finding a person's sessions
    means decoding each unexpired one: a scan, acceptable at the portal's size (a few
    hundred accounts). With a non-database SESSION_ENGINE nothing is deleted here,
    and Django's AuthenticationMiddleware still refuses an inactive person.
    """
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now or timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def user_deactivate(*, user, actor, now: datetime.datetime | None = None):
    """Close a person's account: no more logins, and their open sessions end at once."""
    now = now or timezone.now()
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = user_sessions_end(user=user, now=now)
    audit_log(
        action=MembersAudit.USER_DEACTIVATED,
        actor=actor,
        target=user,
        data={"sessions_ended": ended},
        now=now,
    )
    return user


def user_language_set(*, user, language: str) -> bool:
    """Remember the language the person chose in the switch, for the e-mails and PDFs
    sent to them later (rendered in the recipient's language). Returns whether it changed.

    A preference, not a governance decision: no audit entry.
    """
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Not a portal language: {language!r}")
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
