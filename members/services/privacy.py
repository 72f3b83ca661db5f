"""Personal data: erasure at the person's request (GDPR art. 17)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.models import AuditEntry
from core.public_cache import public_pages_changed
from core.roles import is_copil

from ..audit_actions import MembersAudit
from ..exceptions import MembersError
from ..models import Representative
from .accounts import user_deactivate

ERASED_NAME = "Personne effacée"
ERASED_EMAIL_DOMAIN = "efface.invalid"


def person_is_erased(*, user) -> bool:
    return user.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


def _email_copies_replace(user) -> None:
    """Records that keep a copy of the address next to the account (the announcements'
    send log...) name it in ``personal_email_fields``: the copy follows the erasure.
    Found through the app registry, so members imports none of the apps that use it."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    for model in apps.get_models():
        for field_name in getattr(model, "personal_email_fields", ()):
            for link in model._meta.concrete_fields:
                if link.is_relation and link.related_model is user_model:
                    model._default_manager.filter(**{link.name: user}).update(
                        **{field_name: user.email}
                    )


@transaction.atomic
def person_erase(*, user, actor, now: datetime.datetime | None = None):
    """Anonymise a person at their request (or the COPIL's) and close their account.

    The person's name, e-mail addresses, password, authenticators and sessions go; the
    organisation's governance records stay consistent: representations are ended (not
    deleted), attendance keeps counting for the organisation, decisions keep their
    author's (now anonymous) account. Charter signatures are append-only evidence
    (charters.models.Signature) and keep the signer's name and address as signed:
    they are retained under the legal obligation and the legitimate interest of proving
    the commitment (privacy page, /confidentialite/). Idempotent.
    """
    import secrets

    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from auditlog.models import LogEntry
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    is_self = getattr(actor, "pk", None) == user.pk
    if not is_self and not (getattr(actor, "is_superuser", False) or is_copil(actor)):
        raise MembersError(_("Seuls la personne concernée et le COPIL peuvent effacer un compte."))
    if user.is_superuser:
        raise MembersError(
            _("Un compte super-utilisateur ne peut pas être effacé : retirez-lui ce rôle d'abord.")
        )
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if person_is_erased(user=user):
        return user

    today = timezone.localdate(now)
    ended = 0
    for representative in Representative.objects.select_for_update().filter(user=user):
        changed = representative.public_consent or representative.is_authorised_signatory
        representative.public_consent = False
        representative.is_authorised_signatory = False
        if representative.end_date is None or representative.end_date > today:
            representative.end_date = max(today, representative.start_date)
            ended += 1
            changed = True
        if changed:
            representative.save()

    user.first_name = ""
    user.last_name = ERASED_NAME
    user.email = f"personne-{user.pk}-{secrets.token_hex(4)}@{ERASED_EMAIL_DOMAIN}"
    user.set_unusable_password()
    user.is_staff = False
    user.save()
    public_pages_changed()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    _email_copies_replace(user)

    # Traces that copied the address: the account's creation entry and the row-level trail.
    for entry in AuditEntry.objects.filter(object_type="members.user", object_id=str(user.pk)):
        if "email" in entry.data:
            entry.data = {**entry.data, "email": user.email}
            entry.save(update_fields=["data"])
    LogEntry.objects.filter(actor=user).update(actor_email=user.email)
    for representative in Representative.objects.filter(user=user).select_related("organisation"):
        LogEntry.objects.get_for_object(representative).update(object_repr=str(representative))

    user_deactivate(user=user, actor=actor, now=now)
    audit_log(
        action=MembersAudit.PERSON_ERASED,
        actor=actor,
        target=user,
        data={"by_self": is_self, "representations_ended": ended},
        now=now,
    )
    return user
