"""Journey 4: an organiser checks people in on a phone; the member's attendance ratio changes.

The organiser opens the activity's check-in page on a phone-sized screen and taps
"Présent" for the member's representative; the ratio job runs (as it does every night,
or when the COPIL asks for it); the representative's page "Ma présence aux activités"
shows the new ratio (A2, A3, A4).
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import AttendanceRatio
from activities.tasks import attendance_ratios_compute_task
from members.constants import Role
from tests.activities.factories import ActivityFactory, convene, user_in
from tests.browser.test_checkin_phone import log_in
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.browser


@pytest.mark.rule("A2", "A3", "A4")
def test_an_organiser_checks_in_on_a_phone_and_the_member_s_ratio_changes(
    page, phone_page, live_server, screenshot
):
    member = member_organisation(legal_name="Mécatronique Vosgienne", postcode="88000")
    claire = RepresentativeFactory(
        organisation=member, user__first_name="Claire", user__last_name="Vautrin"
    )
    earlier = ActivityFactory(
        title="Visite d'usine", starts_at=timezone.now() - datetime.timedelta(days=20)
    )
    today = ActivityFactory(
        title="Atelier maintenance prédictive",
        starts_at=timezone.now() - datetime.timedelta(minutes=45),
    )
    convene(earlier, member)
    convene(today, member)
    organiser = user_in(Role.ORGANISERS, first_name="Marc", last_name="Organisateur")
    today.organisers.add(organiser)
    attendance_ratios_compute_task.delay()

    # The representative sees the ratio before the activity: convened twice, never present.
    log_in(page, live_server, claire.user)
    page.goto("/activites/ma-presence/")
    card = page.locator("section.card", has_text="Mécatronique Vosgienne")
    expect(card).to_contain_text("0,0 % (0 sur 2)")

    # The organiser, on a phone, marks Claire present with one tap.
    log_in(phone_page, live_server, organiser)
    phone = phone_page
    phone.goto(f"/activites/{today.pk}/pointage/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Pointage des présences")
    expect(phone.locator("main")).to_contain_text("Atelier maintenance prédictive")
    assert phone.viewport_size == {"width": 390, "height": 844}
    phone.get_by_label("Rechercher une personne ou une entité").fill("vautrin")
    row = phone.locator(f"#personne-{claire.user_id}")
    row.get_by_role("button", name="Présent").tap()
    expect(
        phone.locator(f"#personne-{claire.user_id}").get_by_role("button", name="Présent")
    ).to_have_attribute("aria-pressed", "true")
    expect(phone.locator('[data-count="present"] span')).to_have_text("1")
    # The tap is queued on the phone and sent at once; the server has it when nothing waits.
    expect(phone.locator("#checkin-pending")).to_have_text("0 action en attente d'envoi.")
    assert phone.console_errors == []
    screenshot(phone, "journey-4-checkin-phone")

    # The ratio job runs; the same day's snapshot is recomputed, not duplicated.
    attendance_ratios_compute_task.delay()
    snapshot = AttendanceRatio.objects.get(organisation=member)
    assert (snapshot.attended, snapshot.convened) == (1, 2)

    page.reload()
    card = page.locator("section.card", has_text="Mécatronique Vosgienne")
    expect(card).to_contain_text("50,0 % (1 sur 2)")
    expect(card.locator("tr", has_text="Atelier maintenance prédictive")).to_contain_text(
        "Présente"
    )
    assert page.console_errors == []
    screenshot(page, "journey-4-member-ratio")
