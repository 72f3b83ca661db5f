"""The admin in grammatical French for every model, the third-party ones included.

The portal's admin site (PortalAdminSite, made the default site by core.admin_config in
INSTALLED_APPS) gives every ModelAdmin registered on it the FrenchPhrasesMixin: the page
titles, the "add" button, the inline "add another" link and the bulk-delete action take
the model's article from core/french_nouns.py instead of Django's one-size phrase
("Ajout de activité" becomes "Ajout d’une activité"). Other languages keep Django's.
"""

import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth.models import Permission
from django.db import models
from django.utils.functional import SimpleLazyObject

from .admin_delete import BoundedDeleteMixin
from .french_nouns import FrenchNoun


class FrenchInlineAdminFormSet(helpers.InlineAdminFormSet):
    def inline_formset_data(self):
        data = super().inline_formset_data()
        noun = FrenchNoun(self.opts.model._meta)
        if not noun.known:
            return data
        # The JSON is built by Django; only its addText changes.
        values = json.loads(data)
        values["options"]["addText"] = noun.add_another()
        return json.dumps(values)


class PrivateFileWidget(AdminFileWidget):
    """An uploaded file of the private storage (no public URL, MEDIA_URL is None): its name
    without a link, where Django's widget asked the storage for a URL and failed (500)."""

    template_name = "admin/widgets/private_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))


_PERMISSION_ACTIONS = {
    "add": "ajout",
    "change": "modification",
    "delete": "suppression",
    "view": "consultation",
}


def permission_label(permission: Permission) -> str:
    """Django names the permissions it creates in English ("Can add log entry"); the admin
    shows them in French, without an article to agree: « Activités | activité | ajout »."""
    action, _sep, _model_name = permission.codename.partition("_")
    if action not in _PERMISSION_ACTIONS or not permission.name.startswith("Can "):
        return str(permission)  # the portal's own permissions are named in French
    model = permission.content_type.model_class()
    if model is None:  # a model removed since: only its content type is left
        return f"{permission.content_type} | {_PERMISSION_ACTIONS[action]}"
    app = model._meta.app_config.verbose_name
    return f"{app} | {model._meta.verbose_name} | {_PERMISSION_ACTIONS[action]}"


def show_private_files(model_admin) -> None:
    """Uploaded files (and images) in the admin's forms, inlines included, without a URL;
    web addresses typed without a scheme read as https (the portal's forms do the same)."""
    for field_class in (models.FileField, models.ImageField):
        overrides = model_admin.formfield_overrides.get(field_class, {})
        model_admin.formfield_overrides[field_class] = {**overrides, "widget": PrivateFileWidget}
    overrides = model_admin.formfield_overrides.get(models.URLField, {})
    model_admin.formfield_overrides[models.URLField] = {**overrides, "assume_scheme": "https"}


class FrenchPhrasesMixin:
    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        show_private_files(self)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            show_private_files(inline)
        return inlines

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission and FrenchNoun.french():
            field.label_from_instance = permission_label
        return field

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        noun = FrenchNoun(self.opts)
        if noun.known:
            changelist.title = noun.select_title(
                change=self.has_change_permission(request), popup=changelist.is_popup
            )
        return changelist

    def changelist_view(self, request, extra_context=None):
        noun = FrenchNoun(self.opts)
        if noun.known:
            extra_context = {**(extra_context or {}), "add_label": noun.add_button()}
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        noun = FrenchNoun(self.opts)
        if noun.known:
            if add:
                context["title"] = noun.add_title()
            elif self.has_change_permission(request, obj):
                context["title"] = noun.change_title()
            else:
                context["title"] = noun.view_title()
            context["add_label"] = noun.add_button()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            if type(inline_formset) is helpers.InlineAdminFormSet:
                inline_formset.__class__ = FrenchInlineAdminFormSet
        return inline_formsets

    def get_actions(self, request):
        actions = super().get_actions(request)
        noun = FrenchNoun(self.opts)
        if noun.known and "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            actions["delete_selected"] = (function, name, noun.delete_selected())
        return actions


class PortalAdminSite(admin.AdminSite):
    """Django's admin site, each model admin registered on it speaking French and
    confirming a deletion of thousands of objects by counting them (core/admin_delete.py).
    No side menu: it repeats the index and took a fifth of a 1280 px screen from the lists."""

    enable_nav_sidebar = False

    def each_context(self, request):
        """Django's context of every admin page, but the side menu's list of apps
        (``available_apps``) is built only if a template reads it: with no side menu, none
        does (the index lists the apps from its own ``app_list``). Building it sorts every
        model admin's translated name: a tenth of a long list's page."""
        context = _context_without_apps(self, request)
        context["available_apps"] = SimpleLazyObject(lambda: self.get_app_list(request))
        return context

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        mixins = tuple(
            mixin
            for mixin in (FrenchPhrasesMixin, BoundedDeleteMixin)
            if not issubclass(admin_class, mixin)
        )
        if mixins:
            admin_class = type(
                admin_class.__name__,
                (*mixins, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)


def _context_without_apps(site, request):
    """AdminSite.each_context with get_app_list answering nothing, for this call only."""
    return admin.AdminSite.each_context(_NoApps(site), request)


class _NoApps:
    """The site seen by AdminSite.each_context: the same, except an empty list of apps."""

    def __init__(self, site):
        self._site = site

    def __getattr__(self, name):
        return getattr(self._site, name)

    def get_app_list(self, request, app_label=None):
        return []
