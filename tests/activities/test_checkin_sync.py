"""The check-in app's sync (A2): queued actions applied once each, the latest winning."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import selectors
from activities.checkin_codes import checkin_code
from activities.constants import Attendance, Registration
from activities.models import CheckinAction, Participation
from core.models import AuditEntry
from members.constants import Role
from members.models import User
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in
from .test_checkin import build_roster

pytestmark = pytest.mark.django_db

CHECKIN_CODES = ("activities.participation.checked_in", "activities.participation.walk_in_added")
AUDITED = (*CHECKIN_CODES, "activities.participation.checkin_superseded")


@pytest.fixture
def organiser(client):
    user = user_in(Role.ORGANISERS)
    client.force_login(user)
    return user


@pytest.fixture
def setting():
    activity = ActivityFactory()
    member = member_organisation(legal_name="Forge de l'Est")
    alice = RepresentativeFactory(organisation=member, user__email="alice@exemple.fr")
    bob = RepresentativeFactory(organisation=member, user__email="bob@exemple.fr")
    convene(activity, member)
    return activity, member, alice.user, bob.user


def at(minutes: int = 0) -> str:
    return (timezone.now() - datetime.timedelta(minutes=60 - minutes)).isoformat()


def tap(person, attendance=Attendance.PRESENT, *, minutes=0, offline=True, **extra) -> dict:
    person_id = person if isinstance(person, int) else person.pk
    return {
        "id": str(uuid.uuid4()),
        "at": at(minutes),
        "offline": offline,
        "person": person_id,
        "attendance": attendance,
        **extra,
    }


def sync(client, activity, actions, **headers):
    return client.post(
        reverse("activities:checkin_sync", args=[activity.pk]),
        data=json.dumps({"actions": actions}),
        content_type="application/json",
        headers=headers,
    )


def audited():
    return AuditEntry.objects.filter(action__in=AUDITED)


@pytest.mark.rule("A2")
def test_taps_codes_and_walk_ins_are_applied_through_the_csrf_checked_view(setting):
    activity, member, alice, bob = setting
    organiser = user_in(Role.ORGANISERS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    # The app reads the token from the check-in page's cookie, then sends it in a header.
    client.get(reverse("activities:checkin", args=[activity.pk]))
    token = client.cookies["csrftoken"].value
    actions = [
        tap(alice, Attendance.EXCUSED, minutes=1),
        {
            "id": str(uuid.uuid4()),
            "at": at(2),
            "offline": True,
            "code": checkin_code(activity.pk, bob.pk),
        },
        {
            "id": str(uuid.uuid4()),
            "at": at(3),
            "offline": False,
            "walk_in": {
                "email": "Visiteur@Exemple.fr",
                "first_name": "Vi",
                "last_name": "Siteur",
                "organisation": member.pk,
            },
        },
    ]

    assert sync(client, activity, actions).status_code == 403  # no token: Django's CSRF
    assert Participation.objects.count() == 0
    response = sync(client, activity, actions, **{"X-CSRFToken": token})

    assert response.status_code == 200
    body = response.json()
    visitor = User.objects.get(email__iexact="visiteur@exemple.fr")
    assert body["results"] == [
        {"id": actions[0]["id"], "outcome": "applied", "person": alice.pk,
         "attendance": "excused", "error": ""},
        {"id": actions[1]["id"], "outcome": "applied", "person": bob.pk,
         "attendance": "present", "error": ""},
        {"id": actions[2]["id"], "outcome": "applied", "person": visitor.pk,
         "attendance": "present", "error": ""},
    ]  # fmt: skip
    assert body["counts"] == {
        "present": 2, "absent": 0, "excused": 1, "": 0, "expected": 0, "total": 3
    }  # fmt: skip
    assert body["counts"] == selectors.checkin_counts(
        people=selectors.checkin_people(activity=activity)
    )
    assert datetime.datetime.fromisoformat(body["synced_at"]) <= timezone.now()
    saved = {
        p.user_id: (
            p.attendance,
            p.organisation_id,
            p.is_walk_in,
            p.recorded_offline,
            p.recorded_by,
        )
        for p in Participation.objects.all()
    }
    assert saved == {
        alice.pk: (Attendance.EXCUSED, member.pk, False, True, organiser),
        bob.pk: (Attendance.PRESENT, member.pk, False, True, organiser),
        visitor.pk: (Attendance.PRESENT, member.pk, True, False, organiser),
    }
    # The time of the tap on the phone, not of the sync.
    alice_row = Participation.objects.get(user=alice)
    assert alice_row.recorded_at == datetime.datetime.fromisoformat(actions[0]["at"])
    assert CheckinAction.objects.count() == 3
    assert CheckinAction.objects.get(person=visitor).walk_in is True
    assert sorted(audited().values_list("action", flat=True)) == sorted(
        [CHECKIN_CODES[0], CHECKIN_CODES[0], CHECKIN_CODES[1]]
    )


@pytest.mark.rule("A2")
def test_a_batch_sent_twice_is_applied_exactly_once(client, organiser, setting):
    activity, _member, alice, bob = setting
    actions = [
        tap(alice, minutes=1),
        tap(bob, Attendance.ABSENT, minutes=2),
        tap(alice, Attendance.ABSENT, minutes=3),
        {"id": str(uuid.uuid4()), "at": at(4), "code": checkin_code(activity.pk, bob.pk)},
    ]

    first = sync(client, activity, actions).json()
    state = list(Participation.objects.order_by("pk").values())
    second = sync(client, activity, actions).json()

    assert [r["outcome"] for r in first["results"]] == ["applied"] * 4
    assert [r["outcome"] for r in second["results"]] == ["duplicate"] * 4
    assert [(r["person"], r["attendance"]) for r in second["results"]] == [
        (alice.pk, "absent"), (bob.pk, "present"), (alice.pk, "absent"), (bob.pk, "present"),
    ]  # fmt: skip
    assert list(Participation.objects.order_by("pk").values()) == state
    assert CheckinAction.objects.count() == 4
    assert audited().count() == 4
    assert second["counts"] == first["counts"]
    # The same id twice in one request: the second is a duplicate.
    again = tap(alice, Attendance.EXCUSED, minutes=5)
    third = sync(client, activity, [again, again]).json()
    assert [r["outcome"] for r in third["results"]] == ["applied", "duplicate"]
    assert CheckinAction.objects.count() == 5


@pytest.mark.rule("A2")
def test_the_latest_action_wins_and_the_older_one_is_kept_as_superseded(client, organiser, setting):
    activity, _member, alice, bob = setting
    # Another organiser's phone marked Alice absent at minute 30, sent at once.
    newer = tap(alice, Attendance.ABSENT, minutes=30)
    assert sync(client, activity, [newer]).json()["results"][0]["outcome"] == "applied"
    # This phone marked her present at minute 10, offline; it syncs later.
    older = tap(alice, Attendance.PRESENT, minutes=10)
    # Bob: two taps of this batch, the later one sent first: applied in the order they
    # were made, as they would have been online; the later one stays.
    bob_late, bob_early = tap(bob, Attendance.EXCUSED, minutes=20), tap(bob, minutes=5)

    body = sync(client, activity, [older, bob_late, bob_early]).json()

    assert [(r["outcome"], r["attendance"]) for r in body["results"]] == [
        ("superseded", "absent"), ("applied", "excused"), ("applied", "excused"),
    ]  # fmt: skip
    alice_row = Participation.objects.get(user=alice)
    assert alice_row.attendance == Attendance.ABSENT
    assert alice_row.recorded_at == datetime.datetime.fromisoformat(newer["at"])
    assert Participation.objects.get(user=bob).attendance == Attendance.EXCUSED
    outcomes = dict(CheckinAction.objects.values_list("client_id", "outcome"))
    assert outcomes[uuid.UUID(older["id"])] == "superseded"
    # Both of Alice's actions are in the audit trail, with ids only.
    entries = audited().filter(data__user=alice.pk).order_by("id")
    assert [(e.action, e.data["attendance"], e.data["outcome"]) for e in entries] == [
        ("activities.participation.checked_in", "absent", "applied"),
        ("activities.participation.checkin_superseded", "present", "superseded"),
    ]
    assert entries[1].data["client_id"] == older["id"]
    assert "alice" not in json.dumps([e.data for e in entries]).lower()
    # A tap on the page (now) is newer than a queued action of an hour ago.
    client.post(
        reverse("activities:checkin_mark", args=[activity.pk]),
        {"person": bob.pk, "attendance": Attendance.PRESENT},
        headers={"Accept": "application/json"},
    )
    late = sync(client, activity, [tap(bob, Attendance.ABSENT, minutes=50)]).json()
    assert late["results"][0]["outcome"] == "superseded"
    bob_row = Participation.objects.get(user=bob)
    assert (bob_row.attendance, bob_row.recorded_offline) == (Attendance.PRESENT, False)


@pytest.mark.rule("A2")
def test_bad_actions_are_refused_one_by_one_with_french_messages(client, organiser, setting):
    activity, member, alice, bob = setting
    other = ActivityFactory()
    outsider = RepresentativeFactory().user
    code = checkin_code(activity.pk, bob.pk)
    tampered = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    actions = [
        tap(alice),
        {"id": str(uuid.uuid4()), "at": at(), "code": tampered},
        {"id": str(uuid.uuid4()), "at": at(), "code": checkin_code(other.pk, bob.pk)},
        {"id": str(uuid.uuid4()), "at": at(), "code": "n'importe quoi"},
        tap(999_999_999),
        tap(outsider),
        tap(bob, "peut-etre"),
        tap(bob, at="hier soir"),
        {"id": str(uuid.uuid4()), "at": at(), "walk_in": {"email": "pas-une-adresse"}},
        {
            "id": str(uuid.uuid4()),
            "at": at(),
            "walk_in": {"email": "x@exemple.fr", "organisation": member_organisation().pk},
        },
    ]

    response = sync(client, activity, actions)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["applied"] + ["refused"] * 9
    assert [r["error"] for r in results] == [
        "",
        "Ce code a été modifié ou ne vient pas du portail : il est refusé.",
        "Ce code est celui d'une autre activité : il ne vaut pas pour celle-ci.",
        "Ce code n'est pas un code de pointage du portail.",
        "Personne inconnue.",
        "Cette personne n'est pas convoquée : ajoutez-la comme participant sans convocation.",
        "Statut de présence inconnu.",
        "Heure de l'action illisible : une date ISO 8601 avec son fuseau est attendue.",
        "Adresse e-mail : Saisissez une adresse de courriel valide.",
        "Cette entité n'est pas convoquée à cette activité.",
    ]
    assert [r["person"] for r in results[:7]] == [
        alice.pk, None, None, None, None, outsider.pk, bob.pk,
    ]  # fmt: skip
    assert list(Participation.objects.values_list("user_id", flat=True)) == [alice.pk]
    assert CheckinAction.objects.count() == 1
    assert audited().count() == 1
    assert not User.objects.filter(email="x@exemple.fr").exists()
    # A refusal is not stored: the same action sent again is refused again.
    again = sync(client, activity, actions[5:6]).json()["results"][0]
    assert again["outcome"] == "refused"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("pas du json", "Le corps de la requête n'est pas du JSON valide."),
        ("[]", "La requête doit contenir une liste « actions »."),
        ('{"actions": {}}', "La requête doit contenir une liste « actions »."),
        (
            json.dumps({"actions": [{"person": 1}] * 501}),
            "Au plus 500 actions par synchronisation : envoyez la file en plusieurs fois.",
        ),
    ],
)
def test_a_malformed_request_is_refused_whole(client, organiser, setting, body, message):
    activity = setting[0]
    response = client.post(
        reverse("activities:checkin_sync", args=[activity.pk]),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"error": message}


@pytest.mark.rule("A2")
@pytest.mark.parametrize(
    "bad",
    [
        "une action",
        {"at": "2026-01-01T10:00:00+01:00", "person": 1, "attendance": "present"},
        {"id": "pas-un-uuid", "person": 1, "attendance": "present"},
        {"id": str(uuid.uuid4()), "at": "2026-01-01T10:00:00+01:00", "attendance": "present"},
        {"id": str(uuid.uuid4()), "person": 1, "code": "COSGE1:1:1:x"},
        {"id": str(uuid.uuid4()), "person": "12", "attendance": "present"},
        {"id": str(uuid.uuid4()), "person": 1, "attendance": "present", "offline": "oui"},
        {"id": str(uuid.uuid4()), "walk_in": "a@b.fr"},
        {"id": str(uuid.uuid4()), "walk_in": {"email": "a@b.fr", "organisation": "45"}},
    ],
)
def test_one_malformed_action_refuses_the_whole_request_and_nothing_is_applied(
    client, organiser, setting, bad
):
    activity, _member, alice, _bob = setting
    response = sync(client, activity, [tap(alice), bad])
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Action n° 2 mal formée : un objet avec « id » (UUID), « at » et une seule clé parmi "
        "« person », « code » et « walk_in » est attendu."
    )
    assert Participation.objects.count() == 0
    assert CheckinAction.objects.count() == 0
    assert audited().count() == 0


def test_only_the_activity_organisers_may_sync(client, setting):
    activity, _member, alice, _bob = setting
    stranger = UserFactory()
    client.force_login(stranger)
    assert sync(client, activity, [tap(alice)]).status_code == 403
    assert client.get(reverse("activities:checkin_sync", args=[activity.pk])).status_code == 405
    client.logout()
    assert sync(client, activity, [tap(alice)]).status_code == 302
    assert Participation.objects.count() == CheckinAction.objects.count() == 0
    activity.organisers.add(stranger)
    client.force_login(stranger)
    assert sync(client, activity, [tap(alice)]).json()["results"][0]["outcome"] == "applied"


@pytest.mark.rule("A2")
def test_a_walk_in_already_present_is_no_error(client, organiser, setting):
    activity, member, alice, _bob = setting
    attend(activity, RepresentativeFactory.build(user=alice, organisation=member))
    walk_in = {"id": str(uuid.uuid4()), "at": at(), "walk_in": {"email": "ALICE@exemple.fr"}}

    body = sync(client, activity, [walk_in]).json()

    assert body["results"][0]["outcome"] == "applied"
    assert body["results"][0]["person"] == alice.pk
    row = Participation.objects.get()
    assert (row.attendance, row.is_walk_in, row.organisation) == (Attendance.PRESENT, False, member)


@pytest.mark.rule("A2")
def test_a_future_time_is_clamped_to_the_sync(client, organiser, setting):
    activity, _member, alice, _bob = setting
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    before = timezone.now()
    sync(client, activity, [tap(alice, at=future)])
    row = Participation.objects.get()
    assert before <= row.recorded_at <= timezone.now()


@pytest.mark.rule("A2")
def test_offline_check_ins_are_marked_in_the_admin_and_the_csv(client, organiser, setting):
    activity, _member, alice, bob = setting
    sync(client, activity, [tap(alice, offline=True), tap(bob, offline=False)])

    text = client.get(reverse("activities:attendance_export", args=[activity.pk]))
    lines = text.content.decode("utf-8-sig").strip().split("\r\n")
    assert lines[0].endswith(";hors_ligne")
    offline = {line.split(";")[0]: line.split(";")[-1] for line in lines[1:]}
    assert offline == {"alice@exemple.fr": "oui", "bob@exemple.fr": "non"}

    client.force_login(User.objects.create_superuser(email="admin@exemple.fr"))
    row = Participation.objects.get(user=alice)
    page = client.get(reverse("admin:activities_participation_change", args=[row.pk]))
    assert page.status_code == 200
    assert "pointé hors ligne" in page.content.decode().lower()
    assert "recorded_offline" in page.context["adminform"].readonly_fields


def _queries_of_taps(client, activity, users) -> int:
    # Half already recorded (updated), half not yet (created): both paths at each size.
    half = len(users) // 2
    Participation.objects.bulk_create(
        [
            Participation(activity=activity, user=u, registration=Registration.COMING)
            for u in users[:half]
        ]
    )
    actions = [tap(u, Attendance.PRESENT if i % 3 else Attendance.ABSENT, minutes=i % 50)
               for i, u in enumerate(users)]  # fmt: skip
    actions.append(
        {"id": str(uuid.uuid4()), "at": at(), "code": checkin_code(activity.pk, users[0].pk)}
    )
    with CaptureQueriesContext(connection) as queries:
        response = sync(client, activity, actions)
    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"applied"}
    assert CheckinAction.objects.filter(activity=activity).count() == len(actions)
    return len(queries.captured_queries)


@pytest.mark.rule("A2")
@pytest.mark.parametrize(("small", "large"), [(10, 100), (30, 300)])
def test_a_sync_issues_the_same_queries_whatever_the_number_of_actions(
    client, organiser, small, large
):
    few, many = ActivityFactory(), ActivityFactory()

    counted = [
        _queries_of_taps(client, few, build_roster(few, small)),
        _queries_of_taps(client, many, build_roster(many, large)),
    ]

    assert counted[0] == counted[1]
    assert counted[0] <= 20


@pytest.mark.rule("A2")
@pytest.mark.sqlite
def test_on_the_embedded_sqlite_a_sync_of_300_costs_the_queries_of_30(client, organiser):
    """SQLite's own limit of bound variables is used (core/apps.py), so a large batch is
    still one statement per bulk write, as on PostgreSQL."""
    few, many = ActivityFactory(), ActivityFactory()

    counted = [
        _queries_of_taps(client, few, build_roster(few, 30)),
        _queries_of_taps(client, many, build_roster(many, 300)),
    ]

    assert counted[0] == counted[1]


def test_counts_of_the_database_are_those_of_the_roster(setting):
    activity, member, alice, bob = setting
    attend(activity, RepresentativeFactory.build(user=alice, organisation=member))
    Participation.objects.create(
        activity=activity, user=UserFactory(), is_walk_in=True, registration=Registration.COMING
    )
    activity.invited_people.add(UserFactory(), bob)
    assert selectors.checkin_counts_of(activity=activity) == selectors.checkin_counts(
        people=selectors.checkin_people(activity=activity)
    )
