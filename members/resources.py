"""CSV import and export of the members registry (django-import-export).

The COPIL loads the old registry and keeps spreadsheets in step with the portal.
An import is previewed line by line before anything is saved, and is atomic: the
admin rolls the whole file back as soon as one line is invalid. The rules stay in
services: organisations are created by ``organisation_create`` (slug, audit),
their starting status is recorded by ``organisation_import_status`` (S1, M2) and
new people by ``user_get_or_create``.

Columns are identifiers of the file format (``legal_name``, ``siret``...); values
of choices are written as their codes (``member``) on export and accepted as codes
or as their French labels (``Membre``) on import.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import selectors, services
from .constants import OrganisationKind, Status
from .exceptions import MembersError
from .models import Establishment, OfferCategory, Organisation, Representative

# --- Widgets: French-friendly parsing, French error messages --------------------------


class ChoiceWidget(widgets.Widget):
    """A choice written as its code (``member``) or its label (``Membre``), any case."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        wanted = text.casefold()
        for code, label in self.choices.choices:
            if wanted in (str(code).casefold(), str(label).casefold()):
                return code
        raise ValueError(
            _("Valeur « %(value)s » inconnue ; valeurs possibles : %(choices)s.")
            % {"value": text, "choices": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class YesNoWidget(widgets.Widget):
    """oui / non (also 1 / 0, vrai / faux, true / false); blank means no."""

    TRUE = {"oui", "o", "vrai", "1", "true", "yes", "x"}
    FALSE = {"non", "n", "faux", "0", "false", "no", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(
            _("Écrivez « oui » ou « non » (valeur lue : « %(value)s »).") % {"value": value}
        )

    def render(self, value, obj=None, **kwargs):
        return "oui" if value else "non"


class FrenchDateWidget(widgets.Widget):
    """A date written AAAA-MM-JJ or JJ/MM/AAAA; exported as AAAA-MM-JJ."""

    FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        for date_format in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            _("Date « %(value)s » non reconnue : écrivez AAAA-MM-JJ ou JJ/MM/AAAA.")
            % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class OfferCategoriesWidget(widgets.ManyToManyWidget):
    """Offer category slugs separated by ";"; an unknown slug is an error, not ignored."""

    def __init__(self, **kwargs):
        super().__init__(OfferCategory, separator=";", field="slug", **kwargs)

    def clean(self, value, row=None, **kwargs):
        slugs = [part.strip() for part in str(value or "").split(self.separator) if part.strip()]
        if not slugs:
            return OfferCategory.objects.none()
        found = OfferCategory.objects.filter(slug__in=slugs)
        unknown = sorted(set(slugs) - {category.slug for category in found})
        if unknown:
            raise ValueError(
                _("Catégorie(s) d'offre inconnue(s) : %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return found


class OrganisationByNameWidget(widgets.ForeignKeyWidget):
    """An organisation designated by its legal name (any case)."""

    def __init__(self, **kwargs):
        super().__init__(Organisation, field="legal_name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("Indiquez la raison sociale de l'entité."))
        organisation = Organisation.objects.filter(legal_name__iexact=name).first()
        if organisation is None:
            raise ValueError(
                _("Aucune entité ne porte la raison sociale « %(name)s ».") % {"name": name}
            )
        return organisation


# --- Fields that are not attributes of the imported model ----------------------------


class RowEstablishmentField(fields.Field):
    """One column of the establishment carried by an organisation row.

    Saved by the resource itself (after the organisation); read from the
    ``_row_establishment`` the resource attaches to the instance, on import (for the
    preview) and on export.
    """

    def __init__(self, column_name, establishment_attribute):
        super().__init__(attribute=None, column_name=column_name)
        self.establishment_attribute = establishment_attribute

    def get_value(self, instance):
        establishment = getattr(instance, "_row_establishment", None)
        if establishment is None:
            return None
        return getattr(establishment, self.establishment_attribute) or None


class OrganisationStatusField(fields.Field):
    """The status column: the one requested on import, the current one on export."""

    def __init__(self):
        super().__init__(attribute=None, column_name="status", widget=ChoiceWidget(Status))

    def get_value(self, instance):
        if hasattr(instance, "_row_status"):
            return instance._row_status
        if hasattr(instance, "current_status"):
            return instance.current_status or Status.NONE
        if instance.pk is None:
            return None
        return selectors.organisation_status(organisation=instance)


def _as_validation_error(error: ValidationError, columns: dict[str, str]) -> dict:
    """Errors keyed by model field names, re-keyed by the file's column names."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD_ERRORS: error.messages}
    return {columns.get(name, name): messages for name, messages in error.message_dict.items()}


# The rows an admin export reads at once (django-import-export pages a queryset that
# prefetches: one query per page and per prefetch).
EXPORT_CHUNK_SIZE = 2000


class RegistryResourceMixin:
    """Shared behaviour of the registry's resources.

    - A line that fails leaves nothing behind, even within the import's transaction:
      django-import-export wraps each line in a savepoint but keeps it when the line
      fails; rolling it back means the following lines of the preview see the
      database as if the failed line did not exist.
    - Errors are reported under the file's column names.
    """

    def import_row(self, row, instance_loader, **kwargs):
        if not kwargs.get("using_transactions"):
            return super().import_row(row, instance_loader, **kwargs)
        using = self.get_db_connection_name()
        savepoint = transaction.savepoint(using=using)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error:
            transaction.savepoint_rollback(savepoint, using=using)
        else:
            transaction.savepoint_commit(savepoint, using=using)
        return row_result

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = value.strip()

    def clean_exclude(self, instance) -> list[str]:
        """Model fields full_clean must skip (set later, when the line is saved)."""
        return []

    def error_columns(self) -> dict[str, str]:
        """Model field name -> column of the file, for the error messages."""
        return {
            field.attribute: field.column_name
            for field in self.fields.values()
            if field.attribute and "__" not in field.attribute
        }

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.clean_exclude(instance)], validate_unique=validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            columns = self.error_columns()
            raise ValidationError({columns.get(key, key): value for key, value in errors.items()})


# --- Organisations ---------------------------------------------------------------------

# File column -> Establishment attribute.
ESTABLISHMENT_COLUMNS = {
    "establishment_name": "name",
    "siret": "siret",
    "address": "address",
    "postcode": "postcode",
    "city": "city",
}


class OrganisationResource(RegistryResourceMixin, resources.ModelResource):
    """One line per establishment; the organisation's columns repeat on each of its lines.

    A line whose legal name is already known (any case) updates that organisation and
    adds or updates the establishment (same SIRET, or same address and postcode).
    ``status``, when given, is the organisation's status: recorded as a change
    "Repris de l'ancien registre" unless it is already the current one (S1), and
    refused like any other change when the charter does not allow it (M2 for members).
    """

    legal_name = fields.Field(attribute="legal_name", column_name="legal_name")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(OrganisationKind))
    siren = fields.Field(attribute="siren", column_name="siren")
    website = fields.Field(attribute="website", column_name="website")
    description = fields.Field(attribute="description", column_name="description")
    aif_reference = fields.Field(attribute="aif_reference", column_name="aif_reference")
    offer_categories = fields.Field(
        attribute="offer_categories", column_name="offer_categories", widget=OfferCategoriesWidget()
    )
    establishment_name = RowEstablishmentField("establishment_name", "name")
    siret = RowEstablishmentField("siret", "siret")
    address = RowEstablishmentField("address", "address")
    postcode = RowEstablishmentField("postcode", "postcode")
    city = RowEstablishmentField("city", "city")
    status = OrganisationStatusField()

    class Meta:
        model = Organisation
        fields = (
            "legal_name", "kind", "siren", "website", "description", "aif_reference",
            "offer_categories", "establishment_name", "siret", "address", "postcode", "city",
            "status",
        )  # fmt: skip
        import_id_fields = ("legal_name",)
        use_transactions = True
        skip_unchanged = False
        # The export reads its rows a page at a time (its prefetch of the establishments):
        # pages of 2,000, not 100, so that 20,000 organisations take ten pages, not two
        # hundred (each a query, an offset and a prefetch).
        chunk_size = EXPORT_CHUNK_SIZE

    @classmethod
    def get_display_name(cls):
        return _("Entités et établissements")

    def get_queryset(self):
        return selectors.organisation_registry_list()

    def get_instance(self, instance_loader, row):
        name = str(row.get("legal_name") or "").strip()
        if not name:
            return None
        return Organisation.objects.filter(legal_name__iexact=name).first()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A blank kind keeps the current one (a new organisation is a company).
        if field.column_name == "kind" and not row.get("kind"):
            if instance.pk is None:
                instance.kind = OrganisationKind.COMPANY
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance._state.adding and instance.legal_name:
            # full_clean needs a slug; organisation_create chooses the same one.
            instance.slug = services.unique_slug(instance.legal_name)
        # The many-to-many column is saved after the organisation; check it now so an
        # unknown category is reported on its line.
        if "offer_categories" in row:
            try:
                self.fields["offer_categories"].clean(row)
            except ValueError as error:
                errors["offer_categories"] = [str(error)]
        try:
            instance._row_establishment = self._establishment_from_row(instance, row)
        except ValidationError as error:
            errors.update(
                _as_validation_error(error, {v: k for k, v in ESTABLISHMENT_COLUMNS.items()})
            )
        if "status" in row:
            try:
                instance._row_status = self.fields["status"].clean(row)
            except ValueError as error:
                errors["status"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def _establishment_from_row(self, organisation, row) -> Establishment | None:
        values = {
            attribute: str(row.get(column) or "").strip()
            for column, attribute in ESTABLISHMENT_COLUMNS.items()
        }
        values["siret"] = "".join(values["siret"].split())
        if not any(values.values()):
            return None
        establishment = None
        if organisation.pk is not None:
            existing = organisation.establishments.all()
            if values["siret"]:
                establishment = existing.filter(siret=values["siret"]).first()
            else:
                establishment = existing.filter(
                    siret="", postcode=values["postcode"], address__iexact=values["address"]
                ).first()
        if establishment is None:
            establishment = Establishment()
        for attribute, value in values.items():
            setattr(establishment, attribute, value)
        establishment.full_clean(exclude=["organisation", "department"])
        if values["siret"]:
            elsewhere = (
                Establishment.objects.filter(siret=values["siret"])
                .exclude(organisation_id=organisation.pk)
                .select_related("organisation")
                .first()
            )
            if elsewhere is not None:
                raise ValidationError(
                    {
                        "siret": _("Ce SIRET est déjà celui d'un établissement de « %(name)s ».")
                        % {"name": elsewhere.organisation.legal_name}
                    }
                )
        return establishment

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            self.before_save_instance(instance, row, **kwargs)
            services.organisation_create_from(organisation=instance, actor=kwargs.get("user"))
            self.after_save_instance(instance, row, **kwargs)
        else:
            super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        establishment = getattr(instance, "_row_establishment", None)
        if establishment is not None:
            establishment.organisation = instance
            establishment.save()
        status = getattr(instance, "_row_status", None)
        if status:
            try:
                # Charter art. 2 (S1) and art. 3.1 (M2): the same checks as any change.
                services.organisation_import_status(
                    organisation=instance, status=status, actor=kwargs.get("user")
                )
            except MembersError as error:
                raise ValidationError({"status": str(error.message)}) from error

    def filter_export(self, queryset, **kwargs):
        if not queryset.query.order_by:
            queryset = queryset.order_by("legal_name", "pk")
        return queryset.prefetch_related(None).prefetch_related(
            "offer_categories",
            Prefetch(
                "establishments",
                queryset=Establishment.objects.filter(is_active=True).order_by("postcode", "pk"),
                to_attr="active_establishments",
            ),
        )

    def iter_queryset(self, queryset):
        """One line per active establishment (one line without one if it has none)."""
        for organisation in super().iter_queryset(queryset):
            establishments = getattr(organisation, "active_establishments", None)
            if establishments is None:
                establishments = list(organisation.establishments.filter(is_active=True))
            for establishment in establishments or [None]:
                line = Organisation.__new__(Organisation)
                line.__dict__.update(organisation.__dict__)
                line._row_establishment = establishment
                yield line


# --- Representatives ------------------------------------------------------------------


class RepresentativeResource(RegistryResourceMixin, resources.ModelResource):
    """One line per representative; the person is created if the e-mail address is new.

    A new person gets an account without a usable password (they choose one with
    "mot de passe oublié"). A line for a person who already represents the
    organisation (without an end date) updates that representation.
    """

    email = fields.Field(attribute="user__email", column_name="email", readonly=True)
    first_name = fields.Field(attribute="user__first_name", column_name="first_name", readonly=True)
    last_name = fields.Field(attribute="user__last_name", column_name="last_name", readonly=True)
    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=OrganisationByNameWidget()
    )
    job_title = fields.Field(attribute="job_title", column_name="job_title")
    start_date = fields.Field(
        attribute="start_date", column_name="start_date", widget=FrenchDateWidget()
    )
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=FrenchDateWidget())
    is_authorised_signatory = fields.Field(
        attribute="is_authorised_signatory",
        column_name="authorised_signatory",
        widget=YesNoWidget(),
    )
    public_consent = fields.Field(
        attribute="public_consent", column_name="public_consent", widget=YesNoWidget()
    )

    class Meta:
        model = Representative
        fields = (
            "email", "first_name", "last_name", "organisation", "job_title", "start_date",
            "end_date", "is_authorised_signatory", "public_consent",
        )  # fmt: skip
        import_id_fields = ("email", "organisation")
        use_transactions = True
        skip_unchanged = False

    @classmethod
    def get_display_name(cls):
        return _("Représentants")

    def get_queryset(self):
        return Representative.objects.select_related("user", "organisation").order_by(
            "organisation__legal_name", "user__last_name", "user__first_name", "pk"
        )

    def get_instance(self, instance_loader, row):
        email = str(row.get("email") or "").strip()
        name = str(row.get("organisation") or "").strip()
        if not email or not name:
            return None
        return (
            Representative.objects.filter(
                user__email__iexact=email,
                organisation__legal_name__iexact=name,
                end_date__isnull=True,
            )
            .select_related("user", "organisation")
            .order_by("-start_date", "-pk")
            .first()
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A blank start date, signatory or consent keeps the current value (for a new
        # representative: today, no, no).
        optional = ("start_date", "authorised_signatory", "public_consent")
        if field.column_name in optional and not row.get(field.column_name):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        email = str(row.get("email") or "").strip()
        try:
            if not email:
                raise ValidationError(_("Indiquez l'adresse e-mail de la personne."))
            validate_email(email)
        except ValidationError as error:
            errors["user"] = error.messages
        else:
            if instance.user_id is None:
                # Looked up now, created (without a usable password) when the line is saved.
                user_model = get_user_model()
                user = user_model.objects.filter(email__iexact=email).first()
                instance.user = user or user_model(
                    email=user_model.objects.normalize_email(email),
                    first_name=row.get("first_name", ""),
                    last_name=row.get("last_name", ""),
                )
        if instance.start_date and instance.end_date and instance.end_date < instance.start_date:
            errors["end_date"] = [_("La date de fin précède la date de début.")]
        if errors:
            raise ValidationError(errors)

    def clean_exclude(self, instance) -> list[str]:
        user = getattr(instance, "user", None)
        return ["user"] if user is not None and user.pk is None else []

    def error_columns(self) -> dict[str, str]:
        return {**super().error_columns(), "user": "email"}

    def before_save_instance(self, instance, row, **kwargs):
        if instance.user.pk is None:
            instance.user, _created = services.user_get_or_create(
                email=instance.user.email,
                first_name=instance.user.first_name,
                last_name=instance.user.last_name,
                actor=kwargs.get("user"),
            )
