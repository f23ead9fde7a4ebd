"""Settings for the grid policing project, driven entirely by the environment.

With no environment at all the project runs as a self-contained demo: a
SQLite file next to ``manage.py``, Celery tasks executed in-process, DEBUG on
and built-in development keys. Production sets ``DJANGO_DEBUG=false`` and
supplies ``DATABASE_URL``, ``CELERY_BROKER_URL`` and its own keys (see
``.env.example``); it then refuses to start without them.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

#
# Core
#

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Development-only secrets. They are public (they are in this file), so they are
# accepted only while DEBUG is on.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
_DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc="
_DEV_FIELD_HASH_KEY = "dev-only-national-id-hash-key"


def _secret(name: str, dev_default: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG is off.")


SECRET_KEY = _secret("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "policing.urls"
WSGI_APPLICATION = "policing.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#
# Applications
#

DJANGO_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "policing.vendor_apps.KnoxConfig",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "pgtrigger",
    "pghistory",
    "policing.vendor_apps.AxesConfig",
]
LOCAL_APPS = [
    "policing",
    "stations",
    "grids",
    "ledgers",
    "visits",
    "disputes",
    "cases",
    "assessments",
    "dashboards",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

#: whose scope the access rule computes (policing.scope), as AUTH_USER_MODEL
POLICING_STAFF_MODEL = "stations.Person"

MIDDLEWARE = [
    # First: every response, even one another middleware makes, carries the id.
    "policing.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which serves static files compressed ahead of time;
    # outside the rest, so it compresses what they have written.
    "policing.middleware.CompressionMiddleware",
    # After WhiteNoise: static files need no policy and keep their caching.
    "policing.middleware.ContentSecurityPolicyMiddleware",
    "policing.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "policing.middleware.SessionLifetimeMiddleware",
    "policing.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stations.context_processors.notifications",
            ],
        },
    },
]

#
# Database
#

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# A request either commits whole or not at all: no partial writes (SPEC §7).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A connection per request costs PostgreSQL a new backend process and the
# request the setup (docs/scaling.md); each web thread keeps its connection
# for a minute, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Audit events are append-only (SECURITY.md G-AD2): a trigger on every event
# table refuses UPDATE and DELETE, whoever asks and however (ORM or raw SQL).
PGHISTORY_APPEND_ONLY = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves a few users at once (issue 27, item 8): readers go on
    # while one writes (WAL), a writer takes its lock when its transaction
    # begins (IMMEDIATE: no deadlock upgrading a read lock, which waiting
    # cannot resolve) and waits up to 20 s for it instead of failing with
    # "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off in long analytic scans, not in the
    # millisecond aggregates pages run: on the generated city it added 60 ms
    # of compiling to a 90 ms quota query (docs/scaling.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

CACHES = {
    "default": env.cache("DJANGO_CACHE_URL", default="locmemcache://"),
}
# A Redis that is down or hung costs a request at most one short wait, never
# an error (SECURITY.md G-IN4): short timeouts, and failures read as misses.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "policing.cache.FailOpenRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(REDIS_CACHE_OPTIONS)

#
# Authentication
#

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Argon2 first: new and changed passwords are hashed with it, older hashes
# are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Five failed logins for one username from one address lock that pair for
# 15 minutes, on every door that calls authenticate(): the login page, the
# admin and the token endpoint. Other users behind the same address (a
# station's shared NAT) can still log in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "policing.auth.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_VERBOSE = False

#
# Internationalisation and time (SPEC §3: periods are local to TIME_ZONE)
#

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

#
# Static files
#

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Serve straight from the finders so a checkout works without collectstatic.
WHITENOISE_USE_FINDERS = True

#
# National ID protection (SPEC §2: stored encrypted, looked up by keyed hash)
#

# Comma-separated url-safe base64 AES-256 keys; the first one encrypts, all of
# them decrypt, so keys can be rotated without downtime.
FIELD_ENCRYPTION_KEYS = [
    key.strip()
    for key in _secret("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_ENCRYPTION_KEY).split(",")
    if key.strip()
]
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY", _DEV_FIELD_HASH_KEY)

#
# Django REST framework and the OpenAPI schema
#

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "policing.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["policing.permissions.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "policing.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON nested past 32 levels is a 400, not a RecursionError (issue 27).
    "DEFAULT_PARSER_CLASSES": [
        "policing.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Documents the error answers too (policing/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "policing.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "policing.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    # API tokens are stored as digests and expire (SECURITY.md G-AU5).
    "TOKEN_TTL": timedelta(hours=10),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grid policing API",
    "DESCRIPTION": "JSON API of the grid policing system (SPEC §4).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Logins only when DEBUG is off (SECURITY.md G-CF7).
    "SERVE_PERMISSIONS": ["policing.schema_permissions.AuthenticatedUnlessDebug"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Offline: the docs page loads Swagger UI from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The assessment's state appears in the assessment and the report.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStateEnum": ["published", "computed", "live"],
    },
}

#
# Celery
#

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker the tasks run in-process, so the demo needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must not hang on a dead or hung broker (SECURITY.md G-IN4): one
# connection attempt with short timeouts, no retries; what was not sent waits
# in the outbox for the sweep (policing.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
    "max_retries": 0,
    # A message a lost worker took is delivered again after this long, so it
    # must exceed twice the longest task, which the time limit bounds (G-IN6).
    "visibility_timeout": 2 * 3600,
}
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# With late acks a worker holds one message at a time, not a prefetched batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process that grew past this (KiB) is replaced after its task, so
# one large ledger check cannot keep the memory it took (issue 27, item 1;
# uploads are bounded before that, ledgers/upload_limits.py).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1024 * 1024
)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    # Send again the tasks writes needed and the broker lost (G-IN5).
    "resend-pending-tasks": {
        "task": "policing.tasks.resend_pending_tasks",
        "schedule": 60,
    },
    # Expired API tokens are refused at once and deleted here.
    "purge-expired-tokens": {
        "task": "policing.tasks.purge_expired_tokens",
        "schedule": crontab(minute=5),
    },
    "notify-overdue-disputes": {
        "task": "disputes.tasks.notify_overdue_disputes",
        "schedule": 10 * 60,
    },
    "email-pending-notifications": {
        "task": "stations.tasks.email_notifications",
        "schedule": 10 * 60,
    },
    # SPEC §3: the monthly assessment of the month just ended, for every
    # bureau, on the 1st at 02:00 local time (CELERY_TIMEZONE), when the
    # night's late records of the last day are in.
    # The night's quota and coverage snapshots, after the day's late
    # offline records are in and before the morning's dashboards.
    "nightly-snapshots": {
        "task": "assessments.tasks.take_nightly_snapshots",
        "schedule": crontab(minute=30, hour=1),
    },
    # The county page's running ranking of the month (assessments.interim).
    "interim-assessments": {
        "task": "assessments.tasks.refresh_interim_assessments",
        "schedule": crontab(minute="*/30"),
    },
    "monthly-assessment": {
        "task": "assessments.tasks.assess_previous_month",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
}

#
# E-mail. Notifications are also mailed only when EMAIL_URL is set
# (e.g. smtp+tls://user:password@mail.example.org:587); otherwise they stay
# in the in-app list.
#

EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(environ.Env.email_url_config(EMAIL_URL))
NOTIFY_BY_EMAIL = bool(EMAIL_URL)
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="grid-policing@localhost")

#
# Uploads (issue 27, item 1): what a ledger or map file may hold, whatever its
# size on disk; each bound is checked in the web request and again, row by
# row, in the job (ledgers/upload_limits.py, docs/security.md).
#

LEDGER_MAX_ROWS = env.int("LEDGER_MAX_ROWS", default=200_000)
LEDGER_MAX_CELL_CHARS = env.int("LEDGER_MAX_CELL_CHARS", default=32 * 1024)
LEDGER_MAX_UNPACKED_BYTES = env.int(
    "LEDGER_MAX_UNPACKED_BYTES", default=100 * 1024 * 1024
)
LEDGER_MAX_ZIP_ENTRIES = env.int("LEDGER_MAX_ZIP_ENTRIES", default=1_000)
#: a Polygon's or MultiPolygon's vertices, a MultiPolygon's parts, a file's
#: vertices in all
MAP_MAX_VERTICES_PER_POLYGON = env.int("MAP_MAX_VERTICES_PER_POLYGON", default=10_000)
MAP_MAX_PARTS = env.int("MAP_MAX_PARTS", default=100)
MAP_MAX_VERTICES_PER_FILE = env.int("MAP_MAX_VERTICES_PER_FILE", default=300_000)

#
# Maps (django-leaflet). No tiles by default: the map draws vector layers on a
# plain background and needs no network. Tiles must be WGS84 (see README).
#

_tiles_url = env.str("LEAFLET_TILES_URL", default="")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (
        env.float("MAP_CENTER_LAT", 25.49),
        env.float("MAP_CENTER_LON", 103.80),
    ),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "TILES": [
        (
            _("Base map"),
            _tiles_url,
            {"attribution": env.str("LEAFLET_TILES_ATTRIBUTION", default="")},
        )
    ]
    if _tiles_url
    else [],
    "RESET_VIEW": False,
}

#
# Security
#

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 30 * 60
# Renewed once a minute while used (policing.middleware.SessionLifetimeMiddleware),
# not saved on every request.
SESSION_RENEWAL_INTERVAL = 60
# However active, a browser session ends 12 hours after its login
# (policing.middleware.SessionLifetimeMiddleware; NIST 800-63B AAL2).
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
# Who may read /health/ without logging in, besides loopback: the monitoring
# network, e.g. "10.20.0.0/24" (comma-separated).
HEALTH_CHECK_ALLOWED_NETWORKS = env.list("HEALTH_CHECK_ALLOWED_NETWORKS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _tile_origin(url: str) -> str | None:
    """The origin map tiles come from, as a CSP source (None: this server).

    A ``{s}`` subdomain placeholder becomes a leftmost ``*`` wildcard.
    """
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


# Scripts only from this server or carrying the request's nonce (django-leaflet's
# map widget in the admin): no inline handlers, no eval (SECURITY.md G-CF2).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Style *attributes* stay allowed: ECharts writes its chart tooltips
        # as HTML with style attributes (36 blocked on the county dashboard
        # without this), and the dispute colour bars are sized by one.
        # <style> elements still need the nonce (Swagger UI's page has one).
        "style-src-attr": [UNSAFE_INLINE],
        # data: for Leaflet's and Swagger UI's inline icons.
        "img-src": [SELF, "data:", *filter(None, [_tile_origin(_tiles_url)])],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A monitor on the host asks over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

#
# Logging
#

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names its request, the id an error page shows the user.
    "filters": {"request_id": {"()": "policing.middleware.RequestIdLogFilter"}},
    "formatters": {
        "with_request_id": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "with_request_id",
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
}
