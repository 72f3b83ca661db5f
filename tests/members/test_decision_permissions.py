"""Charter art. 6 (G2): only COPIL members take the decisions of the status lifecycle.
Every admin decision is tried by anonymous, a member's representative, an organiser,
staff outside the COPIL, a COPIL member and an administrator (a superuser outside the
COPIL: the admin is open to them, the COPIL's decisions are not); a refusal changes
nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members import selectors, services
from members.constants import (
    ApplicationState,
    ExclusionGround,
    ExclusionOutcome,
    InvitationState,
    Status,
)
from members.models import Application, ExclusionProcedure, Invitation, ProofRequest
from tests.activities.factories import ActivityFactory, attend

from .conftest import PASSWORD
from .factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "organiser", "staff_not_copil", "copil", "superuser")
DECIDERS = {"copil"}


def _application(copil, *, ready):
    applicant = UserFactory()
    application = services.application_submit(
        applicant=applicant,
        data={
            "legal_name": f"Candidate {applicant.pk}",
            "establishments": [{"address": "1 rue", "postcode": "57000", "city": "Metz"}],
        },  # fmt: skip
        aif_reference="AIF",
        motivation="",
        password=PASSWORD,
        consent_given=True,
        now=timezone.now() - datetime.timedelta(days=20),
    )
    if ready:
        services.application_aif_verify(application=application, actor=copil)
        attend(ActivityFactory(), application.organisation.representatives.get())
    return application


def _invitation(member_rep):
    return services.invitation_propose(
        proposed_by=member_rep.user,
        proposing_organisation=member_rep.organisation,
        guest_organisation_name="Invitée SA",
        guest_name="X",
        guest_email="x@exemple.fr",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
    )


def _procedure(copil):
    organisation = member_organisation()
    organisation.status_changes.update(effective_at=timezone.now() - datetime.timedelta(days=90))
    procedure = services.exclusion_open(
        organisation=organisation,
        actor=copil,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Faits.",
        now=timezone.now() - datetime.timedelta(days=40),
    )
    return procedure


def action(model, name, obj, **data):
    return (
        reverse(f"admin:members_{model}_changelist"),
        {"action": name, "_selected_action": [obj.pk], "apply": "1", **data},
    )


def cases(copil, member_rep):
    """name -> (url, data, decided() -> bool)."""
    verify = _application(copil, ready=False)
    approve = _application(copil, ready=True)
    reject = _application(copil, ready=False)
    validate, refuse = _invitation(member_rep), _invitation(member_rep)
    exclude, close = _procedure(copil), _procedure(copil)
    grant = member_organisation(status=Status.NONE, postcode="75001")
    terminate = member_organisation(status=Status.PARTNER, postcode="75001")
    opened = member_organisation()

    def state(model, obj):
        return model.objects.get(pk=obj.pk)

    return {
        "application: AIF verified": (
            *action("application", "verify_aif", verify),
            lambda: state(Application, verify).aif_verified_at is not None,
        ),
        "application: approve": (
            *action("application", "approve", approve, reason=""),
            lambda: state(Application, approve).state == ApplicationState.APPROVED,
        ),
        "application: reject": (
            *action("application", "reject", reject, reason="Non."),
            lambda: state(Application, reject).state == ApplicationState.REJECTED,
        ),
        "invitation: validate": (
            *action("invitation", "validate", validate),
            lambda: state(Invitation, validate).state == InvitationState.VALIDATED,
        ),
        "invitation: refuse": (
            *action("invitation", "refuse", refuse, reason="Non."),
            lambda: state(Invitation, refuse).state == InvitationState.REFUSED,
        ),
        "exclusion: pronounce": (
            *action("exclusionprocedure", "exclusion_pronounce", exclude, reason="Faute."),
            lambda: state(ExclusionProcedure, exclude).outcome == ExclusionOutcome.EXCLUDED,
        ),
        "exclusion: close": (
            *action("exclusionprocedure", "procedure_close", close, reason="Explications."),
            lambda: state(ExclusionProcedure, close).outcome == ExclusionOutcome.CLOSED,
        ),
        "exclusion: open": (
            reverse("admin:members_exclusionprocedure_add"),
            {"organisation": opened.pk, "ground": ExclusionGround.IMAGE_HARM, "facts": "F."},
            lambda: ExclusionProcedure.objects.filter(organisation=opened).exists(),
        ),
        "partner: grant": (
            *action("organisation", "grant_partner", grant, ends_on="", explanation=""),
            lambda: selectors.organisation_status(organisation=grant) == Status.PARTNER,
        ),
        "partner: terminate": (
            *action("organisation", "terminate_partnership", terminate, reason="Fin."),
            lambda: selectors.organisation_status(organisation=terminate) == Status.NONE,
        ),
        "proofs: request": (
            reverse("admin:members_proofrequest_add"),
            {"organisation": opened.pk, "description": "Statuts."},
            lambda: ProofRequest.objects.filter(organisation=opened).exists(),
        ),
    }


CASES = [
    "application: AIF verified",
    "application: approve",
    "application: reject",
    "invitation: validate",
    "invitation: refuse",
    "exclusion: pronounce",
    "exclusion: close",
    "exclusion: open",
    "partner: grant",
    "partner: terminate",
    "proofs: request",
]


@pytest.mark.rule("G2")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES)
def test_only_the_copil_decides(client, role, case, copil, organiser, staff_not_copil, superuser):
    member_rep = RepresentativeFactory(
        organisation=member_organisation(), is_authorised_signatory=True
    )
    # An activity convenes nobody here; the version in force is needed by the application.
    from tests.charters.factories import CharterVersionFactory

    CharterVersionFactory(label="V1 R001")
    url, data, decided = cases(copil, member_rep)[case]
    people = {
        "anonymous": None,
        "member": member_rep.user,
        "organiser": organiser,
        "staff_not_copil": staff_not_copil,
        "copil": copil,
        "superuser": superuser,
    }
    if people[role] is not None:
        client.force_login(people[role])

    response = client.post(url, data)

    assert decided() is (role in DECIDERS), (case, role, response.status_code)
    if role in {"anonymous", "member", "organiser"}:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
