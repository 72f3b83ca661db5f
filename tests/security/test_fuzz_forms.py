"""Bad input: hypothesis posts random and hostile data to every form of the portal.

Each form gets a few dozen examples: random unicode, very long strings, HTML/JS
(``<script>alert(1)</script>``), SQL fragments, template syntax, NUL bytes, and files with
path tricks in their names (``../../etc/passwd``) and random content. The answer must be
a 200 or 400 with errors, a redirect, or 403/404 for someone not allowed; never a 500
(the test client re-raises any server exception), and never the hostile markup rendered
unescaped, neither in the answer nor, once stored, on the pages that show it.

Reproducible: ``derandomize=True`` draws the same examples on every run (CI included).
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from charters.selectors import charter_version_in_force
from members.constants import Role
from tests.activities.factories import ActivityFactory, attend, convene
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

pytestmark = pytest.mark.django_db

# Markup that must never come back unescaped.
MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
)
RAW_MARKUP = tuple(m for m in MARKUP if "<" in m)
HOSTILE = (
    *MARKUP,
    "'; DROP TABLE members_organisation; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    "%' UNION SELECT password FROM members_user --",
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/shadow",
    "{{ 7|add:7 }}{% debug %}",
    "${7*7}",
    '=HYPERLINK("http://x")',
    "\x00",
    "nul\x00byte",
    "\u202etxt.exe",
    "𝕮𝖔𝖘-𝕲𝕰 👷‍♀️",
    "ǅǈ ﷽",
    " ",
    "",
)
FILE_NAMES = (
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "/etc/passwd",
    "<script>alert(1)</script>.png",
    "logo.png.exe",
    "a" * 300 + ".csv",
    "présence été.csv",
    ".htaccess",
    "sheet.csv",
    "certificat.pdf",
)

text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.text(min_size=500, max_size=5000),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=50)),
)
small_int_text = st.one_of(
    text, st.integers(min_value=-(2**63), max_value=2**63).map(str), st.just("")
)
file_content = st.one_of(
    st.binary(max_size=3000),
    st.sampled_from(HOSTILE).map(str.encode),
    st.just(b"%PDF-1.4\n" + b"0" * 100),
    st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


FUZZ = hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def check(response, *, allowed=(200, 302, 400)):
    """An expected status, and no hostile markup echoed back unescaped.

    A NUL character is refused everywhere with the 400 "Requête invalide" page
    (cos_portal.security.NulCharacterMiddleware), whatever the form expects otherwise."""
    content_type = response.get("Content-Type", "")
    body = ""
    if "html" in content_type and not getattr(response, "streaming", False):
        body = response.content.decode("utf-8", errors="replace")
        for markup in RAW_MARKUP:
            assert markup not in body, markup
    nul_refused = response.status_code == 400 and "Requête invalide" in body
    assert response.status_code in allowed or nul_refused, response.status_code
    return response


def fresh():
    """Each example starts with empty rate-limit counters (the cache)."""
    cache.clear()


@pytest.fixture
def world(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    organisation = member_organisation(legal_name="Fuzz Industrie", slug="fuzz-industrie")
    member = RepresentativeFactory(organisation=organisation, is_authorised_signatory=True)
    organiser = UserFactory()
    organiser.groups.add(Group.objects.get(name=Role.ORGANISERS))
    activity = ActivityFactory(
        title="Atelier", starts_at=timezone.now() - datetime.timedelta(hours=1), is_public=True
    )
    activity.organisers.add(organiser)
    convene(activity, organisation)
    attend(activity, member)
    upcoming = ActivityFactory(
        title="À venir", starts_at=timezone.now() + datetime.timedelta(days=7), is_public=True
    )
    convene(upcoming, organisation)
    return {
        "organisation": organisation,
        "member": member,
        "organiser": organiser,
        "activity": activity,
        "upcoming": upcoming,
    }


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- Public pages ---------------------------------------------------------------------


def test_directory_filters(world):
    client = client_for()

    @FUZZ
    @given(q=text, department=text, category=text, status=text, page=small_int_text)
    def run(q, department, category, status, page):
        response = client.get(
            reverse("members:directory"),
            {"q": q, "department": department, "category": category, "status": status,
             "page": page},
        )  # fmt: skip
        check(response, allowed=(200,))

    run()


def test_charter_verification(world):
    client = client_for()

    @FUZZ
    @given(code=text, name=st.sampled_from(FILE_NAMES), content=file_content, attach=st.booleans())
    def run(code, name, content, attach):
        data = {"code": code}
        if attach:
            data["certificate"] = upload(name, content, "application/pdf")
        check(client.post(reverse("charters:verify"), data))

    run()


def test_login_and_signup(world):
    client = client_for()

    @FUZZ
    @given(login=text, password=text, password2=text, remember=st.booleans())
    def run(login, password, password2, remember):
        fresh()
        check(
            client.post(
                reverse("account_login"),
                {"login": login, "password": password, "remember": "on" if remember else ""},
            )
        )
        fresh()
        check(
            Client().post(
                reverse("account_signup"),
                {
                    "first_name": "Fuzz",
                    "last_name": "Test",
                    "email": login,
                    "password1": password,
                    "password2": password2,
                },
            )
        )

    run()


# --- Signed-in representatives ---------------------------------------------------------


def test_organisation_profile_edit_and_the_public_page(world):
    organisation = world["organisation"]
    establishment = organisation.establishments.get()
    client = client_for(world["member"].user)
    edit_url = reverse("space:organisation_edit", kwargs={"slug": organisation.slug})
    public_url = organisation.get_absolute_url()

    @FUZZ
    @given(
        kind=st.one_of(st.just(organisation.kind), text),
        description=text,
        website=st.one_of(text, st.just("https://exemple.fr/<script>")),
        siren=text,
        category=small_int_text,
        name=text,
        address=text,
        postcode=st.one_of(st.just("57000"), text),
        city=text,
        total=st.one_of(st.just("1"), small_int_text),
        logo=st.one_of(st.none(), st.tuples(st.sampled_from(FILE_NAMES), file_content)),
    )
    def run(kind, description, website, siren, category, name, address, postcode, city,
            total, logo):  # fmt: skip
        data = {
            "kind": kind,
            "description": description,
            "website": website,
            "siren": siren,
            "offer_categories": [category] if category else [],
            "establishments-TOTAL_FORMS": total,
            "establishments-INITIAL_FORMS": "1",
            "establishments-MIN_NUM_FORMS": "0",
            "establishments-MAX_NUM_FORMS": "1000",
            "establishments-0-id": str(establishment.pk),
            "establishments-0-organisation": str(organisation.pk),
            "establishments-0-name": name,
            "establishments-0-siret": "",
            "establishments-0-address": address,
            "establishments-0-postcode": postcode,
            "establishments-0-city": city,
            "establishments-0-is_active": "on",
        }
        if logo is not None:
            data["logo"] = upload(logo[0], logo[1], "image/png")
        check(client.post(edit_url, data))
        # Whatever was stored is shown escaped, to the public and to the editor.
        check(client_for().get(public_url), allowed=(200,))
        check(client.get(edit_url), allowed=(200,))

    run()


def test_a_valid_logo_with_a_hostile_name_is_stored_under_a_safe_name(world):
    organisation = world["organisation"]
    establishment = organisation.establishments.get()
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    client = client_for(world["member"].user)

    response = client.post(
        reverse("space:organisation_edit", kwargs={"slug": organisation.slug}),
        {
            "kind": organisation.kind,
            "description": "",
            "website": "",
            "siren": "",
            "establishments-TOTAL_FORMS": "1",
            "establishments-INITIAL_FORMS": "1",
            "establishments-MIN_NUM_FORMS": "0",
            "establishments-MAX_NUM_FORMS": "1000",
            "establishments-0-id": str(establishment.pk),
            "establishments-0-organisation": str(organisation.pk),
            "establishments-0-address": establishment.address,
            "establishments-0-postcode": establishment.postcode,
            "establishments-0-city": establishment.city,
            "establishments-0-is_active": "on",
            "logo": upload("../../etc/passwd", buffer.getvalue(), "image/png"),
        },
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name == "logos/fuzz-industrie.png"


def test_consent(world):
    representative = world["member"]
    client = client_for(representative.user)
    url = reverse("space:consent", kwargs={"pk": representative.pk})

    @FUZZ
    @given(value=text)
    def run(value):
        check(client.post(url, {"public_consent": value}), allowed=(302,))

    run()


def test_charter_signing(world):
    version = charter_version_in_force()
    client = client_for(world["member"].user)

    @FUZZ
    @given(
        organisation=st.one_of(st.just(world["organisation"].slug), text),
        version_id=st.one_of(st.just(str(getattr(version, "pk", ""))), small_int_text),
        capacity=text,
        consent=text,
        password=text,
    )
    def run(organisation, version_id, capacity, consent, password):
        fresh()
        check(
            client.post(
                reverse("charters:sign"),
                {
                    "organisation": organisation,
                    "version": version_id,
                    "capacity": capacity,
                    "consent": consent,
                    "password": password,
                },
            )  # fmt: skip
        )

    run()


def test_personal_data_erasure_form(world):
    user = world["member"].user
    client = client_for(user)

    @FUZZ
    @given(confirm=text, password=text)
    def run(confirm, password):
        fresh()
        check(
            client.post(reverse("privacy:erase"), {"confirm": confirm, "password": password}),
            allowed=(400,),
        )

    run()
    user.refresh_from_db()
    assert user.is_active


# --- Activities: registration, check-in, CSV -------------------------------------------


def test_activity_registration(world):
    client = client_for(world["member"].user)
    url = reverse("activities:register", kwargs={"pk": world["upcoming"].pk})

    @FUZZ
    @given(coming=text)
    def run(coming):
        check(client.post(url, {"coming": coming}), allowed=(302,))

    run()


def test_check_in_marks_and_walk_ins(world):
    activity = world["activity"]
    member = world["member"]
    client = client_for(world["organiser"])

    @FUZZ
    @given(
        attendance=text,
        js=st.booleans(),
        email=st.one_of(text, st.emails()),
        first_name=text,
        last_name=text,
        organisation=small_int_text,
    )
    def run(attendance, js, email, first_name, last_name, organisation):
        url = reverse("activities:checkin_mark", kwargs={"pk": activity.pk})
        if js:  # the page's script: the person and the attendance, JSON back
            check(
                client.post(
                    url,
                    {"person": member.user_id, "attendance": attendance},
                    headers={"Accept": "application/json"},
                )
            )
        else:  # the row's button without JavaScript: "<id>:<attendance>" and the search
            check(client.post(url, {"mark": f"{member.user_id}:{attendance}", "q": attendance}))
        check(
            client.post(
                reverse("activities:checkin_walk_in", kwargs={"pk": activity.pk}),
                {
                    "email": email,
                    "first_name": first_name,
                    "last_name": last_name,
                    "organisation": organisation,
                },
            )  # fmt: skip
        )
        # The roster shows every stored name escaped.
        check(client.get(reverse("activities:checkin", kwargs={"pk": activity.pk})), allowed=(200,))

    run()


def sheet_line(cells) -> str:
    return ";".join(cells)


def test_attendance_sheet_import(world):
    activity = world["activity"]
    member = world["member"]
    client = client_for(world["organiser"])
    url = reverse("activities:attendance_import", kwargs={"pk": activity.pk})
    day = timezone.localdate(activity.starts_at).strftime("%d/%m/%Y")

    @FUZZ
    @given(
        name=st.sampled_from(FILE_NAMES),
        cells=st.lists(text, min_size=0, max_size=8),
        raw=st.one_of(st.none(), file_content),
        confirm=st.booleans(),
    )
    def run(name, cells, raw, confirm):
        if raw is None:
            rows = [
                "email;nom;prenom;entite;statut;date",
                sheet_line([member.user.email, "Nom", "Prénom", "", "présent", day]),
                sheet_line(cells),
            ]
            raw = "\n".join(rows).encode("utf-8", errors="surrogatepass")
        check(client.post(url, {"sheet": upload(name, raw, "text/csv")}))
        if confirm:
            check(client.post(url, {"confirm": "1"}))

    run()


def test_minutes(world):
    activity = world["activity"]
    client = client_for(world["organiser"])
    url = reverse("activities:minutes", kwargs={"pk": activity.pk})

    @FUZZ
    @given(
        body=text,
        attach=st.one_of(st.none(), st.tuples(st.sampled_from(FILE_NAMES), file_content)),
    )
    def run(body, attach):
        data = {"text": body}
        if attach is not None:
            data["file"] = upload(attach[0], attach[1])
        check(client.post(url, data))
        # Attendees read the stored minutes: escaped.
        check(client_for(world["member"].user).get(url), allowed=(200,))

    run()


def test_someone_not_allowed_gets_403_or_404_whatever_they_post(world):
    activity = world["activity"]
    stranger = client_for(UserFactory())
    organisation = world["organisation"]

    @FUZZ
    @given(value=text)
    def run(value):
        for url, data in (
            (reverse("space:organisation_edit", kwargs={"slug": organisation.slug}),
             {"description": value}),
            (reverse("space:consent", kwargs={"pk": world["member"].pk}),
             {"public_consent": value}),
            (reverse("activities:checkin_mark", kwargs={"pk": activity.pk}),
             {"person": world["member"].user_id, "attendance": value}),
            (reverse("activities:attendance_import", kwargs={"pk": activity.pk}),
             {"sheet": upload("x.csv", value.encode("utf-8", errors="replace"))}),
        ):  # fmt: skip
            check(stranger.post(url, data), allowed=(403, 404))

    run()
    organisation.refresh_from_db()
    assert organisation.description == "Intégrateur de solutions industrie du futur."


def test_stored_markup_is_shown_escaped_where_it_is_read(world):
    """The same hostile text, stored through three forms, is escaped on the pages that show it."""
    organisation = world["organisation"]
    establishment = organisation.establishments.get()
    activity = world["activity"]
    member = client_for(world["member"].user)
    organiser = client_for(world["organiser"])
    script, img = MARKUP[0], MARKUP[1]

    profile = member.post(
        reverse("space:organisation_edit", kwargs={"slug": organisation.slug}),
        {
            "kind": organisation.kind,
            "description": f"Robotique {script}",
            "website": "",
            "siren": "",
            "establishments-TOTAL_FORMS": "1",
            "establishments-INITIAL_FORMS": "1",
            "establishments-MIN_NUM_FORMS": "0",
            "establishments-MAX_NUM_FORMS": "1000",
            "establishments-0-id": str(establishment.pk),
            "establishments-0-organisation": str(organisation.pk),
            "establishments-0-name": img,
            "establishments-0-address": establishment.address,
            "establishments-0-postcode": establishment.postcode,
            "establishments-0-city": establishment.city,
            "establishments-0-is_active": "on",
        },
    )
    walk_in = organiser.post(
        reverse("activities:checkin_walk_in", kwargs={"pk": activity.pk}),
        {"email": "intrus@exemple.fr", "first_name": script, "last_name": img},
    )
    minutes = organiser.post(
        reverse("activities:minutes", kwargs={"pk": activity.pk}), {"text": script}
    )

    assert (profile.status_code, walk_in.status_code, minutes.status_code) == (302, 302, 302)
    organisation.refresh_from_db()
    assert organisation.description == f"Robotique {script}"
    public = check(client_for().get(organisation.get_absolute_url()), allowed=(200,))
    assert "Robotique &lt;script&gt;alert(1)&lt;/script&gt;" in public.content.decode()
    roster = check(
        organiser.get(reverse("activities:checkin", kwargs={"pk": activity.pk})), allowed=(200,)
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in roster.content.decode()
    read = check(
        member.get(reverse("activities:minutes", kwargs={"pk": activity.pk})), allowed=(200,)
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in read.content.decode()
