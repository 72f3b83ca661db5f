"""What follows a change of membership: handlers the higher apps register (S2, L5, X2).

members is the lowest of the domain apps (ARCHITECTURE: core <- charters <- members <-
activities <- governance): it may not import activities or governance, yet a member
that resigns or is excluded must leave the convocations of future activities at once
(S2, L5), its representatives' COPIL mandates end that day (V3) and the revision
petitions are recounted (X2). So the higher apps register a handler here from their
``AppConfig.ready()`` (as the deadline registry does), and
``registry.organisation_status_change`` calls every handler after it has recorded the
change, inside its transaction: the change and all that follows it are committed
together or not at all. A handler is an explicit call of the portal's flow, not a
signal (ARCHITECTURE §7); it raises to refuse the whole change.

The same goes for an invitation the COPIL validates (charter art. 5, I1): it names the
activities the guest is invited to, which live in activities; activities registers a
handler with ``on_invitation_validated`` and ``services.invitation_validate`` calls it in
its transaction, once the invitation is recorded as validated. Nothing is registered for
its end: an invitee organisation whose status ends (expiry, or a decision of the COPIL)
goes through ``on_membership_change`` like any other (L5).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .constants import BENEFIT_STATUSES, Status
from .models import Invitation, Organisation, StatusChange

__all__ = [
    "InvitationValidated",
    "MembershipChange",
    "invitation_validated",
    "membership_changed",
    "on_invitation_validated",
    "on_membership_change",
]


@dataclass(frozen=True)
class MembershipChange:
    """One recorded transition (S1), as the handlers see it."""

    organisation: Organisation
    change: StatusChange
    previous_status: str
    actor: object
    now: datetime.datetime

    @property
    def status(self) -> str:
        return self.change.status

    @property
    def reason(self) -> str:
        return self.change.reason

    @property
    def membership_moved(self) -> bool:
        """The organisation became a member or stopped being one: the count of members
        changed (X2)."""
        return (self.previous_status == Status.MEMBER) != (self.status == Status.MEMBER)

    @property
    def left_membership(self) -> bool:
        return self.previous_status == Status.MEMBER and self.status != Status.MEMBER

    @property
    def lost_status(self) -> bool:
        """L5: the organisation had a status (member, partner, invitee) and now has none."""
        return self.status == Status.NONE and self.previous_status in {
            *BENEFIT_STATUSES,
            Status.INVITEE,
        }


Handler = Callable[[MembershipChange], None]

_HANDLERS: list[Handler] = []


def on_membership_change(handler: Handler) -> Handler:
    """Register ``handler(change)``, called on every status change; usable as a decorator.

    Registering the same function twice keeps one entry (``ready()`` may run again in
    tests)."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)
    return handler


def membership_changed(*, change: MembershipChange) -> None:
    """Call the handlers in their order of registration (that of INSTALLED_APPS)."""
    for handler in tuple(_HANDLERS):
        handler(change)


# --- Invitations validated (I1) ----------------------------------------------------------


@dataclass(frozen=True)
class InvitationValidated:
    """An invitation the COPIL has just validated (I1), as the handlers see it: its
    ``organisation`` is the one found or created at validation, None for a person
    invited in their own name."""

    invitation: Invitation
    actor: object
    now: datetime.datetime


InvitationHandler = Callable[[InvitationValidated], None]

_INVITATION_HANDLERS: list[InvitationHandler] = []


def on_invitation_validated(handler: InvitationHandler) -> InvitationHandler:
    """Register ``handler(event)``, called once an invitation is validated; usable as a
    decorator. Registering the same function twice keeps one entry."""
    if handler not in _INVITATION_HANDLERS:
        _INVITATION_HANDLERS.append(handler)
    return handler


def invitation_validated(*, event: InvitationValidated) -> None:
    """Call the handlers in their order of registration (that of INSTALLED_APPS)."""
    for handler in tuple(_INVITATION_HANDLERS):
        handler(event)
