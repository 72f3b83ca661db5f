"""No admin form lists every person, entity or activity: the COPIL searches them.

At 20,000 organisations and 40,000 people the forms of an activity, a COPIL meeting and a
mandate weighed 3.5 to 5.9 MB and took 8 to 22 s to render, one <option> per row of the
table. Their fields now search as one types (the admin's autocomplete), so every add form
of the admin, and the change forms with rows of people, keep their size whatever the
number of people, entities and activities; a COPIL member (not a superuser) finds them.
"""

import datetime
import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from activities.models import Activity
from governance.copil.models import CopilMeeting, CopilMeetingAttendance
from members.constants import Role
from members.models import Organisation, User
from tests.activities.factories import ActivityFactory
from tests.members.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# A few bytes may differ from one rendering to the next (the CSRF token has one length).
SLACK_BYTES = 200


def add_forms() -> list[str]:
    urls = []
    for model in admin.site._registry:
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        except NoReverseMatch:  # pragma: no cover (every admin has its add view)
            continue
    return urls


def sizes(client, urls) -> dict[str, int]:
    pages = {url: client.get(url) for url in urls}
    return {url: len(page.content) for url, page in pages.items() if page.status_code == 200}


def more_of_everything(count: int) -> None:
    UserFactory.create_batch(count)
    OrganisationFactory.create_batch(count)
    ActivityFactory.create_batch(count)


def test_no_admin_form_grows_with_the_people_entities_and_activities(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    meeting = CopilMeeting.objects.create(
        title="COPIL de rentrée", held_on=datetime.date(2026, 9, 15), activity=ActivityFactory()
    )
    CopilMeetingAttendance.objects.create(meeting=meeting, member=superuser, present=True)
    activity = ActivityFactory()
    activity.organisers.add(superuser)
    activity.invited_organisations.add(OrganisationFactory())
    client.force_login(superuser)
    urls = [
        *add_forms(),
        reverse("admin:governance_copilmeeting_change", args=[meeting.pk]),
        reverse("admin:activities_activity_change", args=[activity.pk]),
    ]
    before = sizes(client, urls)
    assert reverse("admin:activities_activity_add") in before
    assert reverse("admin:governance_copilmeeting_add") in before
    assert reverse("admin:governance_mandate_add") in before

    more_of_everything(40)  # 40 <option> each would add kilobytes

    after = sizes(client, urls)
    grown = {url: after[url] - before[url] for url in before if after[url] - before[url] > 0}
    assert all(growth <= SLACK_BYTES for growth in grown.values()), grown


@pytest.mark.parametrize(
    ("form", "field", "model", "found"),
    [
        ("activities_activity_add", "organisers", User, "Odile Organisatrice"),
        ("activities_activity_add", "invited_people", User, "Odile Organisatrice"),
        ("activities_activity_add", "invited_organisations", Organisation, "Fonderie Odile"),
        ("governance_copilmeeting_add", "activity", Activity, "Plénière Odile"),
        ("governance_mandate_add", "holder", User, "Odile Organisatrice"),
        ("governance_mandate_add", "organisation", Organisation, "Fonderie Odile"),
    ],
)
def test_a_copil_member_finds_them_by_searching(client, form, field, model, found):
    UserFactory(first_name="Odile", last_name="Organisatrice", email="odile@exemple.fr")
    OrganisationFactory(legal_name="Fonderie Odile")
    ActivityFactory(title="Plénière Odile", starts_at=timezone.now())
    copil = UserFactory(is_staff=True, first_name="Claire", last_name="Copil")
    copil.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    client.force_login(copil)
    page = client.get(reverse(f"admin:{form}"))
    assert page.status_code == 200
    assert f'data-field-name="{field}"' in page.content.decode()  # the search widget

    app_label, model_name = form.removesuffix("_add").split("_", 1)
    answer = client.get(
        reverse("admin:autocomplete"),
        {"term": "odile", "app_label": app_label, "model_name": model_name, "field_name": field},
    )

    assert answer.status_code == 200
    results = json.loads(answer.content)["results"]
    assert [row["text"] for row in results if found in row["text"]], results
    assert model.objects.filter(pk__in=[row["id"] for row in results]).exists()
