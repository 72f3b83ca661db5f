"""Writes of the members registry: every status transition goes through here (S1)."""

import datetime
import warnings
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _
from PIL import Image

from charters.selectors import charter_parameters
from cos_portal.audit import audit_log

from . import selectors
from .constants import (
    ALLOWED_TRANSITIONS,
    REASONS_BY_STATUS,
    STATUSES_WITH_END_DATE,
    ApplicationState,
    ExclusionGround,
    ExclusionOutcome,
    InvitationState,
    OrganisationKind,
    Status,
    StatusReason,
)
from .exceptions import (
    ApplicationBlocked,
    InvalidUpload,
    InvitationBanned,
    MembersError,
    NotAllowed,
    NotInGrandEst,
    TransitionNotAllowed,
)
from .models import (
    Application,
    ApplicationOpinion,
    Establishment,
    ExclusionProcedure,
    Invitation,
    Organisation,
    PartnershipAgreement,
    ProofDocument,
    ProofRequest,
    Representative,
    StatusChange,
)


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


def status_change_check(
    *,
    status: str,
    reason: str,
    explanation: str = "",
    ends_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> None:
    """Raise MembersError (with the field at fault) when a decision is inconsistent (S1)."""
    today = today or timezone.localdate()
    if status not in REASONS_BY_STATUS:
        raise TransitionNotAllowed(field="status")
    if reason not in REASONS_BY_STATUS[status]:
        raise MembersError(
            _("Le motif « %(reason)s » ne correspond pas au statut « %(status)s ».")
            % {"reason": StatusReason(reason).label, "status": Status(status).label},
            field="reason",
        )
    if reason == StatusReason.EXCLUDED and not (explanation or "").strip():
        # Charter art. 3.4 (L3): an exclusion is pronounced on a stated ground.
        raise MembersError(_("Indiquez le motif de l'exclusion."), field="explanation")
    if ends_on and status not in STATUSES_WITH_END_DATE:
        raise MembersError(
            _("Seuls un partenariat ou une invitation peuvent avoir une date de fin."),
            field="ends_on",
        )
    if ends_on and ends_on <= today:
        raise MembersError(
            _("La date de fin doit être postérieure à aujourd'hui."), field="ends_on"
        )


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
    # The consistency of the decision holds on every path (admin, import, services).
    status_change_check(
        status=status,
        reason=reason,
        explanation=explanation,
        ends_on=ends_on,
        today=timezone.localdate(now),
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


# =========================================================================================
# The status lifecycle (issue 6): applications, partners, invitees, resignation, exclusion,
# proofs. Every decision of the COPIL goes through here (G2), and every change of status
# through ``organisation_status_change`` (S1).
# =========================================================================================


def _require_copil(actor) -> None:
    """Charter art. 6 (G2): only COPIL members (or administrators) take these decisions."""
    from charters.selectors import is_copil

    if not is_copil(actor):
        raise NotAllowed()


def _require_signatory(actor, organisation: Organisation, *, on: datetime.date) -> None:
    from charters.selectors import is_authorised_signatory

    if not is_authorised_signatory(user=actor, organisation=organisation, on=on):
        raise MembersError(_("Seul un signataire habilité de l'entité peut faire cette démarche."))


def _require_representative(actor, organisation: Organisation, *, on: datetime.date) -> None:
    if not selectors.is_active_representative(user=actor, organisation=organisation, on=on):
        raise MembersError(_("Seuls les représentants de l'entité peuvent faire cette démarche."))


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(
    *,
    to: Iterable[str],
    subject: str,
    paragraphs: Iterable[str],
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> None:
    """A French e-mail, plain text and HTML, with optional attachments."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    paragraphs = list(paragraphs)
    signature_line = _("Le COPIL de la COS-GE")
    text = "\n\n".join([*paragraphs, signature_line]) + "\n"
    html = render_to_string(
        "members/email/message.html",
        {"subject": subject, "paragraphs": paragraphs, "signature": signature_line},
    )
    message = EmailMultiAlternatives(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", text, None, recipients
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


def _send_on_commit(build) -> None:
    """Queue an e-mail built (in French) once the transaction has committed."""

    def send():
        with translation.override("fr"):
            _send(**build())

    transaction.on_commit(send)


def _representative_emails(organisation: Organisation, *, on: datetime.date) -> list[str]:
    return sorted(
        selectors.active_representatives(on=on)
        .filter(organisation=organisation)
        .values_list("user__email", flat=True)
    )


def _letter_pdf(template: str, context: dict) -> bytes:
    from cos_portal.pdf import render_pdf

    return render_pdf(template, context, metadata={"title": context.get("title", "")})


def _date(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return day.strftime("%d/%m/%Y")


# --- Applications (art. 3.1: M1 to M7) ---------------------------------------------------

APPLICATION_ORGANISATION_FIELDS = ("legal_name", "kind", "siren", "website", "description")


@transaction.atomic
def application_save_draft(
    *,
    applicant,
    data: dict,
    aif_reference: str = "",
    motivation: str = "",
    application: Application | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Save what the applicant typed, to resume later: a draft is not an application."""
    if application is None:
        application = Application(applicant=applicant)
    elif application.applicant_id != applicant.pk or application.state != ApplicationState.DRAFT:
        raise MembersError(_("Ce brouillon n'est plus modifiable."))
    application.data = data
    application.aif_reference = aif_reference.strip()
    application.motivation = motivation
    application.save()
    audit_log(
        action="members.application.draft_saved", actor=applicant, target=application, now=now
    )
    return application


@transaction.atomic
def application_submit(
    *,
    applicant,
    data: dict,
    aif_reference: str,
    motivation: str,
    password: str,
    consent_given: bool,
    application: Application | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Charter art. 3.1 (M3, M4): the application and the charter signature in one step.

    Creates the organisation, its establishments, the applicant as its first
    representative (M3) and the status "applicant", then signs the charter in force in
    the same transaction: a refused signature (wrong password, no consent...) rolls
    everything back, so no application exists unsigned. ``data`` holds the organisation
    fields (APPLICATION_ORGANISATION_FIELDS), ``establishments`` (a list of dicts) and
    ``job_title``.
    """
    from charters.exceptions import CharterError
    from charters.selectors import charter_version_in_force
    from charters.services import signature_record

    now = now or timezone.now()
    today = timezone.localdate(now)
    if application is not None and (
        application.applicant_id != applicant.pk or application.state != ApplicationState.DRAFT
    ):
        raise MembersError(_("Cette candidature a déjà été déposée."))
    if not aif_reference.strip():
        # Charter art. 3.1 (M1): the AIF directory reference is part of the application.
        raise MembersError(
            _("Indiquez la référence ou l'adresse de votre fiche dans l'annuaire AIF."),
            field="aif_reference",
        )
    legal_name = (data.get("legal_name") or "").strip()
    if Organisation.objects.filter(legal_name__iexact=legal_name).exists():
        raise MembersError(
            _(
                "Une entité porte déjà ce nom dans le registre. Si vous la représentez, "
                "écrivez au COPIL pour déposer sa candidature."
            ),
            field="legal_name",
        )
    version = charter_version_in_force(on=today)
    if version is None:
        raise MembersError(_("Aucune version de la charte n'est en vigueur : réessayez plus tard."))

    organisation = organisation_create(
        legal_name=legal_name,
        kind=data.get("kind") or OrganisationKind.COMPANY,
        siren=data.get("siren", ""),
        website=data.get("website", ""),
        description=data.get("description", ""),
        aif_reference=aif_reference.strip(),
        actor=applicant,
        now=now,
    )
    for values in data.get("establishments", []):
        establishment = Establishment(organisation=organisation, **values)
        establishment.full_clean(exclude=["department"])
        establishment.save()
    # Charter art. 3.1 (M2).
    organisation_check_grand_est(organisation=organisation, on=today)
    # Charter art. 3.1 (M3): the person who applies is the first representative.
    Representative.objects.create(
        user=applicant,
        organisation=organisation,
        job_title=(data.get("job_title") or "")[:150],
        start_date=today,
        is_authorised_signatory=True,
    )
    organisation_status_change(
        organisation=organisation,
        status=Status.APPLICANT,
        reason=StatusReason.APPLICATION,
        actor=applicant,
        now=now,
    )
    try:
        # Charter art. 3.1 (M4): signed in the same step; a refusal undoes everything.
        signature = signature_record(
            version=version,
            organisation=organisation,
            signer=applicant,
            password=password,
            consent_given=consent_given,
            ip_address=ip_address,
            user_agent=user_agent,
            now=now,
        )
    except CharterError as error:
        raise MembersError(error.message, field=error.field) from error

    application = application or Application(applicant=applicant)
    application.organisation = organisation
    application.state = ApplicationState.SUBMITTED
    application.data = data
    application.aif_reference = aif_reference.strip()
    application.motivation = motivation
    application.signature = signature
    application.submitted_at = now
    application.save()
    audit_log(
        action="members.application.submitted",
        actor=applicant,
        target=application,
        data={"organisation": organisation.pk, "signature": signature.verification_code},
        now=now,
    )
    name = organisation.legal_name

    def emails():
        return {
            "to": [applicant.email],
            "subject": _("Candidature de %(name)s reçue") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Nous avons bien reçu la candidature de %(name)s à la COS-GE, avec la "
                    "signature de la charte (code de vérification %(code)s)."
                )
                % {"name": name, "code": signature.verification_code},
                _(
                    "Le COPIL vérifie la référence AIF et vous invitera à découvrir nos "
                    "activités avant de se prononcer. Suivez l'état de votre candidature : "
                    "%(url)s"
                )
                % {"url": _site_url(reverse("application:list"))},
            ],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Nouvelle candidature : %(name)s") % {"name": name},
            "paragraphs": [
                _("%(name)s a déposé sa candidature le %(date)s.")
                % {"name": name, "date": _date(now)},
                _("Examinez-la dans l'administration : %(url)s")
                % {
                    "url": _site_url(
                        reverse("admin:members_application_change", args=[application.pk])
                    )
                },
            ],
        }

    _send_on_commit(emails)
    _send_on_commit(copil_email)
    return application


def _locked_application(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.state != ApplicationState.SUBMITTED:
        raise MembersError(
            _("Cette candidature n'est pas en cours d'examen (état : %(state)s).")
            % {"state": ApplicationState(locked.state).label}
        )
    return locked


@transaction.atomic
def application_aif_verify(
    *, application: Application, actor, now: datetime.datetime | None = None
) -> Application:
    """Charter art. 3.1 (M1): a COPIL member records that the AIF reference was checked."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    application.aif_verified_by = actor
    application.aif_verified_at = now
    application.save(update_fields=["aif_verified_by", "aif_verified_at", "updated_at"])
    audit_log(
        action="members.application.aif_verified",
        actor=actor,
        target=application,
        data={"reference": application.aif_reference},
        now=now,
    )
    return application


@transaction.atomic
def application_approve(
    *, application: Application, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.1 (M5, M6, G2): the COPIL approves an application that meets every
    condition; the organisation becomes a member and designates its representatives (M9)."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    failing = [
        check
        for check in selectors.application_checklist(application=application, at=now)
        if check.blocking and not check.ok
    ]
    if failing:
        raise ApplicationBlocked(
            _("Validation impossible : %(checks)s.")
            % {"checks": " ; ".join(f"{check.label} ({check.detail})" for check in failing)}
        )
    change = organisation_status_change(
        organisation=application.organisation,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        actor=actor,
        explanation=reason,
        now=now,
    )
    _application_decide(application, ApplicationState.APPROVED, actor=actor, reason=reason, now=now)
    organisation = application.organisation
    name, slug, email = organisation.legal_name, organisation.slug, application.applicant.email

    def approved_email():
        return {
            "to": [email],
            "subject": _("Candidature de %(name)s validée") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Le COPIL a validé le %(date)s la candidature de %(name)s : bienvenue à la COS-GE !"
                )
                % {"date": _date(now), "name": name},
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                _(
                    "Désignez maintenant la ou les personnes qui représenteront votre entité "
                    "(article 3.1 de la charte) depuis votre espace membre : %(url)s"
                )
                % {"url": _site_url(reverse("member_space:organisation", args=[slug]))},
            ],
        }

    _send_on_commit(approved_email)
    return change


@transaction.atomic
def application_reject(
    *, application: Application, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.1 (M5): the COPIL rejects an application, sovereignly."""
    _require_copil(actor)
    now = now or timezone.now()
    application = _locked_application(application)
    change = organisation_status_change(
        organisation=application.organisation,
        status=Status.NONE,
        reason=StatusReason.REJECTED,
        actor=actor,
        explanation=reason,
        now=now,
    )
    _application_decide(application, ApplicationState.REJECTED, actor=actor, reason=reason, now=now)
    name, email = application.organisation.legal_name, application.applicant.email

    def rejected_email():
        return {
            "to": [email],
            "subject": _("Candidature de %(name)s non retenue") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL n'a pas retenu le %(date)s la candidature de %(name)s.")
                % {"date": _date(now), "name": name},
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                _(
                    "Votre entité peut néanmoins être invitée à certaines activités de la "
                    "COS-GE (article 5 de la charte)."
                ),
            ],
        }

    _send_on_commit(rejected_email)
    return change


def _application_decide(application, state, *, actor, reason, now) -> None:
    application.state = state
    application.decided_by = actor
    application.decided_at = now
    application.decision_reason = reason
    application.save(
        update_fields=["state", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_log(
        action=f"members.application.{state}",
        actor=actor,
        target=application,
        data={"organisation": application.organisation_id, "reason": reason},
        now=now,
    )


@transaction.atomic
def application_opinion_post(
    *, application: Application, author, text: str, now: datetime.datetime | None = None
) -> ApplicationOpinion:
    """Charter art. 3.1 (M7): a member's representative gives an opinion, for the COPIL only."""
    now = now or timezone.now()
    if application.state != ApplicationState.SUBMITTED:
        raise MembersError(_("Cette candidature n'est plus en cours d'examen."))
    if not text.strip():
        raise MembersError(_("Écrivez votre avis."), field="text")
    representation = (
        selectors.representation_list(user=author, at=now)
        .filter(organisation_status=Status.MEMBER)
        .exclude(organisation=application.organisation_id)
        .first()
    )
    if representation is None:
        raise MembersError(_("Seuls les représentants des membres peuvent donner un avis."))
    opinion, _created = ApplicationOpinion.objects.update_or_create(
        application=application,
        author=author,
        defaults={"text": text.strip(), "author_organisation": representation.organisation},
    )
    audit_log(
        action="members.application.opinion_posted",
        actor=author,
        target=application,
        data={"opinion": opinion.pk},
        now=now,
    )
    return opinion


# --- Partners (art. 4: P1 to P6) ---------------------------------------------------------


def amendment_effective_date(signed_on: datetime.date) -> datetime.date:
    """P2 (CINOV-IT): an amendment takes effect the first day of the month after its signature."""
    return (signed_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def agreement_period_ends(
    *, signed_on: datetime.date, initial_term_months: int, renewal_months: int
):
    """The successive ends of the agreement's periods: the initial term, then each renewal."""
    from charters.selectors import add_months

    yield add_months(signed_on, initial_term_months)
    if renewal_months <= 0:
        return
    k = 1
    while True:
        yield add_months(signed_on, initial_term_months + k * renewal_months)
        k += 1


def agreement_next_renewal(
    *,
    signed_on: datetime.date,
    initial_term_months: int,
    renewal_months: int,
    on: datetime.date,
) -> datetime.date | None:
    """P6: the next date the agreement is renewed (the end of the period running on ``on``);
    None when it is not renewed and its term has passed."""
    for end in agreement_period_ends(
        signed_on=signed_on, initial_term_months=initial_term_months, renewal_months=renewal_months
    ):
        if end > on:
            return end
    return None


def agreement_last_notice_date(*, period_end: datetime.date, notice_months: int) -> datetime.date:
    """P2, P6: the last day to give notice for the agreement to end at ``period_end``."""
    from charters.selectors import add_months

    return add_months(period_end, -notice_months)


def agreement_notice_deadline(
    *,
    signed_on: datetime.date,
    initial_term_months: int,
    renewal_months: int,
    notice_months: int,
    on: datetime.date,
) -> tuple[datetime.date, datetime.date] | None:
    """P5, P6: (the end a notice given on ``on`` takes effect at, the last day to give it).

    The first period end whose last notice date is not past; None when the agreement has no
    such end left (not renewed, and too late to give notice: it simply ends at its term).
    """
    for end in agreement_period_ends(
        signed_on=signed_on, initial_term_months=initial_term_months, renewal_months=renewal_months
    ):
        if end <= on:
            continue
        last = agreement_last_notice_date(period_end=end, notice_months=notice_months)
        if last >= on:
            return end, last
        if renewal_months <= 0:
            return None
    return None  # pragma: no cover - the generator is infinite when renewed


def agreement_dates(agreement: PartnershipAgreement, *, on: datetime.date | None = None) -> dict:
    """What the admin shows of an agreement's deadlines (P6)."""
    on = on or timezone.localdate()
    terms = {
        "signed_on": agreement.signed_on,
        "initial_term_months": agreement.initial_term_months,
        "renewal_months": agreement.renewal_months,
    }
    deadline = agreement_notice_deadline(**terms, notice_months=agreement.notice_months, on=on)
    return {
        "next_renewal": agreement_next_renewal(**terms, on=on),
        "notice_effective": deadline[0] if deadline else None,
        "last_notice": deadline[1] if deadline else None,
    }


def partnership_agreement_in_force(
    *, organisation: Organisation, on: datetime.date
) -> PartnershipAgreement | None:
    return (
        PartnershipAgreement.objects.filter(
            organisation=organisation, signed_on__lte=on, notice_given_on__isnull=True
        )
        .order_by("-signed_on")
        .first()
    )


@transaction.atomic
def partner_grant(
    *,
    organisation: Organisation,
    actor,
    ends_on: datetime.date | None = None,
    explanation: str = "",
    notice_reference: str = "",
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Charter art. 4 (P1): the COPIL grants partner status, for a fixed or open duration."""
    _require_copil(actor)
    change = organisation_status_change(
        organisation=organisation,
        status=Status.PARTNER,
        reason=StatusReason.GRANTED,
        actor=actor,
        ends_on=ends_on,
        explanation=explanation,
        notice_reference=notice_reference,
        now=now,
    )
    today = timezone.localdate(change.effective_at)
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def granted_email():
        until = (
            _("jusqu'au %(date)s") % {"date": _date(ends_on)}
            if ends_on
            else _("sans limite de durée")
        )
        return {
            "to": recipients,
            "subject": _("%(name)s, partenaire de la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL a accordé le statut de partenaire à %(name)s, %(until)s.")
                % {"name": name, "until": until},
                _(
                    "Sans convention de partenariat, un signataire habilité s'engage en ligne à "
                    "respecter l'article 3.3 de la charte : %(url)s"
                )
                % {"url": _site_url(reverse("charters:sign"))},
            ],
        }

    _send_on_commit(granted_email)
    return change


@transaction.atomic
def partnership_agreement_record(
    *,
    organisation: Organisation,
    actor,
    parties: str,
    signed_on: datetime.date,
    initial_term_months: int | None = None,
    renewal_months: int | None = None,
    notice_months: int | None = None,
    document=None,
    now: datetime.datetime | None = None,
) -> PartnershipAgreement:
    """Charter art. 4 (P2): record a partnership agreement; the CINOV-IT terms by default."""
    _require_copil(actor)
    parameters = charter_parameters(on=signed_on)
    agreement = PartnershipAgreement(
        organisation=organisation,
        parties=parties,
        signed_on=signed_on,
        initial_term_months=(
            parameters.partnership_initial_years * 12
            if initial_term_months is None
            else initial_term_months
        ),
        renewal_months=12 if renewal_months is None else renewal_months,
        notice_months=(
            parameters.partnership_notice_months if notice_months is None else notice_months
        ),
    )
    if document:
        extension, _content_type = upload_check(file=document, formats=("pdf",))
        agreement.document.save(f"convention.{extension}", document, save=False)
    agreement.full_clean(exclude=["document"])
    agreement.save()
    audit_log(
        action="members.agreement.recorded",
        actor=actor,
        target=agreement,
        data={"organisation": organisation.pk, "signed_on": signed_on.isoformat()},
        now=now,
    )
    return agreement


def _partnership_end(
    *, organisation, actor, by: str, reason: str, now: datetime.datetime
) -> StatusChange | PartnershipAgreement:
    """P5: immediate, unless an agreement in force says otherwise (its notice, its term)."""
    today = timezone.localdate(now)
    if selectors.organisation_status(organisation=organisation, at=now) != Status.PARTNER:
        raise MembersError(_("Cette entité n'est pas partenaire."))
    agreement = partnership_agreement_in_force(organisation=organisation, on=today)
    if agreement is not None:
        dates = agreement_dates(agreement, on=today)
        end = dates["notice_effective"] or dates["next_renewal"]
        if end is not None:
            # The agreement's own terms prevail (P5): the partnership ends at that date,
            # the daily job records it (status_expirations).
            agreement.notice_given_on = today
            agreement.notice_given_by = by
            agreement.ends_on = end
            agreement.save(
                update_fields=["notice_given_on", "notice_given_by", "ends_on", "updated_at"]
            )
            audit_log(
                action="members.agreement.notice_given",
                actor=actor,
                target=agreement,
                data={"by": by, "ends_on": end.isoformat(), "reason": reason},
                now=now,
            )
            return agreement
    return organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.PARTNERSHIP_ENDED,
        actor=actor,
        explanation=reason,
        now=now,
    )


@transaction.atomic
def partner_renounce(
    *, organisation: Organisation, actor, now: datetime.datetime | None = None
) -> StatusChange | PartnershipAgreement:
    """Charter art. 4 (P5): the partner renounces online, at once, without giving a reason."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_signatory(actor, organisation, on=today)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    result = _partnership_end(
        organisation=organisation, actor=actor, by="partner", reason=_("Renonciation"), now=now
    )
    _partnership_end_emails(organisation, result, by_partner=True, reason="", now=now)
    return result


@transaction.atomic
def partner_terminate(
    *, organisation: Organisation, actor, reason: str = "", now: datetime.datetime | None = None
) -> StatusChange | PartnershipAgreement:
    """Charter art. 4 (P5, G2): the COPIL terminates a partnership, notified in writing."""
    _require_copil(actor)
    now = now or timezone.now()
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    result = _partnership_end(
        organisation=organisation, actor=actor, by="copil", reason=reason, now=now
    )
    _partnership_end_emails(organisation, result, by_partner=False, reason=reason, now=now)
    return result


def _partnership_end_emails(organisation, result, *, by_partner, reason, now) -> None:
    recipients = _representative_emails(organisation, on=timezone.localdate(now))
    name = organisation.legal_name
    ends = result.ends_on if isinstance(result, PartnershipAgreement) else None

    def partner_email():
        when = (
            _("Conformément à la convention, le partenariat prend fin le %(date)s.")
            % {"date": _date(ends)}
            if ends
            else _("Le partenariat a pris fin le %(date)s.") % {"date": _date(now)}
        )
        first = (
            _("Nous prenons acte de la renonciation de %(name)s à son statut de partenaire.")
            if by_partner
            else _("Le COPIL a décidé de mettre fin au partenariat avec %(name)s.")
        ) % {"name": name}
        return {
            "to": recipients,
            "subject": _("Fin du partenariat de %(name)s avec la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                first,
                *([_("Motif : %(reason)s") % {"reason": reason}] if reason else []),
                when,
                _(
                    "L'engagement d'éthique et de confidentialité (article 3.3) court encore "
                    "douze mois après la perte du statut."
                ),
            ],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Fin du partenariat : %(name)s") % {"name": name},
            "paragraphs": [
                (
                    _("%(name)s a renoncé en ligne à son statut de partenaire le %(date)s.")
                    if by_partner
                    else _("Le partenariat avec %(name)s a été dénoncé le %(date)s.")
                )
                % {"name": name, "date": _date(now)},
                *([_("Fin effective le %(date)s.") % {"date": _date(ends)}] if ends else []),
            ],
        }

    _send_on_commit(partner_email)
    _send_on_commit(copil_email)


def status_expirations(*, now: datetime.datetime | None = None) -> list[StatusChange]:
    """P1, P5, I1: fixed-term partnerships and invitations, and agreements given notice,
    end on their date. Idempotent: a second run finds nothing left to end."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = []
    for organisation in selectors.organisation_list_with_status(at=now).filter(
        current_status__in=[Status.PARTNER, Status.INVITEE]
    ):
        latest = organisation.status_changes.filter(effective_at__lte=now).latest()
        agreement_end = (
            PartnershipAgreement.objects.filter(organisation=organisation, ends_on__lte=today)
            .order_by("ends_on")
            .first()
        )
        due = latest.ends_on is not None and latest.ends_on < today
        if organisation.current_status == Status.PARTNER and agreement_end is not None:
            due = due or agreement_end.ends_on > timezone.localdate(latest.effective_at)
        if not due:
            continue
        reason = (
            StatusReason.PARTNERSHIP_ENDED
            if organisation.current_status == Status.PARTNER
            else StatusReason.INVITATION_EXPIRED
        )
        ended.append(
            organisation_status_change(
                organisation=organisation, status=Status.NONE, reason=reason, now=now
            )
        )
    return ended


def agreement_notice_reminders(
    *, now: datetime.datetime | None = None, days_before: int = 30
) -> list[PartnershipAgreement]:
    """P6: remind the COPIL before an agreement's last date to give notice. One reminder
    per period end (``notice_reminded_for``): a second run sends nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = []
    partners = selectors.organisation_list_with_status(at=now).filter(current_status=Status.PARTNER)
    for agreement in PartnershipAgreement.objects.filter(
        organisation__in=partners, notice_given_on__isnull=True
    ).select_related("organisation"):
        dates = agreement_dates(agreement, on=today)
        last, end = dates["last_notice"], dates["notice_effective"]
        if last is None or (last - today).days > days_before:
            continue
        with transaction.atomic():
            updated = (
                PartnershipAgreement.objects.filter(pk=agreement.pk)
                .exclude(notice_reminded_for=end)
                .update(notice_reminded_for=end)
            )
            if not updated:
                continue
            name = agreement.organisation.legal_name

            def reminder_email(name=name, last=last, end=end):
                return {
                    "to": [settings.COPIL_EMAIL],
                    "subject": _("Convention avec %(name)s : préavis avant le %(date)s")
                    % {"name": name, "date": _date(last)},
                    "paragraphs": [
                        _(
                            "La convention de partenariat avec %(name)s est reconduite "
                            "tacitement le %(end)s. Pour y mettre fin à cette échéance, le "
                            "préavis doit être donné au plus tard le %(last)s."
                        )
                        % {"name": name, "end": _date(end), "last": _date(last)},
                    ],
                }

            _send_on_commit(reminder_email)
        reminded.append(agreement)
    return reminded


# --- Invitees (art. 5: I1 to I4) ---------------------------------------------------------

INVITATION_TOKEN_SALT = "members.invitation.accept"  # noqa: S105 (a salt, not a secret)


def invitation_token(invitation: Invitation) -> str:
    from django.core import signing

    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_TOKEN_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to; MembersError when the link is forged or unknown."""
    from django.core import signing

    try:
        data = signing.loads(token, salt=INVITATION_TOKEN_SALT)
        return Invitation.objects.select_related("organisation").get(pk=data["invitation"])
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist) as error:
        raise MembersError(_("Ce lien d'invitation n'est pas valable.")) from error


def _invitation_ban_check(organisation: Organisation | None, *, on: datetime.date) -> None:
    if organisation is None:
        return
    until = selectors.invitation_ban_until(organisation=organisation, on=on)
    if until is not None:
        # Charter art. 5 (I4): no invitation for 24 months after an exclusion.
        raise InvitationBanned(
            _(
                "%(name)s a été exclue de la COS-GE : elle ne peut pas être invitée avant le "
                "%(date)s (article 5 de la charte)."
            )
            % {"name": organisation.legal_name, "date": _date(until)},
            field="guest_organisation_name",
        )
    status = selectors.organisation_status(organisation=organisation)
    if status in (Status.MEMBER, Status.PARTNER):
        raise MembersError(
            _("%(name)s est déjà membre ou partenaire : elle n'a pas besoin d'invitation.")
            % {"name": organisation.legal_name},
            field="guest_organisation_name",
        )


@transaction.atomic
def invitation_propose(
    *,
    proposed_by,
    guest_name: str,
    guest_email: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    proposing_organisation: Organisation | None = None,
    guest_organisation_name: str = "",
    occasion: str = "",
    activities: Iterable = (),
    now: datetime.datetime | None = None,
) -> Invitation:
    """Charter art. 5 (I1): a member (or the COPIL for the community) proposes an invitee."""
    from charters.selectors import is_copil

    now = now or timezone.now()
    today = timezone.localdate(now)
    if proposing_organisation is None:
        if not is_copil(proposed_by):
            raise MembersError(_("Choisissez le membre au nom duquel vous invitez."))
    else:
        _require_representative(proposed_by, proposing_organisation, on=today)
        if selectors.organisation_status(organisation=proposing_organisation, at=now) != (
            Status.MEMBER
        ):
            raise MembersError(_("Seuls les membres peuvent proposer un invité."))
    if ends_on < starts_on:
        raise MembersError(_("La période se termine avant de commencer."), field="ends_on")
    if ends_on < today:
        raise MembersError(_("La période est déjà passée."), field="ends_on")
    guest_organisation_name = guest_organisation_name.strip()
    organisation = (
        Organisation.objects.filter(legal_name__iexact=guest_organisation_name).first()
        if guest_organisation_name
        else None
    )
    _invitation_ban_check(organisation, on=today)
    invitation = Invitation(
        proposed_by=proposed_by,
        proposing_organisation=proposing_organisation,
        organisation=organisation,
        guest_organisation_name=guest_organisation_name,
        guest_name=guest_name.strip(),
        guest_email=guest_email.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        occasion=occasion,
    )
    invitation.full_clean()
    invitation.save()
    invitation.activities.set(list(activities))
    audit_log(
        action="members.invitation.proposed",
        actor=proposed_by,
        target=invitation,
        data={"organisation": organisation.pk if organisation else None},
        now=now,
    )

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Invitation à valider : %(who)s") % {"who": str(invitation)},
            "paragraphs": [
                _("Une invitation attend la validation du COPIL : %(url)s")
                % {
                    "url": _site_url(
                        reverse("admin:members_invitation_change", args=[invitation.pk])
                    )
                }
            ],
        }

    _send_on_commit(copil_email)
    return invitation


@transaction.atomic
def invitation_validate(
    *, invitation: Invitation, actor, now: datetime.datetime | None = None
) -> Invitation:
    """Charter art. 5 (I1, I3, I4, G2): the COPIL validates; the guest gets the link to
    accept art. 3.3 (I2). An organisation gets the invitee status for the period, unless
    it is an applicant (its attendance then counts for M6) — a rejected applicant may be
    invited (I3)."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.PROPOSED:
        raise MembersError(_("Cette invitation a déjà été traitée."))
    if invitation.ends_on < today:
        raise MembersError(_("La période de cette invitation est passée."))
    organisation = invitation.organisation
    if organisation is None and invitation.guest_organisation_name:
        organisation = Organisation.objects.filter(
            legal_name__iexact=invitation.guest_organisation_name
        ).first() or organisation_create(
            legal_name=invitation.guest_organisation_name, actor=actor, now=now
        )
        invitation.organisation = organisation
    _invitation_ban_check(organisation, on=today)
    if organisation is not None:
        status = selectors.organisation_status(organisation=organisation, at=now)
        if status == Status.NONE:
            organisation_status_change(
                organisation=organisation,
                status=Status.INVITEE,
                reason=StatusReason.INVITED,
                actor=actor,
                ends_on=invitation.ends_on if invitation.ends_on > today else None,
                explanation=invitation.occasion,
                now=now,
            )
    invitation.state = InvitationState.VALIDATED
    invitation.decided_by = actor
    invitation.decided_at = now
    invitation.save()
    audit_log(action="members.invitation.validated", actor=actor, target=invitation, now=now)
    link = _site_url(reverse("invitation_accept", args=[invitation_token(invitation)]))
    email, guest = invitation.guest_email, invitation.guest_name
    period = (_date(invitation.starts_on), _date(invitation.ends_on))

    def guest_email():
        return {
            "to": [email],
            "subject": _("Votre invitation aux activités de la COS-GE"),
            "paragraphs": [
                _("Bonjour %(name)s,") % {"name": guest},
                _("Vous êtes invité(e) aux activités de la COS-GE du %(start)s au %(end)s.")
                % {"start": period[0], "end": period[1]},
                _(
                    "Avant d'y participer, prenez connaissance de l'article 3.3 de la charte "
                    "(éthique et confidentialité) et acceptez-le en ligne, sans créer de "
                    "compte : %(url)s"
                )
                % {"url": link},
            ],
        }

    _send_on_commit(guest_email)
    return invitation


@transaction.atomic
def invitation_refuse(
    *, invitation: Invitation, actor, reason: str = "", now: datetime.datetime | None = None
) -> Invitation:
    _require_copil(actor)
    now = now or timezone.now()
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.PROPOSED:
        raise MembersError(_("Cette invitation a déjà été traitée."))
    invitation.state = InvitationState.REFUSED
    invitation.decided_by = actor
    invitation.decided_at = now
    invitation.decision_reason = reason
    invitation.save()
    audit_log(
        action="members.invitation.refused",
        actor=actor,
        target=invitation,
        data={"reason": reason},
        now=now,
    )
    return invitation


def invitation_acceptance_text(invitation: Invitation, *, on: datetime.date) -> str:
    from charters.selectors import charter_version_in_force

    version = charter_version_in_force(on=on)
    label = version.label if version else "—"
    who = invitation.guest_name
    if invitation.organisation_id:
        who = _("%(name)s, pour %(organisation)s") % {
            "name": who,
            "organisation": invitation.organisation.legal_name,
        }
    return _(
        "Je soussigné(e) %(who)s déclare avoir lu l'article 3.3 (éthique et confidentialité) "
        "de la charte de la COS-GE, version %(label)s, et m'engage à le respecter, y compris "
        "pendant douze mois après la fin de mon invitation."
    ) % {"who": who, "label": label}


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    consent_given: bool,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> Invitation:
    """Charter art. 5 and 3.3 (I2, E1): the invitee accepts art. 3.3 before taking part."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.VALIDATED:
        raise MembersError(_("Cette invitation n'a pas été validée par le COPIL."))
    if invitation.accepted_at is not None:
        raise MembersError(_("Vous avez déjà accepté l'article 3.3 pour cette invitation."))
    if invitation.ends_on < today:
        raise MembersError(
            _("Cette invitation a pris fin le %(date)s.") % {"date": _date(invitation.ends_on)}
        )
    if not consent_given:
        raise MembersError(
            _("Cochez la phrase d'engagement pour accepter l'article 3.3."), field="consent"
        )
    invitation.accepted_at = now
    invitation.acceptance_text = invitation_acceptance_text(invitation, on=today)
    invitation.accepted_ip = _clean_ip(ip_address)
    invitation.save(update_fields=["accepted_at", "acceptance_text", "accepted_ip", "updated_at"])
    audit_log(action="members.invitation.accepted", target=invitation, now=now)
    return invitation


def _clean_ip(ip_address: str | None) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    if not ip_address:
        return None
    try:
        validate_ipv46_address(ip_address.strip())
    except ValidationError:
        return None
    return ip_address.strip()


# --- Resignation (art. 3.4: L1, L2, L5) --------------------------------------------------


@transaction.atomic
def member_resign(
    *, organisation: Organisation, actor, now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.4 (L2): an authorised signatory resigns online, without a reason;
    effective at once (S2: the organisation leaves the directory and the lists the same
    day, L5); the COPIL is told in writing and the member gets a dated letter (PDF)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_signatory(actor, organisation, on=today)
    if selectors.organisation_status(organisation=organisation, at=now) != Status.MEMBER:
        raise MembersError(_("Cette entité n'est pas membre de la COS-GE."))
    change = organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        actor=actor,
        explanation=_("Démission en ligne"),
        notice_reference=_("Démission en ligne du %(date)s") % {"date": _date(now)},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name, signer = organisation.legal_name, actor.get_full_name() or actor.email

    def member_email():
        from charters.selectors import commitment_end_date

        pdf = _letter_pdf(
            "members/letters/resignation.html",
            {
                "title": _("Confirmation de démission"),
                "organisation": organisation,
                "signer": signer,
                "effective_at": now,
                "commitment_end": commitment_end_date(lost_on=today),
            },
        )
        return {
            "to": recipients,
            "subject": _("Confirmation de la démission de %(name)s") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Nous confirmons la démission de %(name)s de la COS-GE, donnée en ligne par "
                    "%(signer)s et effective le %(date)s. Vous trouverez la lettre de "
                    "confirmation en pièce jointe."
                )
                % {"name": name, "signer": signer, "date": _date(now)},
            ],
            "attachments": [(f"demission-{organisation.slug}.pdf", pdf, "application/pdf")],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Démission : %(name)s") % {"name": name},
            "paragraphs": [
                _("%(signer)s a donné en ligne la démission de %(name)s, effective le %(date)s.")
                % {"signer": signer, "name": name, "date": _date(now)}
            ],
        }

    _send_on_commit(copil_email)
    _send_on_commit(member_email)
    return change


# --- Exclusion procedure (art. 3.4: L3, L4) ----------------------------------------------


@transaction.atomic
def exclusion_open(
    *,
    organisation: Organisation,
    actor,
    ground: str,
    facts: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L3, L4): the COPIL notifies a member that its exclusion is
    considered, on a ground of art. 3.4, and invites it to answer within the period."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if selectors.organisation_status(organisation=organisation, at=now) != Status.MEMBER:
        raise MembersError(_("Seul un membre peut faire l'objet d'une procédure d'exclusion."))
    if ExclusionProcedure.objects.filter(organisation=organisation, outcome="").exists():
        raise MembersError(_("Une procédure d'exclusion est déjà en cours pour ce membre."))
    if ground not in ExclusionGround.values:
        raise MembersError(_("Choisissez un motif de l'article 3.4."), field="ground")
    if not facts.strip():
        raise MembersError(_("Décrivez les faits reprochés."), field="facts")
    parameters = charter_parameters(on=today)
    procedure = ExclusionProcedure(
        organisation=organisation,
        ground=ground,
        facts=facts.strip(),
        opened_by=actor,
        opened_at=now,
        response_due_on=today + datetime.timedelta(days=parameters.exclusion_response_days),
    )
    if ground == ExclusionGround.ATTENDANCE:
        snapshot = selectors.attendance_snapshot_latest(organisation=organisation)
        if snapshot is None or not snapshot.is_below_threshold:
            raise MembersError(
                _(
                    "Le dernier taux de présence calculé pour ce membre n'est pas sous le "
                    "seuil de %(threshold)s %% : ce motif ne s'applique pas."
                )
                % {"threshold": parameters.attendance_threshold_percent},
                field="ground",
            )
        procedure.attendance_attended = snapshot.attended
        procedure.attendance_convened = snapshot.convened
        procedure.attendance_window_start = snapshot.window_start
        procedure.attendance_window_end = snapshot.window_end
    procedure.save()
    audit_log(
        action="members.exclusion.opened",
        actor=actor,
        target=procedure,
        data={"organisation": organisation.pk, "ground": ground},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def member_email():
        return {
            "to": recipients,
            "subject": _("Procédure d'exclusion envisagée : %(name)s") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Le COPIL de la COS-GE envisage l'exclusion de %(name)s pour le motif "
                    "suivant : %(ground)s."
                )
                % {"name": name, "ground": ExclusionGround(ground).label},
                procedure.facts,
                _(
                    "Conformément à l'article 3.4 de la charte, vous pouvez communiquer toute "
                    "information utile jusqu'au %(date)s, en ligne : %(url)s"
                )
                % {
                    "date": _date(procedure.response_due_on),
                    "url": _site_url(
                        reverse("member_space:organisation", args=[organisation.slug])
                    ),
                },
            ],
        }

    _send_on_commit(member_email)
    return procedure


@transaction.atomic
def exclusion_respond(
    *,
    procedure: ExclusionProcedure,
    actor,
    response: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L4): the member answers online within the response period."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    procedure = ExclusionProcedure.objects.select_for_update().get(pk=procedure.pk)
    _require_representative(actor, procedure.organisation, on=today)
    if not procedure.is_open:
        raise MembersError(_("Cette procédure est close."))
    if procedure.responded_at is not None:
        raise MembersError(_("Votre réponse a déjà été transmise au COPIL."))
    if today > procedure.response_due_on:
        raise MembersError(
            _("Le délai de réponse a pris fin le %(date)s.")
            % {"date": _date(procedure.response_due_on)}
        )
    if not response.strip():
        raise MembersError(_("Écrivez votre réponse."), field="response")
    procedure.response = response.strip()
    procedure.responded_by = actor
    procedure.responded_at = now
    procedure.save(update_fields=["response", "responded_by", "responded_at", "updated_at"])
    audit_log(action="members.exclusion.answered", actor=actor, target=procedure, now=now)
    name = procedure.organisation.legal_name

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Procédure d'exclusion : réponse de %(name)s") % {"name": name},
            "paragraphs": [
                _("%(name)s a répondu le %(date)s :") % {"name": name, "date": _date(now)},
                procedure.response,
            ],
        }

    _send_on_commit(copil_email)
    return procedure


@transaction.atomic
def exclusion_decide(
    *,
    procedure: ExclusionProcedure,
    actor,
    outcome: str,
    reason: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L4, G2): once the member answered or the period ended, the COPIL
    excludes or closes; the decision is notified by a dated letter (PDF) and an e-mail."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    procedure = ExclusionProcedure.objects.select_for_update().get(pk=procedure.pk)
    if not procedure.is_open:
        raise MembersError(_("Cette procédure est déjà close."))
    if outcome not in ExclusionOutcome.values:
        raise MembersError(_("Choisissez la décision."), field="outcome")
    if not reason.strip():
        raise MembersError(_("Indiquez les motifs de la décision."), field="reason")
    if (
        outcome == ExclusionOutcome.EXCLUDED
        and procedure.responded_at is None
        and today <= procedure.response_due_on
    ):
        # Charter art. 3.4 (L4): the member first has the opportunity to answer.
        raise MembersError(
            _(
                "Le membre peut encore répondre jusqu'au %(date)s : l'exclusion ne peut être "
                "prononcée qu'après sa réponse ou la fin de ce délai."
            )
            % {"date": _date(procedure.response_due_on)}
        )
    organisation = procedure.organisation
    if outcome == ExclusionOutcome.EXCLUDED:
        organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=StatusReason.EXCLUDED,
            actor=actor,
            explanation=f"{ExclusionGround(procedure.ground).label} — {reason.strip()}",
            notice_reference=_("Lettre de décision du %(date)s") % {"date": _date(now)},
            now=now,
        )
    procedure.outcome = outcome
    procedure.decided_by = actor
    procedure.decided_at = now
    procedure.decision_reason = reason.strip()
    procedure.save(
        update_fields=["outcome", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_log(
        action=f"members.exclusion.{outcome}",
        actor=actor,
        target=procedure,
        data={"organisation": organisation.pk, "ground": procedure.ground},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def decision_email():
        from charters.selectors import commitment_end_date

        pdf = _letter_pdf(
            "members/letters/exclusion_decision.html",
            {
                "title": _("Décision du COPIL"),
                "procedure": procedure,
                "organisation": organisation,
                "decided_at": now,
                "commitment_end": (
                    commitment_end_date(lost_on=today)
                    if outcome == ExclusionOutcome.EXCLUDED
                    else None
                ),
            },
        )
        return {
            "to": [*recipients, settings.COPIL_EMAIL],
            "subject": _("Décision du COPIL sur la procédure d'exclusion de %(name)s")
            % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL a rendu sa décision le %(date)s : %(outcome)s.")
                % {"date": _date(now), "outcome": ExclusionOutcome(outcome).label},
                _("La lettre de décision est en pièce jointe."),
            ],
            "attachments": [(f"decision-copil-{organisation.slug}.pdf", pdf, "application/pdf")],
        }

    _send_on_commit(decision_email)
    return procedure


# --- Proof of commitments (N1) -----------------------------------------------------------

# Uploaded proofs: PDF or images, checked on their content, never on their name.
PROOF_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
UPLOAD_CONTENT_TYPES = dict(UPLOAD_FORMATS.values())


def upload_name_check(name: str) -> str:
    """The uploaded file's name for display; MembersError when it tries a path trick."""
    import unicodedata

    if (
        not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or ".." in name
        or any(unicodedata.category(char) == "Cc" for char in name)
    ):
        raise InvalidUpload(
            _("Le nom du fichier n'est pas accepté : renommez-le (lettres, chiffres, tirets).")
        )
    return get_valid_filename(name)[:200]


def upload_check(*, file, formats=("pdf", "PNG", "JPEG", "WEBP")) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; InvalidUpload otherwise (N1).

    The type is read from the content (the PDF signature, or Pillow for images); the
    size is limited; the name is never used as a path.
    """
    max_bytes = getattr(settings, "PROOF_MAX_BYTES", PROOF_MAX_BYTES)
    if file.size > max_bytes:
        raise InvalidUpload(_("Le fichier dépasse %(size)s.") % {"size": filesizeformat(max_bytes)})
    upload_name_check(file.name)
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-" and "pdf" in formats:
        return UPLOAD_FORMATS["pdf"]
    image_format = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                image.verify()
    except Exception:  # Pillow raises many kinds of errors: any means "not an image"
        image_format = None
    finally:
        file.seek(0)
    if image_format in formats:
        return UPLOAD_FORMATS[image_format]
    accepted = ", ".join("PDF" if f == "pdf" else f for f in formats)
    raise InvalidUpload(
        _("Ce type de fichier n'est pas accepté : %(formats)s uniquement.") % {"formats": accepted}
    )


@transaction.atomic
def proof_request_create(
    *,
    organisation: Organisation,
    actor,
    description: str,
    due_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ProofRequest:
    """N1: the COPIL asks a member for proof of its commitments."""
    _require_copil(actor)
    now = now or timezone.now()
    if not description.strip():
        raise MembersError(_("Précisez les documents demandés."), field="description")
    proof_request = ProofRequest.objects.create(
        organisation=organisation,
        description=description.strip(),
        due_on=due_on,
        requested_by=actor,
        requested_at=now,
    )
    audit_log(action="members.proof.requested", actor=actor, target=proof_request, now=now)
    recipients = _representative_emails(organisation, on=timezone.localdate(now))
    slug = organisation.slug

    def member_email():
        return {
            "to": recipients,
            "subject": _("Justificatifs demandés par le COPIL"),
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL vous demande les documents suivants :"),
                proof_request.description,
                _("Déposez-les dans votre espace membre : %(url)s")
                % {"url": _site_url(reverse("member_space:organisation", args=[slug]))},
            ],
        }

    _send_on_commit(member_email)
    return proof_request


@transaction.atomic
def proof_document_upload(
    *, proof_request: ProofRequest, file, actor, now: datetime.datetime | None = None
) -> ProofDocument:
    """N1: a representative uploads a document; stored privately, never under a public URL.

    A refused file (type, size, name) stores nothing: checks run before any write.
    """
    now = now or timezone.now()
    _require_representative(actor, proof_request.organisation, on=timezone.localdate(now))
    if proof_request.closed_at is not None:
        raise MembersError(_("Cette demande est close."))
    extension, content_type = upload_check(file=file)
    original_name = upload_name_check(file.name)
    document = ProofDocument(
        request=proof_request,
        original_name=original_name,
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
        uploaded_at=now,
    )
    document.file.save(f"justificatif.{extension}", file, save=False)
    stored = document.file.name
    try:
        document.save()
        audit_log(
            action="members.proof.uploaded",
            actor=actor,
            target=document,
            data={"request": proof_request.pk, "size": file.size, "type": content_type},
            now=now,
        )
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document


# --- Representatives (M9) ----------------------------------------------------------------


@transaction.atomic
def representative_add(
    *,
    organisation: Organisation,
    actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    is_authorised_signatory: bool = False,
    now: datetime.datetime | None = None,
) -> Representative:
    """Charter art. 3.1 and 4 (M9, P3): the organisation designates a representative."""
    from charters.selectors import is_copil

    now = now or timezone.now()
    today = timezone.localdate(now)
    if not is_copil(actor):
        _require_signatory(actor, organisation, on=today)
    user, _created = user_get_or_create(
        email=email, first_name=first_name, last_name=last_name, actor=actor, now=now
    )
    if (
        selectors.active_representatives(on=today)
        .filter(organisation=organisation, user=user)
        .exists()
    ):
        raise MembersError(_("Cette personne représente déjà l'entité."), field="email")
    representative = Representative.objects.create(
        user=user,
        organisation=organisation,
        job_title=job_title[:150],
        start_date=today,
        is_authorised_signatory=is_authorised_signatory,
    )
    audit_log(
        action="members.representative.added",
        actor=actor,
        target=representative,
        data={"organisation": organisation.pk},
        now=now,
    )
    name = organisation.legal_name

    def welcome_email():
        return {
            "to": [user.email],
            "subject": _("Vous représentez %(name)s à la COS-GE") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Vous avez été désigné(e) pour représenter %(name)s au sein de la COS-GE.")
                % {"name": name},
                _(
                    "Connectez-vous (ou choisissez votre mot de passe avec « Mot de passe "
                    "oublié ») : %(url)s"
                )
                % {"url": _site_url(reverse("account_login"))},
            ],
        }

    _send_on_commit(welcome_email)
    return representative


@transaction.atomic
def representative_end(
    *, representative: Representative, actor, now: datetime.datetime | None = None
) -> Representative:
    """M9: a representative's mandate ends today (by a signatory, the person, or the COPIL)."""
    from charters.selectors import is_copil

    now = now or timezone.now()
    today = timezone.localdate(now)
    if actor.pk != representative.user_id and not is_copil(actor):
        _require_signatory(actor, representative.organisation, on=today)
    if not representative.is_active_on(today):
        raise MembersError(_("Ce mandat de représentant est déjà terminé."))
    representative.end_date = max(today, representative.start_date)
    representative.save(update_fields=["end_date", "updated_at"])
    audit_log(
        action="members.representative.ended",
        actor=actor,
        target=representative,
        data={"organisation": representative.organisation_id},
        now=now,
    )
    return representative


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
