"""Pages of commissions (art. 8).

Thin: forms parse, services decide, selectors read (ARCHITECTURE §2). A domain error
becomes a form error or a message, with what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.constants import ActivityKind
from activities.models import Activity
from governance.exceptions import GovernanceError
from governance.selectors import member_representations
from governance.views import form_page

from . import forms, selectors, services
from .models import (
    Commission,
    CommissionMembership,
    ProgressReport,
    ReportAttachment,
    RoadmapAction,
)


def _commission(slug) -> Commission:
    try:
        return selectors.commission_get(slug=slug)
    except Commission.DoesNotExist:
        raise Http404(_("Cette commission n'existe pas.")) from None


def _require_manager(request, commission):
    if not selectors.can_manage_commission(user=request.user, commission=commission):
        raise PermissionDenied(_("Réservé à l'animateur de la commission et au COPIL."))


# --- Commissions (K1, K2, K3) ---------------------------------------------------------------------


@login_required
@require_GET
def commission_list(request):
    return render(
        request,
        "governance/commissions/commission_list.html",
        {"commissions": list(selectors.commission_list())},
    )


@login_required
@require_GET
def commission_detail(request, commission_slug):
    commission = _commission(commission_slug)
    user = request.user
    can_manage = selectors.can_manage_commission(user=user, commission=commission)
    memberships = list(selectors.commission_memberships(commission=commission))
    return render(
        request,
        "governance/commissions/commission_detail.html",
        {
            "commission": commission,
            "can_manage": can_manage,
            "members": [m for m in memberships if m.is_accepted],
            "volunteers": [m for m in memberships if m.awaits_decision] if can_manage else [],
            "own_membership": selectors.open_membership_of(commission=commission, user=user),
            "can_volunteer": selectors.can_volunteer(user=user, commission=commission),
            "meetings": list(selectors.commission_meetings(commission=commission)),
            "roadmap": list(selectors.roadmap_actions(commission=commission))
            if commission.keeps_roadmap
            else [],
            "reports": list(selectors.commission_reports(commission=commission))
            if selectors.can_read_commission_reports(user=user, commission=commission)
            else None,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def commission_volunteer(request, commission_slug):
    """Charter art. 8 (K1): a representative of a member volunteers."""
    commission = _commission(commission_slug)
    representations = list(member_representations(user=request.user))
    if not representations:
        raise PermissionDenied(
            _("Seuls les représentants d'une entité membre se portent volontaires.")
        )
    form = forms.VolunteerForm(
        request.POST if request.method == "POST" else None, representations=representations
    )
    if request.method == "POST" and form.is_valid():
        representative = next(
            r for r in representations if r.pk == form.cleaned_data["representation"]
        )
        try:
            services.commission_volunteer(
                commission=commission,
                representative=representative,
                motivation=form.cleaned_data["motivation"],
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Merci ! L'animateur de la commission ou le COPIL va examiner votre candidature."
                ),
            )
            return redirect(commission)
    return form_page(
        request,
        title=_("Me porter volontaire : %(name)s") % {"name": commission.name},
        intro=commission.purpose,
        form=form,
        back=commission.get_absolute_url(),
    )


@login_required
@require_POST
def membership_decide(request, commission_slug, membership_id):
    commission = _commission(commission_slug)
    _require_manager(request, commission)
    membership = get_object_or_404(CommissionMembership, pk=membership_id, commission=commission)
    accept = request.POST.get("decision") == "accept"
    try:
        services.membership_decide(membership=membership, accept=accept, actor=request.user)
    except GovernanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Volontaire accepté.") if accept else _("Candidature non retenue.")
        )
    return redirect(commission)


@login_required
@require_POST
def membership_leave(request, commission_slug, membership_id):
    commission = _commission(commission_slug)
    membership = get_object_or_404(CommissionMembership, pk=membership_id, commission=commission)
    try:
        services.membership_leave(membership=membership, actor=request.user)
    except GovernanceError as error:
        if not selectors.can_manage_commission(user=request.user, commission=commission) and (
            membership.representative.user_id != request.user.pk
        ):
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Départ de la commission enregistré."))
    return redirect(commission)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report_create(request, commission_slug):
    """Charter art. 8 (K2): the facilitator reports to the COPIL."""
    commission = _commission(commission_slug)
    _require_manager(request, commission)
    posted = request.method == "POST"
    form = forms.ProgressReportForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        try:
            report = services.progress_report_submit(
                commission=commission,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error("files" if "«" in str(error.message) else None, error.message)
        else:
            messages.success(request, _("Point d'avancement transmis au COPIL."))
            return redirect(
                "commissions:report", commission_slug=commission.slug, report_id=report.pk
            )
    return form_page(
        request,
        title=_("Point d'avancement : %(name)s") % {"name": commission.name},
        form=form,
        back=commission.get_absolute_url(),
        multipart=True,
    )


@login_required
@require_GET
def report_detail(request, commission_slug, report_id):
    commission = _commission(commission_slug)
    if not selectors.can_read_commission_reports(user=request.user, commission=commission):
        raise PermissionDenied(_("Les points d'avancement sont adressés au COPIL."))
    report = get_object_or_404(selectors.commission_reports(commission=commission), pk=report_id)
    plenaries = []
    if selectors.can_manage_commission(user=request.user, commission=commission):
        plenaries = list(
            Activity.objects.filter(
                kind__in=[ActivityKind.ORDINARY_PLENARY, ActivityKind.EXTRAORDINARY_PLENARY]
            ).order_by("-starts_at")[:20]
        )
    return render(
        request,
        "governance/commissions/report_detail.html",
        {"commission": commission, "report": report, "plenaries": plenaries},
    )


@login_required
@require_POST
def report_shown(request, commission_slug, report_id):
    commission = _commission(commission_slug)
    _require_manager(request, commission)
    report = get_object_or_404(ProgressReport, pk=report_id, commission=commission)
    # Never a 500 on bad input: anything but a plain number chooses no plenary.
    plenary_id = request.POST.get("plenary", "")
    plenary = (
        Activity.objects.filter(pk=int(plenary_id)).first()
        if plenary_id.isascii() and plenary_id.isdigit()
        else None
    )
    if plenary is None:
        messages.error(request, _("Choisissez la réunion plénière."))
    else:
        try:
            services.progress_report_mark_shown(report=report, plenary=plenary, actor=request.user)
        except GovernanceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Présentation en plénière enregistrée."))
    return redirect("commissions:report", commission_slug=commission.slug, report_id=report.pk)


@login_required
@require_GET
def attachment_download(request, attachment_id):
    """Attachments live in private storage and are served after an access check."""
    attachment = get_object_or_404(
        ReportAttachment.objects.select_related("report__commission__facilitator"),
        pk=attachment_id,
    )
    commission = attachment.report.commission
    if not selectors.can_read_commission_reports(user=request.user, commission=commission):
        raise PermissionDenied(_("Les points d'avancement sont adressés au COPIL."))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, commission_slug):
    """A commission meeting is an activity convening its members (A1, K2)."""
    commission = _commission(commission_slug)
    _require_manager(request, commission)
    posted = request.method == "POST"
    form = forms.MeetingForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            meeting = services.commission_meeting_create(
                commission=commission, actor=request.user, **form.cleaned_data
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Réunion créée : les membres de la commission sont convoqués.")
            )
            return redirect(meeting.activity)
    return form_page(
        request,
        title=_("Réunir la commission : %(name)s") % {"name": commission.name},
        form=form,
        back=commission.get_absolute_url(),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def roadmap_action_edit(request, commission_slug, action_id=None):
    commission = _commission(commission_slug)
    _require_manager(request, commission)
    if not commission.keeps_roadmap:
        raise Http404(_("Cette commission ne tient pas de feuille de route."))
    action = (
        get_object_or_404(RoadmapAction, pk=action_id, commission=commission) if action_id else None
    )
    posted = request.method == "POST"
    form = forms.RoadmapActionForm(
        request.POST if posted else None,
        instance=action or RoadmapAction(commission=commission),
    )
    if posted and form.is_valid():
        try:
            services.roadmap_action_save(
                commission=commission,
                action=action,
                data={name: form.cleaned_data[name] for name in form.Meta.fields},
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Feuille de route mise à jour."))
            return redirect(commission)
    return form_page(
        request,
        title=_("Action de la feuille de route") if action else _("Nouvelle action"),
        form=form,
        back=commission.get_absolute_url(),
    )
