"""Forms of the election pages: they parse input; the rules live in the services."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.constants import ActivityKind
from activities.models import Activity
from governance.forms import NOT_YET_VOTED_NONE_FOUND, GovernanceForm
from members.forms import SearchPickMixin, pick_matches_field, pick_search_field

from .services import election_calendar_help


def password_field():
    return forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Ressaisissez votre mot de passe pour confirmer votre identité."),
    )


class ElectionCreateForm(GovernanceForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200, initial=_("Élection du COPIL"))
    plenary = forms.ModelChoiceField(
        label=_("Réunion plénière ordinaire de l'élection"),
        queryset=Activity.objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # V9, V10: the notice and the blackout windows of the charter in force.
        self.fields["plenary"].help_text = election_calendar_help()
        self.fields["plenary"].queryset = Activity.objects.filter(
            kind=ActivityKind.ORDINARY_PLENARY, starts_at__gt=timezone.now()
        ).order_by("starts_at")


class CandidacyForm(GovernanceForm):
    statement = forms.CharField(
        label=_("Profession de foi"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_("Vos motivations et le projet que vous souhaitez porter."),
    )
    video = forms.FileField(
        label=_("Vidéo (facultatif)"),
        required=False,
        help_text=_(
            "Si vous ne pouvez pas être présent à la réunion plénière : MP4, MOV ou WebM, "
            "200 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/quicktime,video/webm"}),
    )
    video_url = forms.URLField(
        label=_("Ou un lien vers une vidéo (facultatif)"), required=False, assume_scheme="https"
    )


class ProxyForm(SearchPickMixin, GovernanceForm):
    giver = forms.ChoiceField(label=_("Entité qui donne procuration"))
    holder_search = pick_search_field(
        _("Entité membre qui votera pour elle"),
        _("Une partie de son nom, son SIREN ou un SIRET."),
    )
    holder = pick_matches_field(_("Entités membres qui correspondent"))
    consent = forms.BooleanField(
        label=_(
            "Je signe cette procuration au nom de mon entité : l'entité mandataire votera "
            "à sa place à cette élection."
        )
    )
    password = password_field()

    def __init__(self, *args, givers, holders, **kwargs):
        """``holders``: a queryset of the member entities that may hold the proxy."""
        super().__init__(*args, **kwargs)
        self.fields["giver"].choices = [(o.pk, o.legal_name) for o in givers]
        self.pick_among(
            "holder",
            holders,
            none_found=_("Aucune entité membre ne correspond à « %(text)s »."),
            missing=_("Cherchez l'entité membre qui votera pour la vôtre."),
        )


class DecisionForm(GovernanceForm):
    approve = forms.TypedChoiceField(
        label=_("Décision"),
        choices=[("1", _("Valider")), ("0", _("Refuser"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Motif du refus"), required=False, max_length=1000)


class BallotForm(GovernanceForm):
    organisation = forms.ChoiceField(label=_("Je vote pour"), widget=forms.RadioSelect)
    candidates = forms.MultipleChoiceField(
        label=_("Candidats approuvés"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, voting_for, candidacies, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = voting_for
        if len(voting_for) == 1:
            self.fields["organisation"].initial = voting_for[0][0]
        self.fields["candidates"].choices = [(c.pk, str(c.candidate)) for c in candidacies]
        self.fields["candidates"].help_text = _(
            "Cochez de zéro à %(n)s candidat(s). Un bulletin déposé ne peut plus être modifié."
        ) % {"n": seats}


class BallotConfirmForm(GovernanceForm):
    """The second step of an online vote: the password, re-entered to cast the ballot."""

    password = password_field()


class PaperBallotForm(SearchPickMixin, GovernanceForm):
    organisation_search = pick_search_field(
        _("Entité qui a voté sur papier"),
        _("Une partie de son nom, son SIREN ou un SIRET, tels que le bulletin les porte."),
    )
    organisation = pick_matches_field(_("Entités membres qui correspondent"))
    candidates = forms.MultipleChoiceField(
        label=_("Candidats approuvés sur le bulletin"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisations, candidacies, **kwargs):
        """``organisations``: a queryset of the member entities that have not voted."""
        super().__init__(*args, **kwargs)
        self.pick_among(
            "organisation",
            organisations,
            none_found=NOT_YET_VOTED_NONE_FOUND,
            missing=_("Cherchez l'entité qui a voté sur ce bulletin."),
        )
        self.fields["candidates"].choices = [(c.pk, str(c.candidate)) for c in candidacies]


class TieForm(GovernanceForm):
    winners = forms.MultipleChoiceField(
        label=_("Candidat(s) retenu(s)"), widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Comment l'égalité a été tranchée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : tirage au sort en séance, devant témoins."),
    )

    def __init__(self, *args, tied, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winners"].choices = [(c.pk, str(c.candidate)) for c in tied]


class ReceiptCheckForm(GovernanceForm):
    """A voter's receipt (V6), as shown after the vote: spaces and case do not matter."""

    recu = forms.CharField(
        label=_("Votre reçu"),
        max_length=40,
        help_text=_("Les 16 caractères affichés après votre vote."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_recu(self) -> str:
        receipt = re.sub(r"\s+", "", self.cleaned_data["recu"]).upper()
        if not re.fullmatch(r"[0-9A-F]{16}", receipt):
            raise forms.ValidationError(
                _(
                    "Un reçu compte 16 caractères, des chiffres et les lettres A à F, tel "
                    "qu'il a été affiché après votre vote."
                ),
                code="invalid",
            )
        return receipt
