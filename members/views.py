"""Pages of the members registry: the public directory and the representatives' space."""

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .constants import BENEFIT_STATUSES, OrganisationKind, Status
from .exceptions import MembersError
from .filters import DirectoryFilter, department_label
from .forms import ConsentForm, EstablishmentFormSet, OrganisationProfileForm
from .models import Organisation

DIRECTORY_PAGE_SIZE = 20


@require_GET
def directory(request):
    # Charter art. 3.4 last § and art. 4 last § (S2): members and partners only.
    filterset = DirectoryFilter(request.GET or None, queryset=selectors.directory_list())
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "filterset": filterset,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


@require_GET
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


@login_required
@require_GET
def dashboard(request):
    representations = [
        {
            "representation": representation,
            "status": Status(representation.organisation_status or Status.NONE),
            "listed": representation.organisation_status in BENEFIT_STATUSES,
            "consent_form": ConsentForm(
                initial={"public_consent": representation.public_consent},
                auto_id=f"id_consent_{representation.pk}_%s",
            ),
        }
        for representation in selectors.representation_list(user=request.user)
    ]
    return render(request, "members/dashboard.html", {"representations": representations})


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
