"""CXO settings: one file, driven by environment variables.

Development needs nothing set: SQLite under ``var/``, a secret key generated on first run.
Production (``CXO_ENV=production``) requires ``SECRET_KEY`` and ``ALLOWED_HOSTS`` from the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # src/cxo
PROJECT_DIR = Path(os.environ.get("CXO_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("CXO_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


CXO_ENV = os.environ.get("CXO_ENV", "development")
PRODUCTION = CXO_ENV == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when CXO_ENV=production.")
    # Development: generate once and keep it, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
# Where people reach CXO: e-mails carry absolute links built on it (invitations, notifications).
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set when CXO_ENV=production (e.g. https://cxo.example.com).")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "cxo.core",
    "cxo.registry",
    "cxo.matching",
    "cxo.sourcing",
    "cxo.quality",
    "cxo.contracts",
    "cxo.config",  # last: the composition of the apps above (the demo command)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cxo.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cxo.core.middleware.RequestIdMiddleware",
    "cxo.core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cxo.config.urls"
WSGI_APPLICATION = "cxo.config.wsgi.application"

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
                "cxo.core.context_processors.organisations",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cxo.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, tolerant of a decimal stored beyond its column's digits (see the module).
    DATABASES["default"]["ENGINE"] = "cxo.core.backends.sqlite3"
    # WAL lets readers proceed while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests run in memory; named so, because pytest-django's xdist workers recognise only Django's own engine
    # as SQLite and would otherwise make each worker a file beside the real database.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("CXO_SQLITE_TEST_NAME") or ":memory:"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cxo.core.views.login_locked_out"  # JSON for the API, the lockout page for people
# The client's address behind trusted proxies (cxo.core.clients), for axes and every other per-address limit.
AXES_CLIENT_IP_CALLABLE = "cxo.core.clients.client_address"

# --- behind a reverse proxy (docs/security.md) ---------------------------------------------------------
#: Addresses or networks of the proxies in front of CXO, comma-separated ("10.0.0.0/8,127.0.0.1"); empty: none.
CXO_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CXO_TRUSTED_PROXIES", "").split(",") if p.strip()]
#: The header in which those proxies put the client's address.
CXO_CLIENT_IP_HEADER = os.environ.get("CXO_CLIENT_IP_HEADER", "X-Forwarded-For")
if CXO_TRUSTED_PROXIES:
    # The proxy terminates TLS and says so; it must set (never pass on) this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Per-user limits of expensive operations (cxo.core.ratelimit), "N/period" (s, min, hour, day); "" turns one off.
CXO_RATE_LIMITS = {
    scope: os.environ.get(f"CXO_RATE_LIMIT_{scope.upper()}", default)
    for scope, default in (
        ("match", "60/min"),
        ("export", "20/min"),
        ("upload", "30/min"),
        # password-reset e-mails: per address asked for, and per client address (cxo.core.views)
        ("password_reset_address", "3/hour"),
        ("password_reset_client", "10/hour"),
    )
}

# Personal API tokens expire this many days after they are made (cxo.core.services.api_token_create).
CXO_API_TOKEN_DAYS = int(os.environ.get("CXO_API_TOKEN_DAYS", "90"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CXO <noreply@cxo.localhost>")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEBUG  # serve straight from the apps in development; collectstatic in production
STATICFILES_DIRS = [BASE_DIR / "static"]  # the house stylesheet and icons (src/cxo/static), besides the apps' own
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- transport and browser security (docs/security.md) ----------------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: redirect plain HTTP, and tell browsers to use HTTPS for a year (HSTS).
SECURE_SSL_REDIRECT = env_bool("CXO_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("CXO_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CXO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CXO_HSTS_PRELOAD", True)
#: Only our own files: no inline script, style or event handler, no other origin. Swagger UI's
#: stylesheet draws its icons from data: URIs, hence img-src data:.
CXO_CONTENT_SECURITY_POLICY = os.environ.get(
    "CXO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# --- request limits (cxo.core.middleware.RequestLimitsMiddleware; docs/security.md) -----------------
MB = 1024 * 1024
#: One document (an RFP's or a proposal's attachment).
CXO_DOCUMENT_MAX_BYTES = int(float(os.environ.get("CXO_DOCUMENT_MAX_MB", "25")) * MB)
#: A page's multipart upload: the document and the form around it.
CXO_UPLOAD_MAX_BYTES = CXO_DOCUMENT_MAX_BYTES + MB
#: The JSON body of an API operation that takes documents in base64 (4 bytes per 3), and the JSON around them.
CXO_DOCUMENT_JSON_MAX_BYTES = CXO_DOCUMENT_MAX_BYTES * 4 // 3 + MB
#: Any other request body (JSON, a form); Django refuses larger ones before reading them.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(float(os.environ.get("CXO_REQUEST_MAX_MB", "2.5")) * MB)
#: Uploaded files above this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)
