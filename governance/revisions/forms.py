"""Forms of charter revision: they parse, services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.forms import NOT_YET_VOTED_NONE_FOUND, GovernanceForm, RepresentationChoiceMixin
from members.forms import SearchPickMixin, pick_matches_field, pick_search_field
from members.selectors import representatives_search

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


class RevisionCommissionForm(SearchPickMixin, GovernanceForm):
    name = forms.CharField(label=_("Nom de la commission ad hoc"), max_length=150, required=False)
    end_date = forms.DateField(
        label=_("Fin des travaux"), widget=forms.DateInput(attrs={"type": "date"})
    )
    facilitator_search = pick_search_field(
        _("Animateur"),
        _(
            "Facultatif : une partie du nom, de l'adresse e-mail ou de l'entité d'un "
            "représentant d'une entité membre."
        ),
    )
    facilitator = pick_matches_field(_("Représentants qui correspondent"))

    def __init__(self, *args, representatives, **kwargs):
        """``representatives``: a queryset of those who may facilitate (members')."""
        super().__init__(*args, **kwargs)
        self.pick_among(
            "facilitator",
            representatives,
            search=representatives_search,
            label=lambda representative: (
                f"{representative.user} ({representative.organisation.legal_name})"
            ),
            none_found=_("Aucun représentant d'une entité membre ne correspond à « %(text)s »."),
            lone=_("Vérifiez la personne trouvée ci-dessous, puis confirmez."),
            several=_(
                "Plusieurs personnes correspondent : choisissez-la ci-dessous ou précisez la "
                "recherche."
            ),
        )


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


class RollCallVoteForm(SearchPickMixin, GovernanceForm):
    """The COPIL records the vote of one member entity from the roll call (X4), found
    by a search among those that have not voted yet."""

    organisation_search = pick_search_field(
        _("Entité membre"), _("Une partie de son nom, son SIREN ou un SIRET.")
    )
    organisation = pick_matches_field(_("Entités membres qui correspondent"))
    choice = forms.ChoiceField(
        label=_("Vote"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, organisations, **kwargs):
        """``organisations``: a queryset of the member entities yet to vote."""
        super().__init__(*args, **kwargs)
        self.pick_among(
            "organisation",
            organisations,
            none_found=NOT_YET_VOTED_NONE_FOUND,
            missing=_("Cherchez l'entité membre dont vous enregistrez le vote."),
        )
