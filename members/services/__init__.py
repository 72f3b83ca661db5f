"""Writes of the members registry, one module per part of the charter.

Every status transition goes through ``registry.organisation_status_change`` (S1) and
every COPIL decision checks ``_common._require_copil`` (G2). Callers import from
``members.services``: each public name is re-exported here. A test that patches a name
patches it in the module that uses it (e.g. ``members.services.partners``).
"""

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
    amendment_effective_date,
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
    french_slug,
    organisation_check_grand_est,
    organisation_create,
    organisation_create_from,
    organisation_import_status,
    organisation_status_change,
    status_change_check,
    unique_slug,
)
from .representatives import representative_add, representative_end

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
    "status_change_check",
    "status_expirations",
    "unique_slug",
    "upload_check",
    "upload_name_check",
    "user_deactivate",
    "user_get_or_create",
    "user_language_set",
    "user_sessions_end",
]
