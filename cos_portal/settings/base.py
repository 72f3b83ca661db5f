"""Settings of the COS-GE portal, read from the environment (django-environ).

Development defaults are safe and embedded: a SQLite file, a local-memory
cache, Celery tasks run eagerly and e-mails printed to the console. Setting
DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis; production
behaviour is switched by variables (DJANGO_DEBUG, DJANGO_SECURE...), never by
another settings module.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Development default only: production sets DJANGO_SECRET_KEY (check --deploy refuses this one).
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-development-only-cos-ge-portal-key",  # noqa: S105
)
# Former keys, still accepted after a rotation: sessions, signed links, and the sealed
# ballot box of a vote in progress (governance/elections/services/ballot_box.py).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Django's admin with the portal's site: grammatical French titles (core/admin_french.py).
    "core.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "import_export",
    "django_celery_beat",
    "csp",
    "auditlog",
    # The layers, bottom up (ARCHITECTURE.md): each imports only those above it in this list.
    "core",
    "charters",
    "members",
    "activities",
    "governance",
    "cos_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The audit trail (core/auditing.py) records who made each change.
    "core.http.ClientAddressAuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cos_portal.security.NulCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # cos_portal/security.py: MFA before the admin and the decisions of the COPIL and
    # the election commission, no-store on personal pages, refused accesses logged.
    "cos_portal.security.DecisionMFAMiddleware",
    "cos_portal.security.NoStoreMiddleware",
    "cos_portal.security.RefusedAccessLogMiddleware",
    "cos_portal.security.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "cos_portal.urls"
WSGI_APPLICATION = "cos_portal.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# A persistent connection is checked before each request reuses it: after a PostgreSQL
# restart, a dead connection is replaced instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def without_jit(database: dict) -> dict:
    """A PostgreSQL database's settings with just-in-time compilation off for the portal's
    connections. PostgreSQL compiles every query its planner deems costly (above
    jit_above_cost), and the portal's are such: a subquery per organisation over
    thousands of them. The compilation then costs more than it saves: 40 of the 95 ms of
    the attendance-threshold deadlines on the COPIL's cockpit. Other databases unchanged."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    options = database.setdefault("OPTIONS", {})
    if "jit=off" not in options.get("options", ""):
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return database


without_jit(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"

# Redis: cache and Celery broker. Unset means embedded mode.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis first, the database while Redis does not answer (core/cache.py): rate
    # limits, password-failure counters and used TOTP codes keep working through an outage.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailoverCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 5},
        },
        "redis": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cos"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cos_cache",  # created by cos_portal's migrations
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cos"),
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages served from the cache to anonymous visitors (core/public_cache.py);
# the services invalidate them at once, this lifetime is only a safety net.
PUBLIC_PAGES_CACHE_SECONDS = env.int("PUBLIC_PAGES_CACHE_SECONDS", default=600)

# Celery: same time zone as Django (ARCHITECTURE §9); eager without a broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No result backend: nothing reads a task's result, and a result backend that cannot reach
# Redis made queuing itself fail (core/queue.py). Eager mode keeps results in memory.
CELERY_RESULT_BACKEND = None if REDIS_URL else "cache+memory://"
CELERY_TASK_IGNORE_RESULT = bool(REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Tasks are idempotent (ARCHITECTURE §6): one whose worker died is handed to another.
# E-mail tasks opt out (core/tasks.py).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# An unacknowledged task goes back to the queue after this long (acks_late): no countdown
# or retry backoff may exceed it (tests/core/test_queue.py).
REDIS_VISIBILITY_TIMEOUT = 3600
# A run holds the e-mails it claimed this long; a dead worker's are resumed after (leases.py).
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=600)
# Redis down: publishing gives up within about a second instead of holding the request;
# core/queue.py then keeps the job in the outbox.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5

# Passwords: Argon2 first; common passwords refused; long passphrases welcome.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's and allauth's, each reading the session's person with their groups in one
# query (core/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "core.auth_backends.PortalModelBackend",
    "core.auth_backends.PortalAuthenticationBackend",
]

# Accounts (django-allauth): login by e-mail, mandatory verification.
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cos_portal.forms.SignupNamesForm"  # first and last name
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[COS-GE] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# The portal's adapter answers HTTP 429 once login_failed is exhausted and logs it.
ACCOUNT_ADAPTER = "cos_portal.security.AccountAdapter"
# Security notices by e-mail (password changed, e-mail address changed...).
ACCOUNT_EMAIL_NOTIFICATIONS = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "COS-GE"
# Staff, COPIL and election-commission members must have activated an authenticator app
# (TOTP) and used it in their session before they reach /admin/ or any URL declared a
# decision (cos_portal/security.py, DecisionMFAMiddleware). Tests run with it off
# (settings/test.py) so that force_login() reaches the admin; tests/security switch it
# on. TOTP codes are refused a second time through the shared cache (Redis, or the
# database while Redis is down: core/cache.py).
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)

# E-mail: console by default, SMTP when EMAIL_URL is set.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A mail server that stops answering gives up the connection well before a batch's lease
# (JOB_LEASE_SECONDS) ends, so no other run takes over a message still being sent.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="COS-GE <ne-pas-repondre@cos-ge.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[COS-GE] "  # the error reports sent to ADMINS
COPIL_EMAIL = env("COPIL_EMAIL", default="copil@cos-ge.fr")
# The right-hand side of every Message-ID (core/emails.py): the site's domain unless set;
# check --deploy refuses localhost or an address.
EMAIL_MESSAGE_ID_DOMAIN = env("EMAIL_MESSAGE_ID_DOMAIN", default=urlsplit(SITE_URL).hostname or "")

# Seal of the charter certificates: the key, certificate and CA chain come from
# CHARTER_SIGNING_KEY / _CERT / _CHAIN (charters/certificates.py). With a time-stamping
# authority (RFC 3161), each seal carries its time stamp (PAdES B-T, B-LT when the
# certificates' revocation data can be fetched); empty: sealed at the server's time.
CHARTER_TSA_URL = env("CHARTER_TSA_URL", default="")

# Language and time (ARCHITECTURE §9, §10).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# Static files (vendored Bootstrap, no CDN) and uploads.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads live outside any public URL: views serve them after checking access.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")},
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_URL = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
LOGO_MAX_BYTES = 1_048_576

# The audit trail of changes (django-auditlog, models registered in core/auditing.py):
# changes stored as JSON, with the client's address from core.http.client_ip.
AUDITLOG_STORE_JSON_CHANGES = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Security. Production switches these on with DJANGO_SECURE=true (behind a TLS proxy).
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of gunicorn, each appending to X-Forwarded-For:
# the client's address (signature evidence, throttles, logs) is the one the outermost of
# them saw (core/http.py). 0: no proxy, the socket address; the headers are not believed.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)
# The check-in page scans personal QR codes with the phone's camera (A2): that page alone
# allows the camera, to itself (activities.views.checkin).
PERMISSIONS_POLICY_CHECKIN = PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
# Sites allowed to frame the embeddable directory (/annuaire/integration/), e.g.
# DIRECTORY_EMBED_ORIGINS=https://www.cos-ge.fr,https://cms.example.org; they also get CORS
# on /annuaire.json. Every other page keeps frame-ancestors 'none'.
DIRECTORY_EMBED_ORIGINS = env.list("DIRECTORY_EMBED_ORIGINS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The organiser's check-in app (A2): its service worker and its manifest.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Structured logging to stdout, one JSON object per line.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
# Error reports (core/errors.py): no POST value, cookie or local variable in them;
# at most one mail to the COPIL per kind of error in this many seconds.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.errors.MaskingExceptionReporterFilter"
ERROR_MAIL_INTERVAL_SECONDS = env.int("ERROR_MAIL_INTERVAL_SECONDS", default=600)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "filters": {
        # No key of a reset or confirmation link in a log line (core/redaction.py).
        "redact_secrets": {"()": "core.redaction.RedactSecretsFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "skip_health_check": {"()": "core.errors.SkipHealthCheck"},
        "error_mail_throttle": {"()": "core.errors.ErrorMailThrottle"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact_secrets"],
        },
        # Server errors mailed to the COPIL (ADMINS), without the request's values
        # (DEFAULT_EXCEPTION_REPORTER_FILTER), never for /healthz, and one mail per kind
        # of error per ERROR_MAIL_INTERVAL_SECONDS (the throttle comes last).
        "mail_admins": {
            "class": "core.errors.ErrorMailHandler",
            "level": "ERROR",
            "include_html": False,
            "filters": [
                "require_debug_false",
                "redact_secrets",
                "skip_health_check",
                "error_mail_throttle",
            ],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default (console + mail_admins): records still reach stdout
        # through the root logger.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}

ADMINS = [("COPIL", COPIL_EMAIL)]
