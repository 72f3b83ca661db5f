"""The audit codes (core/audit_actions.py): each app declares its codes once, registers them
from ``AppConfig.ready()``, and ``audit_log`` refuses any other code; no call passes a
code typed as text. The stored values never change: the trail in the database and the
queries that read it (charters' signatures, the admin's filter) depend on them."""

import ast
from pathlib import Path

import pytest
from django.db import models
from django.urls import reverse

from activities.audit_actions import ActivitiesAudit
from charters.audit_actions import ChartersAudit
from core.audit import audit_log, audit_log_many
from core.audit_actions import (
    CoreAudit,
    audit_action,
    audit_actions_register,
    registered_audit_actions,
)
from core.models import AuditEntry
from governance.audit_actions import GOVERNANCE_AUDIT, REFERENT_ENDED
from governance.referents.models import ReferentEndReason
from members.audit_actions import (
    APPLICATION_DECIDED,
    EXCLUSION_DECIDED,
    STATUS_CHANGED,
    MembersAudit,
)
from members.constants import ApplicationState, ExclusionOutcome, Status
from tests.members.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "charters", "members", "activities", "governance", "cos_portal")

# Every code the portal writes, as stored in AuditEntry.action: a code is added here
# when a new decision is recorded, never renamed (the stored trail keeps the old one).
CODES = {
    "cos_portal.reminder.resent",
    # charters
    "charters.version.drafted",
    "charters.version.published",
    "charters.signature.recorded",
    # members
    "members.user.created",
    "members.user.deactivated",
    "members.person.erased",
    "members.organisation.created",
    "members.organisation.profile_updated",
    "members.status.applicant",
    "members.status.member",
    "members.status.partner",
    "members.status.invitee",
    "members.status.none",
    "members.status.corrected",
    "members.application.draft_saved",
    "members.application.submitted",
    "members.application.aif_verified",
    "members.application.opinion_posted",
    "members.application.approved",
    "members.application.rejected",
    "members.representative.added",
    "members.representative.ended",
    "members.representative.consent_given",
    "members.representative.consent_withdrawn",
    "members.invitation.proposed",
    "members.invitation.validated",
    "members.invitation.refused",
    "members.invitation.accepted",
    "members.agreement.recorded",
    "members.agreement.notice_given",
    "members.proof.requested",
    "members.proof.uploaded",
    "members.exclusion.opened",
    "members.exclusion.answered",
    "members.exclusion.excluded",
    "members.exclusion.closed",
    # activities
    "activities.activity.created",
    "activities.activity.updated",
    "activities.activity.cancelled",
    "activities.participation.checked_in",
    "activities.participation.walk_in_added",
    "activities.participation.checkin_superseded",
    "activities.attendance.imported",
    "activities.ratios.requested",
    "activities.minutes.saved",
    "activities.convocations.withdrawn",
    "activities.invitation.convened",
    # governance: elections
    "governance.election.created",
    "governance.election.announced",
    "governance.election.rescheduled",
    "governance.election.voting_opened",
    "governance.election.voting_closed",
    "governance.election.ballot_cast",
    "governance.election.tallied",
    "governance.election.tie_resolved",
    "governance.election.published",
    "governance.candidacy.declared",
    "governance.candidacy.withdrawn",
    "governance.proxy.signed",
    "governance.proxy.validated",
    "governance.proxy.refused",
    "governance.proxy.revoked",
    "governance.mandate.started",
    "governance.mandate.ended",
    "governance.copil_group.synced",
    # governance: commissions
    "governance.commission.created",
    "governance.commission.facilitator_set",
    "governance.commission.ended",
    "governance.commission.volunteered",
    "governance.commission.volunteer_accepted",
    "governance.commission.volunteer_declined",
    "governance.commission.member_left",
    "governance.commission.meeting_created",
    "governance.commission.report_submitted",
    "governance.commission.report_shown",
    "governance.roadmap.action_created",
    "governance.roadmap.action_updated",
    # governance: copil
    "governance.copil_meeting.attendance",
    "governance.copil_decision.recorded",
    "governance.minutes_request.created",
    "governance.minutes_request.granted",
    "governance.minutes_request.refused",
    # governance: referents
    "governance.referent.appointed",
    "governance.referent.ended.copil_decision",
    "governance.referent.ended.resignation",
    "governance.referent.contact_logged",
    # governance: revisions
    "governance.revision.petition_opened",
    "governance.revision.supported",
    "governance.revision.support_withdrawn",
    "governance.revision.copil_seized",
    "governance.revision.opened_by_copil",
    "governance.revision.commission_created",
    "governance.revision.draft_saved",
    "governance.revision.vote_opened",
    "governance.revision.vote_recorded",
    "governance.revision.adopted",
    "governance.revision.rejected",
    "governance.revision.closed",
    # governance: announcements
    "governance.announcement.created",
    "governance.announcement.sent",
}


# --- The registry ---------------------------------------------------------------------


def test_every_code_is_registered_with_its_stored_value():
    assert set(registered_audit_actions()) == CODES


def test_each_app_registers_its_own_codes_under_its_own_prefix():
    prefixes = {
        CoreAudit: "cos_portal.",
        ChartersAudit: "charters.",
        MembersAudit: "members.",
        ActivitiesAudit: "activities.",
        **dict.fromkeys(GOVERNANCE_AUDIT, "governance."),
    }

    for actions, prefix in prefixes.items():
        for member in actions:
            assert member.value.startswith(prefix), member
            assert registered_audit_actions()[member.value] is member


@pytest.mark.django_db
def test_audit_log_refuses_a_code_nobody_registered():
    with pytest.raises(ValueError, match="members.status.honorary"):
        audit_log(action="members.status.honorary")

    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_audit_log_many_writes_nothing_when_one_code_is_unknown():
    with pytest.raises(ValueError, match="members.status.honorary"):
        audit_log_many(
            [{"action": CoreAudit.REMINDER_RESENT}, {"action": "members.status.honorary"}]
        )
    assert not AuditEntry.objects.exists()

    assert audit_log_many([{"action": CoreAudit.REMINDER_RESENT, "data": {"n": 1}}] * 2) == 2
    assert (
        list(AuditEntry.objects.values_list("action", "data"))
        == [("cos_portal.reminder.resent", {"n": 1})] * 2
    )


@pytest.mark.django_db
def test_audit_log_stores_the_code_as_plain_text():
    entry = audit_log(action=CoreAudit.REMINDER_RESENT, data={"reminders": [1]})

    entry.refresh_from_db()
    assert entry.action == "cos_portal.reminder.resent"
    assert type(entry.action) is str


def test_a_code_declared_twice_is_refused():
    class Duplicate(models.TextChoices):
        RESENT = "cos_portal.reminder.resent", "x"

    with pytest.raises(ValueError, match="CoreAudit and Duplicate"):
        audit_actions_register(Duplicate)
    assert audit_action("cos_portal.reminder.resent") is CoreAudit.REMINDER_RESENT


def test_registering_an_app_twice_changes_nothing():
    before = registered_audit_actions()

    audit_actions_register(MembersAudit)

    assert registered_audit_actions() == before


# --- The codes computed from a decision ----------------------------------------------


def test_every_status_and_decision_has_its_code():
    assert set(STATUS_CHANGED) == set(Status.values)
    assert {code.value for code in STATUS_CHANGED.values()} == {
        f"members.status.{status}" for status in Status.values
    }
    assert set(APPLICATION_DECIDED) == {ApplicationState.APPROVED, ApplicationState.REJECTED}
    assert set(EXCLUSION_DECIDED) == set(ExclusionOutcome.values)
    assert set(REFERENT_ENDED) == set(ReferentEndReason.values)
    assert REFERENT_ENDED[ReferentEndReason.RESIGNATION].value == (
        "governance.referent.ended.resignation"
    )


# --- No code typed as text ------------------------------------------------------------


def _audit_log_calls():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and (
                    getattr(node.func, "id", None) == "audit_log"
                    or getattr(node.func, "attr", None) == "audit_log"
                ):
                    yield path.relative_to(ROOT), node


def _texts(node: ast.AST) -> list[str]:
    """The string literals and f-strings inside an expression."""
    return [
        ast.unparse(inner)
        for inner in ast.walk(node)
        if isinstance(inner, ast.JoinedStr)
        or (isinstance(inner, ast.Constant) and isinstance(inner.value, str))
    ]


def test_the_scan_sees_literals_and_f_strings():
    for source in ('"a.b"', 'f"a.{b}"', '"a." + ("b" if c else "d")', "X.A if c else 'a'"):
        assert _texts(ast.parse(source, mode="eval").body), source
    for source in ("X.A", "X.A if c else X.B", "CODES[status]"):
        assert not _texts(ast.parse(source, mode="eval").body), source


def test_no_call_passes_a_code_as_text():
    calls = list(_audit_log_calls())
    found = []
    for path, call in calls:
        action = next((kw.value for kw in call.keywords if kw.arg == "action"), None)
        if action is None:
            found.append(f"{path}:{call.lineno}: no action=")
        elif _texts(action):
            found.append(f"{path}:{call.lineno}: {ast.unparse(action)}")

    assert len(calls) > 80
    assert found == [], "audit codes typed as text:\n" + "\n".join(found)


def test_every_enum_member_a_call_names_is_registered():
    enums = {
        actions.__name__: actions
        for actions in {type(member) for member in registered_audit_actions().values()}
    }
    unknown = []
    for path, call in _audit_log_calls():
        action = next(kw.value for kw in call.keywords if kw.arg == "action")
        for node in ast.walk(action):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                actions = enums.get(node.value.id)
                if actions is None or node.attr not in actions.__members__:
                    unknown.append(f"{path}:{call.lineno}: {ast.unparse(node)}")

    assert unknown == []


# --- The admin ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_filters_the_trail_by_the_labels_of_the_codes(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    resent = audit_log(action=CoreAudit.REMINDER_RESENT)
    audit_log(action=MembersAudit.USER_DEACTIVATED)

    response = client.get(
        reverse("admin:cos_portal_auditentry_changelist"),
        {"action": "cos_portal.reminder.resent"},
    )

    assert list(response.context["cl"].result_list) == [resent]
    page = response.content.decode()
    assert "Rappels renvoyés" in page
    assert "Compte désactivé" in page  # another code offered by the filter
