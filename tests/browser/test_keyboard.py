"""Keyboard-only journeys (issue 10, WCAG 2.1.1, 2.1.2, 2.4.3, 2.4.7): signing the charter,
checking people in, voting, with Tab, Shift+Tab, Enter and Space only.

At every step the focused element must show a visible focus indicator (an outline or a
box-shadow, as the browser computes it), and Tab must carry the focus through the whole
page and out of it (no keyboard trap): it reaches the footer's last link, then comes back
to the skip link.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.constants import ActivityKind, Attendance
from activities.models import Participation
from charters.models import Signature
from governance.models import Candidacy, Election, ElectionStatus, SealedBallot
from members.constants import Role
from tests.activities.factories import ActivityFactory, convene, user_in
from tests.browser.test_checkin_phone import log_in
from tests.charters.conftest import (  # noqa: F401  (the charters' key and clean-up fixtures)
    _session_signing_key,
    purge_signatures,
    signing_key,  # noqa: F811
)
from tests.charters.factories import PASSWORD, CharterVersionFactory, signatory
from tests.governance.elections.factories import member_rep
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.browser

MAX_TABS = 120

FOCUS_STATE = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    const label = (element.getAttribute('aria-label') || element.innerText || element.value
                   || element.id || element.name || '').trim().slice(0, 60);
    return {
        tag: element.tagName.toLowerCase(), id: element.id, label: label,
        visible: element.matches(':focus-visible') && (outline || shadow),
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    };
}"""


def focus(page) -> dict | None:
    return page.evaluate(FOCUS_STATE)


def tab_to(page, target, *, key="Tab"):
    """Press Tab until ``target`` (a locator) has the focus; each stop must show it."""
    handle = target.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        state = focus(page)
        if state is None:
            continue  # the focus left the page for the browser's own controls
        assert state["visible"], f"no visible focus on {state}"
        if handle.evaluate("(element) => element === document.activeElement"):
            return state
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target}")


def assert_no_keyboard_trap(page):
    """From wherever the focus is, Tab reaches the last link of the footer, then leaves
    the page and comes back to the skip link: nothing on the way keeps the focus."""
    tab_to(page, page.get_by_role("contentinfo").get_by_role("link").last)
    tab_to(page, page.get_by_role("link", name="Aller au contenu"))


def skip_to_content(page):
    """The skip link is the first stop of the page; Enter takes the focus to <main>."""
    page.keyboard.press("Tab")
    state = focus(page)
    assert state["label"] == "Aller au contenu" and state["visible"], state
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


@pytest.mark.rule("M4")
def test_signing_the_charter_with_the_keyboard_only(
    page,
    live_server,
    screenshot,
    signing_key,  # noqa: F811
    purge_signatures,  # noqa: F811
):
    CharterVersionFactory(label="V1 R001")
    rep = signatory(job_title="Présidente")
    log_in(page, live_server, rep.user)
    page.goto("/charte/signer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signer la charte")

    skip_to_content(page)
    # The charter's scrolling box takes the focus, so it can be scrolled with the arrows.
    tab_to(page, page.get_by_role("region", name="Texte de la charte"))
    page.keyboard.press("PageDown")
    tab_to(page, page.get_by_label("Je soussigné(e)"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Je soussigné(e)")).to_be_checked()
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(PASSWORD)
    assert_no_keyboard_trap(page)
    screenshot(page, "keyboard-charter-sign")
    tab_to(page, page.get_by_role("button", name="Je signe"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Votre code de vérification est")).to_be_visible()
    signature = Signature.objects.get()
    expect(
        page.get_by_text(f"Votre code de vérification est {signature.verification_code}")
    ).to_be_visible()
    assert signature.organisation == rep.organisation
    assert page.console_errors == []


@pytest.mark.rule("A2")
def test_checking_people_in_with_the_keyboard_only(page, live_server, screenshot):
    member = member_organisation(legal_name="Mécatronique Vosgienne", postcode="88000")
    claire = RepresentativeFactory(
        organisation=member, user__first_name="Claire", user__last_name="Vautrin"
    )
    paul = RepresentativeFactory(
        organisation=member, user__first_name="Paul", user__last_name="Henry"
    )
    activity = ActivityFactory(
        title="Atelier maintenance prédictive",
        starts_at=timezone.now() - datetime.timedelta(minutes=45),
    )
    convene(activity, member)
    organiser = user_in(Role.ORGANISERS, first_name="Marc", last_name="Organisateur")
    activity.organisers.add(organiser)
    log_in(page, live_server, organiser)
    page.goto(f"/activites/{activity.pk}/pointage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pointage des présences")

    skip_to_content(page)
    # Search, then mark Claire present with Space and Paul excused with Enter.
    tab_to(page, page.get_by_label("Rechercher une personne ou une entité"))
    page.keyboard.type("vautrin")
    claire_present = page.locator(f"#personne-{claire.user_id}").get_by_role(
        "button", name="Présent"
    )
    tab_to(page, claire_present)
    page.keyboard.press("Space")
    expect(claire_present).to_have_attribute("aria-pressed", "true")
    # The row was replaced: the focus stays on its button, not back at the page's start.
    expect(claire_present).to_be_focused()
    assert focus(page)["visible"]

    # Back to the search box (Shift+Tab), emptied with the keyboard.
    tab_to(page, page.get_by_label("Rechercher une personne ou une entité"), key="Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    paul_excused = page.locator(f"#personne-{paul.user_id}").get_by_role("button", name="Excusé")
    tab_to(page, paul_excused)
    page.keyboard.press("Enter")
    expect(paul_excused).to_have_attribute("aria-pressed", "true")
    expect(paul_excused).to_be_focused()
    expect(page.locator('[data-count="present"] span')).to_have_text("1")
    expect(page.locator('[data-count="excused"] span')).to_have_text("1")
    assert_no_keyboard_trap(page)
    screenshot(page, "keyboard-checkin")

    marks = dict(Participation.objects.values_list("user_id", "attendance"))
    assert marks == {claire.user_id: Attendance.PRESENT, paul.user_id: Attendance.EXCUSED}
    assert page.console_errors == []


@pytest.mark.rule("V6")
def test_voting_with_the_keyboard_only(page, live_server, screenshot):
    now = timezone.now()
    election = Election.objects.create(
        title="Élection du COPIL",
        plenary=ActivityFactory(kind=ActivityKind.ORDINARY_PLENARY, starts_at=now),
        election_date=timezone.localdate(now),
        candidacy_deadline=now - datetime.timedelta(days=60),
        seats_to_fill=2,
        status=ElectionStatus.VOTING,
        voting_opened_at=now,
    )
    for first, last in (("Alice", "Bernard"), ("Bruno", "Colin"), ("Chloé", "Dumas")):
        rep = member_rep(user=UserFactory(first_name=first, last_name=last))
        Candidacy.objects.create(
            election=election, candidate=rep.user, organisation=rep.organisation, statement="Projet"
        )
    voter = member_rep(user=UserFactory(first_name="Hélène", last_name="Porteur"))
    log_in(page, live_server, voter.user)
    page.goto(f"/elections/{election.pk}/voter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voter")

    skip_to_content(page)
    for name in ("Alice Bernard", "Chloé Dumas"):
        tab_to(page, page.get_by_label(name))
        page.keyboard.press("Space")
        expect(page.get_by_label(name)).to_be_checked()
    expect(page.get_by_label("Bruno Colin")).not_to_be_checked()
    assert_no_keyboard_trap(page)
    tab_to(page, page.get_by_role("button", name="Vérifier mon bulletin"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer mon bulletin")
    expect(page.locator("main")).to_contain_text("Alice Bernard")
    tab_to(page, page.get_by_label("Mot de passe"))
    page.keyboard.type(PASSWORD)
    screenshot(page, "keyboard-vote-confirm")
    tab_to(page, page.get_by_role("button", name="Déposer mon bulletin"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Bulletin déposé")
    assert SealedBallot.objects.count() == 1
    assert page.console_errors == []
