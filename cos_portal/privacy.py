"""Personal data (GDPR art. 15 and 20): everything the portal holds about one person, as JSON.

Gathered through each app's selectors (never its views), so a new kind of record is
added here with the selector that reads it. What is left out, on purpose: password
hashes, authenticator secrets and recovery codes, session keys, the private calendar
token (secrets, not data about the person), and the security log lines (stdout, kept
by the host for 12 months: privacy page).
"""

import datetime

from django.utils import timezone

from activities.selectors import person_participations
from charters.selectors import person_signatures
from core.auditing import is_secret
from core.models import AuditEntry
from members.selectors import person_representations

FORMAT_VERSION = 1


def _when(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _account(user) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "is_active": user.is_active,
        "groups": sorted(group.name for group in user.groups.all()),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "authenticators": [
            {"type": authenticator.type, "created_at": _when(authenticator.created_at)}
            for authenticator in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }


def _representations(user) -> list[dict]:
    return [
        {
            "organisation": r.organisation.legal_name,
            "job_title": r.job_title,
            "start_date": _when(r.start_date),
            "end_date": _when(r.end_date),
            "is_authorised_signatory": r.is_authorised_signatory,
            "public_consent": r.public_consent,
        }
        for r in person_representations(user=user)
    ]


def _signatures(user) -> list[dict]:
    return [
        {
            "charter_version": s.version.label,
            "organisation": s.organisation_name,
            "signer_name": s.signer_name,
            "signer_email": s.signer_email,
            "signer_role": s.signer_role,
            "capacity": s.capacity,
            "scope": s.scope,
            "signed_at": _when(s.signed_at),
            "ip_address": s.ip_address,
            "user_agent": s.user_agent,
            "auth_method": s.auth_method,
            "consent_text": s.consent_text,
            "verification_code": s.verification_code,
        }
        for s in person_signatures(user=user)
    ]


def _participations(user) -> list[dict]:
    return [
        {
            "activity": p.activity.title,
            "starts_at": _when(p.activity.starts_at),
            "organisation": p.organisation.legal_name if p.organisation else None,
            "registration": p.registration,
            "registered_at": _when(p.registered_at),
            "attendance": p.attendance,
            "is_walk_in": p.is_walk_in,
            "recorded_at": _when(p.recorded_at),
        }
        for p in person_participations(user=user)
    ]


def _actions(user) -> list[dict]:
    return [
        {
            "date": _when(entry.created_at),
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
        }
        for entry in AuditEntry.objects.filter(actor=user).order_by("created_at", "pk")
    ]


# Records already exported above, each with its own section.
COVERED = {
    "members.user",
    "members.representative",
    "charters.signature",
    "activities.participation",
    "activities.calendartoken",
    "cos_portal.auditentry",
}
OTHER_APPS = ("members", "charters", "activities", "governance")


def _other_records(user) -> list[dict]:
    """Every other row of the portal's apps that points to the person (applications,
    candidacies, proxies, mandates, commissions, referent roles...), found by its link to
    the account so that a new kind of record is exported the day it appears. Models that
    hold a vote are left out (core.auditing.is_secret): the register of who voted
    is not exported, and a ballot is never linked to its voter.
    """
    from django.apps import apps
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    records = []
    for app_label in OTHER_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label_lower in COVERED or is_secret(model):
                continue
            # What a row's description (str) may name: read once for all the rows, a query
            # per link, instead of once per row.
            related = [
                field.name
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not user_model
            ]
            for link in model._meta.concrete_fields:
                if not link.is_relation or link.related_model is not user_model:
                    continue
                rows = model._default_manager.filter(**{link.name: user}).prefetch_related(*related)
                for row in rows.order_by("pk"):
                    records.append(
                        {
                            "record_type": str(model._meta.verbose_name),
                            "relation": str(link.verbose_name),
                            "record": str(row),
                            "created_at": _when(getattr(row, "created_at", None)),
                        }
                    )
    return records


def personal_data_export(*, user, now: datetime.datetime | None = None) -> dict:
    """The person's data as a JSON-serialisable dict (no secrets)."""
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _when(now or timezone.now()),
        "account": _account(user),
        "representations": _representations(user),
        "charter_signatures": _signatures(user),
        "activities": _participations(user),
        "actions_in_the_decision_log": _actions(user),
        "other_records": _other_records(user),
    }
