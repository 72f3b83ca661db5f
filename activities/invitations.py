"""What activities does when the COPIL validates an invitation (members/hooks.py).

Registered from ``ActivitiesConfig.ready()``; the handler is called by
``members.services.invitation_validate`` inside its transaction.
"""

from members.hooks import InvitationValidated, on_invitation_validated

from .services import invitation_convene


def invitation_follow(event: InvitationValidated) -> None:
    """I1: the invitee is convened to the activities the invitation names."""
    invitation_convene(invitation=event.invitation, actor=event.actor, now=event.now)


def register() -> None:
    on_invitation_validated(invitation_follow)
