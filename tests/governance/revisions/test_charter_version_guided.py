"""The COPIL's guided page towards a new charter version (art. 10): the prerequisites
(X1, X3, X4) and their state before the form; the form writes the draft through
``revision_draft_save``; a wrong role gets 403."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind
from charters.models import CharterVersion
from governance.models import CharterRevision
from governance.revisions import services
from tests.activities.factories import ActivityFactory
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user, signatory_rep

pytestmark = pytest.mark.django_db
URL = "commissions:charter_version_new"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def version(db):
    return CharterVersionFactory(label="V1 R001")


def drafting(copil) -> CharterRevision:
    revision = services.revision_open_by_copil(
        title="Actualiser la charte", reason="Mise à jour des paramètres.", actor=copil
    )
    services.revision_commission_create(
        revision=revision, end_date=datetime.date(2030, 6, 30), actor=copil
    )
    revision.refresh_from_db()
    return revision


def draft_data(**overrides):
    data = {
        "label": "V2 R001",
        "effective_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "change_note": "Paramètres actualisés.",
        "body": "Article premier. Texte révisé.",
    }
    data.update(overrides)
    return data


@pytest.mark.rule("X1", "X3", "X4")
def test_with_no_revision_the_page_says_where_to_start(client, version):
    copil = copil_user()
    client.force_login(copil)

    response = client.get(reverse(URL))

    page = text(response)
    rows = response.context["prerequisites"]
    assert response.status_code == 200
    assert [row.ok for row in rows] == [True, False, False, False, False, True]
    assert (
        "Version en vigueur : V1 R001, depuis le 2 décembre 2021, jusqu'au 31 décembre 2030 "
        "(au plus tard le 31 décembre 2030)." in page
    )
    assert rows[1].link_url == reverse("commissions:revision_copil_open")
    assert "Aucune plénière extraordinaire à venir" in page
    assert reverse("charters:campaign") in page
    assert 'name="body"' not in page
    assert reverse(URL) in client.get(reverse("home")).content.decode()


@pytest.mark.rule("X3", "W1")
def test_while_drafting_the_form_follows_the_prerequisites_and_creates_the_draft(client, version):
    copil = copil_user()
    revision = drafting(copil)
    ActivityFactory(
        kind=ActivityKind.EXTRAORDINARY_PLENARY,
        title="Plénière extraordinaire",
        starts_at=timezone.now() + datetime.timedelta(days=60),
        ends_at=timezone.now() + datetime.timedelta(days=60, hours=2),
    )
    client.force_login(copil)

    page = client.get(reverse(URL))
    posted = client.post(reverse(URL), draft_data())

    content = text(page)
    assert page.status_code == 200
    assert [row.ok for row in page.context["prerequisites"]] == [
        True,
        True,
        True,
        False,
        True,
        True,
    ]
    assert "Prochaine plénière extraordinaire" in content
    assert content.index("Conditions préalables") < content.index('name="body"')
    assert posted.status_code == 302
    revision.refresh_from_db()
    draft = revision.draft_version
    assert (draft.label, draft.published_at) == ("V2 R001", None)
    assert draft.end_date == datetime.date(2030, 12, 31)


@pytest.mark.rule("X3")
def test_an_invalid_draft_keeps_the_input_and_shows_the_french_reason(client, version):
    copil = copil_user()
    drafting(copil)
    client.force_login(copil)

    response = client.post(
        reverse(URL), draft_data(effective_date=timezone.localdate().isoformat())
    )

    assert response.status_code == 400
    assert "La date d'entrée en vigueur doit être postérieure à aujourd'hui." in text(response)
    assert response.context["form"]["label"].value() == "V2 R001"
    assert CharterVersion.objects.count() == 1


def test_a_post_without_a_revision_in_drafting_creates_nothing(client, version):
    client.force_login(copil_user())

    response = client.post(reverse(URL), draft_data())

    assert response.status_code == 400
    assert "Aucune révision n'est en cours de rédaction" in text(response)
    assert CharterVersion.objects.count() == 1


def test_members_get_403(client, version):
    client.force_login(signatory_rep().user)

    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), draft_data()).status_code == 403
    assert CharterVersion.objects.count() == 1
