"""The admin's delete confirmation (the « Supprimer » page and the « supprimer les ...
sélectionnés » action) for objects that take thousands of others with them.

Django lists every object a deletion reaches, each by its name and link: a name often
reads another row (a convocation names its activity and its organisation), so a plenary
with 1,600 convocations took 2,900 queries and 2 s only to say what would go, and ten
times more at ten times the community. Beyond DELETE_LISTED objects, the page names the
objects chosen (DELETE_LISTED at most) and counts the others per kind, as its summary
already does; the permissions lacking and the protected objects are found as before,
from the same collection of the objects (one query per relation, not per object).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.db.models import prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Objects a delete confirmation names one by one; beyond, they are counted per kind.
DELETE_LISTED = 100


class BoundedDeleteMixin:
    """For every ModelAdmin of the portal's site (core.admin_french.PortalAdminSite)."""

    def get_deleted_objects(self, objs, request):
        chosen = list(objs[: DELETE_LISTED + 1])
        if not chosen:
            return super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(chosen[0]._meta.model), origin=objs)
        collector.collect(objs)
        found = collector.model_objs
        if sum(len(instances) for instances in found.values()) <= DELETE_LISTED:
            return super().get_deleted_objects(objs, request)  # Django's list, every name
        return (
            self._deleted_summary(chosen, found, chosen_total=len(objs)),
            {model._meta.verbose_name_plural: len(instances) for model, instances in found.items()},
            self._perms_lacking(request, found),
            self._named_list(sorted(collector.protected, key=_in_order)),
        )

    def _perms_lacking(self, request, found) -> set:
        """The kinds of objects the person may not delete, as Django finds them: a
        registered model whose admin refuses one of them."""
        lacking = set()
        for model, instances in found.items():
            if not self.admin_site.is_registered(model):
                continue
            model_admin = self.admin_site.get_model_admin(model)
            if any(not model_admin.has_delete_permission(request, obj) for obj in instances):
                lacking.add(model._meta.verbose_name)
        return lacking

    def _deleted_summary(self, chosen, found, *, chosen_total: int) -> list:
        """The objects chosen, named and linked (DELETE_LISTED at most), then the objects
        they take with them, counted per kind."""
        items = self._named_list(chosen, total=chosen_total)
        chosen_model = chosen[0]._meta.model
        counted = []
        for model, instances in found.items():
            number = len(instances) - (chosen_total if model is chosen_model else 0)
            if number > 0:
                counted.append(f"{capfirst(model._meta.verbose_name_plural)} : {number}")
        if counted:
            items += [_("Avec les objets liés suivants, trop nombreux pour être nommés :"), counted]
        return items

    def _named_list(self, objs, *, total: int | None = None) -> list:
        """The first DELETE_LISTED of ``objs`` named, the others counted."""
        total = len(objs) if total is None else total
        named = objs[:DELETE_LISTED]
        _read_what_names_them(named)
        items = [self._named(obj) for obj in named]
        if total > DELETE_LISTED:
            others = total - DELETE_LISTED
            items.append(
                ngettext("… et %(count)s autre", "… et %(count)s autres", others)
                % {"count": others}
            )
        return items

    def _named(self, obj) -> str:
        """An object as Django names it on this page: its kind, and its name linked to its
        admin page when it has one."""
        opts = obj._meta
        if self.admin_site.is_registered(obj.__class__):
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[obj.pk],
                )
            except NoReverseMatch:
                pass
            else:
                return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)
        return f"{capfirst(opts.verbose_name)}: {obj}"


def _in_order(obj) -> tuple[str, str]:
    return obj._meta.label, str(obj.pk)


def _read_what_names_them(objs) -> None:
    """The rows the objects' names may read (their foreign keys), a query per kind of row
    for all of them, instead of one per object."""
    by_model = defaultdict(list)
    for obj in objs:
        by_model[obj.__class__].append(obj)
    for model, instances in by_model.items():
        links = [
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and (field.many_to_one or field.one_to_one)
        ]
        prefetch_related_objects(instances, *links)
