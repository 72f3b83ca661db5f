"""Check-in by organisers (A2): roster, one-tap marking, walk-ins, permissions."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.constants import Attendance, Registration
from activities.models import Participation
from activities.selectors import CheckinPerson, _folded, checkin_search
from core.models import AuditEntry
from members.constants import Role
from members.models import Organisation, Representative, User
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    user = user_in(Role.ORGANISERS)
    client.force_login(user)
    return user


def mark(client, activity, person, attendance, js=True, query=""):
    """A tap: the page's script posts the person and the attendance and asks for JSON;
    without JavaScript, the row's button posts "<id>:<attendance>" and the search."""
    url = reverse("activities:checkin_mark", args=[activity.pk])
    if js:
        return client.post(
            url,
            {"person": person.pk, "attendance": attendance},
            headers={"Accept": "application/json"},
        )
    return client.post(url, {"mark": f"{person.pk}:{attendance}", "q": query})


def roster_of(client, activity) -> dict:
    """The roster the page's script fetches: organisations and people, in compact JSON."""
    response = client.get(reverse("activities:checkin_roster", args=[activity.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def people_of(client, activity) -> list[dict]:
    roster = roster_of(client, activity)
    return [
        {
            "id": person[0],
            "name": person[1],
            "organisation": roster["organisations"][person[2]] if person[2] >= 0 else None,
            "attendance": roster["attendance"][person[3]],
            "registration": person[4],
            "walk_in": bool(person[5]),
        }
        for person in roster["people"]
    ]


def build_roster(activity, people: int):
    """``people`` representatives over people/3 convened organisations, in bulk."""
    prefix = f"a{activity.pk}-"
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(legal_name=f"Org {prefix}{i}", slug=f"org-{prefix}{i}")
            for i in range(people // 3)
        ]
    )
    convene(activity, *organisations)
    users = User.objects.bulk_create(
        [
            User(email=f"p{prefix}{i}@exemple.fr", first_name="P", last_name=f"N{i:04d}")
            for i in range(people)
        ]
    )
    Representative.objects.bulk_create(
        [
            Representative(
                user=u,
                organisation=organisations[i % len(organisations)],
                start_date=datetime.date(2020, 1, 1),
            )
            for i, u in enumerate(users)
        ]
    )
    return users


@pytest.mark.rule("A2")
def test_roster_lists_convened_people_expected_first_with_their_organisation(client, organiser):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(hours=1))
    member = member_organisation(legal_name="Usinage Lorrain")
    zoe = RepresentativeFactory(organisation=member, user__last_name="Zoé")
    adam = RepresentativeFactory(organisation=member, user__last_name="Adam")
    RepresentativeFactory()  # not convened
    convene(activity, member)
    Participation.objects.create(
        activity=activity, user=zoe.user, organisation=member, registration=Registration.COMING
    )

    people = people_of(client, activity)

    assert [person["id"] for person in people] == [zoe.user.pk, adam.user.pk]
    assert [person["name"] for person in people] == [
        zoe.user.get_full_name(),
        adam.user.get_full_name(),
    ]
    assert [person["organisation"] for person in people] == ["Usinage Lorrain"] * 2
    assert [person["registration"] for person in people] == [1, 0]  # coming, no answer
    html = client.get(reverse("activities:checkin", args=[activity.pk])).content.decode()
    assert 'id="roster-search"' in html
    # Without JavaScript, an empty search lists the roster, with its buttons and counts.
    listed = client.get(reverse("activities:checkin", args=[activity.pk]), {"q": ""})
    assert listed.context["counts"]["expected"] == 1
    html = listed.content.decode()
    assert f'id="personne-{zoe.user.pk}"' in html
    assert f'value="{zoe.user.pk}:present" aria-pressed="false"' in html


def fill_roster(activity, people: int) -> None:
    """``people`` convened representatives, a third of them present, a walk-in and a
    named person besides."""
    users = build_roster(activity, people)
    Participation.objects.bulk_create(
        [
            Participation(activity=activity, user=u, attendance=Attendance.PRESENT)
            for u in users[: people // 3]
        ]
    )
    Participation.objects.create(
        activity=activity, user=UserFactory(), is_walk_in=True, attendance=Attendance.PRESENT
    )
    activity.invited_people.add(UserFactory())


@pytest.mark.rule("A2")
def test_checkin_page_is_the_same_few_queries_and_bytes_whatever_the_roster(client, organiser):
    """The page is the app's shell: the roster comes apart (``checkin_roster``), so the
    page reads no one and weighs the same for 6 people as for 200."""
    counted, sizes = {}, {}
    for people in (6, 200):
        activity = ActivityFactory()
        fill_roster(activity, people)
        url = reverse("activities:checkin", args=[activity.pk])
        client.get(url)  # caches warm up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counted[people] = len(queries.captured_queries)
        html = response.content.decode()
        sizes[people] = len(html) - len(str(activity.pk)) * html.count(str(activity.pk))
        assert "P N0001" not in html
        roster_url = reverse("activities:checkin_roster", args=[activity.pk])
        assert f'data-roster="{roster_url}"' in html
        assert f'data-activity="{activity.pk}" data-organiser="{organiser.pk}"' in html
    assert counted[6] == counted[200] <= 7, counted
    assert abs(sizes[6] - sizes[200]) < 50, sizes


@pytest.mark.rule("A2")
def test_roster_issues_the_same_few_queries_and_under_100_bytes_a_person(client, organiser):
    """About 300 KB for a plenary of 3,000 people: the roster as compact JSON, the rows
    and their buttons built by the page's script."""
    counted = {}
    for people in (6, 42):
        activity = ActivityFactory()
        fill_roster(activity, people)
        url = reverse("activities:checkin_roster", args=[activity.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counted[people] = len(queries.captured_queries)
        assert len(people_of(client, activity)) == people + 2
        present = [p for p in people_of(client, activity) if p["attendance"] == "present"]
        assert len(present) == people // 3 + 1
    assert counted[6] == counted[42] <= 9, counted
    empty = client.get(reverse("activities:checkin_roster", args=[ActivityFactory().pk]))
    activity = ActivityFactory()
    fill_roster(activity, 200)
    response = client.get(reverse("activities:checkin_roster", args=[activity.pk]))
    assert len(response.content) < len(empty.content) + 202 * 100, len(response.content)


@pytest.mark.rule("A2")
def test_search_without_javascript_lists_the_matching_people_with_their_buttons(client, organiser):
    activity = ActivityFactory()
    users = build_roster(activity, 60)
    camille = users[7]
    camille.first_name, camille.last_name = "Camille", "Lefèvre"
    camille.save()
    url = reverse("activities:checkin", args=[activity.pk])

    found = client.get(url, {"q": "lefevre"}).content.decode()
    assert found.count('class="list-group-item roster-row"') == 2  # Camille and the template
    assert f'id="personne-{camille.pk}"' in found
    assert f'value="{camille.pk}:present" aria-pressed="false"' in found
    assert 'name="q" value="lefevre"' in found

    # Every "P N00xx" matches "p n00": the first 25 by name are listed, with a word to
    # narrow; the first person registered comes last by name once renamed.
    first = users[0]
    first.last_name = "N0099"
    first.save()
    many = client.get(url, {"q": "p n00"}).content.decode()
    assert many.count('class="list-group-item roster-row"') == 26
    assert "59 personnes correspondent : les 25 premières sont affichées" in many
    listed = [int(pk) for pk in re.findall(r'id="personne-(\d+)"', many)]
    assert listed == [user.pk for user in users[1:27] if user != camille]
    nobody = client.get(url, {"q": "personne"}).content.decode()
    assert "Aucune personne ne correspond à la recherche." in nobody


@pytest.mark.rule("A2")
def test_a_page_of_results_carries_only_its_people(client, organiser):
    """The script filters as one types and never sends the search: the page of results,
    for a phone without JavaScript, has its rows and the roster's counts."""
    activity = ActivityFactory()
    users = build_roster(activity, 200)
    url = reverse("activities:checkin", args=[activity.pk])

    everyone = client.get(url, {"q": ""})
    found = client.get(url, {"q": users[7].last_name})

    assert f'id="personne-{users[7].pk}"' in found.content.decode()
    assert found.context["counts"] == everyone.context["counts"]
    assert found.context["counts"]["total"] == 200
    assert "200 personnes correspondent : les 25 premières sont affichées" in (
        everyone.content.decode()
    )


def test_names_in_the_roster_json_cannot_close_its_script(client, organiser):
    activity = ActivityFactory()
    member = member_organisation(legal_name="Forge & Fils <b>")
    RepresentativeFactory(
        organisation=member, user__first_name="</script><script>alert(1)", user__last_name="É"
    )
    convene(activity, member)

    response = client.get(reverse("activities:checkin_roster", args=[activity.pk]))

    assert b"</script>" not in response.content and b"<b>" not in response.content
    assert people_of(client, activity)[0]["name"] == "</script><script>alert(1) É"
    assert people_of(client, activity)[0]["organisation"] == "Forge & Fils <b>"


@pytest.mark.rule("A2")
def test_one_tap_answers_the_recorded_attendance_in_json(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)

    response = mark(client, activity, rep.user, Attendance.PRESENT)

    assert response.status_code == 200
    assert response.json() == {"person": rep.user.pk, "attendance": "present"}
    participation = Participation.objects.get(activity=activity, user=rep.user)
    assert (participation.attendance, participation.organisation, participation.recorded_by) == (
        Attendance.PRESENT,
        member,
        organiser,
    )

    mark(client, activity, rep.user, Attendance.EXCUSED)
    assert (
        Participation.objects.get(activity=activity, user=rep.user).attendance == Attendance.EXCUSED
    )
    assert Participation.objects.count() == 1


@pytest.mark.rule("A2")
def test_a_tap_issues_the_same_queries_whatever_the_roster(client, organiser):
    counted = {}
    for people in (6, 42):
        activity = ActivityFactory()
        users = build_roster(activity, people)
        mark(client, activity, users[0], Attendance.ABSENT)  # caches warm up
        for name, person in (("first", users[-1]), ("again", users[-1])):
            with CaptureQueriesContext(connection) as queries:
                assert mark(client, activity, person, Attendance.PRESENT).status_code == 200
            counted[people, name] = len(queries.captured_queries)
    assert counted[6, "first"] == counted[42, "first"] <= 15, counted
    assert counted[6, "again"] == counted[42, "again"] <= 15, counted


def test_marking_without_javascript_goes_back_to_the_search(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)

    response = mark(client, activity, rep.user, Attendance.ABSENT, js=False, query="Dupré")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/pointage/?q=Dupr%C3%A9#personne-{rep.user.pk}")
    assert Participation.objects.get().attendance == Attendance.ABSENT
    page = client.get(response["Location"]).content.decode()
    assert "Dupré" in page


@pytest.mark.rule("A2")
def test_activity_organiser_may_check_in_but_others_may_not(client):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)
    stranger = UserFactory()
    client.force_login(stranger)

    assert client.get(reverse("activities:checkin", args=[activity.pk])).status_code == 403
    assert mark(client, activity, rep.user, Attendance.PRESENT).status_code == 403
    assert Participation.objects.count() == 0

    activity.organisers.add(stranger)
    assert mark(client, activity, rep.user, Attendance.PRESENT).status_code == 200
    assert Participation.objects.get().attendance == Attendance.PRESENT


def test_copil_may_check_in(client):
    client.force_login(user_in(Role.COPIL))
    activity = ActivityFactory()
    assert client.get(reverse("activities:checkin", args=[activity.pk])).status_code == 200


def test_marking_a_person_not_convened_is_refused_in_the_row(client, organiser):
    activity = ActivityFactory()
    outsider = RepresentativeFactory()

    response = mark(client, activity, outsider.user, Attendance.PRESENT)

    assert response.status_code == 400
    assert response.json()["person"] == outsider.user.pk
    assert "ajoutez-la comme participant sans convocation" in response.json()["error"]
    assert Participation.objects.count() == 0

    without_js = mark(client, activity, outsider.user, Attendance.PRESENT, js=False)
    assert without_js.status_code == 302
    page = client.get(without_js["Location"]).content.decode()
    assert "ajoutez-la comme participant sans convocation" in page
    assert Participation.objects.count() == 0


def test_marking_an_unknown_person_is_refused(client, organiser):
    activity = ActivityFactory()
    url = reverse("activities:checkin_mark", args=[activity.pk])

    for data in (
        {"person": "999999", "attendance": "present"},
        {"person": str(2**70), "attendance": "present"},
        {"mark": "x:present"},
        {},
    ):
        response = client.post(url, data, headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert response.json()["error"] == "Personne inconnue."
    assert Participation.objects.count() == 0


def test_unknown_attendance_value_changes_nothing(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)
    attend(activity, rep, Attendance.ABSENT)

    response = mark(client, activity, rep.user, "maybe")

    assert response.status_code == 400
    assert "Statut de présence inconnu" in response.json()["error"]
    assert Participation.objects.get().attendance == Attendance.ABSENT


def test_walk_in_form_has_its_own_page(client, organiser):
    activity = ActivityFactory()
    member = member_organisation(legal_name="Cobots de Moselle")
    convene(activity, member)

    response = client.get(reverse("activities:checkin_walk_in", args=[activity.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    # The organisation is searched, never listed whole (thousands at a plenary).
    assert 'name="organisation_search"' in html
    assert "Cobots de Moselle" not in html
    checkin = client.get(reverse("activities:checkin", args=[activity.pk])).content.decode()
    assert reverse("activities:checkin_walk_in", args=[activity.pk]) in checkin


@pytest.mark.rule("A2")
def test_walk_in_is_added_present_and_counts_for_the_chosen_organisation(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    convene(activity, member)

    response = client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {
            "email": "Nouvelle@Exemple.fr",
            "first_name": "Léa",
            "last_name": "Martin",
            "organisation": member.pk,
        },
    )

    assert response.status_code == 302
    participation = Participation.objects.get()
    assert participation.user.email == "Nouvelle@exemple.fr"
    assert participation.user.has_usable_password() is False
    assert (participation.attendance, participation.is_walk_in, participation.organisation) == (
        Attendance.PRESENT,
        True,
        member,
    )


def _walk_in(client, activity, **fields):
    data = {"email": "nouvelle@exemple.fr", "first_name": "Léa", "last_name": "Martin"}
    return client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]), {**data, **fields}
    )


@pytest.mark.rule("A2")
def test_walk_in_organisation_found_by_one_search_match_or_its_siren(client, organiser):
    activity = ActivityFactory()
    cobots = member_organisation(legal_name="Cobots de Moselle", siren="732829320")
    convene(activity, cobots)
    convene(activity, member_organisation(legal_name="Vosges Bois Robotique"))

    assert _walk_in(client, activity, organisation_search="cobots").status_code == 302
    assert _walk_in(
        client, activity, email="autre@exemple.fr", organisation_search="732 829 320"
    ).status_code == (302)

    assert {p.organisation for p in Participation.objects.all()} == {cobots}


def test_walk_in_several_matches_are_offered_and_the_choice_is_kept(client, organiser):
    activity = ActivityFactory()
    first = member_organisation(legal_name="Robotique de Moselle")
    convene(activity, first)
    convene(activity, member_organisation(legal_name="Robotique des Vosges"))
    not_convened = member_organisation(legal_name="Robotique d'Alsace")

    response = _walk_in(client, activity, organisation_search="robotique")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Plusieurs entités correspondent" in html
    assert 'value="robotique"' in html and 'value="Léa"' in html
    assert "Robotique de Moselle" in html and "Robotique des Vosges" in html
    assert not_convened.legal_name not in html
    assert Participation.objects.count() == 0

    chosen = _walk_in(client, activity, organisation_search="robotique", organisation=first.pk)
    assert chosen.status_code == 302
    assert Participation.objects.get().organisation == first


def test_walk_in_search_without_match_says_so_in_french(client, organiser):
    activity = ActivityFactory()
    convene(activity, member_organisation(legal_name="Cobots de Moselle"))

    response = _walk_in(client, activity, organisation_search="Inconnue SA")

    assert response.status_code == 400
    assert "Aucune entité convoquée à cette activité ne correspond" in response.content.decode()
    assert Participation.objects.count() == 0


def test_walk_in_page_does_not_grow_with_the_convened_organisations(
    client, organiser, django_assert_max_num_queries
):
    activity = ActivityFactory()
    url = reverse("activities:checkin_walk_in", args=[activity.pk])
    sizes = []
    for count in (2, 30):
        for _ in range(count - Organisation.objects.count()):
            convene(activity, member_organisation())
        with django_assert_max_num_queries(8):
            sizes.append(len(client.get(url).content))
    assert sizes[0] == sizes[1]


def test_walk_in_form_errors_keep_what_was_typed(client, organiser):
    activity = ActivityFactory()

    response = client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {"email": "pas-une-adresse", "first_name": "Léa"},
    )

    assert response.status_code == 400
    assert 'value="Léa"' in response.content.decode()
    assert Participation.objects.count() == 0


# --- The check-in in the audit trail --------------------------------------------------


@pytest.mark.rule("A2")
def test_each_tap_writes_an_audit_entry_with_ids_only(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(
        organisation=member, user__email="lea.martin@exemple.fr", user__last_name="Martin"
    )
    convene(activity, member)

    mark(client, activity, rep.user, Attendance.PRESENT)
    mark(client, activity, rep.user, Attendance.EXCUSED, js=False)

    participation = Participation.objects.get()
    entries = list(AuditEntry.objects.order_by("created_at", "pk"))
    assert [entry.action for entry in entries] == [
        "activities.participation.checked_in",
        "activities.participation.checked_in",
    ]
    first, second = entries
    assert (first.actor, first.object_type, first.object_id) == (
        organiser,
        "activities.participation",
        str(participation.pk),
    )
    assert first.data == {
        "activity": activity.pk,
        "user": rep.user.pk,
        "organisation": member.pk,
        "attendance": "present",
    }
    assert second.data["attendance"] == "excused"
    written = " ".join(str(entry.data) for entry in entries)
    assert "Martin" not in written and "exemple.fr" not in written


def test_a_refused_tap_writes_no_audit_entry(client, organiser):
    activity = ActivityFactory()
    outsider = RepresentativeFactory()

    mark(client, activity, outsider.user, Attendance.PRESENT)
    mark(client, activity, outsider.user, "maybe")

    assert not AuditEntry.objects.exists()


@pytest.mark.rule("A2")
def test_a_walk_in_writes_an_audit_entry(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    convene(activity, member)

    client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {
            "email": "nouvelle@exemple.fr",
            "first_name": "Léa",
            "last_name": "Martin",
            "organisation": member.pk,
        },
    )

    participation = Participation.objects.get()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == (
        "activities.participation.walk_in_added",
        organiser,
        str(participation.pk),
    )
    assert entry.data == {
        "activity": activity.pk,
        "user": participation.user_id,
        "organisation": member.pk,
        "attendance": "present",
    }


def test_the_search_folds_the_whole_roster_as_each_person_alone():
    """The search folds every person's text in one pass: it finds whom folding each
    person's text alone finds, and no match spans two people."""
    names = [
        ("Camille", "Lefèvre", "Forge Ærø"),
        ("Øyvind", "Straße", ""),
        ("", "", "Œuvre commune"),
        ("Zoé", "Noël", "Atelier ﬁn"),
        ("Jean", "Dupont", "Dupont & Fils"),
        ("Ève", "Martin", "Zoé Conseil"),
    ]
    # In the roster's order (an empty search orders them), as the search lists its matches.
    people = checkin_search(
        people=[
            CheckinPerson(index, first, last, f"p{index}@exemple.fr", index or None, organisation)
            for index, (first, last, organisation) in enumerate(names)
        ],
        query="",
    )
    queries = [
        "lefevre",
        "LEFÈVRE",
        "ærø",
        "forge r",
        "yvind",
        "strasse",
        "straße",
        "uvre",
        "noel",
        "fin",
        "ﬁn",
        "zoe",
        "p3@",
        "exemple.fr",
        "fils p4",
        "conseil p",
        "commune",
        "fr øyvind",
        "fr yvind",
        "\0",
        "a\0b",
        "e",
        " ",
        "",
    ]
    for query in queries:
        alone = _folded(query.replace("\0", "").strip())
        expected = [
            person
            for person in people
            if alone in _folded(f"{person.name} {person.email} {person.organisation}")
        ]
        assert checkin_search(people=people, query=query) == expected, query
    # A name holding the separator (never stored on PostgreSQL) is searched without it.
    people.append(CheckinPerson(99, "Anne\0", "Nul", "nul@exemple.fr", None, ""))
    assert checkin_search(people=people, query="anne nul") == [people[-1]]
    # A query that would span the end of one person's text and the start of the next
    # matches no one.
    assert checkin_search(people=people, query="fils eve") == []
    assert [p.last_name for p in checkin_search(people=people, query="lefevre")] == ["Lefèvre"]
