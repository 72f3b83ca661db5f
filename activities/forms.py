"""Forms of activities: they parse input; the rules live in services.py."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from members.models import Organisation

from .constants import MINUTES_MAX_BYTES
from .resources import MAX_BYTES


class WalkInForm(forms.Form):
    """A person who came without being convened (A2)."""

    email = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Entité représentée"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— À titre personnel ou inconnue —"),
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        if activity is not None:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                convocations__activity=activity
            ).order_by("legal_name")


class AttendanceImportForm(forms.Form):
    sheet = forms.FileField(
        label=_("Feuille de présence (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "Colonnes : email;nom;prenom;entite;statut;date — statut « présent », « absent » ou "
            "« excusé », date JJ/MM/AAAA. Rien n'est enregistré avant votre confirmation."
        ),
    )

    def clean_sheet(self):
        sheet = self.cleaned_data["sheet"]
        if not sheet.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Le fichier doit être au format CSV."))
        if sheet.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(size)s.") % {"size": filesizeformat(MAX_BYTES)}
            )
        return sheet


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Compte rendu"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    file = forms.FileField(
        label=_("Fichier"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, ODT ou DOCX de %(size)s au plus.") % {
            "size": filesizeformat(MINUTES_MAX_BYTES)
        }
