"""Error reports mailed to the COPIL (settings.ADMINS), kept free of model imports:
settings.LOGGING loads this module before the apps.

- ``MaskingExceptionReporterFilter`` (settings.DEFAULT_EXCEPTION_REPORTER_FILTER): no
  POST value, cookie or local variable in a report, on every view. A form the portal
  receives may carry a password, ballot choices or personal data; opting in view by view
  with ``sensitive_post_parameters`` is the kind of rule a new view forgets.
- ``SkipHealthCheck``: /healthz answers 503 while Redis or the database is down; the
  monitoring that polls it is the alert, the log line on stdout the record. No mail.
- ``ErrorMailHandler``: Django's AdminEmailHandler, sending through the mail funnel.
- ``ErrorMailThrottle``: one mail per kind of error (logger, exception class, route, the
  line that logged it) per ERROR_MAIL_INTERVAL_SECONDS. Every occurrence is still written
  to stdout; a failing page hit by every visitor must not send a mail each.
"""

import hashlib
import logging
import re
import threading
import time
import weakref

from django.conf import settings
from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

HEALTH_CHECK_PATH = "/healthz"
# The password of a URL setting (redis://:secret@host/0 in REDIS_URL, CELERY_BROKER_URL...).
_URL_PASSWORD = re.compile(r"(://[^/@\s:]*:)[^/@\s]+@")


class MaskingExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter with every POST value, cookie and frame variable masked, as if
    each view were decorated with ``sensitive_post_parameters()`` and
    ``sensitive_variables()``. Names stay: they say which form failed.

    With DEBUG on (a developer's own machine) nothing is masked, as in Django.
    """

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(rf"\1{self.cleansed_substitute}@", cleansed)
        return cleansed

    def get_post_parameters(self, request):
        if request is None:
            return {}
        if not self.is_active(request):
            return request.POST
        masked = request.POST.copy()
        for name in masked:
            masked[name] = self.cleansed_substitute
        return masked

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        # A QueryDict held by a frame variable (request.POST passed along) is masked too.
        if not self.is_active(request):
            return multivaluedict
        masked = multivaluedict.copy()
        for name in masked:
            masked[name] = self.cleansed_substitute
        return masked

    def get_safe_cookies(self, request):
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


def _request(record: logging.LogRecord):
    request = getattr(record, "request", None)
    # core.redaction may have replaced a request holding a secret by its text.
    return request if hasattr(request, "path_info") else None


class SkipHealthCheck(logging.Filter):
    """Drop the records of /healthz (its 503, or an error inside it) from a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request(record)
        if request is None:
            return True
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == "healthz":
            return False
        return request.path_info.rstrip("/") != HEALTH_CHECK_PATH


class ErrorMailThrottle(logging.Filter):
    """Let one record of each kind through per ERROR_MAIL_INTERVAL_SECONDS.

    The decision is taken in this process's memory first, so that the throttle holds
    when Redis is down (a failing cache is a likely cause of the error being reported).
    The shared cache then spreads it across gunicorn workers and hosts; if the cache
    fails, the process's own decision stands. Place it last in the handler's filters, so
    that only records that would be mailed take a slot.
    """

    _MAX_KINDS = 1000  # one entry per kind; forgotten past the interval

    def __init__(self, name: str = ""):
        super().__init__(name)
        self._lock = threading.Lock()
        self._last_sent: dict[str, float] = {}
        self._local = threading.local()
        _THROTTLES.add(self)

    def reset(self) -> None:
        with self._lock:
            self._last_sent.clear()

    @staticmethod
    def kind(record: logging.LogRecord) -> str:
        exc_type = record.exc_info[0] if record.exc_info else None
        exception = f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type else ""
        request = _request(record)
        match = getattr(request, "resolver_match", None) if request is not None else None
        # The route, not the path: /elections/4/ and /elections/5/ are one kind, and an
        # unresolved path (any string a client sends) does not make a new one.
        route = (match.view_name or match.route) if match is not None else ""
        return "|".join((record.name, exception, route, f"{record.pathname}:{record.lineno}"))

    def filter(self, record: logging.LogRecord) -> bool:
        interval = getattr(settings, "ERROR_MAIL_INTERVAL_SECONDS", 600)
        if interval <= 0:
            return True
        kind = self.kind(record)
        now = time.monotonic()
        with self._lock:
            last = self._last_sent.get(kind)
            if last is not None and now - last < interval:
                return False
            if len(self._last_sent) >= self._MAX_KINDS:
                self._last_sent = {k: t for k, t in self._last_sent.items() if now - t < interval}
            self._last_sent[kind] = now
        return self._first_across_processes(kind, interval)

    def _first_across_processes(self, kind: str, interval: int) -> bool:
        if getattr(self._local, "busy", False):
            return True  # a record logged by the cache itself while we ask it
        from django.core.cache import cache

        key = "error-mail:" + hashlib.sha256(kind.encode()).hexdigest()
        self._local.busy = True
        try:
            added = cache.add(key, 1, timeout=interval)
        except Exception:  # the cache is down: this process's decision stands
            return True
        finally:
            self._local.busy = False
        # False: another process mailed this kind within the interval. None: a cache that
        # swallows its errors (django-redis IGNORE_EXCEPTIONS) could not tell.
        return added is not False


_THROTTLES: "weakref.WeakSet[ErrorMailThrottle]" = weakref.WeakSet()


def error_mail_throttle_reset() -> None:
    """Forget the mails already sent (tests: each starts with none)."""
    for throttle in list(_THROTTLES):
        throttle.reset()


class ErrorMailHandler(AdminEmailHandler):
    """Django's error mail to ADMINS, sent through the portal's mail funnel
    (core/emails.py) like every other mail the portal sends."""

    def send_mail(self, subject, message, *args, **kwargs):
        from . import emails  # read once a record is mailed: the apps are loaded by then

        if not settings.ADMINS:
            return
        composed = emails.email_message(
            kind="error_report",
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
            body=message,
            html=kwargs.get("html_message") or "",
            to=[address for _name, address in settings.ADMINS],
        )
        try:
            emails.email_send(composed)
        except OSError:  # as mail_admins(fail_silently=True): the report stays on stdout
            if not kwargs.get("fail_silently"):
                raise
