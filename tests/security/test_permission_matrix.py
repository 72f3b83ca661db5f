"""Who may open what: every named URL of the portal against six roles.

The URLs come from the URLconf itself, so a new page cannot be forgotten: a named
URL without a line in EXPECTED fails the test ("add it to the matrix"), and a line
for a URL that no longer exists fails it too. Each cell is the HTTP status the role
gets. POST-only views are requested with POST (an empty form), the others with GET.

Scope: the portal's own URLs; of allauth only login, sign-up, logout and password
reset (its other pages are tested in tests/accounts); of the admin a chosen few.
The MFA gate is off in EXPECTED (settings/test.py). MFA_DECISIONS lists the URLs behind
it (cos_portal/security.py: the admin and the URLs declared with ``decision()``): with
the gate on, the COPIL member and the superuser are sent to the MFA pages until they
used their authenticator app in the session, then get the status of EXPECTED. A URL the
COPIL or the commission reaches and members do not (or a POST-only one) is either a
decision or in NOT_DECISIONS with the reason.

Run with ``MATRIX_PRINT=1`` to print the statuses observed, to fill a new line.
"""

import io
import os
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from PIL import Image

from activities.constants import Attendance
from activities.models import CalendarToken, Minutes
from charters.certificates import create_signing_key
from charters.services import signature_record
from core.emails import unsubscribe_token
from cos_portal import security
from members.constants import Role, Status
from tests.activities.factories import ActivityFactory, attend, convene
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import commissions_world
from tests.governance.elections_matrix import elections_world
from tests.members.factories import (
    RepresentativeFactory,
    UserFactory,
    member_organisation,
)

from .conftest import totp_code

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "invitee", "member", "organiser", "copil", "superuser")

# Of the admin, only these pages are in the matrix (the others follow the same
# ModelAdmin permissions).
ADMIN_URLS = {
    "admin:index",
    "admin:members_organisation_changelist",
    "admin:members_organisation_add",
    "admin:members_statuschange_changelist",
    "admin:cos_portal_auditentry_changelist",
    "admin:auditlog_logentry_changelist",
}
# Of allauth, only the entrance pages (the rest: tests/accounts and test_mfa.py).
ALLAUTH_URLS = {"account_login", "account_signup", "account_logout", "account_reset_password"}
POST_ONLY = {
    # Commissions, referents and charter revision (issue 8).
    "commissions:membership_decide",
    "commissions:membership_leave",
    "commissions:report_shown",
    "commissions:referent_resign",
    "commissions:revision_support",
    "commissions:revision_vote_close",
    # COPIL elections and COPIL minutes requests (issue 7).
    "elections:manage",
    "elections:proxy_decide",
    "elections:proxy_revoke",
    # Announcements (issue 9).
    "announcements:send",
    "set_language",
    "space:consent",
    "activities:calendar_token",
    "activities:ratio_recompute",
    "activities:register",
    "activities:checkin_mark",
    "activities:checkin_sync",
    # Statuses (issue 6)
    "member_space:representative_add",
    "member_space:representative_end",
    "member_space:exclusion_respond",
    "member_space:proof_upload",
}

LOGIN = 302  # anonymous: redirected to the login page

# The decisions of the COPIL and of the election commission, and the pages only they
# see: MFA for whoever holds one of these roles (staff, superuser, COPIL, election
# commission), whatever the method. The whole admin too (but its login and logout).
MFA_DECISIONS = {
    # The charter's re-signature campaign (who signed the version in force, who not).
    "charters:campaign",
    # The attendance overview and its recompute (A3, A4).
    "activities:ratio_dashboard",
    "activities:ratio_recompute",
    # Elections (art. 6, V12): seats, the cycle, proxies, paper ballots, ties; the COPIL's
    # answers to requests for its minutes (C4).
    "elections:seats",
    "elections:create",
    "elections:manage",
    "elections:paper_ballot",
    "elections:tie",
    "elections:proxy_decide",
    "elections:minutes_requests",
    # Commissions (art. 8): memberships, reports, meetings, roadmap; the referents'
    # contact data (art. 9); every step of a charter revision (art. 10), including the
    # votes the COPIL records from the roll call.
    "commissions:membership_decide",
    "commissions:membership_leave",
    "commissions:report_create",
    "commissions:report_shown",
    "commissions:meeting_create",
    "commissions:roadmap_create",
    "commissions:roadmap_edit",
    "commissions:referents_copil",
    "commissions:revision_copil_open",
    "commissions:charter_version_new",
    "commissions:revision_commission",
    "commissions:revision_draft",
    "commissions:revision_vote_open",
    "commissions:revision_vote",
    "commissions:revision_vote_close",
    # Announcements and the deadlines overview (issue 9).
    "announcements:list",
    "announcements:create",
    "announcements:detail",
    "announcements:send",
    "deadlines:overview",
    "copil:cockpit",
    "copil:cockpit_deadlines",
    "deadlines:ics",
    *ADMIN_URLS,
}
_ORGANISERS = "the organisers' work at an activity (A2-A4), theirs too without a decision role"
# URLs the COPIL member or the superuser reach while members do not (or POST-only ones)
# that are no decision of the COPIL or of the commission, with the reason.
NOT_DECISIONS = {
    "set_language": "everyone chooses the language of the pages",
    "activities:calendar_token": "one's own calendar link",
    "activities:register": "one's own registration to an activity",
    "activities:create": _ORGANISERS,
    "activities:edit": _ORGANISERS,
    "activities:checkin": _ORGANISERS,
    "activities:checkin_mark": _ORGANISERS,
    "activities:checkin_walk_in": _ORGANISERS,
    "activities:checkin_manifest": _ORGANISERS,
    "activities:checkin_roster": _ORGANISERS,
    "activities:checkin_sync": _ORGANISERS,
    "activities:attendance_export": _ORGANISERS,
    "activities:attendance_import": _ORGANISERS,
    "activities:sign_in_sheet": _ORGANISERS,
    "elections:proxy_revoke": "only the giving organisation's signatory revokes (V6)",
    "elections:copil_minutes_file": "a read, open as well to members granted a request (C4)",
}


def everyone(status):
    return (status,) * len(ROLES)


def signed_in(status):
    return (LOGIN, *(status,) * (len(ROLES) - 1))


# The superuser holds no COPIL seat: the admin is open to them, the COPIL's pages and
# decisions are not (G1, G2: charters.selectors.is_copil follows the mandates' group).
#                            anonymous invitee member organiser copil superuser
EXPECTED: dict[str, tuple[int, ...]] = {
    "home": everyone(200),
    "healthz": everyone(200),
    "accessibility": everyone(200),  # the accessibility statement (issue 10)
    "set_language": everyone(302),
    # allauth: a signed-in person is sent on from the entrance pages.
    "account_login": (200, 302, 302, 302, 302, 302),
    "account_signup": (200, 302, 302, 302, 302, 302),
    "account_logout": (302, 200, 200, 200, 200, 200),
    "account_reset_password": everyone(200),
    # Public directory (S2: members and partners are listed) and the charter.
    "members:directory": everyone(200),
    "members:organisation": everyone(200),
    "members:organisation_logo": everyone(200),
    # Open data, the embeddable directory and what search engines read (issue 10).
    "members:directory_embed": everyone(200),
    "directory_csv": everyone(200),
    "directory_json": everyone(200),
    "directory_csv_fr": everyone(200),
    "directory_datapackage": everyone(200),
    "directory_schema": everyone(200),
    "sitemap": everyone(200),
    "robots_txt": everyone(200),
    "favicon": everyone(200),
    "web_manifest": everyone(200),
    "charters:current": everyone(200),
    "charters:version": everyone(200),
    "charters:verify": everyone(200),
    # Signatures: the representatives of the organisation and the COPIL only.
    "charters:sign": signed_in(200),
    "charters:my_signatures": signed_in(200),
    "charters:signature": (LOGIN, 403, 200, 403, 200, 403),
    "charters:certificate": (LOGIN, 403, 200, 403, 200, 403),
    "charters:campaign": (LOGIN, 403, 403, 403, 200, 403),
    # The signed-in space: a representative edits their own organisation only.
    "space:dashboard": signed_in(200),
    "space:organisation_edit": (LOGIN, 403, 200, 403, 403, 403),
    "space:consent": (LOGIN, 404, 302, 404, 404, 404),
    # Activities (A1-A4); minutes for those who attended and the organisers (W3).
    "activities:list": everyone(200),
    "activities:detail": everyone(200),
    "activities:calendar": everyone(200),
    "activities:private_calendar": everyone(200),  # the secret token is the key
    "activities:calendar_token": signed_in(302),
    "activities:my_attendance": signed_in(200),
    "activities:register": signed_in(302),
    # A2: one's own check-in code, for those on the activity's roster only (the invitee's
    # organisation and the member's are convened; the others are not on it).
    "activities:my_checkin_code": (LOGIN, 200, 200, 404, 404, 404),
    # Organisers create activities and edit those they organise (this one has none); the
    # COPIL corrects even a held one, the superuser (no COPIL seat) is sent back to it.
    "activities:create": (LOGIN, 403, 403, 200, 200, 200),
    "activities:edit": (LOGIN, 403, 403, 403, 200, 302),
    "activities:checkin": (LOGIN, 403, 403, 200, 200, 200),
    "activities:checkin_mark": (LOGIN, 403, 403, 302, 302, 302),
    "activities:checkin_walk_in": (LOGIN, 403, 403, 200, 200, 200),  # its form
    "activities:checkin_manifest": (LOGIN, 403, 403, 200, 200, 200),  # the app's manifest
    "activities:checkin_roster": (LOGIN, 403, 403, 200, 200, 200),  # the app's roster
    "activities:checkin_sync": (LOGIN, 403, 403, 400, 400, 400),  # an empty batch: malformed
    "activities:checkin_service_worker": everyone(200),  # the app's code, no data
    "activities:attendance_export": (LOGIN, 403, 403, 200, 200, 200),
    "activities:attendance_import": (LOGIN, 403, 403, 200, 200, 200),
    "activities:sign_in_sheet": (LOGIN, 403, 403, 200, 200, 200),  # PDF for the organisers
    "activities:minutes": (LOGIN, 403, 200, 200, 200, 200),
    "activities:minutes_file": (LOGIN, 403, 200, 200, 200, 200),
    "activities:ratio_dashboard": (LOGIN, 403, 403, 403, 200, 403),
    "activities:ratio_recompute": (LOGIN, 403, 403, 403, 302, 403),
    # Personal data (GDPR, issue 3): the privacy notice for all, one's own data signed in.
    "privacy:policy": everyone(200),
    "privacy:my_data": signed_in(200),
    "privacy:export": signed_in(200),
    "privacy:erase": signed_in(200),
    "reminder_preferences": signed_in(200),
    "email_unsubscribe": everyone(200),  # the confirmation page of a signed link
    # COPIL elections and COPIL minutes (issue 7: art. 6). "member" is a signatory who
    # gave a validated proxy in a published election; the superuser is in the election
    # commission (V12); the COPIL reads its minutes, members request them (C4).
    "elections:list": (LOGIN, 403, 200, 403, 200, 200),
    "elections:seats": (LOGIN, 403, 403, 403, 200, 200),
    "elections:create": (LOGIN, 403, 403, 403, 403, 200),
    "elections:detail": (LOGIN, 403, 200, 403, 200, 200),
    "elections:manage": (LOGIN, 403, 403, 403, 403, 302),
    "elections:candidacy": (LOGIN, 403, 200, 403, 200, 200),
    # Only a candidate withdraws: the others find no candidacy of theirs (404).
    "elections:candidacy_withdraw": (LOGIN, 403, 404, 403, 404, 404),
    "elections:proxy_give": (LOGIN, 403, 200, 403, 403, 403),
    "elections:vote": (LOGIN, 403, 200, 403, 403, 403),
    "elections:paper_ballot": (LOGIN, 403, 403, 403, 403, 200),
    "elections:tie": (LOGIN, 403, 403, 403, 403, 200),
    "elections:results": (LOGIN, 403, 200, 403, 200, 200),
    "elections:receipts": (LOGIN, 403, 200, 403, 200, 200),
    "elections:candidacy_video": (LOGIN, 403, 200, 403, 200, 200),
    "elections:proxy_pdf": (LOGIN, 403, 200, 403, 403, 200),
    "elections:proxy_decide": (LOGIN, 403, 403, 403, 403, 302),
    "elections:proxy_revoke": (LOGIN, 403, 302, 403, 403, 302),
    "elections:copil_minutes": (LOGIN, 403, 200, 403, 200, 403),
    "elections:copil_minutes_file": (LOGIN, 403, 403, 403, 200, 403),
    "elections:minutes_requests": (LOGIN, 403, 403, 403, 200, 403),
    # Commissions, referents and charter revision (issue 8: art. 8, 9, 10).
    # "member" is a member of the roadmap commission (not its facilitator), a zone
    # referent, and a signatory; a revision opened by the COPIL is in progress.
    "commissions:list": signed_in(200),
    "commissions:commission": signed_in(200),
    "commissions:volunteer": (LOGIN, 403, 200, 403, 403, 403),
    "commissions:membership_decide": (LOGIN, 403, 403, 403, 302, 403),
    "commissions:membership_leave": (LOGIN, 403, 403, 403, 302, 403),
    "commissions:report_create": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:report": (LOGIN, 403, 200, 403, 200, 403),
    "commissions:report_shown": (LOGIN, 403, 403, 403, 302, 403),
    "commissions:attachment": (LOGIN, 403, 200, 403, 200, 403),
    "commissions:meeting_create": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:roadmap_create": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:roadmap_edit": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:referents": everyone(200),
    "commissions:referent_contact": everyone(200),
    "commissions:referent_log": (LOGIN, 403, 200, 403, 403, 403),
    "commissions:referent_resign": (LOGIN, 403, 302, 403, 403, 403),
    "commissions:referents_copil": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:revision_index": signed_in(302),  # to the revision in progress
    "commissions:revision_petition": (LOGIN, 403, 200, 403, 403, 403),
    "commissions:revision_copil_open": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:charter_version_new": (LOGIN, 403, 403, 403, 200, 403),  # guided, X1-X4
    "commissions:revision": signed_in(200),
    "commissions:revision_support": (LOGIN, 403, 302, 403, 403, 403),
    "commissions:revision_commission": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:revision_draft": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:revision_vote_open": (LOGIN, 403, 403, 403, 200, 403),
    "commissions:revision_vote": (LOGIN, 403, 200, 403, 200, 403),
    "commissions:revision_vote_close": (LOGIN, 403, 403, 403, 302, 403),
    # Statuses (issue 6): the application, the member space of an organisation for its
    # representatives only (404 for others), proofs for them and the COPIL (N1), the
    # invitee's acceptance link (the signed token is the key, I2).
    "application:form": signed_in(200),
    "application:edit": (LOGIN, 404, 200, 404, 404, 404),
    "application:list": signed_in(200),
    "invitation_accept": everyone(200),
    "member_space:dashboard": (LOGIN, 302, 302, 200, 200, 200),  # one organisation: to it
    "member_space:organisation": (LOGIN, 404, 200, 404, 404, 404),
    "member_space:resign": (LOGIN, 404, 200, 404, 404, 404),
    "member_space:renounce": (LOGIN, 404, 200, 404, 404, 404),
    "member_space:representative_add": (LOGIN, 404, 302, 404, 404, 404),
    "member_space:representative_end": (LOGIN, 404, 302, 404, 404, 404),
    "member_space:exclusion_respond": (LOGIN, 404, 302, 404, 404, 404),
    "member_space:proof_upload": (LOGIN, 404, 302, 404, 404, 404),
    "member_space:proof_document": (LOGIN, 404, 200, 404, 200, 404),
    "member_space:invitation_propose": (LOGIN, 403, 200, 403, 403, 403),
    "member_space:opinion": (LOGIN, 404, 200, 404, 404, 404),
    # The COPIL's announcements and deadlines overview (issue 9): COPIL only, MFA as the
    # admin; a draft announcement exists, sending it redirects to its send log.
    "announcements:list": (LOGIN, 403, 403, 403, 200, 403),
    "announcements:create": (LOGIN, 403, 403, 403, 200, 403),
    "announcements:detail": (LOGIN, 403, 403, 403, 200, 403),
    "announcements:send": (LOGIN, 403, 403, 403, 302, 403),
    # The COPIL's cockpit (issue 18): the COPIL decides, staff (the superuser) read it.
    "copil:cockpit": (LOGIN, 403, 403, 403, 200, 200),
    "copil:cockpit_deadlines": (LOGIN, 403, 403, 403, 200, 200),  # its panel of deadlines
    "deadlines:overview": (LOGIN, 403, 403, 403, 200, 403),
    "deadlines:ics": (LOGIN, 403, 403, 403, 200, 403),
    # The admin: staff only (COPIL members are staff with the COPIL group's
    # permissions); others are sent to the admin login, then to allauth's.
    "admin:index": (302, 302, 302, 302, 200, 200),
    "admin:members_organisation_changelist": (302, 302, 302, 302, 200, 200),
    "admin:members_organisation_add": (302, 302, 302, 302, 200, 200),
    "admin:members_statuschange_changelist": (302, 302, 302, 302, 200, 200),
    "admin:cos_portal_auditentry_changelist": (302, 302, 302, 302, 200, 200),
    "admin:auditlog_logentry_changelist": (302, 302, 302, 302, 200, 200),
}


def named_urls(patterns=None, namespace=""):
    """(name, pattern) of every named URL, namespaces included, recursively."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def in_matrix(name: str) -> bool:
    if name.startswith("admin:"):
        return name in ADMIN_URLS
    if name.startswith(("account_", "mfa_")):
        return name in ALLAUTH_URLS
    return not name.startswith("djdt:")


def matrix_urls() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for name, pattern in named_urls():
        if in_matrix(name):
            found.setdefault(name, pattern)
    return found


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(settings, tmp_path):
    """One person per role, and the objects the URLs' parameters point to."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "cert.pem")
    create_signing_key(key_path=tmp_path / "key.pem", cert_path=tmp_path / "cert.pem")
    organisation = member_organisation()
    organisation.logo.save("logo.png", ContentFile(png()))
    member = RepresentativeFactory(organisation=organisation, is_authorised_signatory=True)
    invitee_organisation = member_organisation(status=Status.INVITEE)
    invitee = RepresentativeFactory(organisation=invitee_organisation)
    organiser = UserFactory()
    organiser.groups.add(Group.objects.get(name=Role.ORGANISERS))
    copil = UserFactory(is_staff=True)
    copil.groups.add(Group.objects.get(name=Role.COPIL))
    superuser = UserFactory(is_staff=True, is_superuser=True)

    activity = ActivityFactory(is_public=True)
    convene(activity, organisation, invitee_organisation)
    attend(activity, member, attendance=Attendance.PRESENT)
    minutes = Minutes.objects.create(activity=activity, text="Compte rendu.")
    minutes.file.save("compte-rendu.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    token = CalendarToken.objects.create(user=member.user)
    version = CharterVersionFactory(label="V1 R001")
    signature = signature_record(
        version=version,
        organisation=organisation,
        signer=member.user,
        password="motdepasse-de-test",
        consent_given=True,
    )

    users = {
        "anonymous": None,
        "invitee": invitee.user,
        "member": member.user,
        "organiser": organiser,
        "copil": copil,
        "superuser": superuser,
    }
    by_parameter = {
        "slug": organisation.slug,
        "pk": activity.pk,
        "token": token.token,
        "user_id": member.user_id,
        "code": signature.verification_code,
    }
    by_url = {"space:consent": {"pk": member.pk}, "charters:version": {"slug": version.slug}}
    by_url.update(_status_lifecycle_world(organisation, member, copil, version))
    by_url.update(elections_world(member=member))  # issue 7
    by_parameter.update(commissions_world(member=member, copil=copil))  # issue 8
    by_url.update(_announcements_world(copil))  # issue 9
    by_url["email_unsubscribe"] = {
        "token": unsubscribe_token(user=member.user, kind="announcement")
    }
    return users, by_parameter, by_url


def _status_lifecycle_world(organisation, member, copil, version):
    """Issue 6 (statuses): an application, a proof, an exclusion procedure, an invitation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members import services as members_services
    from members.constants import ExclusionGround

    slug = {"slug": organisation.slug}
    draft = members_services.application_save_draft(applicant=member.user, data={})
    applicant = UserFactory()
    submitted = members_services.application_submit(
        applicant=applicant,
        data={
            "legal_name": "Candidate SA",
            "establishments": [{"address": "1 rue Haute", "postcode": "57000", "city": "Metz"}],
        },
        aif_reference="AIF-1",
        motivation="",
        password="motdepasse-de-test",
        consent_given=True,
    )
    proof_request = members_services.proof_request_create(
        organisation=organisation, actor=copil, description="Statuts."
    )
    document = members_services.proof_document_upload(
        proof_request=proof_request,
        file=SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n%%EOF\n"),
        actor=member.user,
    )
    procedure = members_services.exclusion_open(
        organisation=organisation, actor=copil, ground=ExclusionGround.IMAGE_HARM, facts="Faits."
    )
    invitation = members_services.invitation_propose(
        proposed_by=member.user,
        proposing_organisation=organisation,
        guest_name="Invité",
        guest_email="invite@exemple.fr",
        starts_on=version.effective_date.today(),
        ends_on=version.effective_date.today(),
    )
    return {
        "application:edit": {"pk": draft.pk},
        "member_space:opinion": {"pk": submitted.pk},
        "member_space:proof_document": {"pk": document.pk},
        "member_space:organisation": slug,
        "member_space:resign": slug,
        "member_space:renounce": slug,
        "member_space:representative_add": slug,
        "member_space:representative_end": {**slug, "pk": member.pk},
        "member_space:exclusion_respond": {**slug, "pk": procedure.pk},
        "member_space:proof_upload": {**slug, "pk": proof_request.pk},
        "invitation_accept": {"token": members_services.invitation_token(invitation)},
    }


def _announcements_world(copil):
    """Issue 9: a draft announcement to the members (the member above receives it)."""
    from governance.announcements.services import announcement_create

    draft = announcement_create(actor=copil, subject="Annonce", body="Texte.")
    return {name: {"pk": draft.pk} for name in ("announcements:detail", "announcements:send")}


def url_for(name, pattern, by_parameter, by_url):
    parameters = list(pattern.pattern.converters) or list(
        pattern.pattern.regex.groupindex  # regex routes (re_path)
    )
    kwargs = by_url.get(name) or {p: by_parameter[p] for p in parameters}
    return reverse(name, kwargs=kwargs)


def test_every_named_url_is_in_the_matrix():
    names = set(matrix_urls())

    missing = sorted(names - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - names)

    assert not missing, f"add it to the matrix (EXPECTED): {missing}"
    assert not stale, f"these URLs no longer exist, remove them from EXPECTED: {stale}"
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


def test_each_role_gets_the_expected_status(world, settings):
    # /healthz in embedded mode: with REDIS_URL set and no worker it rightly answers 503
    # (tests/core/test_health.py covers that); here only access matters.
    settings.REDIS_URL = ""
    users, by_parameter, by_url = world
    observed: dict[str, tuple[int, ...]] = {}
    for name, pattern in sorted(matrix_urls().items()):
        url = url_for(name, pattern, by_parameter, by_url)
        statuses = []
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if users[role] is not None:
                client.force_login(users[role])
            method = client.post if name in POST_ONLY else client.get
            # Each cell starts from the same data: a POST of one role is undone.
            with transaction.atomic():
                response = method(url)
                response.close()  # files served (logo, minutes, PDF) are closed
                statuses.append(response.status_code)
                transaction.set_rollback(True)
        observed[name] = tuple(statuses)

    if os.environ.get("MATRIX_PRINT"):
        for name, row in observed.items():
            print(f'    "{name}": {row},')  # noqa: T201
    assert all(500 not in row for row in observed.values()), observed
    wrong = {
        name: {"expected": EXPECTED.get(name), "observed": row}
        for name, row in observed.items()
        if EXPECTED.get(name) != row
    }
    assert not wrong, wrong


# --- MFA on the decisions ---------------------------------------------------------------

COPIL, SUPERUSER, MEMBER = ROLES.index("copil"), ROLES.index("superuser"), ROLES.index("member")
DECISION_ROLES = ("copil", "superuser")


def reached(status: int) -> bool:
    return 200 <= status < 400


def test_every_action_of_the_copil_or_the_commission_is_a_decision_or_says_why_not():
    must_decide = {
        name
        for name, row in EXPECTED.items()
        if (reached(row[COPIL]) or reached(row[SUPERUSER]))
        and (name in POST_ONLY or row[MEMBER] in (403, 404))
    }

    unlisted = sorted(must_decide - MFA_DECISIONS - NOT_DECISIONS.keys())
    assert not unlisted, f"add it to MFA_DECISIONS (and decision() beside its route): {unlisted}"
    assert not MFA_DECISIONS & NOT_DECISIONS.keys()
    assert (MFA_DECISIONS | NOT_DECISIONS.keys()) <= EXPECTED.keys()
    assert all(reason.strip() for reason in NOT_DECISIONS.values())


def sample_path(name: str, pattern: URLPattern) -> str:
    """The URL with made-up parameters: resolving it needs no object."""
    converters = pattern.pattern.converters
    return reverse(
        name, kwargs={p: 1 if converters[p].regex == "[0-9]+" else "x" for p in converters}
    )


def test_the_mfa_gate_covers_exactly_the_decisions():
    gated = set()
    for name, pattern in matrix_urls().items():
        match = resolve(sample_path(name, pattern))
        assert match.view_name == name
        if security.is_decision(match):
            gated.add(name)

    assert sorted(gated - MFA_DECISIONS) == [], "a URL behind MFA is missing from MFA_DECISIONS"
    assert sorted(MFA_DECISIONS - gated) == [], "declare it with decision() beside its route"


def test_every_view_kept_to_the_copil_is_a_decision():
    copil_only = {
        name
        for name, pattern in matrix_urls().items()
        if getattr(pattern.callback, "copil_only", False)
    }

    assert copil_only >= {"announcements:list", "deadlines:overview"}
    assert sorted(copil_only - MFA_DECISIONS) == []


def is_write(sql: str) -> bool:
    # The session row (the messages of the redirect) is not a change of the portal's data.
    statement = sql.lstrip().upper()
    return (
        statement.startswith(("INSERT", "UPDATE", "DELETE")) and "DJANGO_SESSION" not in statement
    )


def request_once(client, name, url):
    """One request whose changes, if any, are undone; with the writes it attempted."""
    method = client.post if name in POST_ONLY else client.get
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = method(url)
        response.close()
        transaction.set_rollback(True)
    return response, [q["sql"] for q in queries.captured_queries if is_write(q["sql"])]


@pytest.mark.parametrize("with_app", [False, True], ids=["no-app", "app-not-used"])
def test_without_mfa_in_the_session_the_decisions_send_to_the_mfa_pages(world, mfa_on, with_app):
    users, by_parameter, by_url = world
    if with_app:
        for role in DECISION_ROLES:
            TOTP.activate(users[role], generate_totp_secret())
    mfa_page = reverse("mfa_reauthenticate" if with_app else "mfa_activate_totp")
    # The signed-in people without a decision role (asked once) reach the views.
    roles = DECISION_ROLES if with_app else ROLES[1:]
    urls = matrix_urls()
    wrong = {}
    for name in sorted(MFA_DECISIONS):
        url = url_for(name, urls[name], by_parameter, by_url)
        for role in roles:
            client = Client(raise_request_exception=False)
            client.force_login(users[role])
            response, writes = request_once(client, name, url)
            if role in DECISION_ROLES:
                got = (response.status_code, urlsplit(response.get("Location", "")).path, writes)
                if got != (302, mfa_page, []):
                    wrong[(name, role)] = got
            elif response.status_code != EXPECTED[name][ROLES.index(role)]:
                wrong[(name, role)] = response.status_code

    assert not wrong, wrong


def test_with_mfa_in_the_session_the_decisions_answer_as_in_the_matrix(world, mfa_on):
    users, by_parameter, by_url = world
    sessions = {}
    for role in DECISION_ROLES:
        secret = generate_totp_secret()
        TOTP.activate(users[role], secret)
        client = Client()
        client.force_login(users[role])
        response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    urls = matrix_urls()
    observed, expected = {}, {}
    for name in sorted(MFA_DECISIONS):
        url = url_for(name, urls[name], by_parameter, by_url)
        for role in DECISION_ROLES:
            client = Client(raise_request_exception=False)
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
            response, _writes = request_once(client, name, url)
            observed[(name, role)] = response.status_code
            expected[(name, role)] = EXPECTED[name][ROLES.index(role)]

    assert observed == expected
