"""The decisions governance records in the audit trail (core/audit_actions.py), one enum
per subject; ``GovernanceConfig.ready()`` registers them all."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElectionsAudit(models.TextChoices):
    # Elections.
    # The COPIL plans an election at an ordinary plenary.
    ELECTION_CREATED = "governance.election.created", _("Élection créée")
    # The election's date is announced to all members.
    ELECTION_ANNOUNCED = "governance.election.announced", _("Élection annoncée")
    # The election follows its plenary's change of date.
    ELECTION_RESCHEDULED = "governance.election.rescheduled", _("Élection replanifiée")
    # The ballot opens.
    ELECTION_VOTING_OPENED = "governance.election.voting_opened", _("Scrutin ouvert")
    # The ballot closes: the entitled voters are frozen.
    ELECTION_VOTING_CLOSED = "governance.election.voting_closed", _("Scrutin clos")
    # One ballot is cast for an organisation (never its choice).
    ELECTION_BALLOT_CAST = "governance.election.ballot_cast", _("Bulletin déposé")
    # The votes are counted.
    ELECTION_TALLIED = "governance.election.tallied", _("Dépouillement")
    # The election commission resolves a tie for the last seats.
    ELECTION_TIE_RESOLVED = "governance.election.tie_resolved", _("Égalité départagée")
    # The results are published; the elected take their seats.
    ELECTION_PUBLISHED = "governance.election.published", _("Résultats publiés")

    # Candidacies.
    # A representative declares a candidacy.
    CANDIDACY_DECLARED = "governance.candidacy.declared", _("Candidature à l'élection déclarée")
    # A candidate withdraws.
    CANDIDACY_WITHDRAWN = "governance.candidacy.withdrawn", _("Candidature à l'élection retirée")

    # Proxies.
    # A member signs a written proxy online.
    PROXY_SIGNED = "governance.proxy.signed", _("Procuration signée")
    # The election commission validates a proxy.
    PROXY_VALIDATED = "governance.proxy.validated", _("Procuration validée")
    # The election commission refuses a proxy.
    PROXY_REFUSED = "governance.proxy.refused", _("Procuration refusée")
    # The giver revokes its proxy before voting opens.
    PROXY_REVOKED = "governance.proxy.revoked", _("Procuration révoquée")

    # COPIL mandates.
    # A COPIL mandate starts.
    MANDATE_STARTED = "governance.mandate.started", _("Mandat au COPIL commencé")
    # A COPIL mandate ends (resignation, exclusion, inability, term, departure).
    MANDATE_ENDED = "governance.mandate.ended", _("Mandat au COPIL terminé")
    # The COPIL role and the admin access follow the running mandates.
    COPIL_GROUP_SYNCED = "governance.copil_group.synced", _("Rôle COPIL synchronisé")


class CommissionsAudit(models.TextChoices):
    # The COPIL creates an ad hoc commission.
    COMMISSION_CREATED = "governance.commission.created", _("Commission créée")
    # The COPIL names the commission's facilitator.
    FACILITATOR_SET = "governance.commission.facilitator_set", _("Animateur de commission nommé")
    # A commission ends.
    COMMISSION_ENDED = "governance.commission.ended", _("Commission close")
    # A member's representative volunteers for a commission.
    VOLUNTEERED = "governance.commission.volunteered", _("Candidature à une commission")
    # The facilitator or the COPIL accepts a volunteer.
    VOLUNTEER_ACCEPTED = (
        "governance.commission.volunteer_accepted",
        _("Candidature à une commission acceptée"),
    )
    # The facilitator or the COPIL declines a volunteer.
    VOLUNTEER_DECLINED = (
        "governance.commission.volunteer_declined",
        _("Candidature à une commission déclinée"),
    )
    # A member leaves a commission.
    MEMBER_LEFT = "governance.commission.member_left", _("Départ d'une commission")
    # A commission meeting is planned (an activity).
    MEETING_CREATED = "governance.commission.meeting_created", _("Réunion de commission créée")
    # The facilitator reports progress to the COPIL.
    REPORT_SUBMITTED = "governance.commission.report_submitted", _("Rapport d'avancement remis")
    # The progress is presented to all members at a plenary.
    REPORT_SHOWN = "governance.commission.report_shown", _("Rapport d'avancement présenté")
    # An action is added to the roadmap.
    ROADMAP_ACTION_CREATED = (
        "governance.roadmap.action_created",
        _("Action de feuille de route créée"),
    )
    # An action of the roadmap is changed.
    ROADMAP_ACTION_UPDATED = (
        "governance.roadmap.action_updated",
        _("Action de feuille de route modifiée"),
    )


class CopilAudit(models.TextChoices):
    # A COPIL member is recorded present or absent (with a proxy) at a meeting.
    MEETING_ATTENDANCE = "governance.copil_meeting.attendance", _("Présence au COPIL enregistrée")
    # A COPIL decision is recorded, with its majority and quorum.
    DECISION_RECORDED = "governance.copil_decision.recorded", _("Décision du COPIL enregistrée")
    # A member requests the COPIL's internal minutes.
    MINUTES_REQUEST_CREATED = (
        "governance.minutes_request.created",
        _("Demande de procès-verbal du COPIL"),
    )
    # The COPIL grants a minutes request.
    MINUTES_REQUEST_GRANTED = (
        "governance.minutes_request.granted",
        _("Demande de procès-verbal accordée"),
    )
    # The COPIL refuses a minutes request.
    MINUTES_REQUEST_REFUSED = (
        "governance.minutes_request.refused",
        _("Demande de procès-verbal refusée"),
    )


class ReferentsAudit(models.TextChoices):
    # The COPIL appoints a referent.
    APPOINTED = "governance.referent.appointed", _("Référent nommé")
    # The COPIL ends a referent's mission.
    ENDED_BY_COPIL = (
        "governance.referent.ended.copil_decision",
        _("Fin de mission de référent (décision du COPIL)"),
    )
    # A referent resigns.
    ENDED_BY_RESIGNATION = (
        "governance.referent.ended.resignation",
        _("Fin de mission de référent (démission)"),
    )
    # A referent logs a contact with a body, for the COPIL.
    CONTACT_LOGGED = "governance.referent.contact_logged", _("Contact de référent consigné")


# The code of the end of a referent's mission, by its reason (ReferentEndReason).
REFERENT_ENDED: dict[str, ReferentsAudit] = {
    "copil_decision": ReferentsAudit.ENDED_BY_COPIL,
    "resignation": ReferentsAudit.ENDED_BY_RESIGNATION,
}


class RevisionsAudit(models.TextChoices):
    # A member starts a revision petition.
    PETITION_OPENED = "governance.revision.petition_opened", _("Pétition de révision ouverte")
    # A member organisation supports the petition.
    SUPPORTED = "governance.revision.supported", _("Soutien à une révision")
    # A member organisation withdraws its support.
    SUPPORT_WITHDRAWN = "governance.revision.support_withdrawn", _("Soutien à une révision retiré")
    # The supports reach the threshold: the COPIL is seized.
    COPIL_SEIZED = "governance.revision.copil_seized", _("COPIL saisi d'une révision")
    # The COPIL takes up a revision itself.
    OPENED_BY_COPIL = "governance.revision.opened_by_copil", _("Révision ouverte par le COPIL")
    # The ad hoc commission drafting the new version is created.
    COMMISSION_CREATED = (
        "governance.revision.commission_created",
        _("Commission de révision créée"),
    )
    # The commission saves the draft of the new version.
    DRAFT_SAVED = "governance.revision.draft_saved", _("Projet de révision enregistré")
    # The new version is submitted to the members' vote.
    VOTE_OPENED = "governance.revision.vote_opened", _("Vote de révision ouvert")
    # The COPIL records one member organisation's vote.
    VOTE_RECORDED = "governance.revision.vote_recorded", _("Vote de révision enregistré")
    # The vote adopts the new version.
    ADOPTED = "governance.revision.adopted", _("Révision adoptée")
    # The vote rejects the new version.
    REJECTED = "governance.revision.rejected", _("Révision rejetée")
    # The COPIL closes a revision without a vote.
    CLOSED = "governance.revision.closed", _("Révision close sans vote")


class AnnouncementsAudit(models.TextChoices):
    # The COPIL writes an announcement to the members.
    CREATED = "governance.announcement.created", _("Annonce rédigée")
    # The announcement is sent to its recipients.
    SENT = "governance.announcement.sent", _("Annonce envoyée")


# What GovernanceConfig.ready() registers.
GOVERNANCE_AUDIT = (
    ElectionsAudit,
    CommissionsAudit,
    CopilAudit,
    ReferentsAudit,
    RevisionsAudit,
    AnnouncementsAudit,
)
