"""Writes of commissions (K1-K3), referents (R1-R4) and charter revision (X2-X4, W1).

Every change is checked here, whatever the caller (page, admin action, task), and
written with its audit entry in one transaction (ARCHITECTURE §2, §5, §8).
"""

import datetime
import logging
import os
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activities.constants import ActivityKind, ConvenedScope
from activities.models import Activity
from activities.services import activity_convocations_sync, activity_create
from charters.selectors import charter_parameters, charter_version_in_force, is_copil
from charters.services import charter_version_publish, charter_version_revise
from cos_portal.audit import audit_log
from cos_portal.emails import email_enqueue
from cos_portal.public_cache import public_pages_changed
from members.models import Organisation, Representative

from .. import selectors_commissions as selectors
from ..exceptions import CommissionError, NotAllowed, ReferentError, RevisionError
from ..models.commissions import (
    BodyKind,
    CharterRevision,
    Commission,
    CommissionMeeting,
    CommissionMembership,
    CommissionStatus,
    HierarchyAgreement,
    MembershipStatus,
    ProgressReport,
    Referent,
    ReferentBody,
    ReferentContact,
    ReferentEndReason,
    ReferentMessage,
    ReportAttachment,
    RevisionNature,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
    RoadmapAction,
    VoteChoice,
)

logger = logging.getLogger(__name__)


def _now(now):
    return now or timezone.now()


def _require_copil(actor) -> None:
    if not is_copil(actor):
        raise NotAllowed(_("Cette décision appartient au COPIL."))


def _send_mail(*, to: list[str], subject: str, template: str, context: dict, reply_to=None):
    """A French e-mail, plain text and HTML, queued through Celery once the transaction
    has committed (the outbox keeps it if Redis is down)."""
    with translation.override("fr"):
        text = render_to_string(f"governance/commissions/email/{template}.txt", context)
        html = render_to_string(f"governance/commissions/email/{template}.html", context)
    email_enqueue(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        html=html,
        to=to,
        reply_to=reply_to or (),
    )


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- Commissions (art. 8: K1, K2, K3) -------------------------------------------------------------


def _fresh(commission: Commission) -> Commission:
    """The commission as stored: its facilitator decides who may act (K2)."""
    return Commission.objects.select_related("facilitator").get(pk=commission.pk)


def _unique_commission_slug(name: str) -> str:
    base = slugify(name)[:150] or "commission"
    slug, n = base, 2
    while Commission.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_member_representative(*, representative: Representative, now) -> None:
    if not representative.is_active_on(timezone.localdate(now)):
        raise CommissionError(_("Ce représentant n'est plus actif."))
    if not selectors.organisation_is_member(organisation=representative.organisation, at=now):
        raise CommissionError(
            _("Seuls les représentants d'une entité membre peuvent y prendre part.")
        )


@transaction.atomic
def commission_create(
    *,
    name: str,
    purpose: str,
    start_date: datetime.date,
    end_date: datetime.date | None,
    actor,
    facilitator: Representative | None = None,
    max_members: int = 10,
    keeps_roadmap: bool = False,
    now: datetime.datetime | None = None,
) -> Commission:
    """Charter art. 8 (K1): an ad hoc commission, with a precise purpose and a duration."""
    now = _now(now)
    _require_copil(actor)
    commission = Commission(
        name=name.strip(),
        slug=_unique_commission_slug(name),
        purpose=purpose.strip(),
        start_date=start_date,
        end_date=end_date,
        max_members=max_members,
        keeps_roadmap=keeps_roadmap,
    )
    try:
        commission.full_clean()
    except ValidationError as error:
        raise CommissionError(" ".join(error.messages)) from error
    commission.save()
    audit_log(
        action="governance.commission.created",
        actor=actor,
        target=commission,
        data={"name": commission.name, "end_date": str(end_date)},
        now=now,
    )
    if facilitator is not None:
        commission_facilitator_set(
            commission=commission, representative=facilitator, actor=actor, now=now
        )
    return commission


@transaction.atomic
def commission_facilitator_set(
    *, commission: Commission, representative: Representative, actor, now=None
) -> Commission:
    """Charter art. 8 (K2): the COPIL names the facilitator, who is a member of the commission."""
    now = _now(now)
    _require_copil(actor)
    _check_member_representative(representative=representative, now=now)
    original, commission = commission, Commission.objects.select_for_update().get(pk=commission.pk)
    commission.facilitator = representative
    commission.save(update_fields=["facilitator", "updated_at"])
    original.facilitator = representative
    membership = CommissionMembership.objects.filter(
        commission=commission,
        representative=representative,
        status__in=[MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED],
    ).first()
    if membership is None:
        CommissionMembership.objects.create(
            commission=commission,
            representative=representative,
            status=MembershipStatus.ACCEPTED,
            volunteered_at=now,
            decided_at=now,
            decided_by=actor,
        )
    elif membership.status != MembershipStatus.ACCEPTED:
        membership.status = MembershipStatus.ACCEPTED
        membership.decided_at, membership.decided_by = now, actor
        membership.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(
        action="governance.commission.facilitator_set",
        actor=actor,
        target=commission,
        data={"representative": representative.pk},
        now=now,
    )
    commission_meetings_sync(commission=commission, now=now)
    return commission


@transaction.atomic
def commission_end(*, commission: Commission, actor, now=None) -> Commission:
    now = _now(now)
    _require_copil(actor)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status == CommissionStatus.ENDED:
        raise CommissionError(_("Cette commission est déjà terminée."))
    if commission.is_standing:
        raise CommissionError(_("Une commission permanente de la charte ne se termine pas."))
    commission.status = CommissionStatus.ENDED
    commission.ended_at = now
    commission.save(update_fields=["status", "ended_at", "updated_at"])
    audit_log(action="governance.commission.ended", actor=actor, target=commission, now=now)
    return commission


@transaction.atomic
def commission_volunteer(
    *,
    commission: Commission,
    representative: Representative,
    actor,
    motivation: str = "",
    now=None,
) -> CommissionMembership:
    """Charter art. 8 (K1): a representative of a member volunteers; the facilitator or the
    COPIL accepts."""
    now = _now(now)
    if getattr(actor, "pk", None) != representative.user_id:
        raise NotAllowed(_("Seule la personne concernée peut se porter volontaire."))
    _check_member_representative(representative=representative, now=now)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status != CommissionStatus.ACTIVE or (
        commission.end_date and commission.end_date < timezone.localdate(now)
    ):
        raise CommissionError(_("Cette commission est terminée."))
    if commission.memberships.filter(
        representative__user_id=representative.user_id,
        status__in=[MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED],
    ).exists():
        raise CommissionError(_("Vous êtes déjà volontaire ou membre de cette commission."))
    membership = CommissionMembership.objects.create(
        commission=commission,
        representative=representative,
        motivation=motivation.strip(),
        volunteered_at=now,
    )
    audit_log(
        action="governance.commission.volunteered",
        actor=actor,
        target=commission,
        data={"representative": representative.pk},
        now=now,
    )
    return membership


@transaction.atomic
def membership_decide(
    *, membership: CommissionMembership, accept: bool, actor, now=None
) -> CommissionMembership:
    now = _now(now)
    commission = Commission.objects.select_for_update().get(pk=membership.commission_id)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(_("Seuls l'animateur de la commission et le COPIL en décident."))
    membership = CommissionMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.VOLUNTEERED:
        raise CommissionError(_("Cette candidature a déjà été traitée."))
    if accept:
        accepted = commission.memberships.filter(status=MembershipStatus.ACCEPTED).count()
        # Charter art. 8 (K1): "un nombre restreint de membres".
        if accepted >= commission.max_members:
            raise CommissionError(
                _("La commission compte déjà %(n)s membres, son maximum.")
                % {"n": commission.max_members}
            )
        _check_member_representative(representative=membership.representative, now=now)
    membership.status = MembershipStatus.ACCEPTED if accept else MembershipStatus.DECLINED
    membership.decided_at, membership.decided_by = now, actor
    membership.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(
        action=f"governance.commission.volunteer_{'accepted' if accept else 'declined'}",
        actor=actor,
        target=commission,
        data={"membership": membership.pk, "representative": membership.representative_id},
        now=now,
    )
    if accept:
        commission_meetings_sync(commission=commission, now=now)
    return membership


@transaction.atomic
def membership_leave(*, membership: CommissionMembership, actor, now=None) -> CommissionMembership:
    now = _now(now)
    membership = CommissionMembership.objects.select_for_update().get(pk=membership.pk)
    commission = membership.commission
    own = getattr(actor, "pk", None) == membership.representative.user_id
    if not own and not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed()
    if membership.status not in (MembershipStatus.VOLUNTEERED, MembershipStatus.ACCEPTED):
        raise CommissionError(_("Cette personne ne fait plus partie de la commission."))
    if commission.facilitator_id == membership.representative_id:
        raise CommissionError(
            _("L'animateur reste membre : le COPIL désigne d'abord un autre animateur.")
        )
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.save(update_fields=["status", "left_at", "updated_at"])
    audit_log(
        action="governance.commission.member_left",
        actor=actor,
        target=commission,
        data={"membership": membership.pk},
        now=now,
    )
    commission_meetings_sync(commission=commission, now=now)
    return membership


def commission_meetings_sync(*, commission: Commission, now=None) -> int:
    """Keep the convocations of the commission's future meetings in line with its members.

    Held meetings keep the members convened at the time (their ratio must not change).
    """
    now = _now(now)
    organisation_ids = selectors.commission_member_organisation_ids(commission=commission)
    count = 0
    for meeting in commission.meetings.filter(activity__starts_at__gt=now).select_related(
        "activity"
    ):
        meeting.activity.invited_organisations.set(organisation_ids)
        activity_convocations_sync(activity=meeting.activity, now=now)
        count += 1
    return count


@transaction.atomic
def commission_meeting_create(
    *,
    commission: Commission,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor,
    place: str = "",
    postcode: str = "",
    city: str = "",
    online_url: str = "",
    description: str = "",
    now=None,
) -> CommissionMeeting:
    """Charter art. 7, 8 (A1, K2): a commission meeting is an activity convening the
    organisations of the commission's members; attendance counts as for any activity."""
    now = _now(now)
    commission = _fresh(commission)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(_("Seuls l'animateur de la commission et le COPIL la réunissent."))
    if commission.status != CommissionStatus.ACTIVE:
        raise CommissionError(_("Cette commission est terminée."))
    try:
        activity = activity_create(
            actor=actor,
            now=now,
            kind=ActivityKind.COMMISSION_MEETING,
            title=title,
            description=description,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            postcode=postcode,
            city=city,
            online_url=online_url,
            convened_scope=ConvenedScope.NAMED,
            organisers=[actor],
            invited_organisations=selectors.commission_member_organisation_ids(
                commission=commission
            ),
        )
    except ValidationError as error:
        raise CommissionError(" ".join(error.messages)) from error
    meeting = CommissionMeeting.objects.create(commission=commission, activity=activity)
    audit_log(
        action="governance.commission.meeting_created",
        actor=actor,
        target=commission,
        data={"activity": activity.pk},
        now=now,
    )
    return meeting


# Attachments of progress reports: checked on their content, stored privately.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
_ZIP = b"PK\x03\x04"
ATTACHMENT_TYPES: dict[str, tuple[bytes, str]] = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".odt": (_ZIP, "application/vnd.oasis.opendocument.text"),
    ".ods": (_ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
    ".odp": (_ZIP, "application/vnd.oasis.opendocument.presentation"),
    ".docx": (
        _ZIP,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (_ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (
        _ZIP,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}


def attachment_check(*, file) -> str:
    """The content type of an acceptable attachment; CommissionError otherwise."""
    name = os.path.basename(file.name or "")
    extension = os.path.splitext(name)[1].lower()
    if file.size > ATTACHMENT_MAX_BYTES:
        raise CommissionError(
            _("« %(name)s » dépasse %(size)s.")
            % {"name": name, "size": filesizeformat(ATTACHMENT_MAX_BYTES)}
        )
    if extension not in ATTACHMENT_TYPES:
        raise CommissionError(
            _(
                "« %(name)s » : seuls les fichiers PDF, OpenDocument, Office (docx, xlsx, pptx), "
                "PNG et JPEG sont acceptés."
            )
            % {"name": name}
        )
    magic, content_type = ATTACHMENT_TYPES[extension]
    file.seek(0)
    head = file.read(len(magic))
    file.seek(0)
    if head != magic:
        raise CommissionError(
            _("« %(name)s » n'a pas le contenu annoncé par son extension.") % {"name": name}
        )
    return content_type


@transaction.atomic
def progress_report_submit(
    *,
    commission: Commission,
    title: str,
    text: str,
    actor,
    files: Iterable = (),
    now=None,
) -> ProgressReport:
    """Charter art. 8 (K2): the facilitator reports to the COPIL; reports are kept."""
    now = _now(now)
    commission = _fresh(commission)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(_("Seuls l'animateur de la commission et le COPIL rendent compte."))
    files = list(files)
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise CommissionError(_("%(n)s pièces jointes au plus.") % {"n": ATTACHMENT_MAX_COUNT})
    if not title.strip() or not text.strip():
        raise CommissionError(_("Le titre et le texte du point d'avancement sont obligatoires."))
    checked = [(file, attachment_check(file=file)) for file in files]
    report = ProgressReport.objects.create(
        commission=commission,
        author=actor,
        title=title.strip(),
        text=text.strip(),
        submitted_at=now,
    )
    stored = []
    try:
        for file, content_type in checked:
            attachment = ReportAttachment(
                report=report,
                original_name=os.path.basename(file.name)[:200],
                content_type=content_type,
                size=file.size,
            )
            attachment.file.save(file.name, file, save=False)
            stored.append(attachment.file.name)
            attachment.save()
    except Exception:
        # The database rolls back; files already written would otherwise stay orphaned.
        for name in stored:
            ReportAttachment.file.field.storage.delete(name)
        raise
    audit_log(
        action="governance.commission.report_submitted",
        actor=actor,
        target=report,
        data={"commission": commission.pk, "attachments": len(stored)},
        now=now,
    )
    _send_mail(
        to=[settings.COPIL_EMAIL],
        subject=_("Point d'avancement de la %(commission)s") % {"commission": commission.name},
        template="report_submitted",
        context={
            "report": report,
            "commission": commission,
            "url": _site_url(commission.get_absolute_url()),
        },
    )
    return report


@transaction.atomic
def progress_report_mark_shown(
    *, report: ProgressReport, plenary: Activity, actor, now=None
) -> ProgressReport:
    """Charter art. 8: the facilitator presents progress to all members at a plenary."""
    now = _now(now)
    if not selectors.can_manage_commission(user=actor, commission=report.commission):
        raise NotAllowed()
    if plenary.kind not in (ActivityKind.ORDINARY_PLENARY, ActivityKind.EXTRAORDINARY_PLENARY):
        raise CommissionError(_("Un point d'avancement se présente en réunion plénière."))
    report.shown_at = plenary
    report.save(update_fields=["shown_at", "updated_at"])
    audit_log(
        action="governance.commission.report_shown",
        actor=actor,
        target=report,
        data={"plenary": plenary.pk},
        now=now,
    )
    return report


ROADMAP_FIELDS = (
    "code",
    "action",
    "objectives",
    "prerequisites",
    "deliverables",
    "target_year",
    "target_quarter",
    "status",
)


@transaction.atomic
def roadmap_action_save(
    *,
    commission: Commission,
    data: dict,
    actor,
    action: RoadmapAction | None = None,
    now=None,
) -> RoadmapAction:
    """An action of the commission's roadmap (ID, action, objectives, prerequisites,
    deliverables, target quarter, status), the WISE'camp pattern."""
    now = _now(now)
    commission = _fresh(commission)
    if not selectors.can_manage_commission(user=actor, commission=commission):
        raise NotAllowed(
            _("Seuls l'animateur de la commission et le COPIL tiennent la feuille de route.")
        )
    if not commission.keeps_roadmap:
        raise CommissionError(_("Cette commission ne tient pas de feuille de route."))
    unknown = set(data) - set(ROADMAP_FIELDS)
    if unknown:
        raise ValueError(f"Not roadmap fields: {sorted(unknown)}")
    created = action is None
    if created:
        action = RoadmapAction(commission=commission)
    elif action.commission_id != commission.pk:
        raise ValueError("An action of another commission.")
    for name, value in data.items():
        setattr(action, name, value)
    try:
        action.full_clean(exclude=["commission"])
    except ValidationError as error:
        raise CommissionError(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        raise CommissionError(
            _("L'identifiant « %(code)s » est déjà utilisé dans cette feuille de route.")
            % {"code": action.code}
        ) from None
    audit_log(
        action=f"governance.roadmap.action_{'created' if created else 'updated'}",
        actor=actor,
        target=action,
        data={"commission": commission.pk, "code": action.code, "status": action.status},
        now=now,
    )
    return action


# --- Referents (art. 9: R1-R4) ----------------------------------------------------------------------


@transaction.atomic
def referent_appoint(
    *,
    representative: Representative,
    bodies: Iterable[tuple[str, str]],
    hierarchy_agreement: str,
    available_min_years: bool,
    actor,
    hierarchy_agreement_on: datetime.date | None = None,
    start_date: datetime.date | None = None,
    is_zone_referent: bool = False,
    zone_departments: Iterable[str] = (),
    notes: str = "",
    now=None,
) -> Referent:
    """Charter art. 9 (R1, R2, R4): the COPIL appoints a referent among the representatives
    of members, with no end date."""
    now = _now(now)
    _require_copil(actor)
    day = start_date or timezone.localdate(now)
    params = charter_parameters(on=day)
    if not representative.is_active_on(day) or not selectors.organisation_is_member(
        organisation=representative.organisation, at=now
    ):
        raise ReferentError(_("Un référent est un représentant actif d'une entité membre."))
    bodies = [(kind, (name or "").strip()) for kind, name in bodies]
    if not bodies:
        raise ReferentError(
            _("Indiquez au moins un organisme avec lequel le référent est en relation.")
        )
    if any(kind not in BodyKind.values for kind, _name in bodies):
        raise ReferentError(_("Type d'organisme inconnu."))
    if hierarchy_agreement not in HierarchyAgreement.values:
        raise ReferentError(_("Indiquez si l'accord de la hiérarchie est nécessaire."))
    if hierarchy_agreement == HierarchyAgreement.OBTAINED and not hierarchy_agreement_on:
        raise ReferentError(_("Indiquez la date de l'accord de la hiérarchie."))
    if not available_min_years:
        raise ReferentError(
            _("Le référent doit pouvoir servir de point de contact pendant au moins %(n)s an(s).")
            % {"n": params.referent_min_years}
        )
    departments = sorted(set(zone_departments))
    if is_zone_referent:
        if not departments:
            raise ReferentError(_("Un référent de zone couvre au moins un département."))
        outside = [d for d in departments if d not in params.grand_est_departments]
        if outside:
            raise ReferentError(
                _("Départements hors du Grand Est : %(list)s.") % {"list": ", ".join(outside)}
            )
    elif departments:
        raise ReferentError(_("Seul un référent de zone couvre des départements."))
    if Referent.objects.filter(representative=representative, end_date__isnull=True).exists():
        raise ReferentError(_("Cette personne est déjà référente pour cette entité."))
    referent = Referent.objects.create(
        representative=representative,
        hierarchy_agreement=hierarchy_agreement,
        hierarchy_agreement_on=hierarchy_agreement_on
        if hierarchy_agreement == HierarchyAgreement.OBTAINED
        else None,
        available_min_years=True,
        start_date=day,
        appointed_by=actor if getattr(actor, "pk", None) else None,
        is_zone_referent=is_zone_referent,
        zone_departments=departments,
        notes=notes,
    )
    for kind, name in bodies:
        ReferentBody.objects.create(referent=referent, kind=kind, name=name[:200])
    public_pages_changed()  # R4: a zone referent shows on /referents/ at once
    audit_log(
        action="governance.referent.appointed",
        actor=actor,
        target=referent,
        data={
            "representative": representative.pk,
            "bodies": [kind for kind, _name in bodies],
            "zone": departments,
        },
        now=now,
    )
    return referent


@transaction.atomic
def referent_end(
    *, referent: Referent, reason: str, actor, end_date: datetime.date | None = None, now=None
) -> Referent:
    """Charter art. 9 (R2): the mission ends by COPIL decision or by resignation."""
    now = _now(now)
    referent = (
        Referent.objects.select_for_update().select_related("representative").get(pk=referent.pk)
    )
    if reason == ReferentEndReason.RESIGNATION:
        if getattr(actor, "pk", None) != referent.representative.user_id:
            raise NotAllowed(_("Seul le référent lui-même peut démissionner."))
    elif reason == ReferentEndReason.COPIL_DECISION:
        _require_copil(actor)
    else:
        raise ReferentError(_("Motif de fin inconnu."))
    if referent.end_date is not None:
        raise ReferentError(_("Cette mission a déjà pris fin."))
    day = end_date or timezone.localdate(now)
    if day < referent.start_date:
        raise ReferentError(_("La fin ne peut précéder le début de la mission."))
    referent.end_date, referent.end_reason, referent.ended_by = day, reason, actor
    referent.save(update_fields=["end_date", "end_reason", "ended_by", "updated_at"])
    public_pages_changed()
    audit_log(
        action=f"governance.referent.ended.{reason}",
        actor=actor,
        target=referent,
        data={"end_date": day.isoformat()},
        now=now,
    )
    if reason == ReferentEndReason.RESIGNATION:
        _send_mail(
            to=[settings.COPIL_EMAIL],
            subject=_("Démission d'un référent"),
            template="referent_resigned",
            context={"referent": referent, "date": day},
        )
    return referent


@transaction.atomic
def referent_contact_log(
    *,
    referent: Referent,
    date: datetime.date,
    body_kind: str,
    body_name: str,
    subject: str,
    actor,
    outcome: str = "",
    now=None,
) -> ReferentContact:
    """Charter art. 9 (R3): referents keep the COPIL informed of their contacts."""
    now = _now(now)
    if getattr(actor, "pk", None) != referent.representative.user_id and not is_copil(actor):
        raise NotAllowed(_("Seul le référent tient son journal de contacts."))
    if referent.end_date is not None and date > referent.end_date:
        raise ReferentError(_("Cette mission a pris fin avant cette date."))
    if date > timezone.localdate(now):
        raise ReferentError(_("Un contact se consigne une fois qu'il a eu lieu."))
    contact = ReferentContact(
        referent=referent,
        date=date,
        body_kind=body_kind,
        body_name=body_name.strip(),
        subject=subject.strip(),
        outcome=outcome.strip(),
        logged_by=actor,
    )
    try:
        contact.full_clean()
    except ValidationError as error:
        raise ReferentError(" ".join(error.messages)) from error
    contact.save()
    audit_log(
        action="governance.referent.contact_logged",
        actor=actor,
        target=referent,
        data={"contact": contact.pk, "body_kind": body_kind},
        now=now,
    )
    return contact


# The public contact form (R4): limits against abuse.
CONTACT_MESSAGE_MAX_CHARS = 3000
CONTACT_RATE_LIMIT = 5  # messages per address...
CONTACT_RATE_WINDOW = 60 * 60  # ...per hour
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def contact_token_new() -> str:
    """The one-time token a contact form carries: a resubmission sends nothing twice."""
    return secrets.token_urlsafe(24)


def contact_rate_limited(*, client_key: str) -> bool:
    """Count one submission from ``client_key``; True once over the limit (cache-based)."""
    key = f"governance:referent-contact:{client_key}"
    cache.add(key, 0, CONTACT_RATE_WINDOW)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CONTACT_RATE_WINDOW)
        hits = 1
    return hits > CONTACT_RATE_LIMIT


@transaction.atomic
def referent_message_send(
    *,
    referent: Referent,
    submission_token: str,
    sender_name: str,
    sender_email: str,
    message: str,
    sender_organisation: str = "",
    now=None,
) -> tuple[ReferentMessage, bool]:
    """Charter art. 9 (R4): relay a message to a zone referent by e-mail; the referent's
    address is never shown. Returns (message, sent): a submission already received (same
    token) is not sent a second time."""
    now = _now(now)
    if not _TOKEN_RE.match(submission_token or ""):
        raise ReferentError(
            _("Le formulaire a expiré : rechargez la page et renvoyez votre message.")
        )
    existing = ReferentMessage.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    if not referent.is_zone_referent or referent.end_date is not None:
        raise ReferentError(_("Ce référent de zone n'est plus joignable par ce formulaire."))
    message = message.strip()
    if not message or not sender_name.strip() or not sender_email.strip():
        raise ReferentError(
            _("Votre nom, votre adresse e-mail et votre message sont obligatoires.")
        )
    if len(message) > CONTACT_MESSAGE_MAX_CHARS:
        raise ReferentError(
            _("Votre message dépasse %(n)s caractères.") % {"n": CONTACT_MESSAGE_MAX_CHARS}
        )
    try:
        with transaction.atomic():
            relayed = ReferentMessage.objects.create(
                referent=referent,
                submission_token=submission_token,
                sender_name=sender_name.strip(),
                sender_email=sender_email.strip(),
                sender_organisation=sender_organisation.strip(),
                message=message,
                received_at=now,
            )
    except IntegrityError:
        # The same submission, posted twice at once: the first one sends.
        return ReferentMessage.objects.get(submission_token=submission_token), False
    _send_mail(
        to=[referent.representative.user.email],
        subject=_("Message reçu via la page des référents de zone"),
        template="referent_message",
        context={"relayed": relayed, "referent": referent},
        reply_to=[relayed.sender_email],
    )
    return relayed, True


# --- Charter revision (art. 10: X2, X3, X4, W1) ------------------------------------------------------


def _check_signatory_of_member(*, actor, organisation: Organisation, now) -> None:
    if (
        not selectors.member_signatory_representations(user=actor, at=now)
        .filter(organisation=organisation)
        .exists()
    ):
        raise NotAllowed(
            _("Seul un signataire habilité d'une entité membre peut engager celle-ci.")
        )


def _check_no_revision_in_progress() -> None:
    if selectors.revision_open() is not None:
        raise RevisionError(_("Une révision de la charte est déjà en cours."))


def _revision_create(
    *, origin: str, status: str, title: str, reason: str, nature: str, actor, now
) -> CharterRevision:
    """A new revision on the charter in force, by petition (X2) or by the COPIL (X3):
    one at a time, with a title, the reasons and a known nature."""
    _check_no_revision_in_progress()
    if not title.strip() or not reason.strip():
        raise RevisionError(_("L'intitulé et les motifs de la demande sont obligatoires."))
    if nature not in RevisionNature.values:
        raise RevisionError(_("Nature de la demande inconnue."))
    return CharterRevision.objects.create(
        origin=origin,
        nature=nature,
        title=title.strip(),
        reason=reason.strip(),
        status=status,
        base_version=charter_version_in_force(on=timezone.localdate(now)),
        opened_by=actor,
        opened_at=now,
    )


@transaction.atomic
def revision_petition_open(
    *,
    title: str,
    reason: str,
    organisation: Organisation,
    actor,
    nature: str = RevisionNature.REVISION,
    now=None,
) -> CharterRevision:
    """Charter art. 10 (X2): a member starts a revision (or abrogation) petition; its own
    support is the first one."""
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = _revision_create(
        origin=RevisionOrigin.PETITION,
        status=RevisionStatus.PETITION,
        title=title,
        reason=reason,
        nature=nature,
        actor=actor,
        now=now,
    )
    audit_log(
        action="governance.revision.petition_opened",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk, "nature": nature},
        now=now,
    )
    revision_support(revision=revision, organisation=organisation, actor=actor, now=now)
    return revision


@transaction.atomic
def revision_support(
    *, revision: CharterRevision, organisation: Organisation, actor, now=None
) -> RevisionSupport:
    """Charter art. 10 (X2): a member organisation supports the petition, once."""
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION:
        raise RevisionError(_("Cette demande ne recueille plus de soutiens."))
    if RevisionSupport.objects.filter(
        revision=revision, organisation=organisation, withdrawn_at__isnull=True
    ).exists():
        raise RevisionError(_("Votre entité soutient déjà cette demande."))
    support = RevisionSupport.objects.create(
        revision=revision, organisation=organisation, supported_by=actor, supported_at=now
    )
    audit_log(
        action="governance.revision.supported",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    revision_threshold_check(revision=revision, now=now)
    return support


@transaction.atomic
def revision_support_withdraw(
    *, revision: CharterRevision, organisation: Organisation, actor, now=None
) -> RevisionSupport:
    now = _now(now)
    _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION:
        raise RevisionError(_("Le COPIL est déjà saisi : le soutien ne peut plus être retiré."))
    support = RevisionSupport.objects.filter(
        revision=revision, organisation=organisation, withdrawn_at__isnull=True
    ).first()
    if support is None:
        raise RevisionError(_("Votre entité ne soutient pas cette demande."))
    support.withdrawn_at = now
    support.save(update_fields=["withdrawn_at"])
    audit_log(
        action="governance.revision.support_withdrawn",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    return support


@transaction.atomic
def revision_threshold_check(*, revision: CharterRevision, now=None) -> bool:
    """Charter art. 10 (X2): once the supporting members reach the threshold (50 % of the
    current members), the COPIL is seized: notified once, never twice. Called on each
    support and by the scheduled job, so a change of membership is taken into account."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PETITION or revision.copil_notified_at is not None:
        return False
    count = selectors.revision_petition_count(revision=revision, at=now)
    if not count.reached:
        return False
    revision.status = RevisionStatus.SEIZED
    revision.threshold_reached_at = now
    revision.copil_notified_at = now
    revision.save(
        update_fields=["status", "threshold_reached_at", "copil_notified_at", "updated_at"]
    )
    audit_log(
        action="governance.revision.copil_seized",
        actor=None,
        target=revision,
        data={
            "supporters": count.supporters,
            "members": count.members,
            "percent_required": count.percent_required,
        },
        now=now,
    )
    _send_mail(
        to=[settings.COPIL_EMAIL],
        subject=_("Demande de révision de la charte : le COPIL est saisi"),
        template="revision_seized",
        context={
            "revision": revision,
            "count": count,
            "url": _site_url(revision.get_absolute_url()),
        },
    )
    return True


def revision_petitions_check(*, now=None) -> int:
    """The scheduled job: recount every open petition (X2). Returns how many were seized."""
    seized = 0
    for pk in CharterRevision.objects.filter(status=RevisionStatus.PETITION).values_list(
        "pk", flat=True
    ):
        if revision_threshold_check(revision=CharterRevision(pk=pk), now=now):
            seized += 1
    return seized


@transaction.atomic
def revision_open_by_copil(
    *,
    title: str,
    reason: str,
    actor,
    nature: str = RevisionNature.REVISION,
    now=None,
) -> CharterRevision:
    """Charter art. 10 (X3): the COPIL may take up a revision itself."""
    now = _now(now)
    _require_copil(actor)
    revision = _revision_create(
        origin=RevisionOrigin.COPIL,
        status=RevisionStatus.SEIZED,
        title=title,
        reason=reason,
        nature=nature,
        actor=actor,
        now=now,
    )
    audit_log(
        action="governance.revision.opened_by_copil",
        actor=actor,
        target=revision,
        data={"nature": nature},
        now=now,
    )
    return revision


@transaction.atomic
def revision_commission_create(
    *,
    revision: CharterRevision,
    end_date: datetime.date,
    actor,
    facilitator: Representative | None = None,
    name: str = "",
    now=None,
) -> Commission:
    """Charter art. 10 (X3): an ad hoc commission drafts the new version."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.SEIZED:
        raise RevisionError(_("La commission ad hoc se constitue une fois le COPIL saisi."))
    commission = commission_create(
        name=name
        or _("Commission de révision de la charte (%(title)s)") % {"title": revision.title},
        purpose=_("Rédiger la nouvelle version de la charte (article 10) : %(reason)s")
        % {"reason": revision.reason},
        start_date=timezone.localdate(now),
        end_date=end_date,
        facilitator=facilitator,
        actor=actor,
        now=now,
    )
    revision.commission = commission
    revision.status = RevisionStatus.DRAFTING
    revision.save(update_fields=["commission", "status", "updated_at"])
    audit_log(
        action="governance.revision.commission_created",
        actor=actor,
        target=revision,
        data={"commission": commission.pk},
        now=now,
    )
    return commission


def can_draft(*, user, revision: CharterRevision) -> bool:
    if is_copil(user):
        return True
    return revision.commission_id is not None and selectors.is_facilitator(
        user=user, commission=revision.commission
    )


@transaction.atomic
def revision_draft_save(
    *,
    revision: CharterRevision,
    label: str,
    effective_date: datetime.date,
    change_note: str,
    actor,
    body: str | None = None,
    now=None,
):
    """Charter art. 10 (X3, W1): the ad hoc commission writes the new version and the
    nature of the change; it stays a draft (never in force) until adopted."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if not can_draft(user=actor, revision=revision):
        raise NotAllowed(_("Seuls l'animateur de la commission ad hoc et le COPIL rédigent."))
    if revision.status != RevisionStatus.DRAFTING:
        raise RevisionError(_("La nouvelle version se rédige avant l'ouverture du vote."))
    if not change_note.strip():
        raise RevisionError(_("Décrivez la nature de la modification (historique des versions)."))
    if effective_date <= timezone.localdate(now):
        raise RevisionError(_("La date d'entrée en vigueur doit être postérieure à aujourd'hui."))
    draft = revision.draft_version
    if draft is None:
        base = revision.base_version or charter_version_in_force(on=timezone.localdate(now))
        if base is None:
            raise RevisionError(_("Aucune version de la charte n'est en vigueur."))
        try:
            draft = charter_version_revise(
                version=base,
                label=label,
                effective_date=effective_date,
                change_note=change_note.strip(),
                body=body,
                actor=actor,
                now=now,
            )
        except Exception as error:  # charters' InvalidVersion carries a French message
            raise RevisionError(getattr(error, "message", str(error))) from error
        revision.draft_version = draft
        revision.save(update_fields=["draft_version", "updated_at"])
    else:
        draft.label = label.strip()
        draft.effective_date = effective_date
        draft.change_note = change_note.strip()
        if body is not None:
            draft.body = body
        try:
            draft.full_clean()
        except ValidationError as error:
            raise RevisionError(" ".join(error.messages)) from error
        draft.save()
    audit_log(
        action="governance.revision.draft_saved",
        actor=actor,
        target=revision,
        data={"draft": draft.pk, "label": draft.label, "text_sha256": draft.text_sha256},
        now=now,
    )
    return draft


@transaction.atomic
def revision_vote_open(
    *, revision: CharterRevision, plenary: Activity, actor, now=None
) -> CharterRevision:
    """Charter art. 10 (X4): the new version is submitted to all members at an
    extraordinary plenary."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.DRAFTING:
        raise RevisionError(_("Le vote s'ouvre une fois la nouvelle version rédigée."))
    if revision.nature == RevisionNature.REVISION and revision.draft_version_id is None:
        raise RevisionError(_("La commission ad hoc n'a pas encore rédigé de nouvelle version."))
    if plenary.kind != ActivityKind.EXTRAORDINARY_PLENARY:
        raise RevisionError(_("Le vote a lieu en réunion plénière extraordinaire."))
    revision.plenary = plenary
    revision.status = RevisionStatus.VOTING
    revision.save(update_fields=["plenary", "status", "updated_at"])
    audit_log(
        action="governance.revision.vote_opened",
        actor=actor,
        target=revision,
        data={"plenary": plenary.pk},
        now=now,
    )
    return revision


@transaction.atomic
def revision_vote_record(
    *, revision: CharterRevision, organisation: Organisation, choice: str, actor, now=None
) -> RevisionVote:
    """Charter art. 10 (X4): one vote per member organisation, recorded by the COPIL from
    the plenary's roll call (or cast by the organisation's signatory); never changed."""
    now = _now(now)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.VOTING:
        raise RevisionError(_("Le vote n'est pas ouvert."))
    if not is_copil(actor):
        _check_signatory_of_member(actor=actor, organisation=organisation, now=now)
    if choice not in VoteChoice.values:
        raise RevisionError(_("Choix de vote inconnu."))
    if not selectors.revision_voters(revision=revision).filter(pk=organisation.pk).exists():
        raise RevisionError(
            _("%(name)s n'était pas membre à la date de la plénière : elle ne vote pas.")
            % {"name": organisation.legal_name}
        )
    try:
        with transaction.atomic():
            vote = RevisionVote.objects.create(
                revision=revision,
                organisation=organisation,
                choice=choice,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise RevisionError(
            _("Le vote de %(name)s est déjà enregistré.") % {"name": organisation.legal_name}
        ) from None
    audit_log(
        action="governance.revision.vote_recorded",
        actor=actor,
        target=revision,
        data={"organisation": organisation.pk},
        now=now,
    )
    return vote


@transaction.atomic
def revision_vote_close(*, revision: CharterRevision, actor, now=None) -> CharterRevision:
    """Charter art. 10 (X4): adopted by simple majority of the votes cast (abstentions are
    not votes cast; a tie is not a majority). An adopted version is published: it comes
    into force on its effective date, which starts the re-signature campaign."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.VOTING:
        raise RevisionError(_("Le vote n'est pas ouvert."))
    choices = list(revision.votes.values_list("choice", flat=True))
    revision.votes_for = choices.count(VoteChoice.FOR)
    revision.votes_against = choices.count(VoteChoice.AGAINST)
    revision.votes_abstain = choices.count(VoteChoice.ABSTAIN)
    adopted = revision.votes_for > revision.votes_against
    revision.status = RevisionStatus.ADOPTED if adopted else RevisionStatus.REJECTED
    revision.decided_at, revision.decided_by = now, actor
    revision.save(
        update_fields=[
            "votes_for",
            "votes_against",
            "votes_abstain",
            "status",
            "decided_at",
            "decided_by",
            "updated_at",
        ]
    )
    if adopted and revision.nature == RevisionNature.REVISION:
        charter_version_publish(version=revision.draft_version, actor=actor, now=now)
    elif adopted and revision.base_version_id:
        # Abrogation: the version ends the day of the vote (it may only end earlier, X1).
        base = revision.base_version
        base.end_date = max(base.effective_date, timezone.localdate(now))
        base.save(update_fields=["end_date", "updated_at"])
    if revision.commission_id:
        commission = revision.commission
        if commission.status == CommissionStatus.ACTIVE:
            revision.commission = commission_end(commission=commission, actor=actor, now=now)
    audit_log(
        action=f"governance.revision.{'adopted' if adopted else 'rejected'}",
        actor=actor,
        target=revision,
        data={
            "for": revision.votes_for,
            "against": revision.votes_against,
            "abstain": revision.votes_abstain,
        },
        now=now,
    )
    _send_mail(
        to=[settings.COPIL_EMAIL],
        subject=_("Révision de la charte : résultat du vote"),
        template="revision_result",
        context={"revision": revision, "url": _site_url(revision.get_absolute_url())},
    )
    return revision


@transaction.atomic
def revision_close(*, revision: CharterRevision, actor, now=None) -> CharterRevision:
    """The COPIL closes a revision without a vote (withdrawn, overtaken)."""
    now = _now(now)
    _require_copil(actor)
    revision = CharterRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status not in selectors.OPEN_REVISION_STATUSES:
        raise RevisionError(_("Cette révision est déjà close."))
    revision.status = RevisionStatus.CLOSED
    revision.decided_at, revision.decided_by = now, actor
    revision.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_log(action="governance.revision.closed", actor=actor, target=revision, now=now)
    return revision
