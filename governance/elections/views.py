"""Election pages (art. 6): thin; forms parse, services decide, selectors read.

No view logs a ballot's content; the vote page answers with the receipt only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.selectors import can_create_activity
from core.pdf import render_pdf
from core.roles import is_copil
from core.throttle import PasswordRetries
from governance.exceptions import ElectionsError, ElectionsWrongPassword
from governance.selectors import (
    member_organisations,
    member_representations,
    member_signatory_representations,
)
from members.models import Organisation

from . import selectors, services
from .forms import (
    BallotConfirmForm,
    BallotForm,
    CandidacyForm,
    DecisionForm,
    ElectionCreateForm,
    PaperBallotForm,
    ProxyForm,
    ReceiptCheckForm,
    TieForm,
)
from .models import (
    Candidacy,
    Election,
    Proxy,
)

# Re-authentication before a ballot or a proxy: five wrong passwords, then a pause.
BALLOT_RETRIES = PasswordRetries("elections:pw-failures")
# The results page lists the receipts up to this many; beyond, each voter checks their own
# there and the whole list is a download (the page does not grow with the ballots).
RESULTS_RECEIPTS_LISTED = 200


def _require_viewer(request):
    if not selectors.can_see_elections(request.user):
        raise PermissionDenied(_("Page réservée aux membres de la COS-GE."))
    request._elections_link_visible = True  # the navigation's link: already known


def _require_commission(request):
    if not selectors.is_election_commission(request.user):
        raise PermissionDenied(_("Page réservée à la commission électorale."))


def _election(pk) -> Election:
    try:
        return selectors.election_get(pk=pk)
    except Election.DoesNotExist:
        raise Http404(_("Cette élection n'existe pas.")) from None


def _visible_election(request, pk) -> Election:
    """The election of a viewer's page (selectors.election_access): 403, 404, or the election."""
    try:
        election = selectors.election_access(user=request.user, election_id=pk)
    except Election.DoesNotExist:
        raise Http404(_("Cette élection n'existe pas.")) from None
    request._elections_link_visible = True  # the navigation's link: already known
    return election


@login_required
@require_GET
def election_list(request):
    _require_viewer(request)
    commission = selectors.is_election_commission(request.user)
    return render(
        request,
        "governance/elections/list.html",
        {
            "elections": list(selectors.election_list(include_drafts=commission)),
            "commission": commission,
        },
    )


@login_required
@require_GET
def seats(request):
    """G1, V3: the seats, their holders, and which are up at a date (default: today)."""
    if not (is_copil(request.user) or selectors.is_election_commission(request.user)):
        raise PermissionDenied(_("Page réservée au COPIL et à la commission électorale."))
    day = timezone.localdate()
    raw = request.GET.get("date", "")
    if raw:
        try:
            day = timezone.datetime.fromisoformat(raw).date()
        except ValueError:
            messages.error(request, _("Date invalide : la date du jour est utilisée."))
    return render(
        request,
        "governance/elections/seats.html",
        {"rows": services.seats_to_renew(on=day), "day": day},
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create(request):
    """V9-V12: the prerequisites and their state before the form; whoever may not create
    an election reads who may and how (403)."""
    commission = selectors.is_election_commission(request.user)
    prerequisites = services.election_create_prerequisites(
        may_create_activity=can_create_activity(request.user)
    )
    if not commission:
        return render(
            request,
            "governance/elections/create.html",
            {
                "prerequisites": prerequisites,
                "people": selectors.election_commission_people(),
                "elections_commission": selectors.elections_commission(),
            },
            status=403,
        )
    form = ElectionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.election_create(
                plenary=form.cleaned_data["plenary"],
                title=form.cleaned_data["title"],
                actor=request.user,
            )
        except ElectionsError as error:
            form.add_error("plenary", error.message)
        else:
            messages.success(
                request, _("Élection créée. Publiez l'annonce pour prévenir les membres.")
            )
            return redirect(election)
    return render(
        request,
        "governance/elections/create.html",
        {"form": form, "prerequisites": prerequisites},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def election_detail(request, pk):
    election = _visible_election(request, pk)
    commission = selectors.is_election_commission(request.user)
    signatory_of = list(member_signatory_representations(user=request.user))
    my_org_ids = {r.organisation_id for r in signatory_of}
    proxies = list(selectors.proxy_list(election=election))
    context = {
        "election": election,
        "commission": commission,
        "candidacies": list(selectors.candidacy_list(election=election)),
        "my_candidacy": Candidacy.objects.filter(
            election=election, candidate=request.user, withdrawn_at__isnull=True
        ).first(),
        "proxies": proxies
        if commission
        else [p for p in proxies if p.giver_id in my_org_ids or p.holder_id in my_org_ids],
        "revocable_proxy_ids": {
            p.pk for p in proxies if selectors.proxy_revocable(proxy=p, election=election)
        },
        "candidacies_open": selectors.candidacy_open(election),
        "can_give_proxy": bool(signatory_of) and selectors.proxy_giving_open(election),
        "can_vote": bool(signatory_of) and selectors.election_is_running(election),
        "results_visible": selectors.results_visible(election, commission=commission),
        "voted_count": selectors.voted_count(election=election) if commission else None,
        "decision_form": DecisionForm(),
    }
    return render(request, "governance/elections/detail.html", context)


MANAGE_ACTIONS = {
    "annoncer": (
        services.election_announce,
        _("Élection annoncée : les membres sont prévenus par e-mail."),
    ),
    "ouvrir": (services.election_voting_open, _("Le vote est ouvert.")),
    "clore": (services.election_voting_close, _("Le vote est clos.")),
    "depouiller": (services.election_tally, _("Dépouillement effectué.")),
    "publier": (services.election_results_publish, _("Résultats publiés ; les élus siègent.")),
}


@login_required
@require_POST
def election_manage(request, pk, action):
    """V12: the commission announces, opens, closes, tallies and publishes."""
    _require_commission(request)
    election = _election(pk)
    if action not in MANAGE_ACTIONS:
        raise Http404(_("Action inconnue."))
    service, done = MANAGE_ACTIONS[action]
    try:
        service(election=election, actor=request.user)
    except ElectionsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(election)


@login_required
@require_http_methods(["GET", "POST"])
def candidacy_declare(request, pk):
    election = _visible_election(request, pk)
    eligibility = services.candidate_eligibility(
        user=request.user, election_date=election.election_date
    )
    form = CandidacyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidacy_declare(
                election=election,
                user=request.user,
                statement=form.cleaned_data["statement"],
                video=form.cleaned_data.get("video"),
                video_url=form.cleaned_data.get("video_url") or "",
            )
        except ElectionsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Votre candidature est enregistrée."))
            return redirect(election)
    return render(
        request,
        "governance/elections/candidacy.html",
        {"election": election, "form": form, "eligibility": eligibility},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidacy_withdraw(request, pk):
    """V11: the candidate withdraws their candidacy until candidacies close."""
    election = _visible_election(request, pk)
    candidacy = Candidacy.objects.filter(
        election=election, candidate=request.user, withdrawn_at__isnull=True
    ).first()
    if candidacy is None:
        raise Http404(_("Vous n'avez pas de candidature à retirer à cette élection."))
    error = None
    if request.method == "POST":
        try:
            services.candidacy_withdraw(candidacy=candidacy, actor=request.user)
        except ElectionsError as refusal:
            error = refusal.message
        else:
            messages.success(request, _("Votre candidature est retirée."))
            return redirect(election)
    return render(
        request,
        "governance/elections/candidacy_withdraw.html",
        {
            "election": election,
            "candidacy": candidacy,
            "error": error,
            "open": selectors.candidacy_open(election),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def candidacy_video(request, pk):
    """V11: the uploaded video, served to members only (private storage)."""
    _require_viewer(request)
    candidacy = Candidacy.objects.filter(pk=pk).select_related("election").first()
    if candidacy is None or not candidacy.video or candidacy.election.is_draft:
        raise Http404(_("Aucune vidéo."))
    response = FileResponse(candidacy.video.open("rb"), as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def proxy_give(request, pk):
    """V6: a written proxy, signed online by the giver's signatory (password re-entered)."""
    election = _visible_election(request, pk)
    givers = [r.organisation for r in member_signatory_representations(user=request.user)]
    if not givers:
        raise PermissionDenied(
            _("Seul un signataire habilité d'une entité membre peut donner procuration.")
        )
    holders = member_organisations().exclude(pk__in=[o.pk for o in givers])
    form = ProxyForm(request.POST or None, givers=givers, holders=holders)
    if request.method == "POST" and form.is_valid():
        try:
            if BALLOT_RETRIES.exhausted(request.user):
                raise ElectionsError(
                    _(
                        "Trop de tentatives de mot de passe erronées. Réessayez dans quelques minutes."
                    )
                )
            proxy = services.proxy_give(
                election=election,
                giver=Organisation.objects.get(pk=form.cleaned_data["giver"]),
                holder=form.cleaned_data["holder"],
                signer=request.user,
                password=form.cleaned_data["password"],
            )
        except ElectionsWrongPassword as error:
            BALLOT_RETRIES.failed(request.user)
            form.add_error(None, error.message)
        except ElectionsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Procuration signée : la commission électorale va la valider.")
            )
            return redirect(reverse("elections:proxy_pdf", kwargs={"pk": proxy.pk}))
    return render(
        request,
        "governance/elections/proxy.html",
        {"election": election, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _proxy_for(request, pk) -> Proxy:
    proxy = Proxy.objects.filter(pk=pk).select_related("election", "giver", "holder").first()
    if proxy is None:
        raise Http404(_("Cette procuration n'existe pas."))
    org_ids = set(
        member_representations(user=request.user).values_list("organisation_id", flat=True)
    )
    if not (
        selectors.is_election_commission(request.user)
        or proxy.giver_id in org_ids
        or proxy.holder_id in org_ids
    ):
        raise PermissionDenied(_("Réservé aux deux entités et à la commission électorale."))
    return proxy


@login_required
@require_GET
def proxy_pdf(request, pk):
    proxy = _proxy_for(request, pk)
    pdf = render_pdf(
        "governance/elections/pdf/proxy.html",
        {"proxy": proxy, "election": proxy.election},
        language=getattr(request, "LANGUAGE_CODE", "fr"),
        metadata={"title": _("Procuration")},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="procuration-{proxy.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def proxy_decide(request, pk):
    _require_commission(request)
    proxy = _proxy_for(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez de valider ou de refuser la procuration."))
        return redirect(proxy.election)
    try:
        services.proxy_decide(
            proxy=proxy,
            actor=request.user,
            approve=form.cleaned_data["approve"],
            reason=form.cleaned_data["reason"],
        )
    except ElectionsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Décision enregistrée."))
    return redirect(proxy.election)


@login_required
@require_POST
def proxy_revoke(request, pk):
    proxy = _proxy_for(request, pk)
    try:
        services.proxy_revoke(proxy=proxy, actor=request.user)
    except ElectionsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Procuration révoquée."))
    return redirect(proxy.election)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vote(request, pk):
    """V6, V7: vote online in two steps: choose, then confirm with the password.

    The first POST ("review") checks the ballot without writing anything and shows it
    back; the second ("confirm") carries the same choices with the password re-entered,
    and casts it. A ballot cannot be changed once cast, so the voter sees it before the
    irreversible step; and the password (Argon2 with the production parameters: 0.1 to
    0.2 s of CPU, on purpose) is checked in that one request only. Security is
    unchanged: no ballot is cast without the password typed for it, as for a charter
    signature. The choices travel in the form, never in the session (no ballot choices
    stored next to a voter). "edit" goes back to the choices, kept.
    """
    options = selectors.ballot_options(election_id=pk, user=request.user)
    voting_for = options.choices
    if not options.own:
        _visible_election(request, pk)  # 403 or 404 first, as on the other election pages
        raise PermissionDenied(_("Seul le signataire habilité d'une entité membre vote en ligne."))
    # An authorised signatory of a member sees the elections (selectors.can_see_elections).
    request._elections_link_visible = True
    election = _election(pk)
    if not selectors.election_visible(election=election, user=request.user):
        raise Http404(_("Cette élection n'existe pas."))
    candidacies = list(selectors.candidacy_list(election=election))
    form = BallotForm(
        request.POST or None,
        voting_for=voting_for,
        candidacies=candidacies,
        seats=election.seats_to_fill,
    )
    page = {
        "election": election,
        "form": form,
        "voting_for": voting_for,
        "candidacies": candidacies,
    }
    if request.method != "POST":
        return render(request, "governance/elections/vote.html", page)
    step = request.POST.get("step", "review")
    if not form.is_valid():
        return render(request, "governance/elections/vote.html", page, status=400)
    if step == "edit":
        return render(request, "governance/elections/vote.html", page)
    # One of the choices the form accepted: a signatory's own entity or a proxy's giver.
    organisation = options.organisations[int(form.cleaned_data["organisation"])]
    chosen = form.cleaned_data["candidates"]
    confirm = BallotConfirmForm(request.POST if step == "confirm" else None)
    review = {
        "election": election,
        "form": confirm,
        "organisation_id": organisation.pk,
        "organisation_label": {str(pk): label for pk, label in voting_for}[
            form.cleaned_data["organisation"]
        ],
        "chosen_ids": chosen,
        "chosen": [c for c in candidacies if str(c.pk) in chosen],
    }
    try:
        if step != "confirm":
            services.ballot_check(
                election=election,
                organisation=organisation,
                voter=request.user,
                candidacy_ids=chosen,
            )
            return render(request, "governance/elections/vote_confirm.html", review)
        if not confirm.is_valid():
            return render(request, "governance/elections/vote_confirm.html", review, status=400)
        if BALLOT_RETRIES.exhausted(request.user):
            confirm.add_error(
                None,
                _("Trop de tentatives de mot de passe erronées. Réessayez dans quelques minutes."),
            )
            return render(request, "governance/elections/vote_confirm.html", review, status=400)
        receipt = services.ballot_cast(
            election=election,
            organisation=organisation,
            voter=request.user,
            candidacy_ids=chosen,
            password=confirm.cleaned_data["password"],
        )
    except ElectionsWrongPassword as error:
        BALLOT_RETRIES.failed(request.user)
        confirm.add_error(None, error.message)
        return render(request, "governance/elections/vote_confirm.html", review, status=400)
    except ElectionsError as error:
        form.add_error(None, error.message)
        return render(request, "governance/elections/vote.html", page, status=400)
    return render(
        request, "governance/elections/voted.html", {"election": election, "receipt": receipt}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def paper_ballot(request, pk):
    """V6: the commission enters a paper ballot; the register records it as such."""
    _require_commission(request)
    election = _election(pk)
    organisations = selectors.members_yet_to_vote(election=election)
    candidacies = list(selectors.candidacy_list(election=election))
    form = PaperBallotForm(
        request.POST or None, organisations=organisations, candidacies=candidacies
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_cast(
                election=election,
                organisation=form.cleaned_data["organisation"],
                voter=request.user,
                candidacy_ids=form.cleaned_data["candidates"],
                on_paper=True,
            )
        except ElectionsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Bulletin papier enregistré."))
            return redirect("elections:paper_ballot", pk=election.pk)
    return render(
        request,
        "governance/elections/paper_ballot.html",
        {"election": election, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tie_resolve(request, pk):
    """V8: the commission records how a tie for the last seat was resolved."""
    _require_commission(request)
    election = _election(pk)
    votes = {c.pk: c.votes or 0 for c in selectors.candidacy_list(election=election)}
    ranking = services.rank_candidates(votes, election.seats_to_fill)
    tied = [c for c in selectors.candidacy_list(election=election) if c.pk in ranking.tied]
    form = TieForm(request.POST or None, tied=tied)
    if request.method == "POST" and form.is_valid():
        try:
            services.election_tie_resolve(
                election=election,
                actor=request.user,
                winner_ids=form.cleaned_data["winners"],
                note=form.cleaned_data["note"],
            )
        except ElectionsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Égalité tranchée."))
            return redirect(election)
    return render(
        request,
        "governance/elections/tie.html",
        {"election": election, "form": form, "ranking": ranking, "tied": tied},
        status=400 if request.method == "POST" else 200,
    )


def _published_results(request, pk) -> Election:
    """The election whose results the person may read (V8), or 404."""
    election = _visible_election(request, pk)
    commission = selectors.is_election_commission(request.user)
    if not selectors.results_visible(election, commission=commission):
        raise Http404(_("Les résultats ne sont pas encore publiés."))
    return election


@login_required
@require_GET
def results(request, pk):
    """V8: turnout, blank ballots, votes per candidate; never per ballot. The receipts (V6):
    each voter checks their own (``?recu=``), the whole list is a download, and the page
    lists them only while they are few (RESULTS_RECEIPTS_LISTED)."""
    election = _published_results(request, pk)
    counts = selectors.ballot_counts(election=election)
    electorate = election.electorate.count()
    receipt_form = ReceiptCheckForm(request.GET if "recu" in request.GET else None)
    receipt = receipt_form.cleaned_data["recu"] if receipt_form.is_valid() else None
    return render(
        request,
        "governance/elections/results.html",
        {
            "election": election,
            "rows": list(selectors.results_rows(election=election)),
            "counts": counts,
            "electorate": electorate,
            "turnout": round(100 * counts["total"] / electorate, 1) if electorate else None,
            "receipts": selectors.receipt_list(election=election)
            if counts["total"] <= RESULTS_RECEIPTS_LISTED
            else None,
            "receipt_form": receipt_form,
            "receipt": receipt,
            "receipt_counted": receipt is not None
            and selectors.receipt_counted(election=election, receipt=receipt),
        },
    )


@login_required
@require_GET
def receipts_download(request, pk):
    """V6: every receipt counted, sorted, one per line: the list anyone who reads the
    results may keep and search."""
    election = _published_results(request, pk)
    lines = "".join(f"{receipt}\n" for receipt in selectors.receipt_list(election=election))
    response = HttpResponse(lines, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recus-election-{election.pk}.txt"'
    return response
