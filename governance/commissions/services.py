"""Writes of commissions (art. 8: K1, K2, K3): creation, facilitator, end, volunteers
and memberships, meetings; progress reports, their attachments (checked on their
content, stored privately) and the roadmap.

Every change is checked here, whatever the caller (page, admin action, task), and
written with its audit entry in one transaction (ARCHITECTURE §2, §5, §8).
"""

import datetime
import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from activities.constants import ActivityKind, ConvenedScope
from activities.models import Activity
from activities.services import activity_convocations_sync, activity_create
from core.audit import audit_log
from core.site import absolute_url
from governance.audit_actions import CommissionsAudit
from governance.exceptions import CommissionError, NotAllowed
from governance.selectors import organisation_is_member
from governance.services import email_notify_in_french, require_copil, resolve_now
from members.models import Representative

from . import selectors
from .models import (
    Commission,
    CommissionMeeting,
    CommissionMembership,
    CommissionStatus,
    MembershipStatus,
    ProgressReport,
    ReportAttachment,
    RoadmapAction,
)


def _fresh(commission: Commission) -> Commission:
    """The commission as stored: its facilitator decides who may act (K2)."""
    return Commission.objects.select_related("facilitator").get(pk=commission.pk)


# --- Commissions (art. 8: K1, K2, K3) -------------------------------------------------------------


def _unique_commission_slug(name: str) -> str:
    base = slugify(name)[:150] or "commission"
    slug, n = base, 2
    while Commission.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_member_representative(*, representative: Representative, now) -> None:
    if not representative.is_active_on(timezone.localdate(now)):
        raise CommissionError(_("Ce représentant n'est plus actif."))
    if not organisation_is_member(organisation=representative.organisation, at=now):
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
    now = resolve_now(now)
    require_copil(actor)
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
        action=CommissionsAudit.COMMISSION_CREATED,
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
    now = resolve_now(now)
    require_copil(actor)
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
        action=CommissionsAudit.FACILITATOR_SET,
        actor=actor,
        target=commission,
        data={"representative": representative.pk},
        now=now,
    )
    commission_meetings_sync(commission=commission, now=now)
    return commission


@transaction.atomic
def commission_end(*, commission: Commission, actor, now=None) -> Commission:
    now = resolve_now(now)
    require_copil(actor)
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    if commission.status == CommissionStatus.ENDED:
        raise CommissionError(_("Cette commission est déjà terminée."))
    if commission.is_standing:
        raise CommissionError(_("Une commission permanente de la charte ne se termine pas."))
    commission.status = CommissionStatus.ENDED
    commission.ended_at = now
    commission.save(update_fields=["status", "ended_at", "updated_at"])
    audit_log(action=CommissionsAudit.COMMISSION_ENDED, actor=actor, target=commission, now=now)
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
    now = resolve_now(now)
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
        action=CommissionsAudit.VOLUNTEERED,
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
    now = resolve_now(now)
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
        action=(
            CommissionsAudit.VOLUNTEER_ACCEPTED if accept else CommissionsAudit.VOLUNTEER_DECLINED
        ),
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
    now = resolve_now(now)
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
        action=CommissionsAudit.MEMBER_LEFT,
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
    now = resolve_now(now)
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
    now = resolve_now(now)
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
        action=CommissionsAudit.MEETING_CREATED,
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
    now = resolve_now(now)
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
        action=CommissionsAudit.REPORT_SUBMITTED,
        actor=actor,
        target=report,
        data={"commission": commission.pk, "attachments": len(stored)},
        now=now,
    )
    email_notify_in_french(
        to=[settings.COPIL_EMAIL],
        subject=_("Point d'avancement de la %(commission)s") % {"commission": commission.name},
        template="report_submitted",
        context={
            "report": report,
            "commission": commission,
            "url": absolute_url(commission.get_absolute_url()),
        },
    )
    return report


@transaction.atomic
def progress_report_mark_shown(
    *, report: ProgressReport, plenary: Activity, actor, now=None
) -> ProgressReport:
    """Charter art. 8: the facilitator presents progress to all members at a plenary."""
    now = resolve_now(now)
    if not selectors.can_manage_commission(user=actor, commission=report.commission):
        raise NotAllowed()
    if plenary.kind not in (ActivityKind.ORDINARY_PLENARY, ActivityKind.EXTRAORDINARY_PLENARY):
        raise CommissionError(_("Un point d'avancement se présente en réunion plénière."))
    report.shown_at = plenary
    report.save(update_fields=["shown_at", "updated_at"])
    audit_log(
        action=CommissionsAudit.REPORT_SHOWN,
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
    now = resolve_now(now)
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
        action=(
            CommissionsAudit.ROADMAP_ACTION_CREATED
            if created
            else CommissionsAudit.ROADMAP_ACTION_UPDATED
        ),
        actor=actor,
        target=action,
        data={"commission": commission.pk, "code": action.code, "status": action.status},
        now=now,
    )
    return action
