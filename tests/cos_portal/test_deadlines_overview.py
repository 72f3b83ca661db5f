"""The COPIL's overview of deadlines (/copil/echeances/), its iCalendar export, and each
person's own deadlines on their dashboard."""

import datetime
import html

import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from icalendar import Calendar

from core import deadlines as engine
from core.deadlines import Deadline
from cos_portal.views_deadlines import ICS_NAMED, OVERVIEW_NAMED_ACTORS, OVERVIEW_PAGE_SIZE
from members.views import DASHBOARD_DEADLINES
from tests.governance.commissions.factories import copil_user
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def frozen():
    with freeze_time("2026-06-15 10:00:00+02:00"):
        yield


@pytest.fixture
def only_test_kinds(monkeypatch):
    """The registry holds two test kinds only, so each assertion sees known deadlines."""
    monkeypatch.setattr(engine, "_REGISTRY", {})
    found: dict[str, list[Deadline]] = {"test.charter": [], "test.optional": []}
    engine.deadline_source("test.charter", label="Signature de test", required=True)(
        lambda *, start, end: found["test.charter"]
    )
    engine.deadline_source("test.optional", label="Rappel facultatif", required=False)(
        lambda *, start, end: found["test.optional"]
    )
    return found


def deadline(kind, key, due, *, actors=(), organisation=None, label="À faire"):
    return Deadline(
        key=key,
        kind=kind,
        label=label,
        due=due,
        act_url="/charte/signer/",
        actors=tuple(actors),
        informed=(),
        offsets=(7, 1, 0),
        required=kind == "test.charter",
        organisation_id=organisation.pk if organisation else None,
    )


@pytest.fixture
def world(frozen, only_test_kinds):
    first, second = member_organisation(legal_name="Alpha"), member_organisation(legal_name="Beta")
    actor = RepresentativeFactory(organisation=first).user
    days = datetime.timedelta
    only_test_kinds["test.charter"] += [
        deadline("test.charter", "late", TODAY - days(3), actors=[actor.pk], organisation=first),
        deadline("test.charter", "soon", TODAY + days(10), organisation=second, label="Bientôt"),
        deadline("test.charter", "too-old", TODAY - days(31), organisation=first),
        deadline("test.charter", "too-far", TODAY + days(91), organisation=first),
    ]
    only_test_kinds["test.optional"] += [
        deadline("test.optional", "opt", TODAY + days(90), actors=[actor.pk], organisation=first)
    ]
    copil = copil_user()
    return {"copil": copil, "actor": actor, "first": first, "second": second}


def text(response) -> str:
    return html.unescape(response.content.decode())


def keys(response):
    return [row.deadline.key for row in response.context["rows"]]


def test_the_next_90_days_and_30_days_overdue(client, world):
    client.force_login(world["copil"])

    response = client.get(reverse("deadlines:overview"))

    assert response.status_code == 200
    assert keys(response) == ["late", "soon", "opt"]
    page = response.content.decode()
    assert "en retard de 3 jours" in page
    assert "dans 10 jours" in page
    assert "Alpha" in page and "Beta" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "test.optional"}, ["opt"]),
        ({"overdue": "on"}, ["late"]),
        ({"kind": "test.charter", "overdue": ""}, ["late", "soon"]),
    ],
)
def test_filters(client, world, query, expected):
    client.force_login(world["copil"])
    assert keys(client.get(reverse("deadlines:overview"), query)) == expected


def test_filter_by_a_part_of_the_entity_name(client, world):
    client.force_login(world["copil"])
    response = client.get(reverse("deadlines:overview"), {"entity": "BET"})
    assert keys(response) == ["soon"]
    assert 'value="BET"' in response.content.decode()  # what was typed, kept


def test_a_bad_filter_is_refused_without_error(client, world):
    client.force_login(world["copil"])
    response = client.get(reverse("deadlines:overview"), {"kind": "nope"})
    assert response.status_code == 400
    assert keys(response) == ["late", "soon", "opt"]  # unfiltered, with the errors shown


def test_the_overview_pages_its_rows_and_keeps_the_filters_in_its_links(
    client, world, only_test_kinds
):
    later = [
        deadline("test.charter", f"more-{n:03d}", TODAY + datetime.timedelta(days=20))
        for n in range(OVERVIEW_PAGE_SIZE + 3)
    ]
    only_test_kinds["test.charter"] += later
    client.force_login(world["copil"])

    first = client.get(reverse("deadlines:overview"), {"kind": "test.charter"})
    second = client.get(reverse("deadlines:overview"), {"kind": "test.charter", "page": "2"})

    assert len(keys(first)) == OVERVIEW_PAGE_SIZE
    assert keys(first)[:2] == ["late", "soon"]
    assert keys(second) == [d.key for d in later[OVERVIEW_PAGE_SIZE - 2 :]]
    page = first.content.decode()
    assert f"{OVERVIEW_PAGE_SIZE + 5} échéances" in page
    assert "?kind=test.charter&amp;page=2" in page
    # The export holds the whole filtered list, not a page of it: the 53 deadlines of one
    # kind due the same day as one event (see test_a_day_of_many_deadlines_is_one_event).
    calendar = Calendar.from_ical(
        client.get(reverse("deadlines:ics"), {"kind": "test.charter"}).content
    )
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "À faire — Alpha",
        "Bientôt — Beta",
        f"Signature de test : {OVERVIEW_PAGE_SIZE + 3} échéances",
    ]


def test_a_row_names_its_first_actors_and_counts_the_others(client, world, only_test_kinds):
    actors = [UserFactory(last_name=f"Acteur {n:02d}") for n in range(OVERVIEW_NAMED_ACTORS + 4)]
    only_test_kinds["test.optional"].append(
        deadline(
            "test.optional",
            "crowd",
            TODAY + datetime.timedelta(days=5),
            actors=[a.pk for a in actors],
        )
    )
    client.force_login(world["copil"])

    response = client.get(reverse("deadlines:overview"), {"kind": "test.optional"})

    row = next(r for r in response.context["rows"] if r.deadline.key == "crowd")
    assert len(row.actors) == OVERVIEW_NAMED_ACTORS
    assert "et 4 autres personnes" in response.content.decode()


def test_the_ical_export_holds_the_filtered_list(client, world, settings):
    settings.SITE_URL = "https://portail.cos-ge.example/"
    client.force_login(world["copil"])

    response = client.get(reverse("deadlines:ics"), {"kind": "test.charter"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Échéances COS-GE"
    assert calendar["refresh-interval"].to_ical() == b"PT1H"
    events = calendar.walk("VEVENT")
    assert [(str(e["uid"]), e.decoded("dtstart")) for e in events] == [
        ("late@portail.cos-ge.example", TODAY - datetime.timedelta(days=3)),
        ("soon@portail.cos-ge.example", TODAY + datetime.timedelta(days=10)),
    ]
    assert str(events[1]["summary"]) == "Bientôt — Beta"
    assert str(events[0]["url"]) == "https://portail.cos-ge.example/charte/signer/"
    parsed = vobject.readOne(response.content.decode())
    assert [(e.uid.value, e.url.value) for e in parsed.vevent_list] == [
        ("late@portail.cos-ge.example", "https://portail.cos-ge.example/charte/signer/"),
        ("soon@portail.cos-ge.example", "https://portail.cos-ge.example/charte/signer/"),
    ]


def test_only_the_copil_sees_the_overview(client, world):
    client.force_login(world["actor"])
    assert client.get(reverse("deadlines:overview")).status_code == 403
    assert client.get(reverse("deadlines:ics")).status_code == 403


def test_the_overview_has_a_constant_number_of_queries(
    client, frozen, django_assert_max_num_queries
):
    """With the real sources: more organisations and deadlines, the same queries."""
    copil = copil_user()
    client.force_login(copil)
    counts = []
    for size in (2, 12):
        for _ in range(size):
            member_organisation()  # members with no representative: an M9 deadline each
        with django_assert_max_num_queries(40) as captured:
            response = client.get(reverse("deadlines:overview"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert len(response.context["rows"]) >= 14


def test_the_overview_keeps_its_size_however_many_entities_have_a_deadline(client, frozen):
    """With the real sources: a page of rows, and no list of every entity to filter on."""
    client.force_login(copil_user())
    for _ in range(OVERVIEW_PAGE_SIZE + 5):
        member_organisation()  # members with no representative: an M9 deadline each
    before = client.get(reverse("deadlines:overview"))
    for _ in range(20):
        member_organisation()
    after = client.get(reverse("deadlines:overview"))

    assert len(after.context["rows"]) == len(before.context["rows"]) == OVERVIEW_PAGE_SIZE
    assert "<option" not in after.content.decode().split('id="id_entity"')[1].split("</form>")[0]
    assert abs(len(after.content) - len(before.content)) < 200


# --- Each person's own deadlines on the dashboard -----------------------------------------------


def test_the_dashboard_shows_my_deadlines_with_a_link_to_act(client, world):
    client.force_login(world["actor"])

    response = client.get(reverse("space:dashboard"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Mes échéances" in page
    assert "À faire" in page  # "late" and "opt": the person acts on both
    assert 'href="/charte/signer/"' in page
    assert "Bientôt" not in page  # another organisation's deadline


def test_the_dashboard_without_deadlines(client, world):
    client.force_login(UserFactory())
    page = client.get(reverse("space:dashboard")).content.decode()
    assert "Aucune échéance dans les 90 prochains jours." in page


def test_the_dashboard_has_a_constant_number_of_queries(
    client, frozen, django_assert_max_num_queries
):
    person = RepresentativeFactory(organisation=member_organisation(), is_authorised_signatory=True)
    client.force_login(person.user)
    counts = []
    for size in (2, 12):
        for _ in range(size):
            member_organisation()
        with django_assert_max_num_queries(40) as captured:
            assert client.get(reverse("space:dashboard")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_dashboard_shows_my_first_deadlines_and_all_of_them_on_request(
    client, world, only_test_kinds
):
    """The COPIL acts on hundreds of deadlines: the dashboard shows the most urgent, counts
    the others, and lists them all when asked; its size does not grow with them."""
    actor = world["actor"]

    def add(count):
        start = len(only_test_kinds["test.optional"])
        only_test_kinds["test.optional"] += [
            deadline(
                "test.optional",
                f"mine-{start + n:03d}",
                TODAY + datetime.timedelta(days=30 + start + n),
                actors=[actor.pk],
            )
            for n in range(count)
        ]

    client.force_login(actor)
    add(DASHBOARD_DEADLINES + 3)
    few = client.get(reverse("space:dashboard"))
    add(30)
    many = client.get(reverse("space:dashboard"))
    every = client.get(reverse("space:dashboard"), {"echeances": "toutes"})

    shown = DASHBOARD_DEADLINES
    assert len(few.context["deadlines"]) == len(many.context["deadlines"]) == shown
    assert many.context["deadlines"][0].deadline.key == "late"  # overdue first
    assert abs(len(many.content) - len(few.content)) < 100
    others = 2 + DASHBOARD_DEADLINES + 3 + 30 - shown  # "late", "opt", then those added
    assert f"{others} autres échéances" in text(many)
    assert "?echeances=toutes#my-deadlines" in many.content.decode()
    assert len(every.context["deadlines"]) == shown + others
    assert "autres échéances" not in text(every)


def test_a_day_of_many_deadlines_is_one_event(client, world, only_test_kinds, settings):
    """The day every member owes the new charter: one event naming the first entities and
    leading to the overview filtered on that kind, not one event per entity (at twenty
    thousand entities, a calendar of twenty thousand identical events)."""
    settings.SITE_URL = "https://portail.cos-ge.example/"
    due = TODAY + datetime.timedelta(days=30)
    crowd = [member_organisation(legal_name=f"Entité {n:02d}") for n in range(ICS_NAMED + 3)]
    only_test_kinds["test.charter"] += [
        deadline("test.charter", f"crowd-{n:02d}", due, organisation=o) for n, o in enumerate(crowd)
    ]
    only_test_kinds["test.optional"].append(
        deadline("test.optional", "same-day", due, organisation=world["first"])
    )
    client.force_login(world["copil"])

    def events(count: int):
        only_test_kinds["test.charter"][4:] = [
            deadline("test.charter", f"crowd-{n:02d}", due, organisation=o)
            for n, o in enumerate(crowd[:count])
        ]
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("deadlines:ics"))
        calendar = Calendar.from_ical(response.content)
        return calendar.walk("VEVENT"), len(context.captured_queries), response

    few, few_queries, _response = events(2)
    many, many_queries, response = events(len(crowd))

    assert many_queries == few_queries
    assert [str(e["summary"]) for e in few] == [
        "À faire — Alpha",
        "Bientôt — Beta",
        "Signature de test : 2 échéances",
        "À faire — Alpha",  # another kind, the same day: its own event
        "À faire — Alpha",
    ]
    day = many[2]
    assert str(day["summary"]) == f"Signature de test : {ICS_NAMED + 3} échéances"
    assert str(day["uid"]) == f"day:test.charter:{due:%Y%m%d}@portail.cos-ge.example"
    assert day.decoded("dtstart") == due
    assert str(day["url"]) == ("https://portail.cos-ge.example/copil/echeances/?kind=test.charter")
    description = str(day["description"])
    assert ", ".join(f"Entité {n:02d}" for n in range(ICS_NAMED)) in description
    assert "et 3 autres" in description
    assert "Entité 12" not in description
    parsed = vobject.readOne(response.content.decode())
    assert len(parsed.vevent_list) == 5
