"""Views of activities: thin, they parse input and call services and selectors."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charters.selectors import charter_parameters
from core.roles import is_copil
from core.site import absolute_url, webcal_url
from members.models import User
from members.selectors import active_representatives

from . import calendar, resources, selectors, services
from . import checkin_sync as sync
from .checkin_codes import checkin_code_png, checkin_key_text
from .constants import ActivityKind, Attendance, Registration
from .exceptions import ActivitiesError
from .forms import (
    ACTIVITY_FIELDS,
    ActivityForm,
    AttendanceImportForm,
    MinutesForm,
    WalkInForm,
    checkin_sync_actions,
)
from .models import Activity, CalendarToken, Participation
from .schema import activity_event

IMPORT_SESSION_KEY = "activities-import-{pk}"


def attendance_buttons() -> list[tuple[str, str, str]]:
    """The check-in buttons: value, label and Bootstrap tone of each attendance."""
    return [
        (Attendance.PRESENT, _("Présent"), "success"),
        (Attendance.ABSENT, _("Absent"), "danger"),
        (Attendance.EXCUSED, _("Excusé"), "warning"),
    ]


def _organised_activity(request, pk) -> Activity:
    activity = get_object_or_404(Activity, pk=pk)
    if not selectors.can_organise(user=request.user, activity=activity):
        raise PermissionDenied
    return activity


@require_GET
def activity_list(request):
    upcoming = selectors.activity_upcoming_list(user=request.user)
    page = Paginator(upcoming, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/list.html",
        {
            "page": page,
            "is_copil": is_copil(request.user),
            "can_create": selectors.can_create_activity(request.user),
            "calendar_webcal": webcal_url(reverse("activities:calendar")),
            "calendar_download": absolute_url(reverse("activities:calendar")),
        },
    )


def _form_page(request, *, form, activity=None, refused=""):
    """The activity form; a sent form shown again is one the rules refused: 400."""
    return render(
        request,
        "activities/form.html",
        {"form": form, "activity": activity, "refused": refused},
        status=400 if form.is_bound else 200,
    )


def _save_errors(form, error: ValidationError | ActivitiesError) -> None:
    """A refusal of the services on the form: on its field when it names one of the form's."""
    if isinstance(error, ActivitiesError):
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error.message)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item)
        return
    form.add_error(None, error)


def _form_values(request, form) -> tuple[dict, list]:
    """The columns for the services, and the organisers: the person who creates or edits
    stays one of them unless they sit on the COPIL (A1: each activity has an organiser)."""
    fields = {name: form.cleaned_data[name] for name in ACTIVITY_FIELDS}
    organisers = list(form.cleaned_data["organisers"])
    if not is_copil(request.user) and request.user not in organisers:
        organisers.append(request.user)
    return fields, organisers


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    """A1: the organisers and the COPIL create activities; the services decide."""
    if not selectors.can_create_activity(request.user):
        raise PermissionDenied(_("Seuls les organisateurs et le COPIL créent des activités."))
    posted = request.method == "POST"
    initial = {}
    if request.GET.get("type") in dict(ActivityKind.choices):
        initial["kind"] = request.GET["type"]
    form = ActivityForm(request.POST if posted else None, initial=initial)
    if posted and form.search_requested():
        return _form_page(request, form=form.with_search())
    if posted and form.is_valid():
        fields, organisers = _form_values(request, form)
        try:
            activity = services.activity_create(
                actor=request.user,
                organisers=organisers,
                invited_organisations=form.cleaned_data["invited_organisations"],
                **fields,
            )
        except (ValidationError, ActivitiesError) as error:
            _save_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Activité créée ; les entités convoquées sont établies. Le jour venu, pointez les présences."
                ),
            )
            return redirect(activity)
    return _form_page(request, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    """A1: an organiser changes the activities they organise, the COPIL any; a started or
    cancelled activity is refused with the reason (``activity_edit_check``)."""
    activity = get_object_or_404(Activity, pk=pk)
    if not selectors.can_edit_activity(user=request.user, activity=activity):
        raise PermissionDenied(_("Seuls les organisateurs de l'activité et le COPIL la modifient."))
    try:
        services.activity_edit_check(activity=activity, actor=request.user)
    except ActivitiesError as error:
        messages.error(request, error.message)
        return redirect(activity)
    posted = request.method == "POST"
    form = ActivityForm(
        request.POST if posted else None,
        initial=None if posted else ActivityForm.initial_for(activity),
    )
    if posted and form.search_requested():
        return _form_page(request, form=form.with_search(), activity=activity)
    if posted and form.is_valid():
        fields, organisers = _form_values(request, form)
        try:
            activity = services.activity_update(
                activity=activity,
                actor=request.user,
                organisers=organisers,
                invited_organisations=form.cleaned_data["invited_organisations"],
                **fields,
            )
        except (ValidationError, ActivitiesError) as error:
            _save_errors(form, error)
        else:
            messages.success(request, _("Activité modifiée."))
            return redirect(activity)
    return _form_page(request, form=form, activity=activity)


@require_GET
def activity_detail(request, pk):
    try:
        activity = selectors.activity_get(pk=pk, user=request.user)
    except Activity.DoesNotExist as error:
        raise Http404 from error
    context = {"activity": activity, "now": timezone.now()}
    if activity.is_public:
        context["event"] = activity_event(activity)
    if request.user.is_authenticated:
        context["participation"] = Participation.objects.filter(
            activity=activity, user=request.user
        ).first()
        context["is_convened"] = selectors.is_convened(user=request.user, activity=activity)
        # A2: the person's check-in code, for those on the roster of an activity not cancelled.
        context["shows_checkin_code"] = not activity.is_cancelled and (
            context["is_convened"] or context["participation"] is not None
        )
        context["can_organise"] = selectors.can_organise(user=request.user, activity=activity)
        context["can_edit"] = (
            not activity.is_cancelled
            and activity.starts_at > context["now"]
            and selectors.can_edit_activity(user=request.user, activity=activity)
        )
        context["minutes_visible"] = selectors.minutes_visible(
            user=request.user, activity=activity
        ) and selectors.minutes_get(activity=activity)
    return render(request, "activities/detail.html", context)


@login_required
@require_GET
def my_checkin_code(request, pk):
    """A2: the QR code the person shows at the entrance, for those on the activity's
    roster; 404 for anyone else and for a cancelled activity. Personal: never cached."""
    activity = get_object_or_404(Activity, pk=pk, cancelled_at__isnull=True)
    if not selectors.is_on_roster(user=request.user, activity=activity):
        raise Http404
    response = HttpResponse(
        checkin_code_png(activity.pk, request.user.pk), content_type="image/png"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def register(request, pk):
    try:
        activity = selectors.activity_get(pk=pk, user=request.user)
    except Activity.DoesNotExist as error:
        # S2, L5: a representative whose organisation has just left no longer sees its
        # activities; say why rather than "not found".
        departure = selectors.departed_organisation_change(user=request.user)
        if departure is None:
            raise Http404 from error
        messages.error(request, services.departed_message(departure))
        return redirect("activities:list")
    coming = request.POST.get("coming") == "yes"
    try:
        services.participation_register(activity=activity, user=request.user, coming=coming)
    except ActivitiesError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Votre venue est notée.") if coming else _("Votre absence est notée."),
        )
    return redirect(activity)


# Rows the page lists without JavaScript: the first of those matching the search (``?q=``,
# everyone when it is empty); the page's script lists everyone.
CHECKIN_ROWS_WITHOUT_JS = 25
# The roster's codes in the app's JSON, by index (static/js/checkin.js).
ROSTER_ATTENDANCE = [
    Attendance.UNRECORDED,
    Attendance.PRESENT,
    Attendance.ABSENT,
    Attendance.EXCUSED,
]
ROSTER_REGISTRATION = [Registration.UNKNOWN, Registration.COMING, Registration.NOT_COMING]


def roster_json(
    people: list[selectors.CheckinPerson], *, activity: Activity, organiser, now=None
) -> str:
    """The roster for the page's script, compact: each organisation named once (its id in
    ``organisation_ids`` at the same index), each person ``[id, name, organisation index
    or -1, attendance, registration, walk-in]`` with the codes' indexes. Escaped as
    Django's ``json_script``: no markup anywhere in it, whoever reads it.

    The organiser's app keeps it on the phone (IndexedDB) to work offline: ``at`` dates
    it (a newer copy wins), ``key`` is the activity's check-in key that verifies scanned
    codes without the server (activities/checkin_codes.py), ``organiser`` keeps one
    organiser's queue from being sent under another's session. Only organisers of the
    activity ever get this page."""
    attendance = {value: index for index, value in enumerate(ROSTER_ATTENDANCE)}
    registration = {value: index for index, value in enumerate(ROSTER_REGISTRATION)}
    organisations: dict[int, int] = {}
    names: list[str] = []
    organisation_ids: list[int] = []
    rows = []
    for person in people:
        index = -1
        if person.organisation_id:
            index = organisations.get(person.organisation_id, -1)
            if index < 0:
                index = organisations[person.organisation_id] = len(names)
                names.append(person.organisation)
                organisation_ids.append(person.organisation_id)
        rows.append(
            [
                person.id,
                person.name,
                index,
                attendance.get(person.attendance, 0),
                registration.get(person.registration, 0),
                int(person.is_walk_in),
            ]
        )
    payload = {
        "activity": activity.pk,
        "organiser": organiser.pk,
        "at": (now or timezone.now()).isoformat(),
        "key": checkin_key_text(activity.pk),
        "attendance": ROSTER_ATTENDANCE,
        "organisations": names,
        "organisation_ids": organisation_ids,
        "people": rows,
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")


@login_required
@require_GET
def checkin(request, pk):
    """The check-in page (A2): the app's shell, the same whatever the roster, which the
    page's script fetches apart (``checkin_roster``), lists and filters as one types.
    Without JavaScript, a search (``?q=``, everyone when empty) lists the first matching
    people with their buttons and the roster's counts; the script never sends it."""
    activity = _organised_activity(request, pk)
    context = {"activity": activity, "attendance_choices": attendance_buttons()}
    if "q" in request.GET:
        query = request.GET["q"].strip()[:100]
        # A search orders what it finds, not the whole roster.
        people = selectors.checkin_people(activity=activity, ordered=not query)
        shown = selectors.checkin_search(people=people, query=query)
        context |= {
            "searched": True,
            "query": query,
            "counts": selectors.checkin_counts(people=people),
            "shown": shown[:CHECKIN_ROWS_WITHOUT_JS],
            "matches": len(shown),
            "more": len(shown) > CHECKIN_ROWS_WITHOUT_JS,
        }
    response = render(request, "activities/checkin.html", context)
    # The scanner of personal codes uses the camera: this page alone may (A2).
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY_CHECKIN
    return response


@login_required
@require_GET
def checkin_roster(request, pk):
    """The check-in app's roster (A2): ``roster_json``, for the activity's organisers only.
    The app keeps it on the phone and reads it there when the network fails."""
    activity = _organised_activity(request, pk)
    people = selectors.checkin_people(activity=activity, ordered=True)
    return HttpResponse(
        roster_json(people, activity=activity, organiser=request.user),
        content_type="application/json",
    )


@login_required
@require_GET
def checkin_manifest(request, pk):
    """The check-in's web app manifest (A2): the organiser installs the activity's
    check-in on the phone's home screen, and it opens on the roster, full screen."""
    activity = _organised_activity(request, pk)
    manifest = {
        "name": _("Pointage – %(activity)s") % {"activity": activity.title},
        "short_name": _("Pointage"),
        "lang": request.LANGUAGE_CODE,
        "id": reverse("activities:checkin", args=[activity.pk]),
        "start_url": reverse("activities:checkin", args=[activity.pk]),
        "scope": reverse("activities:list"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d6b",
        "icons": [
            {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "private, max-age=3600"
    return response


CHECKIN_WORKER = "js/checkin-sw.js"


@require_GET
def checkin_service_worker(request):
    """The check-in app's service worker, served under /activites/ so that its scope
    covers the check-in pages (a script under /static/ could only control /static/). It
    is the same code for everyone and holds no data: no sign-in needed."""
    path = finders.find(CHECKIN_WORKER)
    if path:
        with open(path, "rb") as source:
            script = source.read()
    else:  # collected static files only (no source tree)
        with staticfiles_storage.open(CHECKIN_WORKER) as source:
            script = source.read()
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # The browser checks for a new worker at each visit; never a stale one for a day.
    response["Cache-Control"] = "no-cache"
    return response


def _mark_fields(data) -> tuple[int | None, str]:
    """The person and the attendance of a tap: ``person`` and ``attendance`` (the page's
    script), or the button ``mark`` = "<person id>:<attendance>" (without JavaScript)."""
    person, attendance = data.get("person", ""), data.get("attendance", "")
    if "mark" in data:
        person, _separator, attendance = data["mark"].partition(":")
    try:
        number = int(person)
    except ValueError:
        return None, attendance
    return (number if 0 < number < 2**31 else None), attendance


@login_required
@require_POST
def checkin_mark(request, pk):
    """One tap on the roster, keyed by the person's id (A2): JSON to the page's script
    (``Accept: application/json``), else back to the roster and its search."""
    activity = _organised_activity(request, pk)
    person_id, attendance = _mark_fields(request.POST)
    person = User.objects.filter(pk=person_id).first() if person_id else None
    error = participation = None
    if person is None:
        error = _("Personne inconnue.")
    else:
        try:
            participation = services.attendance_record(
                activity=activity, user=person, attendance=attendance, actor=request.user
            )
        except ActivitiesError as failure:
            error = failure.message
    if "application/json" in request.headers.get("Accept", ""):
        if error:
            return JsonResponse({"person": person_id, "error": error}, status=400)
        return JsonResponse({"person": person.pk, "attendance": participation.attendance})
    if error:
        messages.error(request, error)
    url = reverse("activities:checkin", args=[activity.pk])
    if "q" in request.POST:  # back to the search the button was listed by, empty or not
        url += "?" + urlencode({"q": request.POST["q"].strip()[:100]})
    if person is not None:
        url += f"#personne-{person.pk}"
    return redirect(url)


@login_required
@require_POST
def checkin_sync(request, pk):
    """The check-in app's queue (A2): actions made on a phone, offline or not, applied
    once each (``checkin_sync.checkin_sync``); JSON in, JSON out. A malformed request is
    refused whole (400), a bad action alone (its outcome "refused")."""
    activity = _organised_activity(request, pk)
    if request.content_type != "application/json":
        # A form's body is read by the middleware (request.POST): never JSON, never a 500.
        return JsonResponse(
            {"error": _("Le corps de la requête n'est pas du JSON valide.")}, status=400
        )
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse(
            {"error": _("Le corps de la requête n'est pas du JSON valide.")}, status=400
        )
    try:
        actions = checkin_sync_actions(payload)
    except ValidationError as error:
        return JsonResponse({"error": error.messages[0]}, status=400)
    result = sync.checkin_sync(activity=activity, actions=actions, actor=request.user)
    return JsonResponse(result.as_json())


@login_required
@require_http_methods(["GET", "POST"])
def checkin_walk_in(request, pk):
    """A person who came without a convocation: added and marked present (A2)."""
    activity = _organised_activity(request, pk)
    if request.method == "GET":
        form = WalkInForm(activity=activity)
        return render(
            request, "activities/checkin_walk_in.html", {"activity": activity, "form": form}
        )
    form = WalkInForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            participation = services.attendance_add_walk_in(
                activity=activity,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
            )
        except ActivitiesError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(person)s est ajouté(e) et pointé(e) présent(e).")
                % {"person": participation.user},
            )
            return redirect("activities:checkin", pk=activity.pk)
    return render(
        request,
        "activities/checkin_walk_in.html",
        {"activity": activity, "form": form},
        status=400,
    )


@login_required
@require_GET
def attendance_export(request, pk):
    activity = _organised_activity(request, pk)
    response = HttpResponse(
        resources.attendance_sheet_export(activity=activity),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="presences-activite-{activity.pk}.csv"'
    return response


@login_required
@require_GET
def sign_in_sheet(request, pk):
    """The printable sign-in sheet (PDF) of the convened people, for the organisers; a
    roster longer than one PDF holds (resources.SIGN_IN_SHEET_PART_SIZE) gets a page of
    its parts, each a PDF (``?partie=``)."""
    activity = _organised_activity(request, pk)
    requested = request.GET.get("partie", "")
    if not requested:
        people, parts = resources.attendance_sheet_parts(activity=activity)
        if len(parts) > 1:
            return render(
                request,
                "activities/sign_in_sheet_parts.html",
                {"activity": activity, "people": people, "parts": parts},
            )
    part = int(requested) if requested.isdigit() else 1
    pdf = resources.attendance_sheet_pdf(
        activity=activity, language=request.LANGUAGE_CODE, part=part
    )
    if pdf is None:
        raise Http404(_("Cette partie de la feuille d'émargement n'existe pas."))
    suffix = f"-partie-{part}" if requested else ""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="emargement-activite-{activity.pk}{suffix}.pdf"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import(request, pk):
    """Upload, preview every line with its errors, then confirm: all lines or none (A2)."""
    activity = _organised_activity(request, pk)
    session_key = IMPORT_SESSION_KEY.format(pk=activity.pk)
    context = {"activity": activity}
    if request.method == "POST" and "confirm" in request.POST:
        text = request.session.get(session_key)
        if not text:
            messages.error(request, _("Aucune feuille à confirmer : déposez le fichier à nouveau."))
            return redirect("activities:attendance_import", pk=activity.pk)
        check = resources.attendance_sheet_check(activity=activity, text=text)
        if check.is_valid:
            try:
                count = services.attendance_import(
                    activity=activity, rows=check.lines, actor=request.user
                )
            except ActivitiesError as error:
                messages.error(request, error.message)
            else:
                del request.session[session_key]
                messages.success(request, _("%(count)s présences enregistrées.") % {"count": count})
                return redirect("activities:checkin", pk=activity.pk)
        context.update(form=AttendanceImportForm(), check=check)
        return render(request, "activities/import.html", context, status=400)
    if request.method == "POST":
        form = AttendanceImportForm(request.POST, request.FILES)
        if form.is_valid():
            text = resources.decode_sheet(form.cleaned_data["sheet"].read())
            if text is None:
                form.add_error("sheet", _("Le fichier doit être encodé en UTF-8 ou Windows-1252."))
            else:
                check = resources.attendance_sheet_check(activity=activity, text=text)
                if check.is_valid:
                    request.session[session_key] = text
                else:
                    request.session.pop(session_key, None)
                context.update(form=form, check=check)
                return render(
                    request,
                    "activities/import.html",
                    context,
                    status=200 if check.is_valid else 400,
                )
        context["form"] = form
        return render(request, "activities/import.html", context, status=400)
    context["form"] = AttendanceImportForm()
    return render(request, "activities/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    can_edit = selectors.can_organise(user=request.user, activity=activity)
    if not (can_edit or selectors.minutes_visible(user=request.user, activity=activity)):
        raise PermissionDenied
    current = selectors.minutes_get(activity=activity)
    form = None
    if can_edit:
        form = MinutesForm(
            request.POST or None,
            request.FILES or None,
            initial={"text": current.text if current else ""},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.minutes_save(
                    activity=activity,
                    text=form.cleaned_data["text"],
                    file=form.cleaned_data["file"] or None,
                    actor=request.user,
                )
            except ActivitiesError as error:
                form.add_error("file" if form.cleaned_data["file"] else None, error.message)
            else:
                messages.success(request, _("Le compte rendu est enregistré."))
                return redirect("activities:minutes", pk=activity.pk)
    elif request.method == "POST":
        raise PermissionDenied
    status = 400 if form is not None and form.is_bound else 200
    return render(
        request,
        "activities/minutes.html",
        {"activity": activity, "minutes": current, "form": form},
        status=status,
    )


@login_required
@require_GET
def minutes_file(request, pk):
    """Served only to those who attended and the organisers (W3), never by a public URL."""
    activity = get_object_or_404(Activity, pk=pk)
    if not selectors.minutes_visible(user=request.user, activity=activity):
        raise PermissionDenied
    current = selectors.minutes_get(activity=activity)
    if current is None or not current.file:
        raise Http404
    response = FileResponse(
        current.file.open("rb"),
        as_attachment=True,
        filename=current.file.name.rsplit("/", 1)[-1].split("-", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _ical_response(request, activities, *, name: str, filename: str) -> HttpResponse:
    """The feed of ``activities``, or « 304 Not Modified » when the calendar software
    asking already holds this version of it (its ETag): an hourly poll of an unchanged
    feed costs one query, not the feed."""
    etag = calendar.feed_etag(activities)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(
            calendar.activities_ical(activities=activities, name=name),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    return response


@require_GET
def public_calendar(request):
    activities = selectors.activity_list().filter(starts_at__gte=calendar.feed_start())
    return _ical_response(
        request, activities, name=_("Activités publiques COS-GE"), filename="cos-ge.ics"
    )


@require_GET
def private_calendar(request, token):
    """A person's feed, opened by calendar software with the secret in the URL."""
    entry = CalendarToken.objects.select_related("user").filter(token=token).first()
    if entry is None or not entry.user.is_active:
        raise Http404
    activities = selectors.activity_list(user=entry.user).filter(
        starts_at__gte=calendar.feed_start()
    )
    response = _ical_response(
        request, activities, name=_("Mes activités COS-GE"), filename="mes-activites-cos-ge.ics"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def calendar_token_regenerate(request):
    services.calendar_token_regenerate(user=request.user)
    messages.success(
        request, _("Nouvelle adresse de calendrier créée ; l'ancienne ne fonctionne plus.")
    )
    return redirect("activities:my_attendance")


@login_required
@require_GET
def my_attendance(request):
    """A member sees its ratio, the activities counted and a warning near the threshold (A3)."""
    now = timezone.now()
    parameters = charter_parameters()
    representations = (
        active_representatives(on=timezone.localdate(now))
        .filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__legal_name")
    )
    items = [
        selectors.member_attendance_summary(
            organisation=representation.organisation, now=now, parameters=parameters
        )
        for representation in representations
    ]
    token = services.calendar_token_get_or_create(user=request.user)
    private_feed = reverse("activities:private_calendar", args=[token.token])
    return render(
        request,
        "activities/my_attendance.html",
        {
            "items": items,
            "parameters": parameters,
            "calendar_url": absolute_url(private_feed),
            "calendar_webcal": webcal_url(private_feed),
            "minutes_activities": selectors.attended_activities_with_minutes(user=request.user),
        },
    )


CHART_WIDTH, CHART_HEIGHT = 90, 24


def _trend_chart(points, threshold: int) -> dict | None:
    """Coordinates of a small inline SVG line of the monthly ratios (no inline style: CSP)."""
    values = [p.ratio_percent for p in points]
    if sum(v is not None for v in values) < 2:
        return None
    step = CHART_WIDTH / max(len(values) - 1, 1)

    def y(percent: float) -> float:
        return round(CHART_HEIGHT - 2 - percent * (CHART_HEIGHT - 4) / 100, 1)

    line = " ".join(f"{round(i * step, 1)},{y(v)}" for i, v in enumerate(values) if v is not None)
    return {
        "points": line,
        "threshold_y": y(threshold),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


@login_required
@require_GET
def ratio_dashboard(request):
    """The COPIL's view: members by ratio, lowest first, below-threshold flagged (A3, L3)."""
    if not is_copil(request.user):
        raise PermissionDenied
    last_date = selectors.latest_ratio_date()
    months = charter_parameters(on=last_date).attendance_window_months
    page = Paginator(selectors.ratio_dashboard(on=last_date), 50).get_page(request.GET.get("page"))
    trend = selectors.ratio_trend(organisation_ids=[s.organisation_id for s in page])
    rows = [
        {
            "snapshot": s,
            "trend": trend.get(s.organisation_id, []),
            "chart": _trend_chart(trend.get(s.organisation_id, []), s.threshold_percent),
            "member_since": selectors.attendance_member_since(
                window_start=s.window_start, window_end=s.window_end, months=months
            ),
        }
        for s in page
    ]
    return render(
        request,
        "activities/ratio_dashboard.html",
        {"page": page, "rows": rows, "last_date": last_date, "months": months},
    )


@login_required
@require_POST
def ratio_recompute(request):
    if not is_copil(request.user):
        raise PermissionDenied
    services.attendance_ratios_request(actor=request.user)
    messages.success(request, _("Le recalcul des taux de présence est lancé."))
    return redirect("activities:ratio_dashboard")
