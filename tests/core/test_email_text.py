"""Plain-text e-mails (subjects and bodies) are never HTML-escaped: "l'élection", not
"l&#x27;élection"; their HTML alternative still is."""

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.template import Context
from django.template.loader import get_template
from django.templatetags.i18n import BlockTranslateNode
from freezegun import freeze_time

from core.deadlines import deadline_reminders_send
from governance.models import Election
from tests.core.deadline_helpers import morning
from tests.governance.elections.factories import at, election_world

TRICKY = 'l\'élection <R&D> "2027"'
ESCAPES = ("&#x27;", "&#39;", "&amp;", "&lt;", "&gt;", "&quot;")


@pytest.mark.django_db
def test_a_reminder_s_subject_and_text_keep_the_apostrophe():
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
    Election.objects.filter(pk=election.pk).update(title="COPIL <R&D> 2027")
    due = datetime.date(2027, 4, 8)  # the announcement, six weeks before the vote (V9)

    deadline_reminders_send(now=morning(due))

    message = next(m for m in mail.outbox if m.to == [commission.email])
    label = "Annoncer l'élection « COPIL <R&D> 2027 »"
    assert message.subject == f"[COS-GE] Échéance le 8 avril 2027 : {label}"
    assert f"\n  {label}\n" in message.body
    for escaped in ESCAPES:
        assert escaped not in message.subject
        assert escaped not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Annoncer l&#x27;élection « COPIL &lt;R&amp;D&gt; 2027 »" in html  # HTML escapes
    assert "<R&D>" not in html


class Probe:
    """Any variable of a template, at any depth (user.get_full_name, signature.version...):
    renders as text full of HTML's special characters."""

    # Not a date: the |date filter then renders "" instead of failing on a probe's parts.
    NOT_A_DATE = {"year", "month", "day", "hour", "minute", "second", "tzinfo", "weekday"}

    def __getattr__(self, name):
        # Not __html__ either: the probe is not safe HTML.
        if name.startswith("_") or name in self.NOT_A_DATE:
            raise AttributeError(name)
        return Probe()

    def __getitem__(self, key):
        raise TypeError(key)  # the template engine then tries an attribute

    def __str__(self):
        return TRICKY


class ProbeContext(Context):
    """Every name the template uses is a probe, whatever the caller would pass."""

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            return Probe()


def text_email_templates() -> list[str]:
    """Every .txt template of the project (e-mail subjects and bodies), by name."""
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(app.path).parts
    ]
    return sorted(
        str(path.relative_to(root))
        for root in roots
        if root.is_dir()
        for path in root.rglob("*.txt")
    )


def test_the_text_templates_are_all_found():
    found = text_email_templates()
    assert {
        "charters/email/signature_receipt.txt",
        "cos_portal/email/deadline_reminder.txt",
        "cos_portal/email/deadline_reminder_subject.txt",
        "governance/announcements/email/announcement.txt",
        "governance/commissions/email/referent_message.txt",
        "governance/elections/email/announcement.txt",
    } <= set(found)
    assert len(found) >= 10


@pytest.mark.parametrize("name", text_email_templates())
def test_no_text_template_escapes_what_it_is_given(name, db):  # a template may read the charter
    template = get_template(name).template
    context = ProbeContext()  # autoescape on, as render_to_string does
    # Counters of plural forms ({% blocktranslate count days=days_left %}) are numbers.
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        if node.counter is not None:
            context[node.counter.var.lookups[0]] = 2

    text = template.render(context)

    assert TRICKY in text
    for escaped in ESCAPES:
        assert escaped not in text
