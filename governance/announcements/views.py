"""The COPIL's announcements (newsletter), outside the admin: list, write, send, send log.

COPIL only, behind the same MFA as the admin (cos_portal/security.py). Thin: the form
parses, the services decide (governance/announcements/services.py).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decisions import copil_required
from governance.exceptions import GovernanceError

from . import selectors, services
from .forms import AnnouncementForm
from .models import Announcement, DeliveryStatus

# The recipients or deliveries an announcement's page shows at once (all are counted).
ANNOUNCEMENT_PAGE_SIZE = 50


def _announcement(pk) -> Announcement:
    try:
        return selectors.announcement_get(pk=pk)
    except Announcement.DoesNotExist:
        raise Http404(_("Cette annonce n'existe pas.")) from None


@copil_required
@require_GET
def announcement_list(request):
    return render(
        request,
        "governance/announcements/list.html",
        {"announcements": list(selectors.announcement_list()[:200])},
    )


@copil_required
@require_http_methods(["GET", "POST"])
def announcement_create(request):
    posted = request.method == "POST"
    form = AnnouncementForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            announcement = services.announcement_create(actor=request.user, **form.cleaned_data)
        except GovernanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Annonce enregistrée. Vérifiez les destinataires, puis envoyez-la.")
            )
            return redirect(announcement)
    return render(
        request,
        "governance/announcements/form.html",
        {"form": form},
        status=400 if posted else 200,
    )


@copil_required
@require_GET
def announcement_detail(request, pk):
    """A draft shows who would receive it now; a sent one, its send log (S2). Both are
    counted in full and shown ANNOUNCEMENT_PAGE_SIZE rows a page (an announcement to every
    member names thousands of addresses); the send log filters by state (``?etat=``)."""
    announcement = _announcement(pk)
    draft = announcement.is_draft
    context = {"announcement": announcement, "draft": draft}
    if draft:
        rows = selectors.announcement_recipients(
            to_members_partners=announcement.to_members_partners,
            commission=announcement.commission,
            at=timezone.now(),
        )
        context["recipients_count"] = len(rows)
    else:
        state = request.GET.get("etat", "")
        state = state if state in DeliveryStatus.values else ""
        rows = selectors.announcement_deliveries(announcement=announcement, status=state)
        context.update(
            state=state,
            states=DeliveryStatus.choices,
            query=urlencode({"etat": state}) if state else "",
        )
    context["page"] = Paginator(rows, ANNOUNCEMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/announcements/detail.html", context)


@copil_required
@require_POST
def announcement_send(request, pk):
    announcement = _announcement(pk)
    try:
        if request.POST.get("retry"):
            count = services.announcement_retry_failed(
                announcement=announcement, actor=request.user
            )
            text = ngettext(
                "%(count)d envoi en échec remis en file.",
                "%(count)d envois en échec remis en file.",
                count,
            )
        else:
            count = services.announcement_send(announcement=announcement, actor=request.user)
            text = ngettext(
                "Annonce envoyée à %(count)d destinataire.",
                "Annonce envoyée à %(count)d destinataires.",
                count,
            )
    except GovernanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text % {"count": count})
    return redirect("announcements:detail", pk=announcement.pk)
