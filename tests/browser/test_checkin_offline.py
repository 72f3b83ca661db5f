"""The organiser's check-in without network, on a phone, in Chromium (A2).

The organiser opens the check-in page once online: its service worker keeps the page and
its files. The network goes; the organiser checks twenty people in by searching and
tapping and five by scanning their personal codes (photos of QR codes, through the
page's file field, as a phone's camera would give them), reloads the page still offline
and finds the queue intact. The network returns: the queue goes to the server, which
records each person once, present, marked as recorded offline; the same batch sent again
changes nothing. Codes that were tampered with or belong to another activity are refused
on the phone, in French.
"""

import datetime
import json

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from activities.checkin_codes import checkin_code
from activities.constants import Attendance
from activities.models import CheckinAction, Participation
from members.constants import Role
from tests.activities.factories import ActivityFactory, convene, user_in
from tests.browser.test_checkin_phone import log_in
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.browser

SYNC_TIMEOUT_MS = 20_000


def qr_png(directory, name: str, text: str):
    path = directory / f"{name}.png"
    segno.make(text, error="m").save(str(path), scale=8, border=4)
    return path


def pending(page):
    return page.locator("#checkin-pending")


def offline_ready(page):
    """The service worker controls the page and has kept it and its files."""
    expect(page.locator("#checkin-app")).to_have_attribute("data-offline", "ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.evaluate("() => navigator.serviceWorker.ready.then((r) => r.active.state)") in {
        "activating",
        "activated",
    }


@pytest.mark.rule("A2")
def test_an_organiser_checks_people_in_offline_and_the_server_records_them_once(
    phone_page, live_server, screenshot, tmp_path
):
    activity = ActivityFactory(
        title="Assemblée plénière", starts_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    other_activity = ActivityFactory(title="Visite d'usine")
    members = [
        member_organisation(legal_name="Cobots de Moselle"),
        member_organisation(legal_name="Forges d'Alsace"),
    ]
    people = [
        RepresentativeFactory(
            organisation=members[i % 2],
            user__first_name="Camille",
            user__last_name=f"Durand{i:02d}",
        ).user
        for i in range(30)
    ]
    convene(activity, *members)
    organiser = user_in(Role.ORGANISERS, first_name="Marc", last_name="Organisateur")
    activity.organisers.add(organiser)
    tapped, scanned, untouched = people[:20], people[20:25], people[25:]
    page = phone_page
    log_in(page, live_server, organiser)
    sent = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data)
            if request.method == "POST" and request.url.endswith("/pointage/synchroniser/")
            else None
        ),
    )

    page.goto(f"/activites/{activity.pk}/pointage/")
    offline_ready(page)
    expect(pending(page)).to_have_text("0 action en attente d'envoi.")
    page.context.set_offline(True)
    expect(pending(page)).to_have_text("Hors ligne : 0 action en attente d'envoi.")

    # Twenty people found by name and tapped present.
    search = page.get_by_label("Rechercher une personne ou une entité")
    for person in tapped:
        search.fill(person.last_name.lower())
        row = page.locator(f"#personne-{person.pk}")
        row.get_by_role("button", name="Présent").tap()
        expect(row.get_by_role("button", name="Présent")).to_have_attribute("aria-pressed", "true")
    expect(pending(page)).to_have_text("Hors ligne : 20 actions en attente d'envoi.")

    # Five personal codes scanned (photographed): each marks its person present at once.
    search.fill("")
    for person in scanned:
        photo = qr_png(tmp_path, f"code-{person.pk}", checkin_code(activity.pk, person.pk))
        page.set_input_files("#scan-photo", str(photo))
        expect(page.locator("#scan-result")).to_have_text(
            f"Camille {person.last_name} est pointé(e) présent(e)."
        )
        expect(
            page.locator(f"#personne-{person.pk}").get_by_role("button", name="Présent")
        ).to_have_attribute("aria-pressed", "true")
    expect(pending(page)).to_have_text("Hors ligne : 25 actions en attente d'envoi.")
    expect(page.locator('[data-count="present"] span')).to_have_text("25")

    # Refused on the phone: a tampered code, another activity's, something else.
    code = checkin_code(activity.pk, untouched[0].pk)
    tampered = code[:-1] + ("B" if code[-1] == "A" else "A")
    refusals = [
        (tampered, "Ce code a été modifié ou ne vient pas du portail : il est refusé."),
        (
            checkin_code(other_activity.pk, untouched[0].pk),
            "Ce code est celui d'une autre activité : il ne vaut pas pour celle-ci.",
        ),
        ("https://www.cos-ge.fr/", "Ce code n'est pas un code de pointage du portail."),
    ]
    for number, (text, message) in enumerate(refusals):
        page.set_input_files("#scan-photo", str(qr_png(tmp_path, f"refused-{number}", text)))
        expect(page.locator("#scan-result")).to_have_text(message)
    expect(pending(page)).to_have_text("Hors ligne : 25 actions en attente d'envoi.")
    screenshot(page, "activities-checkin-offline")

    # Reloaded without network: the worker serves the page, the queue is still there.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(pending(page)).to_have_text("Hors ligne : 25 actions en attente d'envoi.")
    expect(page.locator('[data-count="present"] span')).to_have_text("25")
    for person in (tapped[0], scanned[-1]):
        expect(
            page.locator(f"#personne-{person.pk}").get_by_role("button", name="Présent")
        ).to_have_attribute("aria-pressed", "true")
    expect(
        page.locator(f"#personne-{untouched[0].pk}").get_by_role("button", name="Présent")
    ).to_have_attribute("aria-pressed", "false")
    assert not Participation.objects.filter(activity=activity).exists()
    assert sent == []

    # The network returns: the queue goes, the server records each person once.
    page.context.set_offline(False)
    expect(pending(page)).to_have_text("0 action en attente d'envoi.", timeout=SYNC_TIMEOUT_MS)
    expect(page.locator("#checkin-synced")).to_contain_text("Dernière synchronisation : ")
    expect(page.locator("#checkin-refused li")).to_have_count(0)
    present = Participation.objects.filter(activity=activity, attendance=Attendance.PRESENT)
    expected = sorted(person.pk for person in tapped + scanned)
    assert sorted(present.values_list("user_id", flat=True)) == expected
    assert Participation.objects.filter(activity=activity).count() == 25
    assert set(present.values_list("recorded_offline", flat=True)) == {True}
    assert CheckinAction.objects.filter(activity=activity).count() == 25
    actions = [action for body in sent for action in json.loads(body)["actions"]]
    assert len(actions) == 25
    assert sum("code" in action for action in actions) == 5
    assert {action["offline"] for action in actions} == {True}

    # The same batch again, twice (a phone that did not hear the answer): nothing changes.
    for body in sent * 2:
        answer = page.evaluate(
            """(body) => fetch(document.getElementById("checkin-app").dataset.sync, {
                method: "POST",
                credentials: "same-origin",
                headers: {
                    "Content-Type": "application/json",
                    "X-CSRFToken": document.querySelector("[name=csrfmiddlewaretoken]").value,
                },
                body: body,
            }).then((response) => response.json().then((json) => [response.status, json]))""",
            body,
        )
        assert answer[0] == 200
        assert {result["outcome"] for result in answer[1]["results"]} == {"duplicate"}
        assert {result["attendance"] for result in answer[1]["results"]} == {"present"}
    assert sorted(present.values_list("user_id", flat=True)) == expected
    assert Participation.objects.filter(activity=activity).count() == 25
    assert CheckinAction.objects.filter(activity=activity).count() == 25
    screenshot(page, "activities-checkin-offline-synced")


@pytest.mark.rule("A2")
def test_a_walk_in_added_offline_is_shown_at_once_and_recorded_when_online(phone_page, live_server):
    activity = ActivityFactory(
        title="Atelier cobotique", starts_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    member = member_organisation(legal_name="Cobots de Moselle")
    RepresentativeFactory(organisation=member, user__first_name="Alice", user__last_name="Marchal")
    convene(activity, member)
    organiser = user_in(Role.ORGANISERS)
    activity.organisers.add(organiser)
    page = phone_page
    log_in(page, live_server, organiser)
    page.goto(f"/activites/{activity.pk}/pointage/")
    offline_ready(page)
    page.context.set_offline(True)

    page.locator("summary", has_text="Ajouter une personne venue sans convocation").tap()
    page.get_by_label("Adresse e-mail").fill("nina.keller@example.org")
    page.get_by_label("Prénom").fill("Nina")
    page.get_by_label("Nom", exact=True).fill("Keller")
    page.get_by_label("Entité représentée").fill("moselle")
    page.get_by_role("button", name="Ajouter et pointer présent").tap()

    expect(page.locator("#walk-in-done")).to_have_text(
        "Nina Keller est ajouté(e) et pointé(e) présent(e)."
    )
    row = page.locator(".roster-row", has_text="Nina Keller")
    expect(row).to_contain_text("Cobots de Moselle")
    expect(row).to_contain_text("En attente d'envoi")
    expect(pending(page)).to_have_text("Hors ligne : 1 action en attente d'envoi.")
    expect(page.locator('[data-count="present"] span')).to_have_text("1")

    page.context.set_offline(False)
    expect(pending(page)).to_have_text("0 action en attente d'envoi.", timeout=SYNC_TIMEOUT_MS)
    walk_in = Participation.objects.get(activity=activity, user__email="nina.keller@example.org")
    assert (walk_in.attendance, walk_in.is_walk_in, walk_in.organisation) == (
        Attendance.PRESENT,
        True,
        member,
    )
    assert walk_in.recorded_offline is True
    row = page.locator(f"#personne-{walk_in.user_id}")
    expect(row).not_to_contain_text("En attente d'envoi")
    expect(row.get_by_role("button", name="Présent")).to_be_enabled()
    assert page.console_errors == []
