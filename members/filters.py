"""Search and filters of the public directory (S2: the base queryset lists members and partners)."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
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
