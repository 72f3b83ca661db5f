from django.db import models
from django.utils.translation import gettext_lazy as _

# The names of the departments the charter may list for the Grand Est (M2), shown next
# to their codes.
GRAND_EST_DEPARTMENT_NAMES = {
    "08": "Ardennes",
    "10": "Aube",
    "51": "Marne",
    "52": "Haute-Marne",
    "54": "Meurthe-et-Moselle",
    "55": "Meuse",
    "57": "Moselle",
    "67": "Bas-Rhin",
    "68": "Haut-Rhin",
    "88": "Vosges",
}


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
    CORRECTED = "corrected", _("Correction de l'historique")


# The statuses that give the benefits of art. 3.4 last § and art. 4 last § (S2).
BENEFIT_STATUSES = (Status.MEMBER, Status.PARTNER)

# Which (from, to) transitions the charter allows (S1); "none" is also the start. An
# invitee becomes a member by applying (M3, M4) and being approved (M5, M6): never
# directly. "None" to "member" is the former registry's members, taken over (IMPORTED).
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NONE: {Status.APPLICANT, Status.PARTNER, Status.INVITEE, Status.MEMBER},
    Status.APPLICANT: {Status.MEMBER, Status.NONE, Status.INVITEE},
    Status.INVITEE: {Status.APPLICANT, Status.NONE, Status.PARTNER},
    Status.MEMBER: {Status.NONE},
    Status.PARTNER: {Status.NONE, Status.APPLICANT},
}


class Role(models.TextChoices):
    """Groups of people who act in the portal, created by a data migration."""

    COPIL = "COPIL", "COPIL"
    ORGANISERS = "Organisateurs", _("Organisateurs")
    ELECTION_COMMISSION = "Commission électorale", _("Commission électorale")
    STAFF = "Équipe", _("Équipe")


# The COPIL's group, named to core/roles.py (is_copil) from MembersConfig.ready().
COPIL_GROUP = Role.COPIL.value


# The grounds that fit each new status (S1): a decision "Membre" on the ground
# "Démission" is a typing error, refused by the service before anything is recorded.
# Membership is never "granted" (M3 to M6: an approved application), nor is an invitation
# (I1: proposed, then validated). Corrections (CORRECTED) have their own service.
REASONS_BY_STATUS: dict[str, set[str]] = {
    Status.APPLICANT: {StatusReason.APPLICATION, StatusReason.IMPORTED},
    Status.MEMBER: {StatusReason.APPROVED, StatusReason.IMPORTED},
    Status.PARTNER: {StatusReason.GRANTED, StatusReason.IMPORTED},
    Status.INVITEE: {StatusReason.INVITED, StatusReason.IMPORTED},
    Status.NONE: {
        StatusReason.REJECTED,
        StatusReason.RESIGNED,
        StatusReason.EXCLUDED,
        StatusReason.PARTNERSHIP_ENDED,
        StatusReason.INVITATION_EXPIRED,
        StatusReason.IMPORTED,
    },
}

# The status each ground of a loss ends (S1): a resignation or an exclusion ends a
# membership (L2, L4), a rejection an application (M5), the end of a partnership a
# partnership (P5), an expiry an invitation (I1).
STATUS_ENDED_BY: dict[str, str] = {
    StatusReason.RESIGNED: Status.MEMBER,
    StatusReason.EXCLUDED: Status.MEMBER,
    StatusReason.REJECTED: Status.APPLICANT,
    StatusReason.PARTNERSHIP_ENDED: Status.PARTNER,
    StatusReason.INVITATION_EXPIRED: Status.INVITEE,
}

# Only a partnership or an invitation may be granted for a fixed period (P1, I1).
STATUSES_WITH_END_DATE = (Status.PARTNER, Status.INVITEE)


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée, en cours d'examen")
    APPROVED = "approved", _("Validée")
    REJECTED = "rejected", _("Refusée")


class InvitationState(models.TextChoices):
    PROPOSED = "proposed", _("Proposée, en attente du COPIL")
    VALIDATED = "validated", _("Validée par le COPIL")
    REFUSED = "refused", _("Refusée par le COPIL")


class ExclusionGround(models.TextChoices):
    """The grounds of an exclusion listed by art. 3.4 (L3)."""

    ETHICS_BREACH = "ethics_breach", _("Manquement à l'article 3.3 (éthique et confidentialité)")
    # The threshold and the window are the charter version's (A3): not in the label.
    ATTENDANCE = "attendance", _("Présence aux activités inférieure au seuil de la charte")
    IMAGE_HARM = "image_harm", _("Actions ou propos portant atteinte à l'image de la COS-GE")


class ExclusionOutcome(models.TextChoices):
    EXCLUDED = "excluded", _("Exclusion prononcée")
    CLOSED = "closed", _("Procédure close sans exclusion")
