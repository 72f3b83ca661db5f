"""What the forms of the subjects share: the crispy layout without a form tag, the choice
among the person's representations, and the admin forms that apply a service."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .exceptions import GovernanceError

# The entity of a paper ballot (V6) or of the roll call of a charter revision's vote (X4) is
# searched among the members yet to vote (members.forms.SearchPickMixin).
NOT_YET_VOTED_NONE_FOUND = _(
    "Aucune entité membre qui n'a pas encore voté ne correspond à « %(text)s »."
)


class GovernanceForm(forms.Form):
    """A form rendered by crispy inside the page's own <form> tag."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RepresentationChoiceMixin:
    """A choice among the person's representations, shown only when there are several."""

    def set_representations(self, representations, *, label):
        field = self.fields["representation"]
        field.choices = [(r.pk, r.organisation.legal_name) for r in representations]
        field.label = label
        if len(field.choices) == 1:
            field.initial = field.choices[0][0]
            field.widget = forms.HiddenInput()


class ServiceForm(forms.ModelForm):
    """An admin form that, once valid, applies its service as the signed-in person.

    The service runs inside the admin's transaction, before anything else is saved: a
    refusal becomes a French error on the form, the typed input stays, and nothing is
    written. ``actor`` is set by ``ServiceFormAdminMixin.get_form``.
    """

    actor = None

    def apply(self, data: dict) -> None:  # pragma: no cover - each form defines it
        raise NotImplementedError

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        try:
            self.apply(self.cleaned_data)
        except GovernanceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)


class ServiceFormAdminMixin:
    """Gives the admin's form its actor; the form's service did the saving."""

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if issubclass(form_class, ServiceForm):
            form_class = type(form_class.__name__, (form_class,), {"actor": request.user})
        return form_class
