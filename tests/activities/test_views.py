"""Pages of activities: public list, detail, registration, calendars, member and COPIL ratio views."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities.constants import Attendance, Registration
from activities.models import AttendanceRatio, CalendarToken, Participation
from activities.services import attendance_ratios_compute
from members.constants import Role
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db


def soon(**kwargs):
    return ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=7), **kwargs)


def ics_titles(response) -> list[str]:
    calendar = Calendar.from_ical(response.content)
    return sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))


@pytest.mark.rule("A1")
def test_public_list_shows_public_upcoming_activities_with_constant_queries(
    client, django_assert_max_num_queries
):
    soon(title="Visite d'usine")
    soon(title="Réunion interne", is_public=False)
    ActivityFactory(title="Atelier passé", starts_at=timezone.now() - datetime.timedelta(days=3))

    with django_assert_max_num_queries(3):
        response = client.get(reverse("activities:list"))
    assert [a.title for a in response.context["page"]] == ["Visite d'usine"]

    for n in range(15):
        soon(title=f"Salon {n}")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("activities:list"))
    assert len(response.context["page"]) == 16


@pytest.mark.rule("A1")
def test_members_see_the_private_activities_they_are_convened_to(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member, end_date=None)
    mine = soon(title="Groupe de travail jumeau numérique", is_public=False)
    soon(title="Réunion du COPIL", is_public=False)
    convene(mine, member)
    client.force_login(rep.user)

    response = client.get(reverse("activities:list"))

    assert [a.title for a in response.context["page"]] == ["Groupe de travail jumeau numérique"]
    assert client.get(reverse("activities:detail", args=[mine.pk])).status_code == 200


def test_private_activity_detail_is_hidden_from_others(client):
    hidden = soon(is_public=False)
    assert client.get(reverse("activities:detail", args=[hidden.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("activities:detail", args=[hidden.pk])).status_code == 404


def test_convened_representative_registers_from_the_detail_page(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    activity = soon()
    convene(activity, member)
    client.force_login(rep.user)

    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert "Indiquez si vous viendrez" in page.content.decode()
    assert "Je viendrai" in page.content.decode()
    response = client.post(reverse("activities:register", args=[activity.pk]), {"coming": "yes"})

    assert response.status_code == 302
    assert Participation.objects.get().registration == Registration.COMING


def test_the_venue_prompt_asks_only_when_buttons_let_the_member_answer(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    past = ActivityFactory(starts_at=timezone.now() - datetime.timedelta(days=2))
    convene(past, member)
    client.force_login(rep.user)

    page = client.get(reverse("activities:detail", args=[past.pk])).content.decode()

    assert "Indiquez si vous viendrez" not in page and "Je viendrai" not in page
    assert "les réponses sont closes" in page


def test_registration_by_someone_not_convened_is_refused_with_a_message(client):
    activity = soon()
    client.force_login(RepresentativeFactory().user)

    response = client.post(
        reverse("activities:register", args=[activity.pk]), {"coming": "yes"}, follow=True
    )

    assert "pas convoqué à cette activité." in response.content.decode()
    assert Participation.objects.count() == 0


@pytest.mark.rule("A1")
def test_public_calendar_feed_lists_public_activities_only(client):
    soon(title="Salon Industrie du futur")
    soon(title="Réunion du COPIL", is_public=False)

    response = client.get(reverse("activities:calendar"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics_titles(response) == ["Salon Industrie du futur"]


@pytest.mark.rule("A1")
def test_private_feed_follows_its_token_and_stops_when_revoked(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    mine = soon(title="Atelier réservé", is_public=False)
    soon(title="Autre réunion", is_public=False)
    convene(mine, member)
    client.force_login(rep.user)
    client.get(reverse("activities:my_attendance"))
    old = CalendarToken.objects.get(user=rep.user).token
    client.logout()

    response = client.get(reverse("activities:private_calendar", args=[old]))
    assert ics_titles(response) == ["Atelier réservé"]

    client.force_login(rep.user)
    client.post(reverse("activities:calendar_token"))
    client.logout()
    new = CalendarToken.objects.get(user=rep.user).token
    assert new != old
    assert client.get(reverse("activities:private_calendar", args=[old])).status_code == 404
    assert client.get(reverse("activities:private_calendar", args=[new])).status_code == 200


@pytest.mark.rule("A3")
def test_member_sees_its_ratio_the_activities_counted_and_a_warning_near_the_threshold(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    held = [
        ActivityFactory(starts_at=timezone.now() - datetime.timedelta(days=d))
        for d in (3, 4, 5, 6, 7)
    ]
    for activity in held:
        convene(activity, member)
    attend(held[0], rep)
    attend(held[1], rep)
    attend(held[2], rep, Attendance.EXCUSED)
    upcoming = soon(title="Prochaine plénière")
    convene(upcoming, member)
    attendance_ratios_compute()
    client.force_login(rep.user)

    response = client.get(reverse("activities:my_attendance"))

    html = response.content.decode()
    item = response.context["items"][0]
    assert (item["ratio"].attended, item["ratio"].convened) == (2, 5)
    assert item["near_threshold"] is True  # 40 % < 33 % + 10 points
    assert len(item["counted"]) == 5
    assert "40,0 % (2 sur 5)" in html
    assert "approche du seuil" in html
    assert "Excusée (compte comme absente)" in html
    assert "Prochaine plénière" in html


@pytest.mark.rule("A3")
def test_member_with_nothing_convened_is_told_it_has_no_ratio(client):
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    attendance_ratios_compute()
    client.force_login(rep.user)

    response = client.get(reverse("activities:my_attendance"))

    assert "Aucun taux" in response.content.decode()
    assert "0 %" not in response.content.decode()


@pytest.mark.rule("A3", "L3")
def test_copil_dashboard_sorts_members_by_ratio_and_flags_those_below_threshold(
    client, django_assert_max_num_queries
):
    low, high, none = (
        member_organisation(legal_name=n) for n in ("Basse", "Haute", "Sans activité")
    )
    reps = {o: RepresentativeFactory(organisation=o) for o in (low, high)}
    for day in (3, 4, 5, 6):
        activity = ActivityFactory(starts_at=timezone.now() - datetime.timedelta(days=day))
        convene(activity, low, high)
        attend(activity, reps[high])
        if day == 3:
            attend(activity, reps[low])
    attendance_ratios_compute()
    client.force_login(user_in(Role.COPIL))

    with django_assert_max_num_queries(10):
        response = client.get(reverse("activities:ratio_dashboard"))

    rows = response.context["rows"]
    assert [r["snapshot"].organisation.legal_name for r in rows] == [
        "Basse",
        "Haute",
        "Sans activité",
    ]
    assert [r["snapshot"].is_below_threshold for r in rows] == [True, False, False]
    assert [len(r["trend"]) for r in rows] == [1, 1, 1]
    assert "Sous 33 %" in response.content.decode()


def test_dashboard_and_recompute_are_for_the_copil_only(client):
    client.force_login(user_in(Role.ORGANISERS))
    assert client.get(reverse("activities:ratio_dashboard")).status_code == 403
    assert client.post(reverse("activities:ratio_recompute")).status_code == 403
    assert AttendanceRatio.objects.count() == 0


@pytest.mark.rule("A4")
def test_recompute_now_button_runs_the_job(client, django_capture_on_commit_callbacks):
    member = member_organisation()
    client.force_login(user_in(Role.COPIL))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:ratio_recompute"))

    assert response.status_code == 302
    assert AttendanceRatio.objects.get().organisation == member


@pytest.mark.rule("A4")
def test_admin_recompute_button_runs_the_job(client, django_capture_on_commit_callbacks):
    member = member_organisation()
    copil = user_in(Role.COPIL, is_staff=True)
    client.force_login(copil)

    page = client.get(reverse("admin:activities_attendanceratio_changelist"))
    assert "Recalculer maintenant" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:activities_attendanceratio_recompute"))

    assert response.status_code == 302
    assert AttendanceRatio.objects.get().organisation == member


def test_dashboard_draws_each_members_monthly_trend_without_inline_style(client):
    member = member_organisation()
    now = timezone.now()
    for months_ago, attended in ((2, 1), (1, 2), (0, 3)):
        AttendanceRatio.objects.create(
            organisation=member,
            date=timezone.localdate(now) - datetime.timedelta(days=31 * months_ago),
            window_start=now,
            window_end=now,
            convened=4,
            attended=attended,
            threshold_percent=33,
            computed_at=now,
        )
    client.force_login(user_in(Role.COPIL))

    response = client.get(reverse("activities:ratio_dashboard"))

    html = response.content.decode()
    row = response.context["rows"][0]
    assert [p.ratio_percent for p in row["trend"]] == [25.0, 50.0, 75.0]
    assert row["chart"]["points"] == "0.0,17.0 45.0,12.0 90.0,7.0"
    assert '<polyline points="0.0,17.0 45.0,12.0 90.0,7.0"' in html
    assert 'y1="15.4"' in html
    assert "style=" not in html


def test_public_detail_hides_the_video_link_from_anonymous_visitors(client):
    activity = soon(online_url="https://visio.exemple.fr/salle", place="", postcode="", city="")

    response = client.get(reverse("activities:detail", args=[activity.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "En ligne" in html
    assert "visio.exemple.fr" not in html
    assert "Pointer les présences" not in html


def test_organiser_finds_the_check_in_tools_on_the_detail_page(client):
    activity = soon()
    client.force_login(user_in(Role.ORGANISERS))

    html = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()

    assert reverse("activities:checkin", args=[activity.pk]) in html
    assert reverse("activities:attendance_import", args=[activity.pk]) in html
