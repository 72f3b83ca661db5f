"""What activities does when an organisation's membership changes (members/hooks.py).

Registered from ``ActivitiesConfig.ready()``; called by
``members.services.registry.organisation_status_change`` inside its transaction.
"""

from members.hooks import MembershipChange, on_membership_change

from .services import organisation_convocations_withdraw


def membership_follow(change: MembershipChange) -> None:
    """S2, L5: an organisation that loses its status (resigned, excluded, partnership
    ended, invitation expired) leaves the activities to come at once."""
    if change.lost_status:
        organisation_convocations_withdraw(
            organisation=change.organisation, actor=change.actor, now=change.now
        )


def register() -> None:
    on_membership_change(membership_follow)
