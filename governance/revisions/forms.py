"""Forms of charter revision: they parse, services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.forms import GovernanceForm, RepresentationChoiceMixin

from .models import RevisionNature, VoteChoice


class PetitionForm(RepresentationChoiceMixin, GovernanceForm):
    representation = forms.TypedChoiceField(coerce=int, label=_("Au nom de"))
    nature = forms.ChoiceField(label=_("Demande de"), choices=RevisionNature.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    reason = forms.CharField(
        label=_("Motifs"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )

    def __init__(self, *args, representations, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_representations(representations, label=_("Au nom de"))


class SupportForm(RepresentationChoiceMixin, GovernanceForm):
    representation = forms.TypedChoiceField(coerce=int, label=_("Au nom de"))

    def __init__(self, *args, representations, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_representations(representations, label=_("Au nom de"))


class CopilRevisionForm(GovernanceForm):
    nature = forms.ChoiceField(label=_("Nature"), choices=RevisionNature.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    reason = forms.CharField(
        label=_("Motifs"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class RevisionCommissionForm(GovernanceForm):
    name = forms.CharField(label=_("Nom de la commission ad hoc"), max_length=150, required=False)
    end_date = forms.DateField(
        label=_("Fin des travaux"), widget=forms.DateInput(attrs={"type": "date"})
    )
    facilitator = forms.TypedChoiceField(coerce=int, label=_("Animateur"), required=False)

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].choices = [("", "—")] + [
            (r.pk, f"{r.user} ({r.organisation})") for r in representatives
        ]


class DraftForm(GovernanceForm):
    label = forms.CharField(label=_("Version"), max_length=40, help_text=_("Par ex. V2 R001."))
    effective_date = forms.DateField(
        label=_("Date d'entrée en vigueur"), widget=forms.DateInput(attrs={"type": "date"})
    )
    change_note = forms.CharField(
        label=_("Nature de la modification"), widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Texte de la nouvelle version"), widget=forms.Textarea(attrs={"rows": 20})
    )


class VoteOpenForm(GovernanceForm):
    plenary = forms.TypedChoiceField(coerce=int, label=_("Plénière extraordinaire"))

    def __init__(self, *args, plenaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plenary"].choices = [
            (a.pk, f"{a.title} — {timezone.localtime(a.starts_at):%d/%m/%Y}") for a in plenaries
        ]


class VoteRecordForm(GovernanceForm):
    organisation = forms.TypedChoiceField(coerce=int, label=_("Entité membre"))
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.legal_name) for o in organisations]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
