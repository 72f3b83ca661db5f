"""The COPIL's cockpit (/copil/ and the admin index): what waits for a decision, each item
with the page where it is taken one click away.

cos_portal stands on top of every app, so the cockpit reads their selectors directly:
applications (M5), invitations (I1), exclusion procedures (L4) from members; proxies (V6)
from elections; minutes requests (C4) from the COPIL's meetings; and the deadlines of
every app through the engine's registry (core/deadlines.py). A constant number of queries
whatever the number of items: the page, one per list; its panel of deadlines, which the
page loads once shown (/copil/panneau-echeances/, htmx), the deadline sources' own, one
for the organisations' names and one for the people who act. The decisions do not wait
for the deadlines, whose counting grows with the community.

Each list of decisions shows its first COCKPIT_SHOWN_ITEMS (the oldest or the most urgent)
and counts the others, one link from their full list (the admin's, where the COPIL decides). The
deadlines are summed up, not listed: the number overdue and due per kind, then only the
most urgent rows (COCKPIT_SHOWN_ROWS overdue, as many upcoming), whose organisations and
actors alone are named (COCKPIT_NAMED_ACTORS per row); the full list is /copil/echeances/.
The panel's size and rendering stay the same whatever the number of deadlines; only the
counting grows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.deadlines import (
    Deadline,
    DeadlineRow,
    deadline_kinds,
    deadline_list,
    deadline_memo,
    deadline_rows,
)
from core.roles import is_copil
from governance.copil.selectors import minutes_requests_pending
from governance.elections.deadlines import COMMISSION_HINT
from governance.elections.selectors import is_election_commission, proxies_awaiting_decision
from members import selectors as members_selectors
from members.models import Organisation

# The cockpit's window of deadlines: those overdue for up to 30 days and those due in the
# next 30 (the full list, 90 days ahead, is /copil/echeances/).
COCKPIT_AHEAD_DAYS = 30
COCKPIT_OVERDUE_DAYS = 30
# The rows the cockpit shows of each: the overdue ones, then the upcoming ones.
COCKPIT_SHOWN_ROWS = 10
# The decisions each list shows, those waiting longest (the others counted, one link away).
COCKPIT_SHOWN_ITEMS = 10
# The people named in a row's « Qui agit » (the others counted): a deadline of every member
# (the candidacies to the COPIL) names thousands; the full list names OVERVIEW_NAMED_ACTORS.
COCKPIT_NAMED_ACTORS = 5


def can_open_cockpit(user) -> bool:
    """The COPIL decides; staff (the COPIL's team) read what waits."""
    return is_copil(user) or bool(getattr(user, "is_staff", False))


@dataclass
class CockpitItem:
    title: str
    detail: str
    url: str  # the page where the decision is taken ("" when the reader cannot act)
    since: datetime.date | None = None


@dataclass
class CockpitSection:
    key: str
    title: str
    empty: str
    items: list[CockpitItem] = field(default_factory=list)
    # When the reader cannot take these decisions: who does, and how one becomes so.
    hint: str = ""
    total: int = 0  # every decision waiting, shown or not
    more_url: str = ""  # where they are all listed ("" when the reader cannot act)

    @property
    def others(self) -> int:
        return self.total - len(self.items)


def _shown(section: CockpitSection, waiting, more_url: str) -> list:
    """The first COCKPIT_SHOWN_ITEMS of ``waiting`` (in the selector's order: the oldest or
    the most urgent first), the section counting them all: the page does not grow with
    them. A queryset reads those rows only, each with the count of all (``COUNT(*) OVER
    ()``) in the same query; a list (read once for the deadlines too) is counted here."""
    section.more_url = more_url
    if isinstance(waiting, QuerySet):
        shown = list(waiting.annotate(cockpit_total=Window(Count("pk")))[:COCKPIT_SHOWN_ITEMS])
        section.total = shown[0].cockpit_total if shown else 0
        return shown
    waiting = list(waiting)
    section.total = len(waiting)
    return waiting[:COCKPIT_SHOWN_ITEMS]


def _admin_list(model: str) -> str:
    return reverse(f"admin:members_{model}_changelist")


def _admin_change(model: str, pk: int) -> str:
    return reverse(f"admin:members_{model}_change", args=[pk])


def _applications(decides: bool) -> CockpitSection:
    section = CockpitSection(
        "applications",
        _("Candidatures à décider"),
        _("Aucune candidature en attente."),
        hint="" if decides else _("Seuls les membres du COPIL décident des candidatures."),
    )
    waiting = members_selectors.applications_awaiting_decision()
    for application in _shown(section, waiting, _admin_list("application") if decides else ""):
        organisation = application.organisation
        section.items.append(
            CockpitItem(
                title=organisation.legal_name if organisation else str(application),
                detail=_("Déposée par %(who)s ; référence AIF %(state)s.")
                % {
                    "who": application.applicant.get_full_name() or application.applicant.email,
                    "state": _("vérifiée") if application.aif_verified_at else _("à vérifier"),
                },
                url=_admin_change("application", application.pk) if decides else "",
                since=timezone.localdate(application.submitted_at)
                if application.submitted_at
                else None,
            )
        )
    return section


def _invitations(decides: bool) -> CockpitSection:
    section = CockpitSection(
        "invitations",
        _("Invitations à valider"),
        _("Aucune invitation en attente."),
        hint="" if decides else _("Seuls les membres du COPIL valident les invitations."),
    )
    waiting = members_selectors.invitations_awaiting_decision()
    for invitation in _shown(section, waiting, _admin_list("invitation") if decides else ""):
        guest_organisation = (
            invitation.organisation.legal_name
            if invitation.organisation_id
            else invitation.guest_organisation_name
        )
        section.items.append(
            CockpitItem(
                title=f"{invitation.guest_name} ({guest_organisation})"
                if guest_organisation
                else invitation.guest_name,
                detail=_("Proposée par %(who)s, du %(start)s au %(end)s.")
                % {
                    "who": invitation.proposed_by.get_full_name() or invitation.proposed_by.email,
                    "start": invitation.starts_on.strftime("%d/%m/%Y"),
                    "end": invitation.ends_on.strftime("%d/%m/%Y"),
                },
                url=_admin_change("invitation", invitation.pk) if decides else "",
                since=timezone.localdate(invitation.created_at),
            )
        )
    return section


def _exclusions(decides: bool) -> CockpitSection:
    section = CockpitSection(
        "exclusions",
        _("Procédures d'exclusion en cours"),
        _("Aucune procédure d'exclusion en cours."),
        hint="" if decides else _("Seuls les membres du COPIL prononcent ou clôturent."),
    )
    waiting = members_selectors.exclusion_procedures_open()
    for procedure in _shown(section, waiting, _admin_list("exclusionprocedure") if decides else ""):
        if procedure.responded_at:
            detail = _("Le membre a répondu : le COPIL peut décider.")
        else:
            detail = _("Réponse du membre attendue au plus tard le %(date)s.") % {
                "date": procedure.response_due_on.strftime("%d/%m/%Y")
            }
        section.items.append(
            CockpitItem(
                title=procedure.organisation.legal_name,
                detail=detail,
                url=_admin_change("exclusionprocedure", procedure.pk) if decides else "",
                since=timezone.localdate(procedure.opened_at),
            )
        )
    return section


def _proxies(commission: bool) -> CockpitSection:
    section = CockpitSection(
        "proxies",
        _("Procurations à valider"),
        _("Aucune procuration en attente."),
        hint="" if commission else COMMISSION_HINT,
    )
    elections = reverse("elections:list") if commission else ""
    for proxy in _shown(section, proxies_awaiting_decision(), elections):
        section.items.append(
            CockpitItem(
                title=_("%(giver)s donne procuration à %(holder)s")
                % {"giver": proxy.giver.legal_name, "holder": proxy.holder.legal_name},
                detail=_("Élection « %(title)s » du %(date)s.")
                % {
                    "title": proxy.election.title,
                    "date": proxy.election.election_date.strftime("%d/%m/%Y"),
                },
                url=proxy.election.get_absolute_url() if commission else "",
                since=timezone.localdate(proxy.created_at),
            )
        )
    return section


def _minutes_requests(decides: bool) -> CockpitSection:
    section = CockpitSection(
        "minutes",
        _("Demandes de compte rendu du COPIL"),
        _("Aucune demande de compte rendu en attente."),
        hint="" if decides else _("Seuls les membres du COPIL répondent à ces demandes."),
    )
    url = reverse("elections:minutes_requests") if decides else ""
    for request in _shown(section, minutes_requests_pending(), url):
        section.items.append(
            CockpitItem(
                title=request.meeting.title,
                detail=_("Demandée par %(who)s (%(organisation)s).")
                % {
                    "who": request.requester.get_full_name() or request.requester.email,
                    "organisation": request.organisation.legal_name,
                },
                url=url,
                since=timezone.localdate(request.created_at),
            )
        )
    return section


@dataclass
class DeadlineKindCount:
    """One kind of deadline in the cockpit's window: how many are overdue, how many due."""

    kind: str
    label: str
    overdue: int = 0
    upcoming: int = 0
    url: str = ""  # the full list filtered on this kind
    overdue_url: str = ""  # the same, overdue only


@dataclass
class CockpitDeadlines:
    """The cockpit's deadlines: the counts per kind and the most urgent rows."""

    kinds: list[DeadlineKindCount]
    overdue: list[DeadlineRow]  # the most overdue first, at most COCKPIT_SHOWN_ROWS
    upcoming: list[DeadlineRow]  # the soonest first, at most COCKPIT_SHOWN_ROWS
    overdue_total: int
    upcoming_total: int

    @property
    def total(self) -> int:
        return self.overdue_total + self.upcoming_total

    @property
    def others(self) -> int:
        """The deadlines of the window not shown as rows (read on /copil/echeances/)."""
        return self.total - len(self.overdue) - len(self.upcoming)


def deadline_kind_counts(
    deadlines: list[Deadline], *, today: datetime.date
) -> list[DeadlineKindCount]:
    """The kinds with a deadline among ``deadlines``, in the registry's order, each with
    its number overdue and upcoming and the full list filtered on it."""
    overview = reverse("deadlines:overview")
    counts: dict[str, DeadlineKindCount] = {}
    for kind, registered in deadline_kinds().items():
        counts[kind] = DeadlineKindCount(
            kind=kind,
            label=str(registered.label),
            url=f"{overview}?{urlencode({'kind': kind})}",
            overdue_url=f"{overview}?{urlencode({'kind': kind, 'overdue': 'on'})}",
        )
    for deadline in deadlines:
        count = counts.get(deadline.kind)
        if count is None:  # not registered (any more): not in the overview's filter
            continue
        if deadline.due < today:
            count.overdue += 1
        else:
            count.upcoming += 1
    return [count for count in counts.values() if count.overdue or count.upcoming]


def cockpit_deadlines(*, viewer_id: int | None, today: datetime.date) -> CockpitDeadlines:
    """The deadlines overdue for up to 30 days and due in the next 30: counted per kind,
    and the most urgent as rows with who acts; the link to act only for those who act (the
    others read who does). Organisations and actors are named for the rows shown only, and
    at most COCKPIT_NAMED_ACTORS actors per row (the others counted)."""
    deadlines = deadline_list(
        start=today - datetime.timedelta(days=COCKPIT_OVERDUE_DAYS),
        end=today + datetime.timedelta(days=COCKPIT_AHEAD_DAYS),
    )
    # deadline_list sorts by due date. Overdue, the oldest first: they have waited longest,
    # their reminders have stopped or are about to, and they leave every list after
    # COCKPIT_OVERDUE_DAYS; the ones just missed are still being reminded to who acts.
    overdue = [d for d in deadlines if d.due < today]
    upcoming = [d for d in deadlines if d.due >= today]  # the soonest first
    shown = overdue[:COCKPIT_SHOWN_ROWS] + upcoming[:COCKPIT_SHOWN_ROWS]
    names = dict(
        Organisation.objects.filter(
            pk__in={d.organisation_id for d in shown if d.organisation_id}
        ).values_list("pk", "legal_name")
    )
    rows = deadline_rows(
        shown,
        organisation_names=names,
        viewer_id=viewer_id,
        today=today,
        actors_named=COCKPIT_NAMED_ACTORS,
    )
    return CockpitDeadlines(
        kinds=deadline_kind_counts(deadlines, today=today),
        overdue=[row for row in rows if row.overdue],
        upcoming=[row for row in rows if not row.overdue],
        overdue_total=len(overdue),
        upcoming_total=len(upcoming),
    )


def copil_cockpit(*, user) -> dict:
    """What waits for the COPIL, read as ``user`` (links only where they can act). The
    deadlines are their own panel (``copil_cockpit_deadlines``), which the page loads
    once it is shown: the decisions are read at once, whatever the number of deadlines."""
    decides = is_copil(user)
    sections = [
        _applications(decides),
        _proxies(is_election_commission(user)),
        _minutes_requests(decides),
        _exclusions(decides),
        _invitations(decides),
    ]
    return {
        "sections": sections,
        "waiting": sum(section.total for section in sections),
        "decides": decides,
    }


def copil_cockpit_deadlines(*, user, today: datetime.date | None = None) -> dict:
    """The cockpit's panel of deadlines, read as ``user``: counted per kind, the most
    urgent as rows (``cockpit_deadlines``)."""
    today = today or timezone.localdate()
    with deadline_memo():  # the sources share their reads (core.deadlines.deadline_cached)
        deadlines = cockpit_deadlines(viewer_id=user.pk, today=today)
    return {
        "deadlines": deadlines,
        "ahead_days": COCKPIT_AHEAD_DAYS,
        "overdue_days": COCKPIT_OVERDUE_DAYS,
    }


def admin_index(index):
    """Wrap the admin site's index view: the cockpit's panel above the models, for
    the COPIL and its team (the template templates/admin/index.html shows it)."""

    def index_with_cockpit(request, extra_context=None):
        extra = dict(extra_context or {})
        if can_open_cockpit(request.user):
            extra["cockpit"] = copil_cockpit(user=request.user)
        return index(request, extra_context=extra)

    return index_with_cockpit
