from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Entreprise")
    ASSOCIATION = "association", _("Association")
    ADMINISTRATION = "administration", _("Administration")
    INDEPENDENT = "independent", _("Personne indépendante")


class Status(models.TextChoices):
    """The statuses of an organisation at a given date (art. 2, rule S1)."""

    APPLICANT = "applicant", _("Candidat")
    MEMBER = "member", _("Membre")
    PARTNER = "partner", _("Partenaire")
    INVITEE = "invitee", _("Invité")
    NONE = "none", _("Aucun")


class StatusReason(models.TextChoices):
    """Why an organisation holds its status, and why it lost one (S1)."""

    APPLICATION = "application", _("Candidature déposée")
    APPROVED = "approved", _("Candidature validée")
    REJECTED = "rejected", _("Candidature refusée")
    GRANTED = "granted", _("Statut accordé par le COPIL")
    INVITED = "invited", _("Invitation")
    RESIGNED = "resigned", _("Démission")
    EXCLUDED = "excluded", _("Exclusion")
    PARTNERSHIP_ENDED = "partnership_ended", _("Fin du partenariat")
    INVITATION_EXPIRED = "invitation_expired", _("Invitation échue")
    IMPORTED = "imported", _("Repris de l'ancien registre")


# The statuses that give the benefits of art. 3.4 last § and art. 4 last § (S2).
BENEFIT_STATUSES = (Status.MEMBER, Status.PARTNER)

# Which (from, to) transitions the charter allows (S1); "none" is also the start.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NONE: {Status.APPLICANT, Status.PARTNER, Status.INVITEE, Status.MEMBER},
    Status.APPLICANT: {Status.MEMBER, Status.NONE, Status.INVITEE},
    Status.INVITEE: {Status.APPLICANT, Status.NONE, Status.PARTNER, Status.MEMBER},
    Status.MEMBER: {Status.NONE},
    Status.PARTNER: {Status.NONE, Status.APPLICANT},
}


class Role(models.TextChoices):
    """Groups of people who act in the portal, created by a data migration."""

    COPIL = "COPIL", "COPIL"
    ORGANISERS = "Organisateurs", _("Organisateurs")
    ELECTION_COMMISSION = "Commission électorale", _("Commission électorale")
    STAFF = "Équipe", _("Équipe")
