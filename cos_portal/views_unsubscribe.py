"""The one-click unsubscribe link of the optional mails (/compte/desabonnement/<token>/).

RFC 8058: the recipient's mail provider posts ``List-Unsubscribe=One-Click`` to the link
of the ``List-Unsubscribe`` header, without a session or a CSRF token; the signed token
(core/emails.py) is the proof that the link is the person's own. A GET only shows the
page with its button: opening the link never unsubscribes.
"""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.emails import UnsubscribeError, unsubscription

TEMPLATE = "cos_portal/email_unsubscribe.html"


# The mail provider's one-click POST carries no CSRF token (RFC 8058); the signed token in
# the URL names the person and the kind, and the only effect is to stop that kind of mail.
@csrf_exempt  # nosemgrep: portal-csrf-exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token: str):
    try:
        found = unsubscription(token)
    except UnsubscribeError as error:
        return render(request, TEMPLATE, {"error": str(error)}, status=400)
    if request.method == "POST":
        found.apply()
    return render(request, TEMPLATE, {"what": found.what, "done": request.method == "POST"})
