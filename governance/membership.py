"""What governance does when an organisation's membership changes (members/hooks.py).

Registered from ``GovernanceConfig.ready()``; called by
``members.services.registry.organisation_status_change`` inside its transaction, after
activities' own handler (INSTALLED_APPS order).
"""

from members.hooks import MembershipChange, on_membership_change

from .elections.services import mandates_end_on_departure
from .revisions.services import revision_petitions_check


def membership_follow(change: MembershipChange) -> None:
    """L5, G1, V3: a member that resigns or is excluded loses its representatives' COPIL
    mandates that day (and with them the COPIL role and the admin); X2: the petitions are
    recounted against the new number of members, at once rather than at the next hourly
    recount."""
    if change.left_membership:
        mandates_end_on_departure(
            organisation=change.organisation,
            status_reason=change.reason,
            actor=change.actor,
            now=change.now,
        )
    if change.membership_moved:
        revision_petitions_check(now=change.now)


def register() -> None:
    on_membership_change(membership_follow)
