"""What activities gives members: what it does when an organisation's membership
changes (members/hooks.py), and the attendance members reads (members/attendance.py).

Registered from ``ActivitiesConfig.ready()``; the membership handler is called by
``members.services.registry.organisation_status_change`` inside its transaction.
"""

from members.attendance import AttendanceReaders, attendance_readers_register
from members.hooks import MembershipChange, on_membership_change

from .selectors import invitee_attendances, organisation_ratio_latest
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
    attendance_readers_register(
        AttendanceReaders(
            invitee_attendances=invitee_attendances,
            organisation_ratio_latest=organisation_ratio_latest,
        )
    )
