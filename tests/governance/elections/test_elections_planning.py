"""Planning an election (V2, V9, V10, V11, V12) and declaring candidacies (V4, V5, V11)."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from freezegun import freeze_time

from activities.constants import ActivityKind
from governance.elections import services
from governance.exceptions import ElectionsError
from governance.models import Candidacy, Election, ElectionStatus, Mandate
from tests.activities.factories import ActivityFactory
from tests.governance.elections.factories import (
    at,
    commission_member,
    election_world,
    member_rep,
    plenary,
    seat_holder,
)
from tests.members.factories import RepresentativeFactory, StatusChangeFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def frozen():
    with freeze_time(at(2027, 3, 1)):
        yield


@pytest.mark.rule("V12", "V2", "V3")
def test_v12_the_commission_creates_an_election_with_the_seats_to_renew(frozen):
    commission, previous, election = election_world(seats_up=2)

    assert election.election_date == D(2027, 5, 20)
    assert election.seats_to_fill == 2
    assert election.candidacy_deadline == previous.starts_at
    assert election.status == ElectionStatus.DRAFT


@pytest.mark.rule("V12")
def test_v12_someone_outside_the_commission_cannot_create_an_election(frozen):
    plenary(at(2027, 3, 20, 14))
    target = plenary(at(2027, 5, 20, 14))
    seat_holder(1, start=D(2025, 5, 20))

    with pytest.raises(ElectionsError):
        services.election_create(plenary=target, title="x", actor=UserFactory())
    assert Election.objects.count() == 0


@pytest.mark.rule("V9")
def test_v9_an_election_only_at_an_ordinary_plenary(frozen):
    commission = commission_member()
    plenary(at(2027, 3, 20, 14))
    workshop = ActivityFactory(kind=ActivityKind.WORKSHOP, starts_at=at(2027, 5, 20, 14))

    with pytest.raises(ElectionsError) as error:
        services.election_create(plenary=workshop, title="x", actor=commission)
    assert str(error.value.message) == "Une élection a lieu lors d'une réunion plénière ordinaire."


@pytest.mark.rule("V9", "V10")
@pytest.mark.parametrize(
    ("when", "message_end"),
    [
        (at(2027, 4, 11, 14), "Première date possible : 12 avril 2027."),
        (at(2027, 7, 20, 14), "Première date possible : 12 avril 2027."),
    ],
)
def test_v9_v10_the_creation_form_refuses_late_or_blackout_dates(frozen, when, message_end):
    commission = commission_member()
    plenary(at(2027, 3, 20, 14))
    target = plenary(when)
    seat_holder(1, start=D(2025, 5, 20))

    with pytest.raises(ElectionsError) as error:
        services.election_create(plenary=target, title="x", actor=commission)
    assert str(error.value.message).endswith(message_end)
    assert Election.objects.count() == 0


@pytest.mark.rule("V11")
def test_v11_an_election_needs_a_previous_ordinary_plenary_to_close_candidacies(frozen):
    commission = commission_member()
    target = plenary(at(2027, 5, 20, 14))
    seat_holder(1, start=D(2025, 5, 20))

    with pytest.raises(ElectionsError):
        services.election_create(plenary=target, title="x", actor=commission)
    assert Election.objects.count() == 0


@pytest.mark.rule("V2", "V3")
def test_v2_no_election_when_no_seat_is_up(frozen):
    commission = commission_member()
    plenary(at(2027, 3, 20, 14))
    target = plenary(at(2027, 5, 20, 14))
    for number in range(1, 6):
        seat_holder(number, start=D(2026, 6, 1))

    with pytest.raises(ElectionsError) as error:
        services.election_create(plenary=target, title="x", actor=commission)
    assert str(error.value.message) == "Aucun siège n'est à renouveler à cette date (article 6.2)."


@pytest.mark.rule("V9")
def test_v9_the_announcement_is_emailed_to_every_member_once(
    frozen, django_capture_on_commit_callbacks
):
    commission, _previous, election = election_world()
    members = [member_rep() for _ in range(3)]
    RepresentativeFactory(organisation=members[0].organisation, start_date=D(2026, 1, 1))
    partner = member_rep()
    StatusChangeFactory(organisation=partner.organisation, status="partner")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.election_announce(election=election, actor=commission)

    election.refresh_from_db()
    assert election.status == ElectionStatus.ANNOUNCED
    # 5 seat holders' organisations + 3 members (one with two representatives).
    assert len(mail.outbox) == 9
    assert partner.user.email not in {m.to[0] for m in mail.outbox}
    assert mail.outbox[0].subject == "[COS-GE] Élection du COPIL le 20 mai 2027"
    assert services.election_announcement_send(election_id=election.pk) == 0
    assert len(mail.outbox) == 9


# --- Candidacies -----------------------------------------------------------------------


def announced(frozen_world):
    commission, previous, election = frozen_world
    services.election_announce(election=election, actor=commission)
    election.refresh_from_db()
    return election


@pytest.mark.rule("V4")
def test_v4_a_person_representing_a_member_for_exactly_one_year_is_eligible(frozen):
    rep = member_rep(since=D(2026, 5, 20))

    eligibility = services.candidate_eligibility(user=rep.user, election_date=D(2027, 5, 20))

    assert eligibility.eligible
    assert eligibility.organisation == rep.organisation


@pytest.mark.rule("V4")
def test_v4_one_day_short_of_one_year_is_not_eligible_and_says_why(frozen):
    rep = member_rep(since=D(2026, 5, 21))

    eligibility = services.candidate_eligibility(user=rep.user, election_date=D(2027, 5, 20))

    assert not eligibility.eligible
    assert str(eligibility.reason) == (
        f"Vous représentez {rep.organisation.legal_name}, membre, depuis le 21 mai 2026 : "
        "il faut l'être depuis au moins 1 an(s) à la date de l'élection, soit depuis le "
        "20 mai 2026 au plus tard."
    )


@pytest.mark.rule("V4")
def test_v4_seniority_counts_from_the_later_of_membership_and_representation(frozen):
    rep = member_rep(since=D(2024, 1, 1), rep_since=D(2026, 9, 1))

    assert not services.candidate_eligibility(user=rep.user, election_date=D(2027, 5, 20)).eligible


@pytest.mark.rule("V4")
def test_v4_a_non_member_representative_is_told_why(frozen):
    rep = member_rep(since=D(2024, 1, 1))
    StatusChangeFactory(organisation=rep.organisation, status="none", effective_at=at(2027, 2, 1))

    eligibility = services.candidate_eligibility(user=rep.user, election_date=D(2027, 5, 20))

    assert not eligibility.eligible
    assert (
        str(eligibility.reason) == f"{rep.organisation.legal_name} n'est pas membre de la COS-GE."
    )


@pytest.mark.rule("V4", "V11")
def test_v11_an_eligible_person_declares_a_candidacy_with_a_statement(frozen):
    election = announced(election_world())
    rep = member_rep()

    candidacy = services.candidacy_declare(
        election=election, user=rep.user, statement="Je veux porter la feuille de route."
    )

    assert candidacy.organisation == rep.organisation
    assert candidacy.statement == "Je veux porter la feuille de route."


@pytest.mark.rule("V4")
def test_v4_an_ineligible_person_is_refused_and_nothing_is_saved(frozen):
    election = announced(election_world())
    rep = member_rep(since=D(2026, 6, 1))

    with pytest.raises(ElectionsError) as error:
        services.candidacy_declare(election=election, user=rep.user, statement="Motivé.")
    assert "depuis le 1 juin 2026" in str(error.value.message)
    assert Candidacy.objects.count() == 0


@pytest.mark.rule("V5")
def test_v5_an_outgoing_holder_may_stand_again(frozen):
    election = announced(election_world())
    outgoing = Mandate.objects.get(seat__number=1)

    candidacy = services.candidacy_declare(
        election=election, user=outgoing.holder, statement="Je me représente."
    )

    assert candidacy.candidate == outgoing.holder


@pytest.mark.rule("V11")
def test_v11_candidacies_close_at_the_previous_ordinary_plenary(frozen):
    election = announced(election_world())
    rep = member_rep()

    with freeze_time(at(2027, 3, 20, 14)), pytest.raises(ElectionsError) as error:
        services.candidacy_declare(election=election, user=rep.user, statement="Trop tard.")
    assert (
        str(error.value.message)
        == "Les candidatures sont closes depuis le 20 mars 2027 (article 6.2)."
    )
    assert Candidacy.objects.count() == 0


def mp4(size=64):
    return b"\x00\x00\x00\x18ftypmp42" + b"\x00" * size


@pytest.mark.rule("V11")
def test_v11_a_video_is_checked_by_content_and_kept_in_private_storage(frozen, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    election = announced(election_world())
    rep, liar = member_rep(), member_rep()

    candidacy = services.candidacy_declare(
        election=election,
        user=rep.user,
        statement="Vidéo jointe.",
        video=SimpleUploadedFile("moi.mp4", mp4(), content_type="video/mp4"),
    )
    with pytest.raises(ElectionsError) as error:
        services.candidacy_declare(
            election=election,
            user=liar.user,
            statement="Pas une vidéo.",
            video=SimpleUploadedFile("moi.mp4", b"%PDF-1.4 not a video", content_type="video/mp4"),
        )

    assert candidacy.video.name.startswith(f"elections/videos/{election.pk}/")
    assert (tmp_path / candidacy.video.name).exists()
    assert str(error.value.message) == "La vidéo doit être un fichier MP4, MOV ou WebM."
    assert Candidacy.objects.filter(candidate=liar.user).count() == 0


@pytest.mark.rule("V11")
def test_v11_a_too_large_video_is_refused(frozen, monkeypatch):
    monkeypatch.setattr("governance.elections.services.candidacies.VIDEO_MAX_BYTES", 10)
    with pytest.raises(ElectionsError) as error:
        services.video_check(file=SimpleUploadedFile("moi.mp4", mp4(), content_type="video/mp4"))
    assert str(error.value.message) == "La vidéo dépasse 0 Mo."
