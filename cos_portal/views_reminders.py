"""The person's choice of optional deadline reminders (/compte/rappels/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.deadlines import reminder_preferences, reminder_preferences_set


@login_required
@require_http_methods(["GET", "POST"])
def reminder_preferences_edit(request):
    if request.method == "POST":
        reminder_preferences_set(user=request.user, received_kinds=request.POST.getlist("kind"))
        messages.success(request, _("Vos préférences de rappel sont enregistrées."))
        return redirect("reminder_preferences")
    return render(
        request,
        "cos_portal/reminder_preferences.html",
        {"preferences": reminder_preferences(user=request.user)},
    )
