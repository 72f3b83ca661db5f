"""The COPIL's status screen in the admin (S1): no short cut.

Each status has its path, with its checks: an application signed online and approved
(M1 to M6), an invitation proposed then validated (I1, I4), a resignation given online
(L2), the exclusion procedure (L4), the partner decisions (P1, P5), the import of the
former registry. The screen takes the decisions whose path is a COPIL decision by
calling that path's service; it refuses the others with a message naming the path.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from .. import selectors
from ..constants import ApplicationState, Status, StatusReason
from ..exceptions import MembersError, TransitionNotAllowed
from ..models import Application, Organisation
from ._common import _require_copil
from .applications import application_approve, application_reject
from .partners import partner_grant, partner_terminate
from .registry import organisation_status_change, status_change_check

MEMBER_PATH = _lazy(
    "Une entité devient membre par une candidature déposée en ligne avec la signature de la "
    "charte, puis validée par le COPIL dans « Candidatures » (article 3.1) : l'écran des "
    "statuts n'en tient pas lieu."
)
APPLICATION_PATH = _lazy(
    "Une candidature se dépose en ligne par l'entité, avec la signature de la charte dans la "
    "même démarche (article 3.1) : le COPIL ne l'enregistre pas à sa place."
)
INVITATION_PATH = _lazy(
    "Une invitation est proposée par un membre ou par le COPIL, puis validée dans "
    "« Invitations » (article 5) : c'est là que l'entité reçoit le statut d'invitée, après "
    "les contrôles de l'article 5."
)
RESIGNATION_PATH = _lazy(
    "La démission se donne en ligne par un signataire habilité de l'entité, depuis son "
    "espace membre (article 3.4) : elle prend effet aussitôt et l'entité en reçoit la "
    "confirmation écrite."
)
EXCLUSION_PATH = _lazy(
    "L'exclusion suit la procédure de l'article 3.4 : ouvrez une procédure dans "
    "« Procédures d'exclusion » ; le membre peut répondre pendant le délai prévu, puis le "
    "COPIL décide et sa décision est notifiée par écrit."
)
IMPORT_PATH = _lazy(
    "« Repris de l'ancien registre » est réservé à l'import du registre (bouton « Importer » "
    "de la liste des entités)."
)
CORRECTION_PATH = _lazy(
    "Pour corriger l'historique (une date erronée, un statut saisi par erreur), utilisez "
    "« Corriger l'historique » sur la fiche de l'entité : la correction demande une "
    "justification écrite."
)
REJECTION_PATH = _lazy(
    "Aucune candidature de cette entité n'est en cours d'examen : le refus d'une candidature "
    "se décide dans « Candidatures » (article 3.1)."
)
NOT_INVITEE = _lazy(
    "Cette entité n'est pas invitée : seule une invitation peut prendre fin sur ce motif."
)


def status_decision_path_check(*, status: str, reason: str) -> None:
    """Refuse, naming the path to use, a decision the status screen does not take."""
    if reason == StatusReason.IMPORTED:
        raise TransitionNotAllowed(IMPORT_PATH, field="reason")
    if reason == StatusReason.CORRECTED:
        raise TransitionNotAllowed(CORRECTION_PATH, field="reason")
    if status == Status.MEMBER and reason != StatusReason.APPROVED:
        raise TransitionNotAllowed(MEMBER_PATH, field="status")  # M3 to M6
    if status == Status.APPLICANT:
        raise TransitionNotAllowed(APPLICATION_PATH, field="status")  # M3, M4
    if status == Status.INVITEE:
        raise TransitionNotAllowed(INVITATION_PATH, field="status")  # I1, I4
    if status == Status.NONE and reason == StatusReason.RESIGNED:
        raise TransitionNotAllowed(RESIGNATION_PATH, field="reason")  # L2
    if status == Status.NONE and reason == StatusReason.EXCLUDED:
        raise TransitionNotAllowed(EXCLUSION_PATH, field="reason")  # L4


def _submitted_application(organisation: Organisation) -> Application | None:
    return (
        Application.objects.filter(organisation=organisation, state=ApplicationState.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )


@transaction.atomic
def organisation_status_decide(
    *,
    organisation: Organisation,
    status: str,
    reason: str,
    actor,
    explanation: str = "",
    notice_reference: str = "",
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
):
    """A COPIL decision from the status screen (S1, G2), through the service of its path:
    approving or rejecting the application under review (M5, M6), granting or ending a
    partnership (P1, P5), ending an invitation (I1). Returns what that service returns."""
    _require_copil(actor)
    now = now or timezone.now()
    status_decision_path_check(status=status, reason=reason)
    status_change_check(
        status=status,
        reason=reason,
        explanation=explanation,
        ends_on=ends_on,
        today=timezone.localdate(now),
    )
    if status == Status.MEMBER:  # reason APPROVED: the application's own checks (M1-M6)
        application = _submitted_application(organisation)
        if application is None:
            raise TransitionNotAllowed(MEMBER_PATH, field="status")
        return application_approve(
            application=application, actor=actor, reason=explanation, now=now
        )
    if reason == StatusReason.REJECTED:
        application = _submitted_application(organisation)
        if application is None:
            raise TransitionNotAllowed(REJECTION_PATH, field="reason")
        return application_reject(application=application, actor=actor, reason=explanation, now=now)
    if status == Status.PARTNER:
        return partner_grant(
            organisation=organisation,
            actor=actor,
            ends_on=ends_on,
            explanation=explanation,
            notice_reference=notice_reference,
            now=now,
        )
    if reason == StatusReason.PARTNERSHIP_ENDED:
        return partner_terminate(
            organisation=organisation, actor=actor, reason=explanation, now=now
        )
    if reason == StatusReason.INVITATION_EXPIRED:
        # I1: the COPIL ends an invitation given for an occasion that has passed.
        if selectors.organisation_status(organisation=organisation, at=now) != Status.INVITEE:
            raise MembersError(NOT_INVITEE, field="reason")
        return organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=reason,
            actor=actor,
            explanation=explanation,
            notice_reference=notice_reference,
            now=now,
        )
    raise TransitionNotAllowed(field="status")  # pragma: no cover - every pair is above
