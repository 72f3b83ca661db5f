"""Writes of the members registry: every status transition goes through here (S1)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from charters.selectors import charter_parameters
from cos_portal.audit import audit_log

from . import selectors
from .constants import ALLOWED_TRANSITIONS, OrganisationKind, Status, StatusReason
from .exceptions import NotInGrandEst, TransitionNotAllowed
from .models import Organisation, StatusChange


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    taken = Organisation.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(
    *,
    legal_name: str,
    kind: str = OrganisationKind.COMPANY,
    actor=None,
    now: datetime.datetime | None = None,
    **fields,
) -> Organisation:
    organisation = Organisation(
        legal_name=legal_name.strip(), kind=kind, slug=unique_slug(legal_name), **fields
    )
    organisation.full_clean()
    organisation.save()
    audit_log(
        action="members.organisation.created",
        actor=actor,
        target=organisation,
        data={"legal_name": organisation.legal_name},
        now=now,
    )
    return organisation


def organisation_check_grand_est(*, organisation: Organisation, on=None) -> None:
    """Charter art. 3.1 (M2): at least one active establishment in the Grand Est."""
    departments = charter_parameters(on=on).grand_est_departments
    if not selectors.has_grand_est_establishment(
        organisation=organisation, departments=departments
    ):
        raise NotInGrandEst()


@transaction.atomic
def organisation_status_change(
    *,
    organisation: Organisation,
    status: str,
    reason: str,
    actor=None,
    explanation: str = "",
    notice_reference: str = "",
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> StatusChange:
    """Record a transition (S1); the status is derived from this history, never edited.

    Losing member or partner status takes effect at ``now``: the directory and the
    mailing lists read the history, so the organisation leaves them the same day (S2).
    """
    now = now or timezone.now()
    # Lock the organisation so two decisions on it are taken one after the other.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = selectors.organisation_status(organisation=organisation, at=now)
    if status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise TransitionNotAllowed(
            _("La charte ne permet pas de passer du statut « %(from)s » au statut « %(to)s ».")
            % {"from": Status(current).label, "to": Status(status).label}
        )
    if status == Status.MEMBER:
        organisation_check_grand_est(organisation=organisation, on=timezone.localdate(now))
    change = StatusChange.objects.create(
        organisation=organisation,
        status=status,
        reason=reason,
        effective_at=now,
        ends_on=ends_on,
        decided_by=actor if getattr(actor, "pk", None) else None,
        explanation=explanation,
        notice_reference=notice_reference,
        recorded_at=now,
    )
    audit_log(
        action=f"members.status.{status}",
        actor=actor,
        target=organisation,
        data={"from": current, "to": status, "reason": reason, "notice": notice_reference},
        now=now,
    )
    return change


def organisation_import_status(
    *, organisation: Organisation, status: str, actor=None, now=None
) -> StatusChange | None:
    """Set the starting status of an organisation imported from a spreadsheet."""
    if selectors.organisation_status(organisation=organisation, at=now) == status:
        return None
    return organisation_status_change(
        organisation=organisation,
        status=status,
        reason=StatusReason.IMPORTED,
        actor=actor,
        now=now,
    )


def user_sessions_end(*, user, now: datetime.datetime | None = None) -> int:
    """Delete the person's open sessions in the database; returns how many.

    Sessions are signed blobs keyed by a random id, so finding a person's sessions
    means decoding each unexpired one: a scan, acceptable at the portal's size (a few
    hundred accounts). With a non-database SESSION_ENGINE nothing is deleted here,
    and Django's AuthenticationMiddleware still refuses an inactive person.
    """
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now or timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def user_deactivate(*, user, actor, now: datetime.datetime | None = None):
    """Close a person's account: no more logins, and their open sessions end at once."""
    now = now or timezone.now()
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = user_sessions_end(user=user, now=now)
    audit_log(
        action="members.user.deactivated",
        actor=actor,
        target=user,
        data={"sessions_ended": ended},
        now=now,
    )
    return user
