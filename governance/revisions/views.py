"""Pages of charter revision (art. 10): petition and support (X2), opening by the COPIL
(X3), the ad hoc commission and its draft, the vote at the extraordinary plenary (X4).

Thin: forms parse, services decide, selectors read (ARCHITECTURE §2).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.constants import ActivityKind
from activities.models import Activity
from activities.selectors import can_create_activity
from charters.selectors import charter_version_history
from core.roles import is_copil
from governance.exceptions import GovernanceError
from governance.selectors import member_representatives, member_signatory_representations
from governance.views import form_page

from . import forms, selectors, services

# The supports and the votes a revision's page shows at once (all are counted).
REVISION_PAGE_SIZE = 50

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
            "can_petition": member_signatory_representations(user=request.user).exists(),
            "is_copil": is_copil(request.user),
        },
    )


@login_required
@require_GET
def revision_detail(request, revision_id):
    revision = _revision(revision_id)
    user = request.user
    signatory_reps = list(member_signatory_representations(user=user))
    organisations = [r.organisation for r in signatory_reps]
    supporting = selectors.organisations_supporting(revision=revision, organisations=organisations)
    copil = is_copil(user)
    voted = set()
    if revision.is_voting:
        voted = set(
            revision.votes.filter(organisation__in=organisations).values_list(
                "organisation_id", flat=True
            )
        )
    can_draft = services.can_draft(user=user, revision=revision)
    # Every member may support and vote: both lists are counted in full and shown
    # REVISION_PAGE_SIZE a page, each with its own page in the address.
    supports_page = request.GET.get("soutiens", "1")
    votes_page = request.GET.get("votes", "1")
    supports = selectors.revision_supports(revision=revision) if copil else []
    return render(
        request,
        "governance/commissions/revision_detail.html",
        {
            "revision": revision,
            "count": selectors.revision_petition_count(revision=revision),
            "representations": signatory_reps,
            "to_support": [r for r in signatory_reps if r.organisation_id not in supporting],
            "supported": [r for r in signatory_reps if r.organisation_id in supporting],
            "supports": Paginator(supports, REVISION_PAGE_SIZE).get_page(supports_page),
            "supports_query": urlencode({"votes": votes_page}),
            "votes": Paginator(
                selectors.revision_votes(revision=revision), REVISION_PAGE_SIZE
            ).get_page(votes_page),
            "votes_query": urlencode({"soutiens": supports_page}),
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
    representations = list(member_signatory_representations(user=request.user))
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
    return form_page(
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
    representations = list(member_signatory_representations(user=request.user))
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
    return form_page(
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
    posted = request.method == "POST"
    form = forms.RevisionCommissionForm(
        request.POST if posted else None, representatives=member_representatives()
    )
    if posted and form.is_valid():
        try:
            services.revision_commission_create(
                revision=revision,
                name=form.cleaned_data["name"],
                end_date=form.cleaned_data["end_date"],
                facilitator=form.cleaned_data["facilitator"],
                actor=request.user,
            )
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Commission ad hoc constituée."))
            return redirect(revision)
    return form_page(
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
    return form_page(
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
    return form_page(
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
    posted = request.method == "POST"
    data = request.POST if posted else None
    if copil:  # from the roll call: any member yet to vote, found by a search
        organisations = selectors.revision_voters_yet_to_vote(revision=revision)
        form = forms.RollCallVoteForm(data, organisations=organisations)
    else:
        organisations = [
            r.organisation for r in member_signatory_representations(user=request.user)
        ]
        if not organisations:
            raise PermissionDenied(_("Seul un signataire habilité d'une entité membre vote."))
        form = forms.VoteRecordForm(data, organisations=organisations)
    if posted and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if not copil:
            organisation = next(o for o in organisations if o.pk == organisation)
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
    return form_page(
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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def charter_version_new(request):
    """Charter art. 10 (X1, X3, X4, W1): the COPIL's guided page towards a new version,
    the prerequisites and their state first; the form writes the draft of the revision
    being drafted (the vote at the extraordinary plenary adopts and publishes it)."""
    _require_copil(request)
    revision = selectors.revision_open()
    drafting = revision is not None and revision.is_drafting
    posted = request.method == "POST"
    form = None
    if drafting:
        draft = revision.draft_version
        base = draft or revision.base_version
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
                services.revision_draft_save(
                    revision=revision, actor=request.user, **form.cleaned_data
                )
            except GovernanceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Projet de nouvelle version enregistré. Ouvrez le vote le jour de la "
                        "plénière extraordinaire."
                    ),
                )
                return redirect(revision)
    elif posted:
        messages.error(
            request, _("Aucune révision n'est en cours de rédaction : voyez les étapes ci-dessous.")
        )
    return render(
        request,
        "governance/commissions/charter_version_new.html",
        {
            "prerequisites": services.charter_version_prerequisites(
                may_create_activity=can_create_activity(request.user)
            ),
            "revision": revision,
            "form": form,
        },
        status=400 if posted else 200,
    )
