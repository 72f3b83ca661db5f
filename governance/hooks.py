"""What governance registers with the apps below it (GovernanceConfig.ready()).

activities never imports governance (ARCHITECTURE, one-way dependencies): when an
activity changes date or kind, ``activities.services.activity_update`` (and the
activity's admin form) call the hook registered here, which applies the charter's rules
on the elections (V9-V11) and revision votes (X4) held at plenaries and turns their
domain errors into the activities error the activity's callers show.
"""

from activities.exceptions import ActivityChangeRefused
from activities.hooks import activity_change_hook

from .elections.services import election_plenary_change_check, election_plenary_changed
from .exceptions import GovernanceError
from .revisions.services import revision_plenary_change_check


def plenary_change_check(*, activity, starts_at, kind, now) -> None:
    try:
        election_plenary_change_check(activity=activity, starts_at=starts_at, kind=kind, now=now)
        revision_plenary_change_check(activity=activity, starts_at=starts_at, kind=kind)
    except GovernanceError as error:
        raise ActivityChangeRefused(error.message, field=error.field or "starts_at") from error


def plenary_changed(*, activity, previous_starts_at, previous_kind, actor, now) -> None:
    election_plenary_changed(
        activity=activity,
        previous_starts_at=previous_starts_at,
        previous_kind=previous_kind,
        actor=actor,
        now=now,
    )


def register() -> None:
    activity_change_hook("governance.plenaries", check=plenary_change_check, follow=plenary_changed)
