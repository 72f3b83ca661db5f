"""Forms of the COPIL's minutes: a member's request and the COPIL's answer (C4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import GovernanceForm


class MinutesRequestForm(GovernanceForm):
    reason = forms.CharField(
        label=_("Motif de la demande"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class MinutesDecisionForm(GovernanceForm):
    approve = forms.TypedChoiceField(
        label=_("Décision"),
        choices=[("1", _("Accorder")), ("0", _("Refuser"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Motif du refus"), required=False, max_length=1000)
