"""Charter versions: frozen once published, revised as new versions, end dates (W1, X1)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from charters import selectors, services
from charters.constants import CharterParameters
from charters.exceptions import InvalidVersion, VersionFrozen
from charters.models import CharterVersion, text_hash
from core.deadlines import deadline_memo
from core.models import AuditEntry
from tests.charters.factories import CharterVersionFactory
from tests.members.factories import UserFactory


@pytest.mark.rule("W1")
def test_hash_is_the_sha256_of_the_canonical_text(db):
    a = CharterVersionFactory(label="A", body="Article 1 – Objet\r\nTexte.  \n")
    b = CharterVersionFactory(label="B", body="Article 1 – Objet\nTexte.")
    assert a.text_sha256 == b.text_sha256 == text_hash("Article 1 – Objet\nTexte.\n")
    assert len(a.text_sha256) == 64


@pytest.mark.rule("W1")
def test_a_published_version_is_frozen(version):
    original = version.body
    version.body = original + "\nAjout."
    with pytest.raises(ValueError, match="frozen"):
        version.save()
    version.refresh_from_db()
    assert version.body == original


@pytest.mark.rule("W1")
def test_the_database_refuses_changing_a_published_text(version):
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        CharterVersion.objects.filter(pk=version.pk).update(body="Texte remplacé")
    version.refresh_from_db()
    assert version.text_sha256 == text_hash(version.body)


@pytest.mark.rule("W1")
def test_a_draft_can_be_edited_until_published(db):
    draft = CharterVersionFactory(label="V2", published_at=None, body="Article 1 – Objet\nA")
    draft.body = "Article 1 – Objet\nB"
    draft.save()
    assert draft.text_sha256 == text_hash("Article 1 – Objet\nB")


@pytest.mark.rule("W1", "X4")
def test_revising_creates_a_new_version_and_publishing_replaces_the_old_one(version):
    actor = UserFactory()
    draft = services.charter_version_revise(
        version=version,
        label="V2 R001",
        effective_date=datetime.date(2027, 1, 1),
        change_note="Quorum du COPIL porté à 4.",
        body=version.body + "\nArticle 13 – Entrée en vigueur\n\nNouveau.",
        parameters={**version.parameters, "copil_quorum": 4},
        actor=actor,
    )
    assert draft.published_at is None
    assert draft.pk != version.pk
    assert selectors.charter_version_in_force(on=datetime.date(2027, 6, 1)) == version

    services.charter_version_publish(version=draft, actor=actor)
    version.refresh_from_db()
    assert version.end_date == datetime.date(2026, 12, 31)
    assert selectors.charter_version_in_force(on=datetime.date(2026, 12, 31)) == version
    assert selectors.charter_version_in_force(on=datetime.date(2027, 1, 1)) == draft
    # The parameters belong to the version: a revision changes them from its date on.
    assert selectors.charter_parameters(on=datetime.date(2026, 12, 31)).copil_quorum == 3
    assert selectors.charter_parameters(on=datetime.date(2027, 1, 1)).copil_quorum == 4
    assert [v.label for v in selectors.charter_version_history()] == ["V2 R001", "V1 R001"]
    assert AuditEntry.objects.filter(action="charters.version.published").count() == 1
    with pytest.raises(VersionFrozen):
        services.charter_version_publish(version=draft, actor=actor)


@pytest.mark.rule("W1")
def test_a_published_version_may_end_earlier_but_not_later(version):
    version.end_date = datetime.date(2028, 6, 30)
    version.save()
    version.end_date = datetime.date(2029, 1, 1)
    with pytest.raises(ValueError, match="only end earlier"):
        version.save()


def test_revision_with_a_taken_label_is_refused(version):
    with pytest.raises(InvalidVersion):
        services.charter_version_revise(
            version=version,
            label="V1 R001",
            effective_date=datetime.date(2027, 1, 1),
            change_note="x",
            actor=None,
        )
    assert CharterVersion.objects.count() == 1


@pytest.mark.rule("X1")
def test_end_date_is_at_the_latest_2030_12_31(db):
    version = CharterVersion(
        label="V9",
        title="Charte",
        body="Texte",
        effective_date=datetime.date(2029, 1, 1),
        end_date=datetime.date(2031, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert error.value.message_dict["end_date"] == [
        "Une version de la charte prend fin au plus tard le 31 décembre 2030."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()
    edge = CharterVersionFactory(label="V10", end_date=datetime.date(2030, 12, 31))
    assert edge.end_date == datetime.date(2030, 12, 31)


@pytest.mark.rule("X1")
def test_no_version_in_force_after_its_end_date(version):
    assert selectors.charter_version_in_force(on=datetime.date(2030, 12, 31)) == version
    assert selectors.charter_version_in_force(on=datetime.date(2031, 1, 1)) is None
    # Before any version, code falls back on the values of V1 R001.
    assert selectors.charter_parameters(on=datetime.date(2031, 1, 1)) == CharterParameters()


def test_parameters_round_trip(version):
    assert version.governance == CharterParameters()
    assert CharterParameters.from_json(version.governance.to_json()) == version.governance


@pytest.mark.rule("X1")
def test_the_version_in_force_and_the_latest_published_are_read_in_one_query(
    db, django_assert_num_queries
):
    first = CharterVersionFactory(
        label="V1 R001",
        effective_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2026, 6, 30),
    )
    second = CharterVersionFactory(
        label="V2 R001",
        effective_date=datetime.date(2026, 7, 1),
        end_date=datetime.date(2030, 6, 30),
    )
    CharterVersionFactory(
        label="V3 R001",
        effective_date=datetime.date(2030, 7, 1),
        end_date=datetime.date(2030, 12, 31),
        published_at=None,
    )  # a draft: never the latest

    for day, in_force in [
        (datetime.date(2021, 6, 1), None),  # before any version
        (datetime.date(2026, 3, 1), first),  # the next one already published
        (datetime.date(2026, 7, 1), second),
        (datetime.date(2030, 7, 1), None),  # the last one ended
    ]:
        with deadline_memo(), django_assert_num_queries(1):
            assert selectors.charter_version_in_force(on=day) == in_force
            assert selectors.charter_version_latest(on=day) == second
            assert selectors.charter_version_in_force(on=day) == in_force
