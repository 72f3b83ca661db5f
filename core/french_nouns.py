"""The grammatical gender of every model's French name, declared once, and the phrases built
from it for the admin ("Ajout d’une activité", "Modification du mandat", "Ajouter une
activité", "Supprimer les activités sélectionnées").

Django's admin puts the bare verbose name into one phrase for every model ("Ajout de %s",
"Ajouter %s"): French needs the article, its gender and its elision. The gender is not in
the word; it is declared here, keyed by the model's label, for the portal's models and the
third-party ones the admin shows (inlines included). tests/i18n/test_admin_french.py fails
when a model the admin shows has no entry, so a new model gets its gender with its admin.

Kept as plain labels in core (which imports no domain app): the mapping names models, it
does not import them.
"""

from django.utils.translation import get_language

FEMININE = "f"
MASCULINE = "m"

GENDERS = {
    # Django and third-party apps.
    "auth.group": MASCULINE,
    "auth.permission": FEMININE,
    "sites.site": MASCULINE,
    "account.emailaddress": FEMININE,
    "mfa.authenticator": MASCULINE,  # no verbose name in allauth: "authenticator"
    "django_celery_beat.periodictask": FEMININE,
    "django_celery_beat.clockedschedule": FEMININE,  # « date planifiée » (locale/fr)
    "django_celery_beat.crontabschedule": FEMININE,  # « planification crontab »
    "django_celery_beat.solarschedule": MASCULINE,
    "django_celery_beat.intervalschedule": MASCULINE,
    "auditlog.logentry": FEMININE,
    # core (app label cos_portal)
    "cos_portal.auditentry": FEMININE,
    "cos_portal.outboxjob": FEMININE,
    "cos_portal.reminder": MASCULINE,
    # charters
    "charters.charterversion": FEMININE,
    "charters.signature": FEMININE,
    # members
    "members.user": FEMININE,
    "members.organisation": FEMININE,
    "members.establishment": MASCULINE,
    "members.representative": MASCULINE,
    "members.statuschange": MASCULINE,
    "members.application": FEMININE,
    "members.applicationopinion": MASCULINE,
    "members.exclusionprocedure": FEMININE,
    "members.invitation": FEMININE,
    "members.offercategory": FEMININE,
    "members.partnershipagreement": FEMININE,
    "members.agreementamendment": MASCULINE,
    "members.proofrequest": FEMININE,
    "members.proofdocument": MASCULINE,
    # activities
    "activities.activity": FEMININE,
    "activities.convocation": FEMININE,
    "activities.participation": FEMININE,
    "activities.attendanceratio": MASCULINE,
    "activities.minutes": MASCULINE,
    # governance
    "governance.commission": FEMININE,
    "governance.commissionmembership": FEMININE,
    "governance.roadmapaction": FEMININE,
    "governance.progressreport": MASCULINE,
    "governance.reportattachment": FEMININE,
    "governance.copilmeeting": FEMININE,
    "governance.copilmeetingattendance": FEMININE,
    "governance.copildecision": FEMININE,
    "governance.minutesrequest": FEMININE,
    "governance.copilseat": MASCULINE,
    "governance.mandate": MASCULINE,
    "governance.election": FEMININE,
    "governance.candidacy": FEMININE,
    "governance.proxy": FEMININE,
    "governance.voterecord": MASCULINE,
    "governance.referent": MASCULINE,
    "governance.referentcontact": MASCULINE,
    "governance.referentmessage": MASCULINE,
    "governance.charterrevision": FEMININE,
    "governance.revisionsupport": MASCULINE,
    "governance.revisionvote": MASCULINE,
}

_VOWELS = frozenset("aâàäeéèêëiîïoôöuùûüyÿh")
_APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"


def noun_gender(label: str) -> str | None:
    """The declared gender of a model (its ``_meta.label_lower``), None when undeclared."""
    return GENDERS.get(label)


class FrenchNoun:
    """A model's French name with its article: one object per phrase the admin builds.

    An unknown model (no declared gender) falls back to an article-free wording, so no
    phrase is ever wrong, only plainer ("Nouvel élément : activité")."""

    def __init__(self, opts):
        self.singular = str(opts.verbose_name)
        self.plural = str(opts.verbose_name_plural)
        self.gender = noun_gender(opts.label_lower)

    @staticmethod
    def french() -> bool:
        return (get_language() or "fr").startswith("fr")

    @property
    def known(self) -> bool:
        return self.gender is not None and self.french()

    @property
    def feminine(self) -> bool:
        return self.gender == FEMININE

    @property
    def _elided(self) -> bool:
        # "h" is mute in every name declared so far; an aspirated one would need a flag.
        return self.singular[:1].lower() in _VOWELS

    @property
    def indefinite(self) -> str:
        """une activité, un mandat"""
        return f"{'une' if self.feminine else 'un'} {self.singular}"

    @property
    def definite(self) -> str:
        """l’activité, la commission, le mandat"""
        if self._elided:
            return f"l{_APOSTROPHE}{self.singular}"
        return f"{'la' if self.feminine else 'le'} {self.singular}"

    @property
    def of_definite(self) -> str:
        """de l’activité, de la commission, du mandat"""
        if self._elided:
            return f"de l{_APOSTROPHE}{self.singular}"
        return f"de la {self.singular}" if self.feminine else f"du {self.singular}"

    @property
    def selected_plural(self) -> str:
        """les activités sélectionnées, les mandats sélectionnés"""
        ending = "es" if self.feminine else "s"
        return f"les {self.plural} sélectionné{ending}"

    # The admin's phrases, each replacing one of Django's.
    def add_title(self) -> str:  # "Add %s"
        return f"Ajout d{_APOSTROPHE}{self.indefinite}"

    def change_title(self) -> str:  # "Change %s"
        return f"Modification {self.of_definite}"

    def view_title(self) -> str:  # "View %s"
        return f"Consultation {self.of_definite}"

    def add_button(self) -> str:  # "Add %(name)s"
        return f"Ajouter {self.indefinite}"

    def add_another(self) -> str:  # "Add another %(verbose_name)s" (inlines)
        other = "une autre" if self.feminine else "un autre"
        return f"Ajouter {other} {self.singular}"

    def select_title(self, *, change: bool, popup: bool = False) -> str:  # "Select %s to change"
        if popup:
            return f"Choisissez {self.indefinite}"
        verb = "modifier" if change else "consulter"
        return f"Choisissez {self.indefinite} à {verb}"

    def delete_selected(self) -> str:  # "Delete selected %(verbose_name_plural)s"
        return f"Supprimer {self.selected_plural}"
