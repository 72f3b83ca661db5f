"""The row-level audit trail (django-auditlog): what it follows, who it names, what it never holds."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from charters.models import CharterVersion, Signature
from charters.services import signature_record
from core.auditing import NOT_AUDITED, is_secret, registered_models
from members import services
from members.constants import Role, Status, StatusReason
from members.models import Establishment, Organisation, Representative, StatusChange
from tests.charters.factories import CharterVersionFactory
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

SECRET_FIELD_WORDS = ("ballot", "choice", "vote")


def copil_member(**kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=Role.COPIL))
    return user


def test_the_registry_charters_and_governance_are_followed():
    followed = set(registered_models())

    assert {
        Organisation,
        Establishment,
        Representative,
        StatusChange,
        CharterVersion,
        Signature,
    } <= followed
    assert all(auditlog.contains(model) for model in followed)
    governance = set(apps.get_app_config("governance").get_models())
    assert {
        model
        for model in governance
        if not is_secret(model) and model._meta.label_lower not in NOT_AUDITED
    } <= followed
    assert {"Election", "Candidacy", "Proxy", "Mandate", "CopilDecision"} <= {
        model.__name__ for model in followed
    }
    assert {"Application", "ExclusionProcedure"} <= {model.__name__ for model in followed}


def test_ballots_and_the_register_of_voters_are_never_followed():
    # A ballot's and a vote record's creation times side by side would link a voter to a
    # ballot: neither is in the row-level trail.
    for name in ("Ballot", "BallotChoice", "VoteRecord", "RevisionVote"):
        model = apps.get_model("governance", name)
        assert not auditlog.contains(model), name


def test_no_model_holding_a_vote_is_ever_followed():
    # Secrecy of the vote (ARCHITECTURE §8): ballots and their choices stay out of the trail.
    for model in apps.get_models():
        name = model._meta.model_name
        if any(word in name for word in SECRET_FIELD_WORDS):
            assert not auditlog.contains(model), model._meta.label
    for model in registered_models():
        assert not is_secret(model)
        # The fields stored with the row (reverse relations such as Election.ballots are not).
        fields = {f.name for f in [*model._meta.concrete_fields, *model._meta.many_to_many]}
        assert not {f for f in fields if "choice" in f or "ballot" in f}, model._meta.label


def test_an_edit_through_the_site_names_its_author_and_the_fields(client):
    organisation = member_organisation(description="Ancienne description.")
    representative = RepresentativeFactory(organisation=organisation)
    client.force_login(representative.user)
    before = LogEntry.objects.get_for_object(organisation).count()
    establishment = organisation.establishments.get()

    response = client.post(
        reverse("space:organisation_edit", kwargs={"slug": organisation.slug}),
        {
            "kind": organisation.kind,
            "description": "Nouvelle description.",
            "website": "",
            "siren": "",
            "establishments-TOTAL_FORMS": "1",
            "establishments-INITIAL_FORMS": "1",
            "establishments-MIN_NUM_FORMS": "0",
            "establishments-MAX_NUM_FORMS": "1000",
            "establishments-0-id": str(establishment.pk),
            "establishments-0-organisation": str(organisation.pk),
            "establishments-0-name": "",
            "establishments-0-siret": "",
            "establishments-0-address": establishment.address,
            "establishments-0-postcode": establishment.postcode,
            "establishments-0-city": establishment.city,
            "establishments-0-is_active": "on",
        },
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    entries = LogEntry.objects.get_for_object(organisation).order_by("-pk")
    assert entries.count() == before + 1
    entry = entries.first()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == representative.user
    assert entry.remote_addr == "203.0.113.7"
    assert entry.changes["description"] == ["Ancienne description.", "Nouvelle description."]
    assert "updated_at" not in entry.changes


def test_a_status_decision_is_in_the_trail():
    organisation = member_organisation()
    copil = copil_member()

    change = services.organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        actor=copil,
    )

    entry = LogEntry.objects.get_for_object(change).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes["status"] == [None, Status.NONE]
    assert entry.changes["reason"] == [None, StatusReason.RESIGNED]


def test_a_signature_is_in_the_trail_without_copying_personal_details():
    organisation = member_organisation()
    representative = RepresentativeFactory(organisation=organisation, is_authorised_signatory=True)
    version = CharterVersionFactory(label="V9 R001")

    signature = signature_record(
        version=version,
        organisation=organisation,
        signer=representative.user,
        password="motdepasse-de-test",
        consent_given=True,
        ip_address="198.51.100.4",
        user_agent="Navigateur de test",
    )

    entry = LogEntry.objects.get_for_object(signature).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes["verification_code"] == [None, signature.verification_code]
    for personal in ("signer_email", "ip_address", "user_agent"):
        assert personal not in entry.changes
    assert representative.user.email not in str(entry.changes)


def test_no_audit_row_ever_holds_a_ballot_field():
    test_a_status_decision_is_in_the_trail()
    test_a_signature_is_in_the_trail_without_copying_personal_details()

    for entry in LogEntry.objects.all():
        assert not is_secret(entry.content_type.model_class())
        keys = set(entry.changes or {})
        assert not {k for k in keys if any(w in k for w in SECRET_FIELD_WORDS)}, keys


def test_the_copil_reads_the_trail_in_the_admin(client):
    organisation = member_organisation()
    services.organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        actor=None,
    )
    copil = copil_member()
    client.force_login(copil)

    listing = client.get(reverse("admin:auditlog_logentry_changelist"))
    entry = LogEntry.objects.get_for_model(StatusChange).first()
    detail = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    assert copil.has_perm("auditlog.view_logentry")
    assert not copil.has_perm("auditlog.change_logentry")
    assert not copil.has_perm("auditlog.delete_logentry")
    assert listing.status_code == 200
    assert detail.status_code == 200


def test_a_member_cannot_read_the_trail(client):
    representative = RepresentativeFactory(organisation=member_organisation())
    client.force_login(representative.user)

    response = client.get(reverse("admin:auditlog_logentry_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
