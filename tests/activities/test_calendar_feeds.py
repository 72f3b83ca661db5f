"""The calendar feeds as calendar software reads them (icalendar and vobject): UIDs under
the portal's domain, SEQUENCE and LAST-MODIFIED that follow a change made in the admin,
STATUS:CANCELLED for a cancelled activity, a link back to the activity, and the
``webcal://`` subscription links of the pages."""

import datetime

import pytest
import vobject
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from icalendar import Calendar

from activities.exceptions import ActivityCancelled, ActivityChangeRefused
from activities.models import Activity, Participation
from activities.services import activity_cancel, participation_register
from core.models import AuditEntry
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, convene
from .test_admin import form_data

pytestmark = pytest.mark.django_db

SITE = "https://portail.cos-ge.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def copil_client():
    copil = Client()
    copil.force_login(UserFactory(is_staff=True, is_superuser=True))
    return copil


def feed(client, url=None):
    """The public feed read by both libraries: the icalendar event and the vobject one."""
    response = client.get(url or reverse("activities:calendar"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    parsed = vobject.readOne(response.content.decode())
    return calendar, calendar.walk("VEVENT"), parsed.vevent_list


def test_every_event_carries_the_fields_calendar_software_needs(client):
    activity = ActivityFactory(
        title="Salon Industrie du futur",
        starts_at=timezone.now() + datetime.timedelta(days=20),
    )
    calendar, [event], [vevent] = feed(client)

    assert str(calendar["x-wr-calname"]) == "Activités publiques COS-GE"
    assert calendar["refresh-interval"].to_ical() == b"PT1H"
    assert calendar["refresh-interval"].params["VALUE"] == "DURATION"
    assert calendar["x-published-ttl"].to_ical() == b"PT1H"
    url = f"{SITE}/activites/{activity.pk}/"
    assert str(event["uid"]) == vevent.uid.value == f"activity-{activity.pk}@portail.cos-ge.example"
    assert event["sequence"] == int(vevent.sequence.value) == 0
    assert str(event["status"]) == vevent.status.value == "CONFIRMED"
    assert str(event["url"]) == vevent.url.value == url
    assert url in vevent.description.value
    assert (
        event.decoded("last-modified")
        == vevent.last_modified.value
        == activity.updated_at.replace(microsecond=0)
    )
    assert vevent.dtstamp.value
    assert client.get(vevent.url.value.removeprefix(SITE)).status_code == 200


def test_a_change_in_the_admin_raises_the_sequence_and_the_last_modified(copil_client, client):
    created = form_data()
    # The same day in every post, even when the clock below crosses midnight in Paris.
    day = {"starts_at_0": created["starts_at_0"], "ends_at_0": created["ends_at_0"]}
    copil_client.post(reverse("admin:activities_activity_add"), created)
    activity = Activity.objects.get()
    activity.is_public = True
    activity.save()
    _calendar, [before], [before_v] = feed(client)
    assert before["sequence"] == 0

    with freeze_time(timezone.now() + datetime.timedelta(minutes=5)):
        response = copil_client.post(
            reverse("admin:activities_activity_change", args=[activity.pk]),
            form_data(is_public="on", city="Colmar", postcode="68000", place="Parc expo", **day),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors

    _calendar, [after], [after_v] = feed(client)
    assert after["uid"] == before["uid"]
    assert after["sequence"] == int(after_v.sequence.value) == 1
    assert after_v.last_modified.value > before_v.last_modified.value
    assert str(after["location"]) == "Parc expo, 68000, Colmar"

    # A change calendars do not show (who is convened) leaves the sequence alone.
    copil_client.post(
        reverse("admin:activities_activity_change", args=[activity.pk]),
        form_data(is_public="on", city="Colmar", postcode="68000", place="Parc expo",
                  convened_scope="named", **day),
    )  # fmt: skip
    assert Activity.objects.get().sequence == 1


def test_a_cancelled_activity_stays_in_the_feeds_marked_cancelled(copil_client, client):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=20))
    user = UserFactory()
    client.force_login(user)
    token_page = client.get(reverse("activities:my_attendance"))
    private = token_page.context["calendar_url"].removeprefix(SITE)
    client.logout()

    response = copil_client.post(
        reverse("admin:activities_activity_changelist"),
        {"action": "cancel", "_selected_action": [activity.pk]},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("admin:activities_activity_changelist")
    activity.refresh_from_db()
    assert activity.is_cancelled
    _calendar, [event], [vevent] = feed(client)
    assert str(event["status"]) == vevent.status.value == "CANCELLED"
    assert event["sequence"] == int(vevent.sequence.value) == 1
    entry = AuditEntry.objects.get(action="activities.activity.cancelled")
    assert entry.data["title"] == activity.title
    assert "Annulée" in client.get(reverse("activities:list")).content.decode()
    assert client.get(private).status_code == 200


def test_a_started_activity_cannot_be_cancelled_and_cancelling_twice_changes_nothing():
    held = ActivityFactory()  # started ten days ago
    with pytest.raises(ActivityChangeRefused):
        activity_cancel(activity=held, actor=None)
    held.refresh_from_db()
    assert (held.cancelled_at, held.sequence) == (None, 0)

    coming = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    first = activity_cancel(activity=coming, actor=None)
    again = activity_cancel(activity=coming, actor=None)
    assert (again.cancelled_at, again.sequence) == (first.cancelled_at, 1)
    assert AuditEntry.objects.filter(action="activities.activity.cancelled").count() == 1


def test_nobody_registers_to_a_cancelled_activity():
    organisation = member_organisation()
    representative = RepresentativeFactory(organisation=organisation)
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    convene(activity, organisation)
    activity = activity_cancel(activity=activity, actor=None)
    with pytest.raises(ActivityCancelled):
        participation_register(activity=activity, user=representative.user, coming=True)
    assert not Participation.objects.exists()


def test_the_pages_offer_a_webcal_subscription_beside_the_download(client):
    html = client.get(reverse("activities:list")).content.decode()
    assert 'href="webcal://portail.cos-ge.example/activites/calendrier.ics"' in html
    assert f'href="{SITE}/activites/calendrier.ics"' in html

    client.force_login(UserFactory())
    response = client.get(reverse("activities:my_attendance"))
    private = response.context["calendar_url"]
    assert private.startswith(f"{SITE}/activites/calendrier/")
    html = response.content.decode()
    assert f'href="webcal://{private.removeprefix("https://")}"' in html
    assert f'href="{private}"' in html


def test_calendar_software_asking_again_gets_not_modified_until_the_feed_changes(
    copil_client, client
):
    """Subscribed calendars ask again every hour: a feed they already hold is answered
    « 304 Not Modified » from one count of its activities, not built again; any change
    of what it shows (an activity added, changed, cancelled or deleted) gives a new one."""
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=20))
    first = client.get(reverse("activities:calendar"))
    etag = first["ETag"]

    with CaptureQueriesContext(connection) as context:
        again = client.get(reverse("activities:calendar"), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert len(context.captured_queries) == 1

    def changed() -> str:
        response = client.get(reverse("activities:calendar"), headers={"if-none-match": etag})
        assert response.status_code == 200
        assert response["ETag"] != etag
        return response["ETag"]

    with freeze_time(timezone.now() + datetime.timedelta(minutes=1)):
        activity.title = "Salon renommé"
        activity.save()
    etag = changed()
    other = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=30))
    etag = changed()
    other.delete()
    etag = changed()
    # In English, the same activities are another feed (its categories are translated).
    english = client.get(
        reverse("activities:calendar"), headers={"if-none-match": etag, "accept-language": "en"}
    )
    assert english.status_code == 200


def test_a_person_s_feed_is_not_modified_until_their_activities_change(client):
    user = UserFactory()
    client.force_login(user)
    private = client.get(reverse("activities:my_attendance")).context["calendar_url"]
    url = private.removeprefix(SITE)
    client.logout()
    etag = client.get(url)["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    ActivityFactory(starts_at=timezone.now() + datetime.timedelta(days=5))
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
