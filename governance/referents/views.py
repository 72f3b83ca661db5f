"""Pages of referents (art. 9): the public list of zone referents and their contact
form (R4), a referent's contact log and resignation (R2, R3), the COPIL's overview.

Thin: forms parse, services decide, selectors read (ARCHITECTURE §2).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import client_ip
from core.public_cache import public_cache
from core.roles import is_copil
from core.site import path_builder
from governance.exceptions import GovernanceError

from . import forms, selectors, services
from .models import Referent, ReferentEndReason

# --- Referents (R1-R4) -----------------------------------------------------------------------------


@require_GET
@public_cache()
def referents_public(request):
    """Charter art. 9 (R4): the zone referents by department, for companies to contact."""
    departments = selectors.zone_referents_by_department()
    contact_path = path_builder("commissions:referent_contact", 999999999)
    for department in departments:
        for referent in department.referents:
            referent.contact_path = contact_path(referent.pk)
    return render(
        request, "governance/commissions/referents_public.html", {"departments": departments}
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
