"""Progress reports of commissions, their attachments (checked on their content,
stored privately) and the roadmap (art. 8)."""

import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from activities.constants import ActivityKind
from activities.models import Activity
from core.audit import audit_log

from ... import selectors_commissions as selectors
from ...exceptions import CommissionError, NotAllowed
from ...models.commissions import Commission, ProgressReport, ReportAttachment, RoadmapAction
from ._common import _fresh, _now, _send_mail, _site_url

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
