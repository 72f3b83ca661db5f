"""Pages of commissions (art. 8), referents (art. 9) and charter revision (art. 10).

Thin: forms parse, services decide, selectors read (ARCHITECTURE §2). A domain error
becomes a form error or a message, with what was typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.constants import ActivityKind
from activities.models import Activity
from charters.selectors import charter_version_history
from core.http import client_ip
from core.public_cache import public_cache
from core.roles import is_copil

from . import forms_commissions as forms
from . import selectors_commissions as selectors
from .exceptions import GovernanceError
from .models.commissions import (
    Commission,
    CommissionMembership,
    ProgressReport,
    Referent,
    ReferentEndReason,
    ReportAttachment,
    RevisionStatus,
    RoadmapAction,
)
from .services import commissions as services


def _commission(slug) -> Commission:
    try:
        return selectors.commission_get(slug=slug)
    except Commission.DoesNotExist:
        raise Http404(_("Cette commission n'existe pas.")) from None


def _require_manager(request, commission):
    if not selectors.can_manage_commission(user=request.user, commission=commission):
        raise PermissionDenied(_("Réservé à l'animateur de la commission et au COPIL."))


def _form_page(request, *, title, form, intro="", back=None, multipart=False):
    """A form page; a sent form shown again is one the rules refused: 400."""
    return render(
        request,
        "governance/commissions/form.html",
        {"title": title, "form": form, "intro": intro, "back": back, "multipart": multipart},
        status=400 if form.is_bound else 200,
    )


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
            "members": [m for m in memberships if m.status == "accepted"],
            "volunteers": [m for m in memberships if m.status == "volunteered"]
            if can_manage
            else [],
            "own_membership": selectors.open_membership_of(commission=commission, user=user),
            "can_volunteer": commission.status == "active"
            and selectors.member_representations(user=user).exists(),
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
    representations = list(selectors.member_representations(user=request.user))
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
    return _form_page(
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
    return _form_page(
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
    return _form_page(
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
    return _form_page(
        request,
        title=_("Action de la feuille de route") if action else _("Nouvelle action"),
        form=form,
        back=commission.get_absolute_url(),
    )


# --- Referents (R1-R4) -----------------------------------------------------------------------------


@require_GET
@public_cache()
def referents_public(request):
    """Charter art. 9 (R4): the zone referents by department, for companies to contact."""
    return render(
        request,
        "governance/commissions/referents_public.html",
        {"departments": selectors.zone_referents_by_department()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def referent_contact(request, referent_id):
    """Charter art. 9 (R4): a message relayed by e-mail; the address is never shown.
    Spam guards: a honeypot field, a per-address rate limit and a one-time token."""
    try:
        referent = selectors.zone_referent_get(pk=referent_id)
    except Referent.DoesNotExist:
        raise Http404(_("Ce référent de zone n'existe pas.")) from None
    posted = request.method == "POST"
    form = forms.ReferentContactForm(
        request.POST if posted else None,
        initial=None if posted else {"token": services.contact_token_new()},
    )
    status = 200
    if posted:
        if services.contact_rate_limited(client_key=client_ip(request) or "unknown"):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Trop de messages envoyés depuis votre adresse. Réessayez dans une heure "
                    "ou écrivez au COPIL."
                ),
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                _message, sent = services.referent_message_send(
                    referent=referent,
                    submission_token=data["token"],
                    sender_name=data["name"],
                    sender_email=data["email"],
                    sender_organisation=data["organisation"],
                    message=data["message"],
                )
            except GovernanceError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Votre message a été transmis au référent, qui vous répondra par e-mail.")
                    if sent
                    else _(
                        "Ce message a déjà été transmis : il n'a pas été envoyé une seconde fois."
                    ),
                )
                return redirect("commissions:referents")
        else:
            status = 400
    return render(
        request,
        "governance/commissions/referent_contact.html",
        {"referent": referent, "form": form},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def referent_log(request):
    """Charter art. 9 (R3): the referent logs contacts; the COPIL sees them."""
    missions = list(selectors.referent_missions_of(user=request.user))
    if not missions:
        raise PermissionDenied(_("Page réservée aux référents de la COS-GE."))
    posted = request.method == "POST"
    form = forms.ContactLogForm(
        request.POST if posted else None, initial={"date": timezone.localdate()}
    )
    mission = missions[0]
    if posted and form.is_valid():
        try:
            services.referent_contact_log(referent=mission, actor=request.user, **form.cleaned_data)
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Contact consigné : le COPIL en est informé."))
            return redirect("commissions:referent_log")
    return render(
        request,
        "governance/commissions/referent_log.html",
        {
            "mission": mission,
            "form": form,
            "contacts": list(selectors.referent_contacts(referent=mission)),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def referent_resign(request):
    """Charter art. 9 (R2): the referent resigns."""
    mission = selectors.referent_missions_of(user=request.user).first()
    if mission is None:
        raise PermissionDenied(_("Page réservée aux référents de la COS-GE."))
    try:
        services.referent_end(
            referent=mission, reason=ReferentEndReason.RESIGNATION, actor=request.user
        )
    except GovernanceError as error:
        messages.error(request, error.message)
        return redirect("commissions:referent_log")
    messages.success(request, _("Votre démission est enregistrée ; le COPIL en est informé."))
    return redirect("space:dashboard")


@login_required
@require_GET
def referents_copil(request):
    """Charter art. 9 (R1, R3): the COPIL's view of referents and their contacts."""
    if not is_copil(request.user):
        raise PermissionDenied(_("Page réservée au COPIL."))
    return render(
        request,
        "governance/commissions/referents_copil.html",
        {
            "referents": list(selectors.referent_list(active_only=False)),
            "contacts": list(selectors.referent_contacts()[:200]),
        },
    )


# --- Charter revision (X2, X3, X4, W1) ---------------------------------------------------------------


def _revision(revision_id):
    try:
        return selectors.revision_list().get(pk=revision_id)
    except Exception:
        raise Http404(_("Cette révision n'existe pas.")) from None


@login_required
@require_GET
def revision_index(request):
    current = selectors.revision_open()
    if current is not None:
        return redirect(current)
    return render(
        request,
        "governance/commissions/revision_index.html",
        {
            "revisions": list(selectors.revision_list()),
            "history": charter_version_history(),
            "can_petition": selectors.member_signatory_representations(user=request.user).exists(),
            "is_copil": is_copil(request.user),
        },
    )


@login_required
@require_GET
def revision_detail(request, revision_id):
    revision = _revision(revision_id)
    user = request.user
    signatory_reps = list(selectors.member_signatory_representations(user=user))
    organisations = [r.organisation for r in signatory_reps]
    supporting = selectors.organisations_supporting(revision=revision, organisations=organisations)
    copil = is_copil(user)
    voted = set()
    if revision.status == RevisionStatus.VOTING:
        voted = set(revision.votes.values_list("organisation_id", flat=True))
    can_draft = services.can_draft(user=user, revision=revision)
    return render(
        request,
        "governance/commissions/revision_detail.html",
        {
            "revision": revision,
            "count": selectors.revision_petition_count(revision=revision),
            "representations": signatory_reps,
            "to_support": [r for r in signatory_reps if r.organisation_id not in supporting],
            "supported": [r for r in signatory_reps if r.organisation_id in supporting],
            "supports": list(selectors.revision_supports(revision=revision)) if copil else [],
            "votes": list(selectors.revision_votes(revision=revision)),
            "to_vote": [r for r in signatory_reps if r.organisation_id not in voted],
            "is_copil": copil,
            "can_draft": can_draft,
            "history": charter_version_history(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_petition(request):
    """Charter art. 10 (X2): a member starts a petition."""
    representations = list(selectors.member_signatory_representations(user=request.user))
    if not representations:
        raise PermissionDenied(
            _("Seul un signataire habilité d'une entité membre peut demander une révision.")
        )
    posted = request.method == "POST"
    form = forms.PetitionForm(request.POST if posted else None, representations=representations)
    if posted and form.is_valid():
        chosen = next(r for r in representations if r.pk == form.cleaned_data["representation"])
        try:
            revision = services.revision_petition_open(
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
                nature=form.cleaned_data["nature"],
                organisation=chosen.organisation,
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Demande ouverte ; votre entité la soutient."))
            return redirect(revision)
    return _form_page(
        request,
        title=_("Demander la révision de la charte"),
        intro=_(
            "Lorsqu'au moins la moitié des entités membres soutient la demande, le COPIL est "
            "saisi ; une commission ad hoc rédige alors une nouvelle version, soumise au vote "
            "en réunion plénière extraordinaire (article 10)."
        ),
        form=form,
    )


@login_required
@require_POST
def revision_support(request, revision_id):
    revision = _revision(revision_id)
    representations = list(selectors.member_signatory_representations(user=request.user))
    if not representations:
        raise PermissionDenied(
            _("Seul un signataire habilité d'une entité membre peut la soutenir.")
        )
    form = forms.SupportForm(request.POST, representations=representations)
    if form.is_valid():
        chosen = next(r for r in representations if r.pk == form.cleaned_data["representation"])
        service = (
            services.revision_support_withdraw
            if request.POST.get("withdraw")
            else services.revision_support
        )
        try:
            service(revision=revision, organisation=chosen.organisation, actor=request.user)
        except GovernanceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Soutien retiré.") if request.POST.get("withdraw") else _("Soutien enregistré."),
            )
    else:
        messages.error(request, _("Choisissez l'entité au nom de laquelle vous agissez."))
    return redirect(revision)


def _require_copil(request):
    if not is_copil(request.user):
        raise PermissionDenied(_("Décision réservée au COPIL."))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_copil_open(request):
    """Charter art. 10 (X3): the COPIL takes up a revision itself."""
    _require_copil(request)
    posted = request.method == "POST"
    form = forms.CopilRevisionForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            revision = services.revision_open_by_copil(actor=request.user, **form.cleaned_data)
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Révision ouverte par le COPIL."))
            return redirect(revision)
    return _form_page(
        request,
        title=_("Ouvrir une révision de la charte"),
        form=form,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_commission(request, revision_id):
    """Charter art. 10 (X3): the COPIL sets up the ad hoc commission."""
    _require_copil(request)
    revision = _revision(revision_id)
    representatives = list(selectors.member_representatives())
    posted = request.method == "POST"
    form = forms.RevisionCommissionForm(
        request.POST if posted else None, representatives=representatives
    )
    if posted and form.is_valid():
        facilitator = next(
            (r for r in representatives if r.pk == form.cleaned_data["facilitator"]), None
        )
        try:
            services.revision_commission_create(
                revision=revision,
                name=form.cleaned_data["name"],
                end_date=form.cleaned_data["end_date"],
                facilitator=facilitator,
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Commission ad hoc constituée."))
            return redirect(revision)
    return _form_page(
        request,
        title=_("Constituer la commission ad hoc"),
        form=form,
        back=revision.get_absolute_url(),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_draft(request, revision_id):
    """Charter art. 10 (X3, W1): the ad hoc commission writes the new version."""
    revision = _revision(revision_id)
    if not services.can_draft(user=request.user, revision=revision):
        raise PermissionDenied(_("Réservé à l'animateur de la commission ad hoc et au COPIL."))
    draft = revision.draft_version
    base = draft or revision.base_version
    posted = request.method == "POST"
    form = forms.DraftForm(
        request.POST if posted else None,
        initial={
            "label": draft.label if draft else "",
            "effective_date": draft.effective_date if draft else None,
            "change_note": draft.change_note if draft else "",
            "body": base.body if base else "",
        },
    )
    if posted and form.is_valid():
        try:
            services.revision_draft_save(revision=revision, actor=request.user, **form.cleaned_data)
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Projet de nouvelle version enregistré."))
            return redirect(revision)
    return _form_page(
        request,
        title=_("Projet de nouvelle version de la charte"),
        form=form,
        back=revision.get_absolute_url(),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_vote_open(request, revision_id):
    """Charter art. 10 (X4): the vote takes place at an extraordinary plenary."""
    _require_copil(request)
    revision = _revision(revision_id)
    plenaries = list(
        Activity.objects.filter(kind=ActivityKind.EXTRAORDINARY_PLENARY).order_by("-starts_at")[:20]
    )
    posted = request.method == "POST"
    form = forms.VoteOpenForm(request.POST if posted else None, plenaries=plenaries)
    if posted and form.is_valid():
        plenary = next(a for a in plenaries if a.pk == form.cleaned_data["plenary"])
        try:
            services.revision_vote_open(revision=revision, plenary=plenary, actor=request.user)
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vote ouvert."))
            return redirect(revision)
    return _form_page(
        request,
        title=_("Ouvrir le vote en plénière extraordinaire"),
        form=form,
        back=revision.get_absolute_url(),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def revision_vote(request, revision_id):
    """Charter art. 10 (X4): one vote per member organisation, recorded by the COPIL from
    the roll call or cast by the organisation's signatory."""
    revision = _revision(revision_id)
    copil = is_copil(request.user)
    if copil:
        voted = set(revision.votes.values_list("organisation_id", flat=True))
        organisations = [
            o for o in selectors.revision_voters(revision=revision) if o.pk not in voted
        ]
    else:
        organisations = [
            r.organisation for r in selectors.member_signatory_representations(user=request.user)
        ]
        if not organisations:
            raise PermissionDenied(_("Seul un signataire habilité d'une entité membre vote."))
    posted = request.method == "POST"
    form = forms.VoteRecordForm(request.POST if posted else None, organisations=organisations)
    if posted and form.is_valid():
        organisation = next(o for o in organisations if o.pk == form.cleaned_data["organisation"])
        try:
            services.revision_vote_record(
                revision=revision,
                organisation=organisation,
                choice=form.cleaned_data["choice"],
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vote enregistré."))
            return redirect("commissions:revision_vote" if copil else "commissions:revision",
                            revision_id=revision.pk)  # fmt: skip
    return _form_page(
        request,
        title=_("Vote sur la nouvelle version : %(title)s") % {"title": revision.title},
        intro=_("Une voix par entité membre ; un vote enregistré n'est plus modifiable."),
        form=form,
        back=revision.get_absolute_url(),
    )


@login_required
@require_POST
def revision_vote_close(request, revision_id):
    """Charter art. 10 (X4): the COPIL closes the vote; simple majority of votes cast."""
    _require_copil(request)
    revision = _revision(revision_id)
    try:
        revision = services.revision_vote_close(revision=revision, actor=request.user)
    except GovernanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Vote clos : %(result)s.") % {"result": revision.get_status_display().lower()},
        )
    return redirect(revision)
