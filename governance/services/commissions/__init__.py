"""Writes of commissions (K1-K3), referents (R1-R4) and charter revision (X2-X4, W1).

Every change is checked here, whatever the caller (page, admin action, task), and
written with its audit entry in one transaction (ARCHITECTURE §2, §5, §8).

One module per subject: memberships (commissions, volunteers, meetings), reports
(progress reports, attachments, roadmap), referents, contact (the public contact form),
petitions (revision opened by petition) and revisions (the revision once opened).
Callers import from ``governance.services.commissions``: each public name is
re-exported here. A test that patches a name patches it in the module that uses it.
"""

import logging

from ... import selectors_commissions as selectors
from .contact import (
    CONTACT_MESSAGE_MAX_CHARS,
    CONTACT_RATE_LIMIT,
    CONTACT_RATE_WINDOW,
    contact_rate_limited,
    contact_token_new,
    referent_message_send,
)
from .memberships import (
    commission_create,
    commission_end,
    commission_facilitator_set,
    commission_meeting_create,
    commission_meetings_sync,
    commission_volunteer,
    membership_decide,
    membership_leave,
)
from .petitions import (
    revision_petition_open,
    revision_petitions_check,
    revision_support,
    revision_support_withdraw,
    revision_threshold_check,
)
from .referents import (
    referent_appoint,
    referent_contact_log,
    referent_end,
)
from .reports import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_TYPES,
    ROADMAP_FIELDS,
    attachment_check,
    progress_report_mark_shown,
    progress_report_submit,
    roadmap_action_save,
)
from .revisions import (
    can_draft,
    revision_close,
    revision_commission_create,
    revision_draft_save,
    revision_open_by_copil,
    revision_plenary_change_check,
    revision_vote_close,
    revision_vote_open,
    revision_vote_record,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_MAX_COUNT",
    "ATTACHMENT_TYPES",
    "CONTACT_MESSAGE_MAX_CHARS",
    "CONTACT_RATE_LIMIT",
    "CONTACT_RATE_WINDOW",
    "ROADMAP_FIELDS",
    "attachment_check",
    "can_draft",
    "commission_create",
    "commission_end",
    "commission_facilitator_set",
    "commission_meeting_create",
    "commission_meetings_sync",
    "commission_volunteer",
    "contact_rate_limited",
    "contact_token_new",
    "membership_decide",
    "membership_leave",
    "progress_report_mark_shown",
    "progress_report_submit",
    "referent_appoint",
    "referent_contact_log",
    "referent_end",
    "referent_message_send",
    "revision_close",
    "revision_commission_create",
    "revision_draft_save",
    "revision_open_by_copil",
    "revision_petition_open",
    "revision_petitions_check",
    "revision_plenary_change_check",
    "revision_support",
    "revision_support_withdraw",
    "revision_threshold_check",
    "revision_vote_close",
    "revision_vote_open",
    "revision_vote_record",
    "roadmap_action_save",
    "selectors",
]
