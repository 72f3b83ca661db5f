"""Leaving the association: resignation (charter art. 3.4: L1, L2, L5) and the exclusion
procedure (L3, L4)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters, commitment_end_date
from core.audit import audit_log
from core.site import absolute_url

from .. import selectors
from ..audit_actions import EXCLUSION_DECIDED, MembersAudit
from ..constants import ExclusionGround, ExclusionOutcome, Status, StatusReason
from ..exceptions import MembersError
from ..models import ExclusionProcedure, Organisation, StatusChange
from ._common import (
    _date,
    _letter_pdf,
    _representative_emails,
    _require_copil,
    _require_representative,
    _require_signatory,
    _send_on_commit,
)
from .registry import organisation_status_change

# --- Resignation (art. 3.4: L1, L2, L5) --------------------------------------------------


@transaction.atomic
def member_resign(
    *, organisation: Organisation, actor, now: datetime.datetime | None = None
) -> StatusChange:
    """Charter art. 3.4 (L2): an authorised signatory resigns online, without a reason;
    effective at once (S2: the organisation leaves the directory and the lists the same
    day, L5); the COPIL is told in writing and the member gets a dated letter (PDF)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_signatory(actor, organisation, on=today)
    if selectors.organisation_status(organisation=organisation, at=now) != Status.MEMBER:
        raise MembersError(_("Cette entité n'est pas membre de la COS-GE."))
    change = organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        actor=actor,
        explanation=_("Démission en ligne"),
        notice_reference=_("Démission en ligne du %(date)s") % {"date": _date(now)},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name, signer = organisation.legal_name, actor.get_full_name() or actor.email

    def member_email():
        pdf = _letter_pdf(
            "members/letters/resignation.html",
            {
                "title": _("Confirmation de démission"),
                "organisation": organisation,
                "signer": signer,
                "effective_at": now,
                "commitment_end": commitment_end_date(lost_on=today),
            },
        )
        return {
            "to": recipients,
            "subject": _("Confirmation de la démission de %(name)s") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Nous confirmons la démission de %(name)s de la COS-GE, donnée en ligne par "
                    "%(signer)s et effective le %(date)s. Vous trouverez la lettre de "
                    "confirmation en pièce jointe."
                )
                % {"name": name, "signer": signer, "date": _date(now)},
            ],
            "attachments": [(f"demission-{organisation.slug}.pdf", pdf, "application/pdf")],
        }

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Démission : %(name)s") % {"name": name},
            "paragraphs": [
                _("%(signer)s a donné en ligne la démission de %(name)s, effective le %(date)s.")
                % {"signer": signer, "name": name, "date": _date(now)}
            ],
        }

    _send_on_commit(copil_email)
    _send_on_commit(member_email)
    return change


# --- Exclusion procedure (art. 3.4: L3, L4) ----------------------------------------------


@transaction.atomic
def exclusion_open(
    *,
    organisation: Organisation,
    actor,
    ground: str,
    facts: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L3, L4): the COPIL notifies a member that its exclusion is
    considered, on a ground of art. 3.4, and invites it to answer within the period."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if selectors.organisation_status(organisation=organisation, at=now) != Status.MEMBER:
        raise MembersError(_("Seul un membre peut faire l'objet d'une procédure d'exclusion."))
    if ExclusionProcedure.objects.filter(organisation=organisation, outcome="").exists():
        raise MembersError(_("Une procédure d'exclusion est déjà en cours pour ce membre."))
    if ground not in ExclusionGround.values:
        raise MembersError(_("Choisissez un motif de l'article 3.4."), field="ground")
    if not facts.strip():
        raise MembersError(_("Décrivez les faits reprochés."), field="facts")
    parameters = charter_parameters(on=today)
    procedure = ExclusionProcedure(
        organisation=organisation,
        ground=ground,
        facts=facts.strip(),
        opened_by=actor,
        opened_at=now,
        response_due_on=today + datetime.timedelta(days=parameters.exclusion_response_days),
    )
    if ground == ExclusionGround.ATTENDANCE:
        snapshot = selectors.attendance_snapshot_latest(organisation=organisation)
        if snapshot is None or not snapshot.is_below_threshold:
            raise MembersError(
                _(
                    "Le dernier taux de présence calculé pour ce membre n'est pas sous le "
                    "seuil de %(threshold)s %% : ce motif ne s'applique pas."
                )
                % {"threshold": parameters.attendance_threshold_percent},
                field="ground",
            )
        procedure.attendance_attended = snapshot.attended
        procedure.attendance_convened = snapshot.convened
        procedure.attendance_window_start = snapshot.window_start
        procedure.attendance_window_end = snapshot.window_end
    procedure.save()
    audit_log(
        action=MembersAudit.EXCLUSION_OPENED,
        actor=actor,
        target=procedure,
        data={"organisation": organisation.pk, "ground": ground},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def member_email():
        return {
            "to": recipients,
            "subject": _("Procédure d'exclusion envisagée : %(name)s") % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _(
                    "Le COPIL de la COS-GE envisage l'exclusion de %(name)s pour le motif "
                    "suivant : %(ground)s."
                )
                % {"name": name, "ground": ExclusionGround(ground).label},
                procedure.facts,
                _(
                    "Conformément à l'article 3.4 de la charte, vous pouvez communiquer toute "
                    "information utile jusqu'au %(date)s, en ligne : %(url)s"
                )
                % {
                    "date": _date(procedure.response_due_on),
                    "url": absolute_url(
                        reverse("member_space:organisation", args=[organisation.slug])
                    ),
                },
            ],
        }

    _send_on_commit(member_email)
    return procedure


@transaction.atomic
def exclusion_respond(
    *,
    procedure: ExclusionProcedure,
    actor,
    response: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L4): the member answers online within the response period."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    procedure = ExclusionProcedure.objects.select_for_update().get(pk=procedure.pk)
    _require_representative(actor, procedure.organisation, on=today)
    if not procedure.is_open:
        raise MembersError(_("Cette procédure est close."))
    if procedure.responded_at is not None:
        raise MembersError(_("Votre réponse a déjà été transmise au COPIL."))
    if today > procedure.response_due_on:
        raise MembersError(
            _("Le délai de réponse a pris fin le %(date)s.")
            % {"date": _date(procedure.response_due_on)}
        )
    if not response.strip():
        raise MembersError(_("Écrivez votre réponse."), field="response")
    procedure.response = response.strip()
    procedure.responded_by = actor
    procedure.responded_at = now
    procedure.save(update_fields=["response", "responded_by", "responded_at", "updated_at"])
    audit_log(action=MembersAudit.EXCLUSION_ANSWERED, actor=actor, target=procedure, now=now)
    name = procedure.organisation.legal_name

    def copil_email():
        return {
            "to": [settings.COPIL_EMAIL],
            "subject": _("Procédure d'exclusion : réponse de %(name)s") % {"name": name},
            "paragraphs": [
                _("%(name)s a répondu le %(date)s :") % {"name": name, "date": _date(now)},
                procedure.response,
            ],
        }

    _send_on_commit(copil_email)
    return procedure


@transaction.atomic
def exclusion_decide(
    *,
    procedure: ExclusionProcedure,
    actor,
    outcome: str,
    reason: str,
    now: datetime.datetime | None = None,
) -> ExclusionProcedure:
    """Charter art. 3.4 (L4, G2): once the member answered or the period ended, the COPIL
    excludes or closes; the decision is notified by a dated letter (PDF) and an e-mail."""
    _require_copil(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    procedure = ExclusionProcedure.objects.select_for_update().get(pk=procedure.pk)
    if not procedure.is_open:
        raise MembersError(_("Cette procédure est déjà close."))
    if outcome not in ExclusionOutcome.values:
        raise MembersError(_("Choisissez la décision."), field="outcome")
    if not reason.strip():
        raise MembersError(_("Indiquez les motifs de la décision."), field="reason")
    if (
        outcome == ExclusionOutcome.EXCLUDED
        and procedure.responded_at is None
        and today <= procedure.response_due_on
    ):
        # Charter art. 3.4 (L4): the member first has the opportunity to answer.
        raise MembersError(
            _(
                "Le membre peut encore répondre jusqu'au %(date)s : l'exclusion ne peut être "
                "prononcée qu'après sa réponse ou la fin de ce délai."
            )
            % {"date": _date(procedure.response_due_on)}
        )
    organisation = procedure.organisation
    if outcome == ExclusionOutcome.EXCLUDED:
        organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=StatusReason.EXCLUDED,
            actor=actor,
            explanation=f"{ExclusionGround(procedure.ground).label} — {reason.strip()}",
            notice_reference=_("Lettre de décision du %(date)s") % {"date": _date(now)},
            now=now,
        )
    procedure.outcome = outcome
    procedure.decided_by = actor
    procedure.decided_at = now
    procedure.decision_reason = reason.strip()
    procedure.save(
        update_fields=["outcome", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit_log(
        action=EXCLUSION_DECIDED[outcome],
        actor=actor,
        target=procedure,
        data={"organisation": organisation.pk, "ground": procedure.ground},
        now=now,
    )
    recipients = _representative_emails(organisation, on=today)
    name = organisation.legal_name

    def decision_email():
        pdf = _letter_pdf(
            "members/letters/exclusion_decision.html",
            {
                "title": _("Décision du COPIL"),
                "procedure": procedure,
                "organisation": organisation,
                "decided_at": now,
                "commitment_end": (
                    commitment_end_date(lost_on=today)
                    if outcome == ExclusionOutcome.EXCLUDED
                    else None
                ),
            },
        )
        return {
            "to": [*recipients, settings.COPIL_EMAIL],
            "subject": _("Décision du COPIL sur la procédure d'exclusion de %(name)s")
            % {"name": name},
            "paragraphs": [
                _("Bonjour,"),
                _("Le COPIL a rendu sa décision le %(date)s : %(outcome)s.")
                % {"date": _date(now), "outcome": ExclusionOutcome(outcome).label},
                _("La lettre de décision est en pièce jointe."),
            ],
            "attachments": [(f"decision-copil-{organisation.slug}.pdf", pdf, "application/pdf")],
        }

    _send_on_commit(decision_email)
    return procedure
