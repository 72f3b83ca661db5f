"""Charter revision (art. 10, X4): the vote is held at the extraordinary plenary, so it
opens on that plenary's day only (Europe/Paris), as an election's vote does (V6)."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from freezegun import freeze_time

from activities.constants import ActivityKind
from governance.models import RevisionStatus
from governance.revisions import services
from tests.activities.factories import ActivityFactory
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(month, day, hour, minute=0):
    return datetime.datetime(2027, month, day, hour, minute, tzinfo=PARIS)


def extraordinary(when):
    return ActivityFactory(
        kind=ActivityKind.EXTRAORDINARY_PLENARY,
        title=f"Plénière extraordinaire du {when:%d/%m %H:%M}",
        starts_at=when,
        ends_at=when + datetime.timedelta(hours=2),
    )


@pytest.fixture
def drafted_revision():
    with freeze_time(at(6, 10, 9)):
        CharterVersionFactory(label="V1 R001")
        copil = copil_user()
        revision = services.revision_open_by_copil(
            title="Actualiser la charte", reason="Paramètres.", actor=copil
        )
        services.revision_commission_create(
            revision=revision, end_date=datetime.date(2030, 6, 30), actor=copil
        )
        services.revision_draft_save(
            revision=revision,
            label="V2 R001",
            effective_date=datetime.date(2027, 9, 1),
            change_note="Nouvelle version.",
            actor=copil,
        )
    return copil, revision


@pytest.mark.rule("X4")
@pytest.mark.parametrize(
    "when",
    [
        at(6, 1, 14),  # an extraordinary plenary already held
        at(6, 13, 14),  # one to come
        at(6, 11, 0, 30),  # just after midnight in Paris: 10 June 22:30 in UTC
    ],
)
def test_x4_the_revision_vote_does_not_open_outside_its_plenary_day(client, drafted_revision, when):
    copil, revision = drafted_revision
    plenary = extraordinary(when)
    with freeze_time(at(6, 10, 23, 45)):
        client.force_login(copil)
        response = client.post(
            reverse("commissions:revision_vote_open", args=[revision.pk]), {"plenary": plenary.pk}
        )

    assert response.status_code == 400
    day = f"{when.day} juin 2027"
    assert f"Le vote s&#x27;ouvre le jour de la réunion plénière ({day})." in (
        response.content.decode()
    )
    revision.refresh_from_db()
    assert (revision.status, revision.plenary_id) == (RevisionStatus.DRAFTING, None)


@pytest.mark.rule("X4")
def test_x4_the_revision_vote_opens_on_its_plenary_day(client, drafted_revision):
    copil, revision = drafted_revision
    plenary = extraordinary(at(6, 10, 18))
    with freeze_time(at(6, 10, 0, 5)):  # 9 June 22:05 in UTC, already 10 June in Paris
        client.force_login(copil)
        response = client.post(
            reverse("commissions:revision_vote_open", args=[revision.pk]), {"plenary": plenary.pk}
        )

    assert response.status_code == 302
    revision.refresh_from_db()
    assert (revision.status, revision.plenary_id) == (RevisionStatus.VOTING, plenary.pk)


@pytest.mark.rule("X4")
def test_x4_the_plenary_of_an_opened_revision_vote_keeps_its_day(client, drafted_revision):
    copil, revision = drafted_revision
    plenary = extraordinary(at(6, 10, 18))
    with freeze_time(at(6, 10, 9)):
        services.revision_vote_open(revision=revision, plenary=plenary, actor=copil)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    data = {
        "kind": plenary.kind,
        "title": plenary.title,
        "description": plenary.description,
        "is_public": "on",
        "starts_at_0": "17/06/2027",
        "starts_at_1": "18:00:00",
        "ends_at_0": "17/06/2027",
        "ends_at_1": "20:00:00",
        "place": plenary.place,
        "postcode": plenary.postcode,
        "city": plenary.city,
        "online_url": "",
        "convened_scope": plenary.convened_scope,
        "convocations-TOTAL_FORMS": "0",
        "convocations-INITIAL_FORMS": "0",
    }

    with freeze_time(at(6, 11, 9)):
        client.force_login(superuser)
        response = client.post(reverse("admin:activities_activity_change", args=[plenary.pk]), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "Le vote sur la révision de la charte « Actualiser la charte » a été ouvert à cette "
        "réunion plénière extraordinaire : son jour et son type ne changent plus (article 10)."
    ]
    plenary.refresh_from_db()
    assert plenary.starts_at == at(6, 10, 18)
