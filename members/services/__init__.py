"""Writes of the members registry, one module per part of the charter.

Every status transition goes through ``registry.organisation_status_change`` (S1) and
every COPIL decision checks ``_common._require_copil`` (G2). Callers import from
``members.services``: each public name is re-exported here. A test that patches a name
patches it in the module that uses it (e.g. ``members.services.partners``).
"""

from ..models import amendment_effective_date
from .accounts import user_deactivate, user_get_or_create, user_language_set, user_sessions_end
from .applications import (
    APPLICATION_ORGANISATION_FIELDS,
    application_aif_verify,
    application_approve,
    application_opinion_post,
    application_reject,
    application_save_draft,
    application_submit,
)
from .corrections import organisation_status_correct
from .departures import exclusion_decide, exclusion_open, exclusion_respond, member_resign
from .invitees import (
    INVITATION_TOKEN_SALT,
    invitation_accept,
    invitation_acceptance_text,
    invitation_from_token,
    invitation_propose,
    invitation_refuse,
    invitation_token,
    invitation_validate,
)
from .partners import (
    agreement_dates,
    agreement_last_notice_date,
    agreement_next_renewal,
    agreement_notice_deadline,
    agreement_period_ends,
    partner_grant,
    partner_renounce,
    partner_terminate,
    partnership_agreement_in_force,
    partnership_agreement_record,
    status_expirations,
)
from .privacy import ERASED_EMAIL_DOMAIN, ERASED_NAME, person_erase, person_is_erased
from .profiles import (
    GRAND_EST_STATUSES,
    LOGO_CONTENT_TYPES,
    LOGO_FORMATS,
    PROFILE_FIELDS,
    logo_check,
    organisation_profile_update,
    representative_consent_set,
)
from .proofs import (
    PROOF_MAX_BYTES,
    UPLOAD_CONTENT_TYPES,
    UPLOAD_FORMATS,
    proof_document_upload,
    proof_request_create,
    upload_check,
    upload_name_check,
)
from .registry import (
    RETURN_STATUSES,
    french_slug,
    imported_status_check,
    organisation_check_grand_est,
    organisation_create,
    organisation_create_from,
    organisation_import_status,
    organisation_status_change,
    return_ban_check,
    return_ban_message,
    status_change_check,
    unique_slug,
)
from .representatives import representative_add, representative_end
from .status_decisions import organisation_status_decide, status_decision_path_check

__all__ = [
    "APPLICATION_ORGANISATION_FIELDS",
    "ERASED_EMAIL_DOMAIN",
    "ERASED_NAME",
    "GRAND_EST_STATUSES",
    "INVITATION_TOKEN_SALT",
    "LOGO_CONTENT_TYPES",
    "LOGO_FORMATS",
    "PROFILE_FIELDS",
    "PROOF_MAX_BYTES",
    "RETURN_STATUSES",
    "UPLOAD_CONTENT_TYPES",
    "UPLOAD_FORMATS",
    "agreement_dates",
    "agreement_last_notice_date",
    "agreement_next_renewal",
    "agreement_notice_deadline",
    "agreement_period_ends",
    "amendment_effective_date",
    "application_aif_verify",
    "application_approve",
    "application_opinion_post",
    "application_reject",
    "application_save_draft",
    "application_submit",
    "exclusion_decide",
    "exclusion_open",
    "exclusion_respond",
    "french_slug",
    "imported_status_check",
    "invitation_accept",
    "invitation_acceptance_text",
    "invitation_from_token",
    "invitation_propose",
    "invitation_refuse",
    "invitation_token",
    "invitation_validate",
    "logo_check",
    "member_resign",
    "organisation_check_grand_est",
    "organisation_create",
    "organisation_create_from",
    "organisation_import_status",
    "organisation_profile_update",
    "organisation_status_change",
    "organisation_status_correct",
    "organisation_status_decide",
    "partner_grant",
    "partner_renounce",
    "partner_terminate",
    "partnership_agreement_in_force",
    "partnership_agreement_record",
    "person_erase",
    "person_is_erased",
    "proof_document_upload",
    "proof_request_create",
    "representative_add",
    "representative_consent_set",
    "representative_end",
    "return_ban_check",
    "return_ban_message",
    "status_change_check",
    "status_decision_path_check",
    "status_expirations",
    "unique_slug",
    "upload_check",
    "upload_name_check",
    "user_deactivate",
    "user_get_or_create",
    "user_language_set",
    "user_sessions_end",
]
