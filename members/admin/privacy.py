"""The COPIL erases a person's data from the people's admin list (GDPR art. 17).

A mixin of the people's ModelAdmin (members/admin/people.py), so that the action calls the same
service as the person's own erasure page: ``members.services.person_erase``. It belongs to
members, whose service it calls; the personal data export stays in cos_portal/privacy.py.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import is_copil
from members import services as member_services
from members.exceptions import MembersError


class PersonErasureAdminMixin:
    actions = ("erase_people",)

    def has_erase_permission(self, request) -> bool:
        return is_copil(request.user)

    @admin.action(
        description=gettext_lazy("Effacer les données personnelles (anonymiser)…"),
        permissions=["erase"],
    )
    def erase_people(self, request, queryset):
        people = list(queryset.order_by("email"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Effacer les données personnelles"),
                "opts": self.opts,
                "people": people,
                "action_name": "erase_people",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "admin/privacy/erase_confirmation.html", context)
        erased = 0
        for person in people:
            try:
                member_services.person_erase(user=person, actor=request.user)
            except MembersError as error:
                self.message_user(request, f"{person.email} : {error.message}", messages.ERROR)
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                _("%(count)s personne(s) effacée(s).") % {"count": erased},
                messages.SUCCESS,
            )
        return None
