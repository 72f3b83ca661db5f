"""Services for COPIL seats, elections, proxies and ballots (art. 6), one module per step
of the cycle: planning (calendar, announcement), seats (mandates, COPIL group),
candidacies (eligibility), proxies, voting (ballots; the threat model of the secret ballot
is in ``voting``) and results (tally). COPIL meetings are in ``governance.copil``.

Callers import from ``governance.elections.services``: each public name is re-exported
here. A test that patches a name patches it in the module that uses it (e.g.
``governance.elections.services.proxies``).
"""

import logging

from governance.elections import selectors

from .candidacies import (
    VIDEO_EXTENSIONS,
    VIDEO_MAX_BYTES,
    Eligibility,
    candidacy_declare,
    candidacy_withdraw,
    candidate_eligibility,
    member_since,
    video_check,
)
from .planning import (
    blackout_windows_text,
    election_announce,
    election_announcement_send,
    election_calendar_help,
    election_create,
    election_create_prerequisites,
    election_date_check,
    election_plenary_change_check,
    election_plenary_changed,
    first_allowed_date,
    in_blackout,
    previous_ordinary_plenary,
)
from .proxies import (
    proxy_decide,
    proxy_give,
    proxy_revoke,
)
from .results import (
    Ranking,
    election_results_publish,
    election_tally,
    election_tie_resolve,
    rank_candidates,
)
from .seats import (
    SeatRenewal,
    copil_roles_daily,
    copil_roles_sync,
    mandate_end,
    mandate_start,
    mandates_end_on_departure,
    seat_renewal_reason,
    seats_ensure,
    seats_to_renew,
)
from .voting import (
    ballot_cast,
    ballot_check,
    election_voting_close,
    election_voting_open,
)

logger = logging.getLogger(__name__)

__all__ = [
    "Eligibility",
    "Ranking",
    "SeatRenewal",
    "VIDEO_EXTENSIONS",
    "VIDEO_MAX_BYTES",
    "ballot_cast",
    "ballot_check",
    "blackout_windows_text",
    "candidacy_declare",
    "candidacy_withdraw",
    "candidate_eligibility",
    "copil_roles_daily",
    "copil_roles_sync",
    "election_announce",
    "election_announcement_send",
    "election_calendar_help",
    "election_create",
    "election_create_prerequisites",
    "election_date_check",
    "election_plenary_change_check",
    "election_plenary_changed",
    "election_results_publish",
    "election_tally",
    "election_tie_resolve",
    "election_voting_close",
    "election_voting_open",
    "first_allowed_date",
    "in_blackout",
    "mandate_end",
    "mandate_start",
    "mandates_end_on_departure",
    "member_since",
    "previous_ordinary_plenary",
    "proxy_decide",
    "proxy_give",
    "proxy_revoke",
    "rank_candidates",
    "seat_renewal_reason",
    "seats_ensure",
    "seats_to_renew",
    "selectors",
    "video_check",
]
