"""What the member dashboard and the COPIL cockpit show in the benchmark: applications to
decide (every deadline kind comes from bench/deadlines.py's build_deadlines), the member's
representative with the most going on, and a COPIL member. bench/pages.py measures both
pages with the others."""


# --- The data ------------------------------------------------------------------------------


def build_applications(*, count: int) -> int:
    """``count`` applications submitted through the service (each signs the charter)."""
    from django.contrib.auth.hashers import make_password
    from django.test.utils import override_settings

    from members import services
    from members.models import User

    password = "banc-d-essai-2026"  # noqa: S105 # nosec B105: accounts of the data set
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        hashed = make_password(password)
        for number in range(count):
            applicant = User.objects.create(
                email=f"candidat{number}@bench.cos-ge.fr",
                first_name="Camille",
                last_name=f"Candidat {number}",
                password=hashed,
            )
            services.application_submit(
                applicant=applicant,
                data={
                    "legal_name": f"Candidate du banc {number:04d}",
                    "kind": "company",
                    "job_title": "Gérante",
                    "establishments": [
                        {
                            "name": "",
                            "siret": "",
                            "address": "1 rue Haute",
                            "postcode": "88000",
                            "city": "Épinal",
                        }
                    ],
                },
                aif_reference="AIF-1234",
                motivation="Motivation.",
                password=password,
                consent_given=True,
            )
    return count


# --- Who is signed in ----------------------------------------------------------------------


def busiest_representative():
    """The user of a member organisation (outside the COPIL) with the most going on: their
    organisation's exclusion procedure and proof requests, the invitations and proxies they
    signed, then the signatory first."""
    from django.db.models import Exists, IntegerField, OuterRef, Value
    from django.db.models.functions import Cast

    from core.roles import copil_group
    from governance.models import Proxy
    from members import selectors
    from members.constants import Status
    from members.models import ExclusionProcedure, Invitation, ProofRequest

    organisation = OuterRef("organisation_id")
    flags = [
        Exists(ExclusionProcedure.objects.filter(organisation=organisation)),
        Exists(ProofRequest.objects.filter(organisation=organisation)),
        Exists(Invitation.objects.filter(proposed_by=OuterRef("user_id"))),
        Exists(Proxy.objects.filter(signed_by=OuterRef("user_id"))),
    ]
    score = Value(0)
    for flag in flags:
        score = score + Cast(flag, IntegerField())
    members = selectors.organisation_list_with_status().filter(current_status=Status.MEMBER)
    representative = (
        selectors.active_representatives()
        .filter(organisation__in=members.values("pk"), user__is_active=True)
        .exclude(user__groups__name=copil_group())
        .annotate(score=score)
        .order_by("-score", "-is_authorised_signatory", "pk")
        .select_related("user")
        .first()
    )
    if representative is None:
        raise SystemExit("The data set has no active representative outside the COPIL.")
    return representative.user


def copil_member():
    """A COPIL member with an authenticator app (MFA is asked before the COPIL's pages),
    staff to open the admin's index."""
    from allauth.mfa.models import Authenticator

    from core.roles import copil_group
    from members.models import User

    user = User.objects.filter(groups__name=copil_group(), is_active=True).order_by("pk").first()
    if user is None:
        raise SystemExit("The data set has no COPIL member (bench/deadlines.py names five).")
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "bench"}}
    )
    return user
