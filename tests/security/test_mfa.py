"""MFA (allauth.mfa: authenticator app and recovery codes) for staff, the COPIL and the
election commission.

cos_portal/security.py sends a person holding one of these roles who has not activated
an authenticator app, or has not used it in this session, to the MFA pages before the
admin or a decision (a URL declared with ``decision()``; the list of the portal's is in
test_permission_matrix.py). settings/test.py turns the gate off; ``mfa_on`` turns it on.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from freezegun import freeze_time

from cos_portal.security import mfa_required_for
from governance.models import Commission, CommissionMembership, ElectionStatus
from members.constants import Role
from tests.accounts.factories import PASSWORD, verified_user
from tests.governance.elections.factories import at, commission_member, election_world, member_rep

from .conftest import totp_code

pytestmark = pytest.mark.django_db

NOW = "2026-03-10 09:00:05"


def login(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def activation_then(path: str) -> str:
    """The activation page of an authenticator app, coming back to ``path`` afterwards."""
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': path})}"


def staff_with_totp(**kwargs):
    user = verified_user(**{"is_staff": True, **kwargs})
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/", follow=True)

    assert [url for url, _ in response.redirect_chain] == [
        "/admin/login/?next=/admin/",
        "/comptes/login/?next=%2Fadmin%2F",
    ]


def test_a_signed_in_person_who_is_not_staff_is_refused_by_the_admin_login(client):
    client.force_login(verified_user())

    assert client.get("/admin/login/").status_code == 403


def test_staff_without_an_authenticator_app_is_sent_to_its_activation(client, mfa_on):
    client.force_login(verified_user(is_staff=True))

    response = client.get("/admin/auth/group/")

    assert response.status_code == 302
    assert response["Location"] == activation_then("/admin/auth/group/")


def test_the_gate_is_off_in_tests_unless_switched_on(client, settings):
    assert settings.MFA_REQUIRED_FOR_STAFF is False
    client.force_login(verified_user(is_staff=True, is_superuser=True))

    assert client.get("/admin/").status_code == 200


def test_admin_logout_stays_reachable_without_mfa(client, mfa_on):
    client.force_login(verified_user(is_staff=True))

    response = client.post("/admin/logout/")

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


# Real transactions: allauth announces the new authenticator on commit, inside the
# request, and the portal then marks the session as verified (the first code typed
# proved the device).
@pytest.mark.django_db(transaction=True)
def test_staff_activates_an_authenticator_app_then_lands_back_on_the_admin(client, mfa_on):
    staff = verified_user(is_staff=True, is_superuser=True)
    assert login(client, staff).status_code == 302

    activation = client.get("/admin/auth/group/")["Location"]
    assert activation == activation_then("/admin/auth/group/")
    # allauth asks for the password again before an authenticator is added; the page
    # asked for travels with it.
    confirm = client.get(activation)["Location"]
    assert confirm == f"/comptes/reauthenticate/?{urlencode({'next': activation})}"
    assert client.post(confirm, {"password": PASSWORD})["Location"] == activation
    page = client.get(activation)
    assert page.status_code == 200
    assert "Activer" in page.content.decode()
    secret = client.session[SECRET_SESSION_KEY]
    # The real form posts to the bare activation URL (allauth's template).
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/admin/auth/group/"
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).count() == 1
    # Recovery codes come with the app, and the message says where to read them.
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    landed = client.get(response["Location"])
    assert landed.status_code == 200
    assert reverse("mfa_view_recovery_codes") in landed.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_copil_member_activates_the_app_then_lands_on_the_copil_page_asked(client, mfa_on):
    member = in_group(verified_user(), Role.COPIL)
    login(client, member)

    activation = client.get("/copil/echeances/?overdue=on")["Location"]
    assert activation == activation_then("/copil/echeances/?overdue=on")
    client.post(client.get(activation)["Location"], {"password": PASSWORD})
    client.get(activation)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response["Location"] == "/copil/echeances/?overdue=on"
    assert client.get(response["Location"]).status_code == 200


def test_the_activation_leads_to_no_other_site(client, mfa_on):
    staff = verified_user(is_staff=True)
    login(client, staff)
    client.post("/comptes/reauthenticate/", {"password": PASSWORD})
    client.get(f"{reverse('mfa_activate_totp')}?next=https://ailleurs.example/")
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert not response["Location"].startswith("https://ailleurs.example")
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).count() == 1


def test_a_wrong_activation_code_activates_nothing(client, mfa_on):
    staff = verified_user(is_staff=True)
    login(client, staff)
    client.post("/comptes/reauthenticate/", {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()
    assert client.get("/admin/")["Location"] == activation_then("/admin/")


@freeze_time(NOW)
def test_login_with_an_authenticator_app_asks_for_the_code(client, mfa_on):
    staff, secret = staff_with_totp(is_superuser=True)

    response = login(client, staff)

    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)
    assert client.get("/admin/").status_code == 200


@freeze_time(NOW)
def test_a_code_used_once_cannot_be_used_again(client, mfa_on):
    staff, secret = staff_with_totp()
    code = totp_code(secret)
    login(client, staff)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session[SESSION_KEY] == str(staff.pk)
    client.post(reverse("account_logout"))

    login(client, staff)
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_recovery_code_works_once(client, mfa_on):
    staff, _secret = staff_with_totp()
    codes = RecoveryCodes.activate(staff).get_unused_codes()
    login(client, staff)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session[SESSION_KEY] == str(staff.pk)
    client.post(reverse("account_logout"))

    login(client, staff)
    reused = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert reused.status_code == 200
    assert SESSION_KEY not in client.session
    client.post(reverse("mfa_authenticate"), {"code": codes[1]})
    assert client.session[SESSION_KEY] == str(staff.pk)
    remaining = RecoveryCodes(Authenticator.objects.get(user=staff, type="recovery_codes"))
    assert remaining.get_unused_codes() == codes[2:]


def test_a_session_that_skipped_the_code_must_confirm_it_first(client, mfa_on):
    staff, secret = staff_with_totp(is_superuser=True)
    client.force_login(staff)

    response = client.get("/admin/auth/group/")

    reauthenticate = reverse("mfa_reauthenticate")
    assert response["Location"] == f"{reauthenticate}?next=%2Fadmin%2Fauth%2Fgroup%2F"
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response["Location"] == "/admin/auth/group/"
    assert client.get("/admin/auth/group/").status_code == 200


@pytest.mark.urls("tests.security.urls")
def test_a_copil_decision_needs_mfa_from_a_copil_member(client, mfa_on):
    member = verified_user()
    member.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    client.force_login(member)

    response = client.get("/test/decision-copil/")

    assert response["Location"] == activation_then("/test/decision-copil/")


@pytest.mark.urls("tests.security.urls")
def test_a_copil_decision_opens_after_the_code(client, mfa_on):
    member, secret = staff_with_totp(is_staff=False)
    member.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    login(client, member)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    response = client.get("/test/decision-copil/")

    assert response.status_code == 200
    assert response.content.decode() == "décision"


@pytest.mark.urls("tests.security.urls")
def test_people_outside_staff_and_copil_are_not_asked_for_mfa(client, mfa_on):
    client.force_login(verified_user())

    assert client.get("/test/decision-copil/").status_code == 200


def in_group(user, role):
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def test_mfa_is_asked_of_staff_the_copil_and_the_election_commission():
    standing = member_rep()
    CommissionMembership.objects.create(
        commission=Commission.objects.get(standing_role="elections"),
        representative=standing,
        status="accepted",
        volunteered_at=timezone.now(),
    )
    people = {
        "anonymous": AnonymousUser(),
        "member": member_rep().user,
        "organiser": in_group(verified_user(), Role.ORGANISERS),
        "staff": verified_user(is_staff=True),
        "superuser": verified_user(is_superuser=True),
        "copil": in_group(verified_user(), Role.COPIL),
        "election commission": commission_member(),
        "elections commission (K3)": standing.user,
    }

    assert {role for role, user in people.items() if mfa_required_for(user)} == {
        "staff",
        "superuser",
        "copil",
        "election commission",
        "elections commission (K3)",
    }


@pytest.mark.rule("V12")
def test_the_election_commission_opens_a_vote_only_after_mfa(client, mfa_on):
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        secret = generate_totp_secret()
        TOTP.activate(commission, secret)
        client.force_login(commission)
        url = reverse("elections:manage", kwargs={"pk": election.pk, "action": "annoncer"})

        refused = client.post(url, HTTP_REFERER=f"http://testserver{election.get_absolute_url()}")

        election.refresh_from_db()
        assert election.status == ElectionStatus.DRAFT
        # A POST-only URL cannot be opened by a redirect: back to the page of the form.
        assert refused["Location"] == (
            f"{reverse('mfa_reauthenticate')}?next=%2Felections%2F{election.pk}%2F"
        )
        client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
        done = client.post(url)

    election.refresh_from_db()
    assert done["Location"] == election.get_absolute_url()
    assert election.status == ElectionStatus.ANNOUNCED


@pytest.mark.urls("tests.security.urls")
def test_a_refused_post_from_another_site_comes_back_to_no_page_of_it(client, mfa_on):
    member, _secret = staff_with_totp(is_staff=False)
    client.force_login(in_group(member, Role.COPIL))

    response = client.post("/test/decision-copil/", HTTP_REFERER="https://ailleurs.example/")

    assert response["Location"] == reverse("mfa_reauthenticate")


@pytest.mark.urls("tests.security.urls")
def test_a_page_that_is_no_decision_asks_no_mfa_of_the_copil(client, mfa_on):
    client.force_login(in_group(verified_user(), Role.COPIL))

    assert client.get("/test/lecture/").status_code == 200
    assert client.get("/test/decision-copil/")["Location"] == activation_then(
        "/test/decision-copil/"
    )


@pytest.mark.urls("tests.security.urls")
@pytest.mark.parametrize("role", [Role.COPIL, Role.ELECTION_COMMISSION])
def test_the_gate_costs_one_query_once_mfa_is_verified(client, settings, role):
    member, secret = staff_with_totp(is_staff=False)
    in_group(member, role)
    login(client, member)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    with CaptureQueriesContext(connection) as off:
        assert client.get("/test/decision-copil/").status_code == 200
    settings.MFA_REQUIRED_FOR_STAFF = True

    with CaptureQueriesContext(connection) as on:
        assert client.get("/test/decision-copil/").status_code == 200

    # The authenticator app only: the person's groups come with them from the session
    # (core/auth_backends.py), read once per request and reused by the views.
    assert len(on) - len(off) == 1
