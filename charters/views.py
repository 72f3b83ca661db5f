"""Charter pages: the text in force and its history, signing, certificates, verification,
and the COPIL's re-signature campaign. Thin: forms parse, services and selectors decide."""

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.http import client_ip
from core.public_cache import public_cache
from core.roles import is_copil
from core.throttle import PasswordRetries, over_limit

from . import organisations, selectors, services
from .certificates import SigningKeyMissing, certificate_pdf, check_seal
from .constants import SignatureCapacity, SignatureScope
from .evidence import normalise_code
from .exceptions import (
    CharterError,
    NotASignatory,
    TooManyAttempts,
    VersionNotInForce,
    WrongPassword,
)
from .forms import SignatureForm, VerificationForm
from .models import CharterVersion
from .text import ARTICLE_3_3, parse_charter

logger = logging.getLogger(__name__)

# Re-authentication before signing: five wrong passwords, then a pause (core/throttle.py).
SIGNING_RETRIES = PasswordRetries("charters:sign-failures")
# Public verifications per address (each may parse a 5 MB PDF): enough for people.
MAX_VERIFICATIONS = 30
VERIFICATION_WINDOW = 10 * 60


@require_GET
@public_cache()
def charter_current(request):
    version = selectors.charter_version_in_force()
    return render(
        request,
        "charters/current.html",
        {
            "version": version,
            "document": parse_charter(version.body) if version else None,
            "history": selectors.charter_version_history(),
            "show_campaign": is_copil(request.user),
        },
    )


@require_GET
@public_cache()
def charter_version(request, slug):
    try:
        version = selectors.charter_version_get(slug=slug)
    except CharterVersion.DoesNotExist:
        raise Http404(_("Cette version de la charte n'existe pas.")) from None
    in_force = selectors.charter_version_in_force()
    return render(
        request,
        "charters/version.html",
        {
            "version": version,
            "in_force": in_force,
            "document": parse_charter(version.body),
            "history": selectors.charter_version_history(),
        },
    )


def _sign_context(request, *, version, representations, chosen, form, scope, existing):
    document = parse_charter(version.body) if version else None
    if document is not None and scope == SignatureScope.ETHICS:
        document = document.section(ARTICLE_3_3)  # E1: the article the invitee commits to
    return {
        "version": version,
        "document": document,
        "representations": representations,
        "chosen": chosen,
        "form": form,
        "scope": scope,
        "ethics_only": scope == SignatureScope.ETHICS,
        "existing": existing,
        "complete": bool(
            version
            and scope
            and existing
            and selectors.commitment_complete(version=version, scope=scope, signatures=existing)
        ),
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def charter_sign(request):
    """Sign the version in force for one of the organisations one is a signatory of."""
    version = selectors.charter_version_in_force()
    representations = list(selectors.signatory_representations(user=request.user))
    slug = request.POST.get("organisation") or request.GET.get("entite")
    chosen = next((r for r in representations if r.organisation.slug == slug), None)
    if chosen is None and len(representations) == 1 and not slug:
        chosen = representations[0]
    if version is None or chosen is None:
        if request.method == "POST":
            error = VersionNotInForce if version is None else NotASignatory
            messages.error(request, str(error.default_message))
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "charters/sign.html",
            _sign_context(
                request, version=version, representations=representations, chosen=None,
                form=None, scope=None, existing=[],
            ),
            status=status,
        )  # fmt: skip

    organisation = chosen.organisation
    status = organisations.organisation_status(organisation=organisation)
    scope = selectors.scope_required_for(status)
    existing = list(selectors.organisation_signatures(organisation=organisation, version=version))
    capacity = request.POST.get("capacity") or SignatureCapacity.SIGNATORY
    consent_label = services.consent_sentence(
        version=version, organisation=organisation, signer=request.user, scope=scope,
        capacity=capacity if capacity in SignatureCapacity.values else SignatureCapacity.SIGNATORY,
    )  # fmt: skip
    form = SignatureForm(
        request.POST if request.method == "POST" else None,
        initial={"version": version.pk, "organisation": organisation.slug},
        consent_label=consent_label,
        ask_capacity=version.requires_head_signature,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if SIGNING_RETRIES.exhausted(request.user):
                raise TooManyAttempts()
            signed_version = CharterVersion.objects.filter(pk=form.cleaned_data["version"]).first()
            if signed_version is None:
                raise VersionNotInForce()
            try:
                signature = services.signature_record(
                    version=signed_version,
                    organisation=organisation,
                    signer=request.user,
                    password=form.cleaned_data["password"],
                    consent_given=form.cleaned_data["consent"],
                    scope=scope,
                    capacity=form.cleaned_data["capacity"],
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                )
            except WrongPassword:
                SIGNING_RETRIES.failed(request.user)
                raise
        except CharterError as error:
            form.add_error(error.field, error.message)
        else:
            SIGNING_RETRIES.succeeded(request.user)
            messages.success(
                request,
                _("Signature enregistrée. Votre code de vérification est %(code)s.")
                % {"code": signature.verification_code},
            )
            return redirect("charters:signature", code=signature.verification_code)
    return render(
        request,
        "charters/sign.html",
        _sign_context(
            request, version=version, representations=representations, chosen=chosen,
            form=form, scope=scope, existing=existing,
        ),
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _signature_for(request, code):
    signature = selectors.signature_get_by_code(code=code)
    if signature is None:
        raise Http404(_("Aucune signature ne correspond à ce code."))
    if not selectors.can_download_certificate(user=request.user, signature=signature):
        raise PermissionDenied(_("Seuls les représentants de l'entité et le COPIL y ont accès."))
    return signature


@login_required
@require_GET
def signature_detail(request, code):
    signature = _signature_for(request, code)
    return render(request, "charters/signature.html", {"signature": signature})


@login_required
@require_GET
def signature_certificate(request, code):
    signature = _signature_for(request, code)
    try:
        pdf = certificate_pdf(signature, language=getattr(request, "LANGUAGE_CODE", "fr"))
    except SigningKeyMissing:
        logger.exception("charter signing key missing")
        messages.error(
            request,
            _(
                "Le certificat ne peut pas être produit pour le moment : le sceau du portail n'est pas configuré. Le COPIL a été prévenu."
            ),
        )
        return redirect("charters:signature", code=signature.verification_code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificat-charte-{signature.verification_code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def charter_verify(request):
    """Public verification of a certificate, by code or by uploaded PDF (not stored)."""
    posted = request.method == "POST"
    form = VerificationForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and over_limit(
        f"charters:verify:{client_ip(request)}",
        limit=MAX_VERIFICATIONS,
        window=VERIFICATION_WINDOW,
    ):
        form.add_error(
            None, _("Trop de vérifications depuis votre adresse. Réessayez dans quelques minutes.")
        )
        return render(request, "charters/verify.html", {"form": form, "result": None}, status=429)
    if posted and form.is_valid():
        result = {"seal": None, "signature": None, "check": None}
        upload = form.cleaned_data.get("certificate")
        code = form.cleaned_data.get("code") or ""
        if upload is not None:
            data = upload.read()
            try:
                result["seal"] = check_seal(data)
            except SigningKeyMissing:
                logger.exception("charter signing certificate missing")
                result["seal_unavailable"] = True
            else:
                code = code or result["seal"].code
                if result["seal"].code and code and result["seal"].code != normalise_code(code):
                    result["code_mismatch"] = True
        signature = selectors.signature_get_by_code(code=code) if code else None
        result["signature"] = signature
        result["code"] = code
        if signature is not None:
            result["check"] = selectors.signature_check(signature=signature)
        seal_ok = result["seal"] is None or result["seal"].ok
        result["valid"] = bool(
            signature is not None
            and result["check"].valid
            and seal_ok
            and not result.get("code_mismatch")
            and not result.get("seal_unavailable")
        )
    return render(
        request,
        "charters/verify.html",
        {"form": form, "result": result},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


# The rows of a page of the campaign, and its filter on the state of the signature.
CAMPAIGN_PAGE_SIZE = 50
CAMPAIGN_STATES = {"non-signees": False, "signees": True}


@login_required
@require_GET
def campaign(request):
    """The COPIL's view of the re-signature campaign (X4): who signed, who not, since when.

    Every entity that owes a signature is counted and filtered (``?etat=``) on the cheap
    form of the rows (no reminders, people as ids); the CAMPAIGN_PAGE_SIZE rows of the
    page are then read in full: the page keeps its size, its queries stay constant."""
    if not is_copil(request.user):
        raise PermissionDenied(_("Page réservée au COPIL."))
    version = selectors.charter_version_in_force()
    every = (
        selectors.campaign_rows(version=version, with_reminders=False, people_as_ids=True)
        if version
        else []
    )
    state = request.GET.get("etat", "")
    kept = (
        [row for row in every if row.complete == CAMPAIGN_STATES[state]]
        if state in CAMPAIGN_STATES
        else every
    )
    page = Paginator(kept, CAMPAIGN_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = (
        selectors.campaign_rows(
            version=version, organisation_ids=[row.organisation.pk for row in page]
        )
        if page.object_list
        else []
    )
    today = timezone.localdate()
    for row in rows:
        row.days_owed = (today - row.owed_since).days
    signed = sum(1 for row in every if row.complete)
    return render(
        request,
        "charters/campaign.html",
        {
            "version": version,
            "rows": rows,
            "page": page,
            "state": state if state in CAMPAIGN_STATES else "",
            "query": urlencode({"etat": state}) if state in CAMPAIGN_STATES else "",
            "signed": signed,
            "pending": len(every) - signed,
            "chain": selectors.signature_chain_verify(),
        },
    )


@login_required
@require_GET
def my_signatures(request):
    signatures = selectors.user_signatures(user=request.user)
    return render(
        request,
        "charters/my_signatures.html",
        {"signatures": signatures, "sign_url": reverse("charters:sign")},
    )
