"""Pages of the members registry: the public directory and the representatives' space."""

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charters.constants import SignatureCapacity, SignatureScope
from charters.selectors import (
    charter_parameters,
    charter_version_in_force,
    organisation_commitment_end_date,
)
from charters.services import consent_sentence
from charters.text import ARTICLE_3_3, parse_charter
from core.deadlines import AHEAD_DAYS
from core.http import client_ip
from core.public_cache import public_cache
from core.roles import is_copil
from core.site import absolute_url, site_root
from core.throttle import PasswordRetries

from . import open_data, selectors, services
from .constants import ApplicationState, OrganisationKind, Status
from .exceptions import MembersError
from .filters import DirectoryFilter, department_label
from .forms import (
    ApplicationEstablishmentFormSet,
    ApplicationForm,
    ConfirmForm,
    ConsentForm,
    EstablishmentFormSet,
    ExclusionResponseForm,
    InvitationAcceptForm,
    InvitationProposeForm,
    OpinionForm,
    OrganisationProfileForm,
    ProofUploadForm,
    RepresentativeAddForm,
    draft_from_post,
)
from .models import (
    Application,
    ExclusionProcedure,
    Organisation,
    ProofRequest,
    Representative,
    StatusChange,
)

DIRECTORY_PAGE_SIZE = 20
# The query string parameters the directory reads (its filters and the page number).
DIRECTORY_PARAMS = ("q", "department", "status", "category", "page")


@require_GET
@public_cache(params=DIRECTORY_PARAMS)
def directory(request):
    # Charter art. 3.4 last § and art. 4 last § (S2): members and partners only.
    filterset = DirectoryFilter(request.GET or None, queryset=selectors.directory_list())
    rows = filterset.qs.prefetch_related(None).values_list(*selectors.DIRECTORY_CARD_VALUES)
    page = Paginator(rows, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "filterset": filterset,
            "page": page,
            "cards": selectors.directory_cards(page.object_list),
            "page_range": page.paginator.get_elided_page_range(page.number),
            "site_url": site_root(),  # the addresses printed on paper
            "generated_at": timezone.now(),  # cached with the page, as the exports are
            "licence_url": open_data.LICENCE["path"],
        },
    )


@require_GET
@public_cache()
def organisation_detail(request, slug):
    try:
        organisation = selectors.directory_get(slug=slug)
    except Organisation.DoesNotExist as error:
        raise Http404 from error
    establishments = [
        (establishment, department_label(establishment.department))
        for establishment in organisation.active_establishments
    ]
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "establishments": establishments,
            # An independent person's address is personal data: city and department only.
            "show_addresses": organisation.kind != OrganisationKind.INDEPENDENT,
            "aif_is_url": organisation.aif_reference.startswith(("https://", "http://")),
            # Issue 10: schema.org data and OpenGraph tags, URLs on the public address.
            # Escaped for <script> by organisation_json_ld (tested with a "</script>" name).
            # nosemgrep: portal-mark-safe
            "json_ld": mark_safe(open_data.organisation_json_ld(organisation)),  # noqa: S308 # nosec B308 B703
            "page_url": absolute_url(organisation.get_absolute_url()),
            "site_url": site_root(),
        },
    )


@require_GET
def organisation_logo(request, slug):
    # Uploads are private (no MEDIA_URL): a logo is public only while the organisation is.
    try:
        organisation = selectors.directory_logo_get(slug=slug)
    except Organisation.DoesNotExist as error:
        raise Http404 from error
    name = organisation.logo.name
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    content_type = services.LOGO_CONTENT_TYPES.get("jpg" if extension == "jpeg" else extension)
    if not name or content_type is None or not organisation.logo.storage.exists(name):
        raise Http404
    response = FileResponse(organisation.logo.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    # Short: a logo leaves the public site the day its organisation does (S2).
    response["Cache-Control"] = "public, max-age=600"
    return response


# The deadlines the dashboard lists (the most urgent), the others counted and listed on
# request (?echeances=toutes): the COPIL acts on hundreds.
DASHBOARD_DEADLINES = 20


@login_required
@require_GET
def dashboard(request):
    # With the facts the deadlines' sources ask of the person (person_deadlines below).
    active = list(selectors.representation_list(user=request.user, with_facts=True))
    representations = [
        {
            "representation": representation,
            "status": selectors.representation_status(representation),
            "listed": selectors.representation_listed(representation),
            "consent_form": ConsentForm(
                initial={"public_consent": representation.public_consent},
                auto_id=f"id_consent_{representation.pk}_%s",
            ),
        }
        for representation in active
    ]
    # Issue 9: the person's own deadlines, with the link where they act.
    deadlines = selectors.person_deadlines(user=request.user, representations=active)
    shown = (
        deadlines if request.GET.get("echeances") == "toutes" else deadlines[:DASHBOARD_DEADLINES]
    )
    return render(
        request,
        "members/dashboard.html",
        {
            "representations": representations,
            "deadlines": shown,
            "deadlines_others": len(deadlines) - len(shown),
            "ahead_days": AHEAD_DAYS,
            "is_copil": is_copil(request.user),
            # The navigation's "Élections" link (governance's elections_nav): known here.
            "represents_member": any(r["status"] == Status.MEMBER for r in representations),
        },
    )


@login_required
@require_POST
def consent_set(request, pk):
    representation = get_object_or_404(
        selectors.active_representatives().filter(user=request.user), pk=pk
    )
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.representative_consent_set(
                representative=representation,
                public_consent=form.cleaned_data["public_consent"],
                actor=request.user,
            )
        except MembersError as error:
            messages.error(request, error.message)
        else:
            if representation.public_consent:
                messages.success(
                    request,
                    _("Vous apparaissez sur la fiche publique de %(organisation)s.")
                    % {"organisation": representation.organisation.legal_name},
                )
            else:
                messages.success(
                    request,
                    _("Vous n'apparaissez plus sur la fiche publique de %(organisation)s.")
                    % {"organisation": representation.organisation.legal_name},
                )
    return redirect("space:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not selectors.is_active_representative(user=request.user, organisation=organisation):
        raise PermissionDenied
    if request.method == "POST":
        form = OrganisationProfileForm(request.POST, request.FILES, instance=organisation)
        formset = EstablishmentFormSet(request.POST, instance=organisation)
        if form.is_valid() and formset.is_valid():
            try:
                services.organisation_profile_update(
                    organisation=organisation,
                    data=form.profile_data(),
                    offer_categories=form.cleaned_data["offer_categories"],
                    establishments=formset.save(commit=False),
                    logo=form.logo_change(),
                    actor=request.user,
                )
            except MembersError as error:
                # The service rolled back; the forms still hold what was typed.
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Fiche mise à jour."))
                return redirect("space:organisation_edit", slug=organisation.slug)
    else:
        form = OrganisationProfileForm(instance=organisation)
        formset = EstablishmentFormSet(instance=organisation)
    return render(
        request,
        "members/organisation_edit.html",
        {
            "organisation": organisation,
            "form": form,
            "formset": formset,
            "listed": selectors.directory_list().filter(pk=organisation.pk).exists(),
        },
    )


# =========================================================================================
# The status lifecycle (issue 6): the application, the member space, invitations.
# =========================================================================================

# Applying signs the charter: the same retries as signing it (core/throttle.py).
SIGNING_RETRIES = PasswordRetries("charters:sign-failures")


def _consent_label(user, legal_name: str) -> str:
    version = charter_version_in_force()
    if version is None:
        return ""
    placeholder = Organisation(legal_name=legal_name or _("mon entité"))
    return consent_sentence(
        version=version,
        organisation=placeholder,
        signer=user,
        scope=SignatureScope.FULL,
        capacity=SignatureCapacity.SIGNATORY,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def application_form(request, pk=None):
    """Charter art. 3.1 (M3, M4): apply and sign the charter in the same step; or save a
    draft to resume later. Nothing is lost on error: the forms keep what was typed."""
    draft = None
    if pk is not None:
        draft = get_object_or_404(
            Application, pk=pk, applicant=request.user, state=ApplicationState.DRAFT
        )
    version = charter_version_in_force()
    if request.method == "POST":
        legal_name = request.POST.get("legal_name", "")
        form = ApplicationForm(request.POST, consent_label=_consent_label(request.user, legal_name))
        formset = ApplicationEstablishmentFormSet(request.POST, prefix="establishments")
        if "save_draft" in request.POST:
            draft = services.application_save_draft(
                applicant=request.user,
                data=draft_from_post(request.POST),
                aif_reference=request.POST.get("aif_reference", "")[:300],
                motivation=request.POST.get("motivation", "")[:5000],
                application=draft,
            )
            messages.success(
                request,
                _("Brouillon enregistré. Vous pourrez reprendre votre candidature plus tard."),
            )
            return redirect("application:edit", pk=draft.pk)
        if form.is_valid() and formset.is_valid():
            if SIGNING_RETRIES.exhausted(request.user):
                form.add_error(
                    "password",
                    _(
                        "Trop de tentatives de mot de passe erronées. Réessayez dans quelques minutes."
                    ),
                )
            else:
                data = form.organisation_data()
                data["establishments"] = [f.cleaned_data for f in formset.forms if f.cleaned_data]
                try:
                    application = services.application_submit(
                        applicant=request.user,
                        data=data,
                        aif_reference=form.cleaned_data["aif_reference"],
                        motivation=form.cleaned_data["motivation"],
                        password=form.cleaned_data["password"],
                        consent_given=form.cleaned_data["consent"],
                        application=draft,
                        ip_address=client_ip(request),
                        user_agent=request.headers.get("User-Agent", ""),
                    )
                except MembersError as error:
                    if error.field == "password":
                        SIGNING_RETRIES.failed(request.user)
                    form.add_error(
                        error.field if error.field in form.fields else None, error.message
                    )
                else:
                    SIGNING_RETRIES.succeeded(request.user)
                    messages.success(
                        request,
                        _(
                            "Candidature déposée et charte signée (code de vérification %(code)s). "
                            "Le COPIL vous tiendra informé par courriel."
                        )
                        % {"code": application.signature.verification_code},
                    )
                    return redirect("application:list")
        status = 400
    else:
        initial = dict(draft.data) if draft else {}
        establishments = initial.pop("establishments", None) or [{}]
        if draft:
            initial.update(aif_reference=draft.aif_reference, motivation=draft.motivation)
        form = ApplicationForm(
            initial=initial,
            consent_label=_consent_label(request.user, initial.get("legal_name", "")),
        )
        formset = ApplicationEstablishmentFormSet(initial=establishments, prefix="establishments")
        status = 200
    return render(
        request,
        "members/application_form.html",
        {"form": form, "formset": formset, "draft": draft, "version": version},
        status=status,
    )


@login_required
@require_GET
def application_list(request):
    """The applicant follows the state of their applications (and resumes a draft), with
    every approval condition and its current state while the COPIL examines one."""
    applications = list(selectors.application_list_for(user=request.user))
    under_review = [
        (application, selectors.application_conditions_for_applicant(application=application))
        for application in applications
        if application.state == ApplicationState.SUBMITTED
    ]
    return render(
        request,
        "members/application_list.html",
        {"applications": applications, "under_review": under_review},
    )


@login_required
@require_GET
def member_space_home(request):
    """/espace-membre/: the organisations the person represents; one leads straight to it."""
    representations = list(selectors.member_space_organisations(user=request.user))
    if len(representations) == 1:
        return redirect("member_space:organisation", slug=representations[0].organisation.slug)
    return render(
        request,
        "members/member_space_list.html",
        {
            "representations": [(r, selectors.representation_status(r)) for r in representations],
            "opinion_applications": selectors.applications_open_for_opinion(user=request.user),
        },
    )


def _representation_or_404(request, slug):
    try:
        return selectors.member_space_get(user=request.user, slug=slug)
    except Representative.DoesNotExist as error:
        raise Http404 from error


@login_required
@require_GET
def member_space(request, slug):
    """The member dashboard: status, history, pending signatures, documents requested,
    representatives (M9), and the resignation (L2) or renunciation (P5)."""
    representation = _representation_or_404(request, slug)
    organisation = representation.organisation
    version = charter_version_in_force()
    rights = selectors.member_space_rights(representation=representation, version=version)
    return render(
        request,
        "members/member_space.html",
        {
            "organisation": organisation,
            "representation": representation,
            "status": rights.status,
            "history": selectors.status_history(organisation=organisation),
            "version": version,
            "owes_signature": rights.owes_signature,
            "commitment_end": organisation_commitment_end_date(organisation=organisation),
            "proof_requests": organisation.proof_requests.filter(closed_at__isnull=True)
            .prefetch_related("documents")
            .order_by("-requested_at"),
            "procedures": organisation.exclusion_procedures.filter(outcome="").order_by(
                "-opened_at"
            ),
            "representatives": selectors.active_representatives()
            .filter(organisation=organisation)
            .select_related("user")
            .order_by("user__last_name", "user__first_name"),
            "without_representative": False,
            "is_signatory": representation.is_authorised_signatory,
            "can_resign": rights.can_resign,
            "can_renounce": rights.can_renounce,
            "can_invite": rights.can_invite,
            "representative_form": RepresentativeAddForm(),
            "response_form": ExclusionResponseForm(),
            "proof_form": ProofUploadForm(),
            "opinion_applications": selectors.applications_open_for_opinion(user=request.user)
            if rights.gives_opinions
            else [],
        },
    )


def _member_space_redirect(slug):
    return redirect("member_space:organisation", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def resign(request, slug):
    """Charter art. 3.4 (L2): a confirmation step, then the resignation takes effect at once."""
    representation = _representation_or_404(request, slug)
    organisation = representation.organisation
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_resign(organisation=organisation, actor=request.user)
        except MembersError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "La démission de %(name)s est effective. Une lettre de confirmation vous a "
                    "été envoyée par courriel ; le COPIL en est informé."
                )
                % {"name": organisation.legal_name},
            )
            return _member_space_redirect(slug)
    commitment_months = charter_parameters().commitment_months_after_loss
    return render(
        request,
        "members/confirm_step.html",
        {
            "organisation": organisation,
            "form": form,
            "title": _("Démissionner de la COS-GE"),
            "paragraphs": [
                _(
                    "Un membre peut démissionner à tout moment, sans préavis et sans avoir à "
                    "se justifier (article 3.4 de la charte). La démission est immédiate : "
                    "l'entité quitte l'annuaire et les listes de diffusion aujourd'hui."
                ),
                # Charter art. 3.3 (E2): the months of the version in force.
                ngettext(
                    "L'engagement d'éthique et de confidentialité (article 3.3) reste valable "
                    "%(months)s mois.",
                    "L'engagement d'éthique et de confidentialité (article 3.3) reste valable "
                    "%(months)s mois.",
                    commitment_months,
                )
                % {"months": commitment_months},
            ],
            "button": _("Démissionner"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def renounce(request, slug):
    """Charter art. 4 (P5): the partner renounces online (immediate, unless its agreement)."""
    representation = _representation_or_404(request, slug)
    organisation = representation.organisation
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.partner_renounce(organisation=organisation, actor=request.user)
        except MembersError as error:
            form.add_error(None, error.message)
        else:
            if getattr(result, "ends_on", None) and not isinstance(result, StatusChange):
                messages.success(
                    request,
                    _(
                        "Renonciation enregistrée : selon la convention, le partenariat prend fin le %(date)s."
                    )
                    % {"date": result.ends_on.strftime("%d/%m/%Y")},
                )
            else:
                messages.success(
                    request, _("Renonciation enregistrée : le partenariat a pris fin.")
                )
            return _member_space_redirect(slug)
    return render(
        request,
        "members/confirm_step.html",
        {
            "organisation": organisation,
            "form": form,
            "title": _("Renoncer au statut de partenaire"),
            "paragraphs": [
                _(
                    "Un partenaire peut renoncer à son statut à tout moment, sans avoir à se "
                    "justifier (article 4 de la charte). Sans convention, la renonciation est "
                    "immédiate ; une convention en vigueur prend fin selon son préavis."
                )
            ],
            "button": _("Renoncer"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def representative_add(request, slug):
    representation = _representation_or_404(request, slug)
    form = RepresentativeAddForm(request.POST)
    if form.is_valid():
        try:
            services.representative_add(
                organisation=representation.organisation, actor=request.user, **form.cleaned_data
            )
        except MembersError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Représentant ajouté ; il a reçu un courriel."))
    else:
        messages.error(request, _("Vérifiez l'adresse e-mail du représentant."))
    return _member_space_redirect(slug)


@login_required
@require_POST
def representative_end(request, slug, pk):
    representation = _representation_or_404(request, slug)
    target = get_object_or_404(
        selectors.active_representatives().filter(organisation=representation.organisation),
        pk=pk,
    )
    try:
        services.representative_end(representative=target, actor=request.user)
    except MembersError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le mandat de %(name)s a pris fin.") % {"name": target.user})
    if target.user_id == request.user.pk:
        return redirect("member_space:dashboard")
    return _member_space_redirect(slug)


@login_required
@require_POST
def exclusion_respond(request, slug, pk):
    """Charter art. 3.4 (L4): the member answers the COPIL online."""
    representation = _representation_or_404(request, slug)
    procedure = get_object_or_404(
        ExclusionProcedure, pk=pk, organisation=representation.organisation
    )
    form = ExclusionResponseForm(request.POST)
    if form.is_valid():
        try:
            services.exclusion_respond(
                procedure=procedure, actor=request.user, response=form.cleaned_data["response"]
            )
        except MembersError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Votre réponse a été transmise au COPIL."))
    else:
        messages.error(request, _("Écrivez votre réponse."))
    return _member_space_redirect(slug)


@login_required
@require_POST
def proof_upload(request, slug, pk):
    """N1: a representative uploads a requested document (checked, stored privately)."""
    representation = _representation_or_404(request, slug)
    proof_request = get_object_or_404(ProofRequest, pk=pk, organisation=representation.organisation)
    form = ProofUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.proof_document_upload(
                proof_request=proof_request, file=form.cleaned_data["file"], actor=request.user
            )
        except MembersError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Document déposé ; seul le COPIL y a accès."))
    else:
        messages.error(request, _("Choisissez un fichier."))
    return _member_space_redirect(slug)


@login_required
@require_GET
def proof_document(request, pk):
    """N1: a proof is served to the COPIL and the organisation's representatives only."""
    document = selectors.proof_document_get_for(user=request.user, pk=pk)
    if document is None:
        raise Http404
    if not document.file.storage.exists(document.file.name):
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def opinion(request, pk):
    """Charter art. 3.1 (M7): a member's representative gives an opinion, for the COPIL."""
    application = get_object_or_404(
        selectors.applications_open_for_opinion(user=request.user), pk=pk
    )
    form = OpinionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_opinion_post(
                application=application, author=request.user, text=form.cleaned_data["text"]
            )
        except MembersError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Avis transmis au COPIL."))
            return redirect("member_space:dashboard")
    return render(
        request,
        "members/opinion_form.html",
        {"application": application, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_propose(request):
    """Charter art. 5 (I1, I4): a member proposes an invitee; the COPIL validates."""
    organisations = selectors.represented_member_organisations(user=request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Seuls les représentants des membres proposent des invités."))
    form = InvitationProposeForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_propose(proposed_by=request.user, **form.cleaned_data)
        except MembersError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Invitation proposée : le COPIL la validera et vous tiendra informé.")
            )
            return redirect("member_space:dashboard")
    return render(
        request,
        "members/invitation_propose.html",
        {
            "form": form,
            # I4: the ban's length is the charter version's, not a number in the page.
            "ban_months": charter_parameters().excluded_invitee_ban_months,
            # I1, I2: the invitations already proposed, to follow them up (deadlines).
            "invitations": list(selectors.invitations_proposed_by(user=request.user)),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Charter art. 5 and 3.3 (I2, E1): the invitee accepts art. 3.3 from the e-mailed link,
    without an account."""

    try:
        invitation = services.invitation_from_token(token)
    except MembersError as error:
        return render(
            request, "members/invitation_accept.html", {"error": error.message}, status=404
        )
    version = charter_version_in_force()
    article = parse_charter(version.body).section(ARTICLE_3_3) if version else None
    label = services.invitation_acceptance_text(invitation, on=timezone.localdate())
    form = InvitationAcceptForm(
        request.POST if request.method == "POST" else None, consent_label=label
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                invitation=invitation,
                consent_given=form.cleaned_data["consent"],
                ip_address=client_ip(request),
            )
        except MembersError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            invitation.refresh_from_db()
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "form": form, "article": article, "version": version},
        status=400 if request.method == "POST" and form.errors else 200,
    )
