"""Settings for the grid policing project, driven entirely by the environment.

With no environment at all the project runs as a self-contained demo: a
SQLite file next to ``manage.py``, Celery tasks executed in-process, DEBUG on
and built-in development keys. Production sets ``DJANGO_DEBUG=false`` and
supplies ``DATABASE_URL``, ``CELERY_BROKER_URL`` and its own keys (see
``.env.example``); it then refuses to start without them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
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
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "pgtrigger",
    "pghistory",
    "axes",
]
LOCAL_APPS = [
    "policing",
    "stations",
    "grids",
    "visits",
    "disputes",
    "cases",
    "assessments",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

CACHES = {
    "default": env.cache("DJANGO_CACHE_URL", default="locmemcache://"),
}

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
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["policing.permissions.IsStaffMember"],
    "DEFAULT_PAGINATION_CLASS": "policing.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
# A request must not hang on a dead broker: fail fast, log, and let the
# periodic sweeps catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0}
CELERY_BEAT_SCHEDULE = {
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
SESSION_SAVE_EVERY_REQUEST = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
}
