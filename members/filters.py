"""Search and filters of the public directory (S2: the base queryset lists members and partners)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from charters.selectors import charter_parameters

from .constants import GRAND_EST_DEPARTMENT_NAMES, Status
from .models import Establishment, OfferCategory, Organisation

# A search is cut into at most this many words, each of which must match.
MAX_SEARCH_TERMS = 8


def department_label(code: str) -> str:
    name = GRAND_EST_DEPARTMENT_NAMES.get(code)
    return f"{code} — {name}" if name else code


def department_choices() -> list[tuple[str, str]]:
    departments = charter_parameters().grand_est_departments
    return [(code, department_label(code)) for code in departments]


def _active_establishments() -> QuerySet:
    return Establishment.objects.filter(organisation=OuterRef("pk"), is_active=True)


def _categories() -> QuerySet:
    return Organisation.offer_categories.through.objects.filter(organisation=OuterRef("pk"))


class DirectoryFilter(django_filters.FilterSet):
    # Each filter is an EXISTS subquery: a join on establishments or categories would
    # repeat an organisation once per matching row.
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        help_text=_("Nom, description, catégorie d'offre ou ville."),
        widget=forms.SearchInput(attrs={"maxlength": 100}),
    )
    department = django_filters.ChoiceFilter(
        label=_("Département"),
        method="filter_department",
        empty_label=_("Tous les départements"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        field_name="current_status",
        choices=[(Status.MEMBER, _("Membre")), (Status.PARTNER, _("Partenaire"))],
        empty_label=_("Membres et partenaires"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Catégorie d'offre"),
        method="filter_category",
        empty_label=_("Toutes les catégories"),
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].extra["choices"] = department_choices()
        self.filters["category"].extra["choices"] = list(
            OfferCategory.objects.order_by("name").values_list("slug", "name")
        )

    def plain_fields(self) -> list[tuple]:
        """(bound field, widget HTML) of each field, the widget with the classes
        crispy-bootstrap5 gives it: the directory's templates lay them out as crispy does,
        without the cost of crispy's and the widgets' templates on every uncached directory
        page. Only for a form without errors: one with errors is rendered by crispy (its
        error summary, its messages and the fields' ARIA attributes)."""
        return [(field, _widget_html(field)) for field in self.form]

    def filter_search(self, queryset, name, value):
        for term in value.split()[:MAX_SEARCH_TERMS]:
            queryset = queryset.filter(
                Q(legal_name__icontains=term)
                | Q(description__icontains=term)
                | Exists(_categories().filter(offercategory__name__icontains=term))
                | Exists(_active_establishments().filter(city__icontains=term))
            )
        return queryset

    def filter_department(self, queryset, name, value):
        return queryset.filter(Exists(_active_establishments().filter(department=value)))

    def filter_category(self, queryset, name, value):
        return queryset.filter(Exists(_categories().filter(offercategory__slug=value)))


def _widget_html(field) -> str:
    """The HTML Django renders for the search input or a select of ``field`` (a bound
    field without errors), with crispy-bootstrap5's classes."""
    widget = field.field.widget
    is_select = isinstance(widget, forms.Select)
    kind = "form-select" if is_select else "form-control"
    attrs = field.build_widget_attrs({"class": f"{type(widget).__name__.lower()} {kind}"}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    attrs = {**widget.attrs, **attrs}
    attributes = "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )
    value = field.value()
    if not is_select:
        shown = "" if value in (None, "") else f' value="{escape(value)}"'
        return mark_safe(  # nosemgrep: portal-mark-safe  # noqa: S308 (escaped above)  # nosec B308 B703
            f'<input type="{widget.input_type}" name="{field.html_name}"{shown}{attributes}>'
        )
    selected = "" if value is None else str(value)
    options = "".join(
        f'<option value="{escape(key)}"{" selected" if str(key) == selected else ""}>'
        f"{escape(label)}</option>"
        for key, label in field.field.choices
    )
    return mark_safe(  # nosemgrep: portal-mark-safe  # noqa: S308 (escaped above)  # nosec B308 B703
        f'<select name="{field.html_name}"{attributes}>{options}</select>'
    )
