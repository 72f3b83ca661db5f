"""Writes of the members registry: every status transition goes through here (S1)."""

import datetime
import warnings
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from charters.selectors import charter_parameters
from cos_portal.audit import audit_log

from . import selectors
from .constants import ALLOWED_TRANSITIONS, OrganisationKind, Status, StatusReason
from .exceptions import MembersError, NotInGrandEst, TransitionNotAllowed
from .models import Establishment, Organisation, Representative, StatusChange


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    legal_name: str,
    kind: str = OrganisationKind.COMPANY,
    actor=None,
    now: datetime.datetime | None = None,
    **fields,
) -> Organisation:
    organisation = Organisation(
        legal_name=legal_name.strip(), kind=kind, slug=unique_slug(legal_name), **fields
    )
    organisation.full_clean()
    organisation.save()
    audit_log(
        action="members.organisation.created",
        actor=actor,
        target=organisation,
        data={"legal_name": organisation.legal_name},
        now=now,
    )
    return organisation


def organisation_check_grand_est(*, organisation: Organisation, on=None) -> None:
    """Charter art. 3.1 (M2): at least one active establishment in the Grand Est."""
    departments = charter_parameters(on=on).grand_est_departments
    if not selectors.has_grand_est_establishment(
        organisation=organisation, departments=departments
    ):
        raise NotInGrandEst()


@transaction.atomic
def organisation_status_change(
    *,
    organisation: Organisation,
    status: str,
    reason: str,
    actor=None,
    explanation: str = "",
    notice_reference: str = "",
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Record a transition (S1); the status is derived from this history, never edited.

    Losing member or partner status takes effect at ``now``: the directory and the
    mailing lists read the history, so the organisation leaves them the same day (S2).
    """
    now = now or timezone.now()
    # Lock the organisation so two decisions on it are taken one after the other.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = selectors.organisation_status(organisation=organisation, at=now)
    if status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(
            _("La charte ne permet pas de passer du statut « %(from)s » au statut « %(to)s ».")
            % {"from": Status(current).label, "to": Status(status).label}
        )
    if status == Status.MEMBER:
        organisation_check_grand_est(organisation=organisation, on=timezone.localdate(now))
    change = StatusChange.objects.create(
        organisation=organisation,
        status=status,
        reason=reason,
        effective_at=now,
        ends_on=ends_on,
        decided_by=actor if getattr(actor, "pk", None) else None,
        explanation=explanation,
        notice_reference=notice_reference,
        recorded_at=now,
    )
    audit_log(
        action=f"members.status.{status}",
        actor=actor,
        target=organisation,
        data={"from": current, "to": status, "reason": reason, "notice": notice_reference},
        now=now,
    )
    return change


def organisation_import_status(
    *, organisation: Organisation, status: str, actor=None, now=None
) -> StatusChange | None:
    """Set the starting status of an organisation imported from a spreadsheet."""
    if selectors.organisation_status(organisation=organisation, at=now) == status:
        return None
    return organisation_status_change(
        organisation=organisation,
        status=status,
        reason=StatusReason.IMPORTED,
        actor=actor,
        now=now,
    )


def user_sessions_end(*, user, now: datetime.datetime | None = None) -> int:
    """Delete the person's open sessions in the database; returns how many.

    Sessions are signed blobs keyed by a random id, so finding a person's sessions
    means decoding each unexpired one: a scan, acceptable at the portal's size (a few
    hundred accounts). With a non-database SESSION_ENGINE nothing is deleted here,
    and Django's AuthenticationMiddleware still refuses an inactive person.
    """
    from django.conf import settings
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
        action="members.user.deactivated",
        actor=actor,
        target=user,
        data={"sessions_ended": ended},
        now=now,
    )
    return user

# The logo formats a representative may upload, with the extension and content type
# the file is stored and served with.
LOGO_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
LOGO_CONTENT_TYPES = dict(LOGO_FORMATS.values())

# The fields of the public profile that its representatives edit.
PROFILE_FIELDS = ("description", "website", "kind", "siren")

# Charter art. 3.1 (M2): members, and applicants who want to become members, keep an
# active establishment in the Grand Est; partners and invitees may be elsewhere.
GRAND_EST_STATUSES = (Status.MEMBER, Status.APPLICANT)


def logo_check(*, file) -> str:
    """The extension to store an uploaded logo with; MembersError unless it is acceptable.

    Only PNG, JPEG and WebP images up to ``settings.LOGO_MAX_BYTES`` pass, checked by
    Pillow on the content (the name and the declared content type are not trusted).
    """
    if file.size > settings.LOGO_MAX_BYTES:
        raise MembersError(
            _("Le logo ne doit pas dépasser %(size)s.")
            % {"size": filesizeformat(settings.LOGO_MAX_BYTES)}
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not merely logged.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                image.verify()
    except Exception as error:
        # Pillow raises many kinds of errors on corrupt input; like Django's
        # ImageField, any of them means "not an image".
        raise MembersError(_("Ce fichier n'est pas une image valide.")) from error
    finally:
        file.seek(0)
    if image_format not in LOGO_FORMATS:
        raise MembersError(_("Le logo doit être une image au format PNG, JPEG ou WebP."))
    return LOGO_FORMATS[image_format][0]


@transaction.atomic
def organisation_profile_update(
    *,
    organisation: Organisation,
    data: dict,
    offer_categories: Iterable | None = None,
    establishments: Iterable[Establishment] = (),
    logo=None,
    actor,
    now: datetime.datetime | None = None,
) -> Organisation:
    """A representative updates the public profile and the establishments of an organisation.

    ``data`` holds profile fields (``PROFILE_FIELDS``); ``offer_categories`` replaces the
    categories (``None`` keeps them); ``establishments`` are the new or changed
    establishments of this organisation; ``logo`` is an uploaded file to store, ``False``
    to remove the logo, ``None`` to keep it. Raises NotInGrandEst, and saves nothing,
    when a member or applicant would be left without an active establishment in the
    Grand Est (M2).
    """
    now = now or timezone.now()
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    # Lock the row so a status decision and this edit are taken one after the other.
    before = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for name, value in data.items():
        setattr(organisation, name, value)
    logo_extension = logo_check(file=logo) if logo else None
    organisation.full_clean(exclude=["logo"])

    created, updated = [], []
    for establishment in establishments:
        if establishment.organisation_id != organisation.pk:
            raise ValueError("An establishment of another organisation.")
        is_new = establishment.pk is None
        establishment.full_clean(exclude=["organisation", "department"])
        establishment.save()
        (created if is_new else updated).append(establishment.pk)

    if offer_categories is not None:
        organisation.offer_categories.set(offer_categories)

    status = selectors.organisation_status(organisation=organisation, at=now)
    if status in GRAND_EST_STATUSES:
        # Charter art. 3.1 (M2): raising here rolls back every change above.
        organisation_check_grand_est(organisation=organisation, on=timezone.localdate(now))

    storage = organisation.logo.storage
    old_logo = before.logo.name
    new_logo = ""
    if logo_extension:
        organisation.logo.save(f"{organisation.slug}.{logo_extension}", logo, save=False)
        new_logo = organisation.logo.name
    elif logo is False:
        organisation.logo = ""
    else:
        organisation.logo = before.logo.name
    try:
        organisation.save()
        audit_log(
            action="members.organisation.profile_updated",
            actor=actor,
            target=organisation,
            data={
                "fields": sorted(
                    name for name in data if getattr(before, name) != getattr(organisation, name)
                ),
                "offer_categories": offer_categories is not None,
                "logo": "replaced" if new_logo else ("removed" if logo is False else "kept"),
                "establishments_created": created,
                "establishments_updated": updated,
            },
            now=now,
        )
    except Exception:
        # The database rolls back; the file written above would otherwise stay orphaned.
        if new_logo:
            storage.delete(new_logo)
        raise
    if old_logo and (new_logo or logo is False):
        transaction.on_commit(lambda: storage.delete(old_logo))
    return organisation


@transaction.atomic
def representative_consent_set(
    *,
    representative: Representative,
    public_consent: bool,
    actor,
    now: datetime.datetime | None = None,
) -> Representative:
    """The person gives or withdraws consent to appear on the public profile of the entity.

    Personal data is public only with the consent of the person themself.
    """
    if getattr(actor, "pk", None) != representative.user_id:
        raise MembersError(
            _("Seule la personne concernée peut donner ou retirer son consentement.")
        )
    if representative.public_consent == public_consent:
        return representative
    representative.public_consent = public_consent
    representative.save(update_fields=["public_consent", "updated_at"])
    audit_log(
        action="members.representative.consent_given"
        if public_consent
        else "members.representative.consent_withdrawn",
        actor=actor,
        target=representative,
        data={"organisation": representative.organisation_id},
        now=now,
    )
    return representative


def organisation_create_from(
    *, organisation: Organisation, actor=None, now: datetime.datetime | None = None
) -> Organisation:
    """Save a new organisation built by the admin form or a CSV import with organisation_create.

    The slug, the checks and the audit entry come from ``organisation_create``; the saved
    state is copied back onto ``organisation`` so the caller (inline formsets, the
    import's many-to-many step) keeps working with the same object.
    """
    if not organisation._state.adding:
        raise ValueError("Not a new organisation.")
    skip = {"id", "legal_name", "kind", "slug", "created_at", "updated_at"}
    fields = {
        field.attname: getattr(organisation, field.attname)
        for field in Organisation._meta.concrete_fields
        if field.attname not in skip
    }
    created = organisation_create(
        legal_name=organisation.legal_name,
        kind=organisation.kind,
        actor=actor,
        now=now,
        **fields,
    )
    for field in Organisation._meta.concrete_fields:
        setattr(organisation, field.attname, getattr(created, field.attname))
    organisation._state.adding = False
    organisation._state.db = created._state.db
    return organisation


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
        return user, False
    user = user_model(email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_log(
        action="members.user.created", actor=actor, target=user, data={"email": email}, now=now
    )
    return user, True


# --- Personal data: erasure (GDPR art. 17) ---------------------------------------------

ERASED_NAME = "Personne effacée"
ERASED_EMAIL_DOMAIN = "efface.invalid"


def person_is_erased(*, user) -> bool:
    return user.email.endswith(f"@{ERASED_EMAIL_DOMAIN}")


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

    from charters.selectors import is_copil
    from cos_portal.models import AuditEntry

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
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()

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
        action="members.person.erased",
        actor=actor,
        target=user,
        data={"by_self": is_self, "representations_ended": ended},
        now=now,
    )
    return user
