"""The COPIL's overview of deadlines (/copil/echeances/), its iCalendar export, and each
person's own deadlines on their dashboard."""

import datetime

import pytest
import vobject
from django.urls import reverse
from freezegun import freeze_time
from icalendar import Calendar

from core import deadlines as engine
from core.deadlines import Deadline
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


def test_filter_by_organisation(client, world):
    client.force_login(world["copil"])
    response = client.get(reverse("deadlines:overview"), {"organisation": world["second"].pk})
    assert keys(response) == ["soon"]


def test_a_bad_filter_is_refused_without_error(client, world):
    client.force_login(world["copil"])
    response = client.get(reverse("deadlines:overview"), {"kind": "nope", "organisation": "x"})
    assert response.status_code == 400
    assert keys(response) == ["late", "soon", "opt"]  # unfiltered, with the errors shown


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
