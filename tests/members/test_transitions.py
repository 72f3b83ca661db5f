"""The state machine of statuses (S1): every transition the charter allows, and only those.

The table below is the charter's reading, written independently of
members.constants.ALLOWED_TRANSITIONS: a change to that table fails here.
"""

import datetime
import itertools

import pytest
from django.utils import timezone

from core.models import AuditEntry
from members import selectors, services
from members.constants import Status, StatusReason
from members.exceptions import MembersError, TransitionNotAllowed
from members.models import StatusChange

from .factories import EstablishmentFactory, OrganisationFactory, StatusChangeFactory, UserFactory

pytestmark = pytest.mark.django_db

N, A, M, P, IN = Status.NONE, Status.APPLICANT, Status.MEMBER, Status.PARTNER, Status.INVITEE

# (from, to): allowed by the charter, with a ground that fits.
ALLOWED = {
    (N, A): StatusReason.APPLICATION,  # art. 3.1: an application (M3)
    (N, P): StatusReason.GRANTED,  # art. 4: the COPIL grants partner status (P1)
    (N, IN): StatusReason.INVITED,  # art. 5: an invitation (I1), also after a rejection (I3)
    (N, M): StatusReason.IMPORTED,  # the former registry's members, taken over
    (A, M): StatusReason.APPROVED,  # art. 3.1: approval (M5)
    (A, N): StatusReason.REJECTED,  # art. 3.1: rejection (M5)
    (A, IN): StatusReason.INVITED,
    (IN, A): StatusReason.APPLICATION,  # an invitee applies
    (IN, N): StatusReason.INVITATION_EXPIRED,
    (IN, P): StatusReason.GRANTED,
    (M, N): StatusReason.RESIGNED,  # art. 3.4: resignation (L2) or exclusion (L3)
    (P, N): StatusReason.PARTNERSHIP_ENDED,  # art. 4: renunciation or termination (P5)
    (P, A): StatusReason.APPLICATION,  # a partner applies to become a member
}
EVERY_PAIR = list(itertools.product(Status.values, repeat=2))
REFUSED = [pair for pair in EVERY_PAIR if pair not in ALLOWED]


def organisation_with(status):
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation, postcode="57000")
    if status != Status.NONE:
        StatusChangeFactory(organisation=organisation, status=status, reason=StatusReason.IMPORTED)
    return organisation


@pytest.mark.rule("S1")
@pytest.mark.parametrize(("current", "wanted"), sorted(ALLOWED))
def test_an_allowed_transition_is_recorded(current, wanted):
    organisation = organisation_with(current)

    change = services.organisation_status_change(
        organisation=organisation,
        status=wanted,
        reason=ALLOWED[(current, wanted)],
        actor=UserFactory(),
    )

    assert (change.status, change.reason) == (wanted, ALLOWED[(current, wanted)])
    assert selectors.organisation_status(organisation=organisation) == wanted


@pytest.mark.rule("S1")
@pytest.mark.parametrize(("current", "wanted"), REFUSED)
def test_a_transition_the_charter_does_not_allow_is_refused(current, wanted):
    organisation = organisation_with(current)
    before = list(StatusChange.objects.values_list("pk", flat=True))
    audit = AuditEntry.objects.count()

    with pytest.raises(TransitionNotAllowed):
        services.organisation_status_change(
            organisation=organisation, status=wanted, reason=StatusReason.IMPORTED
        )

    assert list(StatusChange.objects.values_list("pk", flat=True)) == before
    assert AuditEntry.objects.count() == audit


def test_the_table_covers_every_pair():
    assert len(ALLOWED) + len(REFUSED) == len(Status.values) ** 2 == 25


@pytest.mark.rule("M3", "M4", "M5", "M6", "S1")
def test_an_invitee_becomes_a_member_only_by_applying():
    organisation = organisation_with(Status.INVITEE)

    for reason in (StatusReason.APPROVED, StatusReason.GRANTED, StatusReason.IMPORTED):
        with pytest.raises(TransitionNotAllowed) as error:
            services.organisation_status_change(
                organisation=organisation, status=Status.MEMBER, reason=reason
            )
        assert str(error.value.message) == (
            "La charte ne permet pas de passer du statut « Invité » au statut « Membre »."
        )
    assert organisation.status_changes.count() == 1


@pytest.mark.rule("M3", "M4", "M6", "I1")
@pytest.mark.parametrize("status", [Status.MEMBER, Status.INVITEE])
def test_membership_and_invitations_are_never_granted(status):
    organisation = organisation_with(Status.NONE)

    with pytest.raises(MembersError) as error:
        services.organisation_status_change(
            organisation=organisation, status=status, reason=StatusReason.GRANTED
        )

    assert error.value.field == "reason"
    assert not organisation.status_changes.exists()


@pytest.mark.rule("L2", "L4", "M5", "P5", "I1")
@pytest.mark.parametrize(
    ("current", "reason"),
    [
        (IN, StatusReason.RESIGNED),
        (P, StatusReason.EXCLUDED),
        (IN, StatusReason.REJECTED),
        (M, StatusReason.PARTNERSHIP_ENDED),
        (M, StatusReason.INVITATION_EXPIRED),
        (A, StatusReason.RESIGNED),
    ],
)
def test_a_ground_of_loss_ends_only_its_own_status(current, reason):
    """A member does not "lose its invitation": ending a membership on the ground of an
    expired invitation would be an exclusion without the procedure (L4)."""
    organisation = organisation_with(current)

    with pytest.raises(TransitionNotAllowed) as error:
        services.organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=reason,
            explanation="Motif indiqué.",
        )

    assert (error.value.field, str(error.value.message)) == (
        "reason",
        f"Le motif « {StatusReason(reason).label} » ne s'applique pas à une entité au statut "
        f"« {Status(current).label} ».",
    )
    assert organisation.status_changes.count() == 1


@pytest.mark.rule("S1")
def test_the_former_registry_gives_a_starting_status_only():
    taken_over = organisation_with(Status.INVITEE)  # imported
    decided = organisation_with(Status.NONE)
    StatusChangeFactory(organisation=decided, status=IN, reason=StatusReason.INVITED)

    again = services.organisation_status_change(
        organisation=taken_over, status=Status.NONE, reason=StatusReason.IMPORTED
    )
    with pytest.raises(TransitionNotAllowed) as error:
        services.organisation_status_change(
            organisation=decided, status=Status.NONE, reason=StatusReason.IMPORTED
        )

    assert again.reason == StatusReason.IMPORTED
    assert error.value.field == "status"
    assert "a déjà un historique de statuts dans le portail" in str(error.value.message)
    assert decided.status_changes.count() == 1


@pytest.mark.rule("I4", "P1")
@pytest.mark.parametrize(
    ("status", "reason"), [(P, StatusReason.GRANTED), (IN, StatusReason.INVITED)]
)
def test_no_status_back_inside_the_ban_whatever_the_path(status, reason):
    organisation = organisation_with(Status.MEMBER)
    StatusChangeFactory(
        organisation=organisation,
        status=N,
        reason=StatusReason.EXCLUDED,
        effective_at=timezone.now() - datetime.timedelta(days=10),
        explanation="Manquement à l'article 3.3.",
    )

    with pytest.raises(MembersError) as error:
        services.organisation_status_change(organisation=organisation, status=status, reason=reason)

    assert "l'article 5 de la charte interdit de l'inviter pendant 24 mois" in str(
        error.value.message
    )
    assert organisation.status_changes.count() == 2


# --- The consistency of a decision holds in the service, on every path (S1, L3) ---------


@pytest.mark.rule("S1")
def test_a_ground_that_does_not_fit_the_status_is_refused_by_the_service():
    organisation = organisation_with(Status.MEMBER)

    with pytest.raises(MembersError) as error:
        services.organisation_status_change(
            organisation=organisation, status=Status.NONE, reason=StatusReason.APPROVED
        )

    assert error.value.field == "reason"
    assert str(error.value.message) == (
        "Le motif « Candidature validée » ne correspond pas au statut « Aucun »."
    )
    assert organisation.status_changes.count() == 1


@pytest.mark.rule("L3")
@pytest.mark.parametrize("explanation", ["", "   "])
def test_an_exclusion_without_a_stated_ground_is_refused_by_the_service(explanation):
    organisation = organisation_with(Status.MEMBER)

    with pytest.raises(MembersError) as error:
        services.organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=StatusReason.EXCLUDED,
            explanation=explanation,
        )

    assert (error.value.field, str(error.value.message)) == (
        "explanation",
        "Indiquez le motif de l'exclusion.",
    )
    assert organisation.status_changes.count() == 1


@pytest.mark.rule("P1", "I1")
@pytest.mark.parametrize(
    ("current", "status", "reason", "accepted"),
    [
        (N, A, StatusReason.APPLICATION, False),
        (A, M, StatusReason.APPROVED, False),
        (N, P, StatusReason.GRANTED, True),
        (N, IN, StatusReason.INVITED, True),
    ],
)
def test_an_end_date_only_for_a_partnership_or_an_invitation(current, status, reason, accepted):
    organisation = organisation_with(current)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    if accepted:
        change = services.organisation_status_change(
            organisation=organisation, status=status, reason=reason, ends_on=tomorrow
        )
        assert change.ends_on == tomorrow
    else:
        with pytest.raises(MembersError) as error:
            services.organisation_status_change(
                organisation=organisation, status=status, reason=reason, ends_on=tomorrow
            )
        assert str(error.value.message) == (
            "Seuls un partenariat ou une invitation peuvent avoir une date de fin."
        )


@pytest.mark.rule("P1")
def test_an_end_date_must_be_after_today():
    organisation = organisation_with(Status.NONE)

    with pytest.raises(MembersError) as error:
        services.organisation_status_change(
            organisation=organisation,
            status=Status.PARTNER,
            reason=StatusReason.GRANTED,
            ends_on=timezone.localdate(),
        )

    assert str(error.value.message) == "La date de fin doit être postérieure à aujourd'hui."
    assert not organisation.status_changes.exists()


def test_the_admin_uses_the_services_grand_est_statuses():
    from members import admin

    assert not hasattr(admin, "GRAND_EST_STATUSES")
    assert services.GRAND_EST_STATUSES == (Status.MEMBER, Status.APPLICANT)
