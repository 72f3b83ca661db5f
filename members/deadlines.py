"""The registry's deadlines (core/deadlines.py): exclusion response (L4), partnership
agreements (P6), invitations (I1, I2, E1), members with no representative (M9), proofs (N1).

Imported from MembersConfig.ready(). Each source reads in a constant number of queries.
"""

import datetime

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import day_span
from core.deadlines import (
    Deadline,
    copil_user_ids,
    deadline_cached,
    deadline_label,
    deadline_memo_active,
    deadline_now,
    deadline_source,
)
from core.roles import copil_group

from . import selectors
from .constants import BENEFIT_STATUSES, InvitationState, Status
from .models import (
    ExclusionProcedure,
    Invitation,
    PartnershipAgreement,
    ProofDocument,
    ProofRequest,
    Representative,
    StatusChange,
)

# M9 (interpretation): a member or partner designates a new representative within 30 days.
REPRESENTATIVE_DESIGNATION_DAYS = 30


def representative_user_ids(organisation_ids, *, on: datetime.date) -> dict[int, tuple]:
    """organisation id -> the user ids of its active representatives (active accounts).

    Within a list of deadlines (core.deadlines.deadline_memo) every organisation's are
    read once, in one query shared by the sources that name them (the members near the
    attendance threshold, the candidacies, the exclusions, the agreements, the proofs:
    hundreds of organisations for the COPIL); outside one, those of ``organisation_ids``."""
    if not deadline_memo_active():
        return _representatives_by_organisation(on=on, among=organisation_ids)
    everyone = deadline_cached(
        ("representative_user_ids", on), lambda: _representatives_by_organisation(on=on)
    )
    return {pk: everyone[pk] for pk in organisation_ids if pk in everyone}


def _representatives_by_organisation(*, on: datetime.date, among=None) -> dict[int, tuple]:
    representatives = selectors.active_representatives(on=on).filter(user__is_active=True)
    if among is not None:
        representatives = representatives.filter(organisation_id__among=among)
    # Each organisation's tuple grows as its rows come (a few each): no list per
    # organisation to turn into a tuple afterwards, half the objects for tens of thousands.
    people: dict[int, tuple] = {}
    for organisation_id, user_id in representatives.order_by("organisation_id", "pk").values_list(
        "organisation_id", "user_id"
    ):
        people[organisation_id] = people.get(organisation_id, ()) + (user_id,)
    return people


def _outside_copil(viewer) -> bool:
    """A person's list (core/deadlines.py DeadlineViewer) read by someone outside the
    COPIL: the sources read only their organisations' rows and their own."""
    return viewer is not None and not viewer.has_role(copil_group())


def _viewer_actors(viewer, organisation_id) -> tuple:
    """For a person's list: they act for their organisations (they represent them)."""
    return (viewer.user_id,) if organisation_id in viewer.organisations else ()


def _member_space(slug: str) -> str:
    return reverse("member_space:organisation", kwargs={"slug": slug})


@deadline_source(
    "members.exclusion_response", label=_("Réponse à une procédure d'exclusion"), required=True
)
def exclusion_response_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 3.4 (L4): the member answers within the response period; its
    representatives act, the COPIL is informed."""
    outside = _outside_copil(viewer)
    if outside:
        if not viewer.organisations:
            return
        procedures = list(
            ExclusionProcedure.objects.filter(
                outcome="",
                responded_at__isnull=True,
                response_due_on__range=(start, end),
                organisation_id__in=list(viewer.organisations),
            ).select_related("organisation")
        )
    else:  # every open procedure, as the cockpit lists them (read once per page)
        procedures = [
            procedure
            for procedure in selectors.exclusion_procedures_open()
            if procedure.responded_at is None
            and procedure.response_due_on is not None
            and start <= procedure.response_due_on <= end
        ]
    if not procedures:
        return
    if outside:
        people = {p.organisation_id: _viewer_actors(viewer, p.organisation_id) for p in procedures}
        copil = ()
    else:
        people = representative_user_ids(
            {p.organisation_id for p in procedures}, on=timezone.localdate(deadline_now())
        )
        copil = copil_user_ids()
    for procedure in procedures:
        organisation = procedure.organisation
        yield Deadline(
            key=f"members.exclusion_response:{procedure.pk}",
            kind="members.exclusion_response",
            label=deadline_label(
                _("Répondre à la procédure d'exclusion de %(organisation)s"),
                organisation=organisation.legal_name,
            ),
            due=procedure.response_due_on,
            act_url=_member_space(organisation.slug),
            actors=people.get(organisation.pk, ()),
            informed=copil,
            offsets=(14, 7, 1, 0),
            required=True,
            organisation_id=organisation.pk,
            act_hint=_(
                "Les représentants de l'entité répondent depuis son espace membre ; le COPIL "
                "suit la procédure dans l'administration (Procédures d'exclusion)."
            ),
        )


def _partner_agreements(viewer=None):
    """The agreements of the current partners, or of the viewer's partners (a person's
    list, outside the COPIL)."""
    agreements = _agreements_of(PartnershipAgreement.objects.filter(notice_given_on__isnull=True))
    if _outside_copil(viewer):
        partners = viewer.organisations_with({Status.PARTNER})
        if not partners:
            return []
        return list(agreements.filter(organisation_id__in=partners))
    # Every partner's: read once for both sources (notice, renewal).
    partners = selectors.organisation_ids_holding({Status.PARTNER}, at=deadline_now())
    return deadline_cached(
        "partner_agreements", lambda: list(agreements.filter(organisation_id__among=partners))
    )


def _agreements_of(queryset):
    """The agreement's terms and its partner's name: what its deadlines read of it."""
    return queryset.select_related("organisation").only(
        "organisation__legal_name",
        "signed_on",
        "initial_term_months",
        "renewal_months",
        "notice_months",
    )


def _agreement_urls():
    """An agreement's deadlines' link, from its partner's id: notice is given with the
    action "Mettre fin au partenariat" of the organisations' list (P5, P6), the list
    filtered on the partner, where the COPIL acts. The list's address is reversed once."""
    changelist = reverse("admin:members_organisation_changelist")
    return lambda organisation_id: f"{changelist}?id__exact={organisation_id}"


@deadline_source(
    "members.agreement_notice", label=_("Préavis d'une convention de partenariat"), required=True
)
def agreement_notice_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 4 (P6): the last day to give notice before the agreement is renewed
    tacitly; the COPIL acts."""
    from .services import agreement_notice_after

    if _outside_copil(viewer):
        return
    agreements = _partner_agreements()
    if not agreements:
        return
    today = timezone.localdate(deadline_now())
    copil = copil_user_ids()
    url = _agreement_urls()
    for agreement in agreements:
        notice = agreement_notice_after(agreement, on=today)
        if notice is None or not start <= notice[1] <= end:
            continue
        effective, last = notice
        yield Deadline(
            key=f"members.agreement_notice:{agreement.pk}:{effective.isoformat()}",
            kind="members.agreement_notice",
            label=deadline_label(
                _("Dernier jour de préavis de la convention avec %(organisation)s"),
                organisation=agreement.organisation.legal_name,
            ),
            due=last,
            act_url=url(agreement.organisation_id),
            actors=copil,
            informed=(),
            offsets=(30, 7, 1),
            required=True,
            organisation_id=agreement.organisation_id,
        )


@deadline_source(
    "members.agreement_renewal",
    label=_("Reconduction d'une convention de partenariat"),
    required=False,
)
def agreement_renewal_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 4 (P6): the date the agreement is renewed (or ends at its term); the
    COPIL acts, the partner's representatives are informed."""
    from .services import agreement_renewal_after

    agreements = _partner_agreements(viewer)
    if not agreements:
        return
    today = timezone.localdate(deadline_now())
    if _outside_copil(viewer):
        people = {a.organisation_id: _viewer_actors(viewer, a.organisation_id) for a in agreements}
        copil = ()
    else:
        people = representative_user_ids({a.organisation_id for a in agreements}, on=today)
        copil = copil_user_ids()
    url = _agreement_urls()
    for agreement in agreements:
        # From yesterday: a renewal falling today is still the next one.
        renewal = agreement_renewal_after(agreement, on=today - datetime.timedelta(days=1))
        if renewal is None or not start <= renewal <= end:
            continue
        yield Deadline(
            key=f"members.agreement_renewal:{agreement.pk}:{renewal.isoformat()}",
            kind="members.agreement_renewal",
            label=deadline_label(
                _("Reconduction de la convention avec %(organisation)s"),
                organisation=agreement.organisation.legal_name,
            ),
            due=renewal,
            act_url=url(agreement.organisation_id),
            actors=copil,
            informed=people.get(agreement.organisation_id, ()),
            offsets=(30, 0),
            required=False,
            organisation_id=agreement.organisation_id,
            act_hint=_(
                "Le COPIL décide de la reconduction de la convention ou donne préavis ; "
                "écrivez-lui pour en parler."
            ),
        )


@deadline_source("members.invitation_expiry", label=_("Fin d'une invitation"), required=False)
def invitation_expiry_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 5 (I1): a validated invitation ends on its date; whoever proposed it
    is told, to propose another one or an application."""
    if viewer is not None:
        invitations = [i for i in _viewer_invitations(viewer) if start <= i.ends_on <= end]
    else:
        invitations = [
            i
            for i in _window_invitations(start, end)
            if start <= i.ends_on <= end and i.proposer_active
        ]
    for invitation in invitations:
        yield Deadline(
            key=f"members.invitation_expiry:{invitation.pk}",
            kind="members.invitation_expiry",
            label=deadline_label(
                _("Fin de l'invitation de %(guest)s"), guest=_guest_name(invitation)
            ),
            due=invitation.ends_on,
            act_url=reverse("member_space:invitation_propose"),
            actors=(invitation.proposed_by_id,),
            informed=(),
            offsets=(7, 0),
            required=False,
            organisation_id=invitation.organisation_id,
        )


def _first_activity_at():
    """The start of the first activity still to come an invitation is for (the invitation's
    own link to its activities: members never imports activities)."""
    return (
        Invitation.activities.through.objects.filter(
            invitation_id=OuterRef("pk"), activity__starts_at__gte=deadline_now()
        )
        .order_by("activity__starts_at")
        .values("activity__starts_at")[:1]
    )


def _viewer_invitations(viewer) -> list:
    """The validated invitations the viewer proposed, with their first activity to come:
    one query for both sources of invitations (end, acceptance)."""
    return deadline_cached(
        ("viewer_invitations", viewer.user_id),
        lambda: list(
            Invitation.objects.filter(
                state=InvitationState.VALIDATED, proposed_by_id=viewer.user_id
            )
            .annotate(first_activity_at=Subquery(_first_activity_at()))
            .select_related("organisation")
        ),
    )


def _window_invitations(start: datetime.date, end: datetime.date) -> list:
    """The validated invitations that end in the window or whose invitee has yet to accept
    art. 3.3 before a first activity in it, with that activity's start: one query for both
    sources of invitations (end, acceptance) when they read every invitation."""
    window = day_span(start, end)
    return deadline_cached(
        ("window_invitations", start, end),
        lambda: list(
            Invitation.objects.filter(state=InvitationState.VALIDATED)
            .annotate(
                first_activity_at=Subquery(_first_activity_at()),
                proposer_active=F("proposed_by__is_active"),
            )
            .filter(
                Q(ends_on__range=(start, end), proposed_by__is_active=True)
                | Q(accepted_at__isnull=True, first_activity_at__range=window)
            )
            .select_related("organisation")
        ),
    )


def _guest_name(invitation) -> str:
    name = invitation.organisation.legal_name if invitation.organisation_id else ""
    name = name or invitation.guest_organisation_name
    return f"{invitation.guest_name} ({name})" if name else invitation.guest_name


@deadline_source(
    "members.invitation_acceptance",
    label=_("Engagement de l'article 3.3 d'un invité avant une activité"),
    required=True,
)
def invitation_acceptance_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 3.3 and 5 (E1, I2): an invitee accepts art. 3.3 before the first
    activity it is invited to; whoever proposed the invitation follows it up, the COPIL
    is informed."""
    window_start, window_end = day_span(start, end)
    if _outside_copil(viewer):  # the invitations they proposed, read once for both sources
        invitations = [
            i
            for i in _viewer_invitations(viewer)
            if i.accepted_at is None
            and i.first_activity_at is not None
            and window_start <= i.first_activity_at <= window_end
        ]
        copil = ()
    else:
        invitations = [
            i
            for i in _window_invitations(start, end)
            if i.accepted_at is None
            and i.first_activity_at is not None
            and window_start <= i.first_activity_at <= window_end
        ]
        copil = copil_user_ids()
    for invitation in invitations:
        yield Deadline(
            key=f"members.invitation_acceptance:{invitation.pk}",
            kind="members.invitation_acceptance",
            label=deadline_label(
                _("Acceptation de l'article 3.3 par %(guest)s avant l'activité"),
                guest=_guest_name(invitation),
            ),
            due=timezone.localdate(invitation.first_activity_at),
            # The page listing their invitations, with the invitee's address to remind.
            act_url=reverse("member_space:invitation_propose"),
            actors=(invitation.proposed_by_id,),
            informed=copil,
            offsets=(7, 2, 0),
            required=True,
            organisation_id=invitation.organisation_id,
            act_hint=_(
                "La personne qui a proposé l'invitation relance l'invité, qui accepte "
                "l'article 3.3 depuis le lien reçu avec son invitation."
            ),
        )


@deadline_source("members.no_representative", label=_("Entité sans représentant"), required=True)
def no_representative_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """Charter art. 3.1 (M9): a member or partner with no active representative is
    reminded to the COPIL, 30 days after it lost its last one (interpretation)."""
    if _outside_copil(viewer):
        return
    moment = deadline_now()
    last_representative_end = (
        Representative.objects.filter(organisation=OuterRef("pk"))
        .values("organisation")
        .annotate(last=Max("end_date"))
        .values("last")
    )
    status_since = (
        StatusChange.objects.filter(organisation=OuterRef("pk"), effective_at__lte=moment)
        .order_by("-effective_at", "-id")
        .values("effective_at")[:1]
    )
    organisations = (
        selectors.organisations_without_representative(at=moment)
        .only("pk", "legal_name")
        .annotate(
            last_representative_end=Subquery(last_representative_end),
            status_since=Subquery(status_since),
        )
    )
    copil = copil_user_ids()
    if not copil:
        return
    delay = datetime.timedelta(days=REPRESENTATIVE_DESIGNATION_DAYS)
    for organisation in organisations:
        since = timezone.localdate(organisation.status_since)
        if organisation.last_representative_end:
            since = max(since, organisation.last_representative_end + datetime.timedelta(days=1))
        due = since + delay
        if not start <= due <= end:
            continue
        yield Deadline(
            key=f"members.no_representative:{organisation.pk}:{since.isoformat()}",
            kind="members.no_representative",
            label=deadline_label(
                _("Désigner un représentant pour %(organisation)s"),
                organisation=organisation.legal_name,
            ),
            due=due,
            act_url=reverse("admin:members_organisation_change", args=[organisation.pk]),
            actors=copil,
            informed=(),
            offsets=(REPRESENTATIVE_DESIGNATION_DAYS, 7, 0),
            required=True,
            organisation_id=organisation.pk,
        )


@deadline_source("members.proof_request", label=_("Justificatifs demandés"), required=True)
def proof_request_deadlines(*, start: datetime.date, end: datetime.date, viewer=None):
    """N1: documents the COPIL asked for and not provided yet; the organisation's
    representatives act, the COPIL member who asked is informed."""
    requests = ProofRequest.objects.filter(closed_at__isnull=True, due_on__range=(start, end))
    if viewer is not None:  # their organisations' requests, and those they made
        requests = requests.filter(
            Q(organisation_id__in=list(viewer.organisations)) | Q(requested_by_id=viewer.user_id)
        )
    requests = list(
        requests.filter(~Exists(ProofDocument.objects.filter(request=OuterRef("pk"))))
        .filter(organisation__in=_current(BENEFIT_STATUSES))
        .select_related("organisation")
    )
    if not requests:
        return
    if viewer is not None:
        people = {r.organisation_id: _viewer_actors(viewer, r.organisation_id) for r in requests}
    else:
        people = representative_user_ids(
            {r.organisation_id for r in requests}, on=timezone.localdate(deadline_now())
        )
    for request in requests:
        organisation = request.organisation
        yield Deadline(
            key=f"members.proof_request:{request.pk}",
            kind="members.proof_request",
            label=deadline_label(
                _("Fournir les justificatifs demandés à %(organisation)s"),
                organisation=organisation.legal_name,
            ),
            due=request.due_on,
            act_url=_member_space(organisation.slug),
            actors=people.get(organisation.pk, ()),
            informed=(request.requested_by_id,),
            offsets=(14, 7, 1, 0, -7),
            required=True,
            organisation_id=organisation.pk,
            act_hint=_(
                "Les représentants de l'entité déposent les justificatifs depuis son espace "
                "membre ; le COPIL les examine dans l'administration (Demandes de justificatifs)."
            ),
        )


def _current(statuses):
    return selectors.organisation_list_with_status(at=deadline_now()).filter(
        current_status__in=statuses
    )
