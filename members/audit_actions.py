"""The decisions the members' registry records in the audit trail (core/audit_actions.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import ApplicationState, ExclusionOutcome, Status


class MembersAudit(models.TextChoices):
    # Accounts.
    # A person's account is created (registration, invitation, import, walk-in).
    USER_CREATED = "members.user.created", _("Compte créé")
    # A person's account is closed: no more logins, sessions ended.
    USER_DEACTIVATED = "members.user.deactivated", _("Compte désactivé")
    # A person is anonymised at their request or the COPIL's.
    PERSON_ERASED = "members.person.erased", _("Personne anonymisée")

    # Organisations and their status history.
    # An organisation enters the registry.
    ORGANISATION_CREATED = "members.organisation.created", _("Entité créée")
    # A representative updates the public profile and establishments of an organisation.
    ORGANISATION_PROFILE_UPDATED = (
        "members.organisation.profile_updated",
        _("Profil public de l'entité modifié"),
    )
    # An organisation becomes an applicant (application deposited or imported).
    STATUS_APPLICANT = "members.status.applicant", _("Statut : candidat")
    # An organisation becomes a member (application approved or imported).
    STATUS_MEMBER = "members.status.member", _("Statut : membre")
    # An organisation becomes a partner (granted by the COPIL or imported).
    STATUS_PARTNER = "members.status.partner", _("Statut : partenaire")
    # An organisation becomes an invitee (invitation validated or imported).
    STATUS_INVITEE = "members.status.invitee", _("Statut : invité")
    # An organisation loses its status (rejection, resignation, exclusion, end, expiry).
    STATUS_NONE = "members.status.none", _("Statut : aucun")
    # The COPIL corrects one record of an organisation's status history.
    STATUS_CORRECTED = "members.status.corrected", _("Historique des statuts corrigé")

    # Applications.
    # An applicant saves a draft application, to resume later.
    APPLICATION_DRAFT_SAVED = "members.application.draft_saved", _("Brouillon de candidature")
    # An application is deposited with the charter signature.
    APPLICATION_SUBMITTED = "members.application.submitted", _("Candidature déposée")
    # A COPIL member records that the AIF reference was checked.
    APPLICATION_AIF_VERIFIED = "members.application.aif_verified", _("Référence AIF vérifiée")
    # A member's representative gives an opinion on an application, for the COPIL.
    APPLICATION_OPINION_POSTED = (
        "members.application.opinion_posted",
        _("Avis sur une candidature"),
    )
    # The COPIL approves an application.
    APPLICATION_APPROVED = "members.application.approved", _("Candidature validée")
    # The COPIL rejects an application.
    APPLICATION_REJECTED = "members.application.rejected", _("Candidature refusée")

    # Representatives.
    # An organisation designates a representative.
    REPRESENTATIVE_ADDED = "members.representative.added", _("Représentant désigné")
    # A representative's mandate ends.
    REPRESENTATIVE_ENDED = "members.representative.ended", _("Fin de mandat de représentant")
    # A person agrees to appear on the public profile of their organisation.
    REPRESENTATIVE_CONSENT_GIVEN = (
        "members.representative.consent_given",
        _("Consentement à la publication donné"),
    )
    # A person withdraws that consent.
    REPRESENTATIVE_CONSENT_WITHDRAWN = (
        "members.representative.consent_withdrawn",
        _("Consentement à la publication retiré"),
    )

    # Invitations.
    # A member (or the COPIL) proposes an invitee.
    INVITATION_PROPOSED = "members.invitation.proposed", _("Invitation proposée")
    # The COPIL validates an invitation.
    INVITATION_VALIDATED = "members.invitation.validated", _("Invitation validée")
    # The COPIL refuses an invitation.
    INVITATION_REFUSED = "members.invitation.refused", _("Invitation refusée")
    # The invitee accepts the charter's terms before taking part.
    INVITATION_ACCEPTED = "members.invitation.accepted", _("Invitation acceptée")

    # Partnerships.
    # A partnership agreement is recorded.
    AGREEMENT_RECORDED = "members.agreement.recorded", _("Convention de partenariat enregistrée")
    # Notice is given to end a partnership under its agreement.
    AGREEMENT_NOTICE_GIVEN = "members.agreement.notice_given", _("Préavis de fin de partenariat")

    # Proofs of commitment.
    # The COPIL asks a member for proof of its commitments.
    PROOF_REQUESTED = "members.proof.requested", _("Justificatif demandé")
    # A representative uploads a proof document.
    PROOF_UPLOADED = "members.proof.uploaded", _("Justificatif déposé")

    # Exclusions.
    # The COPIL notifies a member that its exclusion is considered.
    EXCLUSION_OPENED = "members.exclusion.opened", _("Procédure d'exclusion ouverte")
    # The member answers within the response period.
    EXCLUSION_ANSWERED = "members.exclusion.answered", _("Réponse à la procédure d'exclusion")
    # The COPIL excludes the member.
    EXCLUSION_EXCLUDED = "members.exclusion.excluded", _("Exclusion prononcée")
    # The COPIL closes the procedure without exclusion.
    EXCLUSION_CLOSED = "members.exclusion.closed", _("Procédure close sans exclusion")


# The code of each status decision (organisation_status_change).
STATUS_CHANGED: dict[str, MembersAudit] = {
    Status.APPLICANT: MembersAudit.STATUS_APPLICANT,
    Status.MEMBER: MembersAudit.STATUS_MEMBER,
    Status.PARTNER: MembersAudit.STATUS_PARTNER,
    Status.INVITEE: MembersAudit.STATUS_INVITEE,
    Status.NONE: MembersAudit.STATUS_NONE,
}

# The code of the COPIL's decision on an application.
APPLICATION_DECIDED: dict[str, MembersAudit] = {
    ApplicationState.APPROVED: MembersAudit.APPLICATION_APPROVED,
    ApplicationState.REJECTED: MembersAudit.APPLICATION_REJECTED,
}

# The code of the COPIL's decision closing an exclusion procedure.
EXCLUSION_DECIDED: dict[str, MembersAudit] = {
    ExclusionOutcome.EXCLUDED: MembersAudit.EXCLUSION_EXCLUDED,
    ExclusionOutcome.CLOSED: MembersAudit.EXCLUSION_CLOSED,
}
