"""Pages of COPIL meetings (art. 6.3): the minutes, read by the COPIL and by the members
whose reasoned request it granted, and the COPIL's answers to those requests (C4).

Mounted with the election pages, at /elections/copil/ (URL namespace ``elections``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.roles import is_copil
from governance.exceptions import ElectionsError
from governance.selectors import member_representations

from . import selectors, services
from .forms import MinutesDecisionForm, MinutesRequestForm
from .models import CopilMeeting, MinutesRequest, MinutesRequestStatus

# --- COPIL minutes (C4) ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def copil_minutes(request, pk):
    """C4: the COPIL and granted requesters read the minutes; members may request them."""
    meeting = CopilMeeting.objects.filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("Cette réunion n'existe pas."))
    can_read = selectors.can_read_copil_minutes(user=request.user, meeting=meeting)
    if not can_read and not member_representations(user=request.user).exists():
        raise PermissionDenied(_("Réservé au COPIL et aux membres."))
    form = None if can_read else MinutesRequestForm(request.POST or None)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.minutes_request_create(
                meeting=meeting, requester=request.user, reason=form.cleaned_data["reason"]
            )
        except ElectionsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Demande envoyée au COPIL : vous serez prévenu de sa réponse.")
            )
            return redirect("elections:copil_minutes", pk=meeting.pk)
    my_requests = MinutesRequest.objects.filter(meeting=meeting, requester=request.user).order_by(
        "-created_at"
    )
    return render(
        request,
        "governance/elections/copil_minutes.html",
        {"meeting": meeting, "can_read": can_read, "form": form, "my_requests": my_requests},
        status=400 if request.method == "POST" and form is not None else 200,
    )


@login_required
@require_GET
def copil_minutes_file(request, pk):
    meeting = CopilMeeting.objects.filter(pk=pk).first()
    if meeting is None or not meeting.minutes_file:
        raise Http404(_("Aucun fichier."))
    if not selectors.can_read_copil_minutes(user=request.user, meeting=meeting):
        raise PermissionDenied(_("Réservé au COPIL et aux demandes accordées."))
    response = FileResponse(meeting.minutes_file.open("rb"), as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def minutes_requests(request):
    """C4: the COPIL grants or refuses the requests for its minutes."""
    if not is_copil(request.user):
        raise PermissionDenied(_("Page réservée au COPIL."))
    form = MinutesDecisionForm(request.POST or None)
    if request.method == "POST":
        target = MinutesRequest.objects.filter(pk=request.POST.get("request")).first()
        if target is None or not form.is_valid():
            messages.error(request, _("Choisissez d'accorder ou de refuser la demande."))
        else:
            try:
                services.minutes_request_decide(
                    request=target,
                    actor=request.user,
                    grant=form.cleaned_data["approve"],
                    reason=form.cleaned_data["reason"],
                )
            except ElectionsError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Réponse enregistrée ; le demandeur est prévenu."))
        return redirect("elections:minutes_requests")
    return render(
        request,
        "governance/elections/minutes_requests.html",
        {
            "pending": list(selectors.minutes_request_list(status=MinutesRequestStatus.PENDING)),
            "decided": list(
                selectors.minutes_request_list().exclude(status=MinutesRequestStatus.PENDING)[:50]
            ),
            "form": form,
        },
    )
