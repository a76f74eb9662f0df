"""Bailanys settings: one module, driven by environment variables.

Every variable is documented in `.env.example`. Helpers fail loudly on malformed values.
Defaults give the embedded single-machine install (SQLite, in-process tasks, local files).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("", "True", "False"):
        raise ImproperlyConfigured(f"{name}={value!r}: expected True or False")
    return value == "True"


def envint(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "False")
# Without DEBUG the key must come from the environment. It is checked where it is used: the web and worker processes
# refuse to start without it (config.wsgi, config.asgi, config.celery), while management commands that sign nothing
# (makemigrations, check) still run; anything that signs raises Django's "SECRET_KEY must not be empty".
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-bailanys"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core",
    "accounts",
    "audit",
    "directory",
    "knowledge",
    "appeals",
    "portal",
    "workspace",
    "telephony",
    "recordings",
    "feedback",
    "intake",
    "complaints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.KazakhFirstLocaleMiddleware",
    "core.middleware.CleanQueryStringMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.getenv("DATABASE_URL", "")
if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
# Kept connections are checked before a request or task first uses them: after a database restart the first one
# reconnects instead of failing.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, sessions ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MixedCharactersValidator"},
]
# Idle timeout: the session expires this many seconds after the last request.
SESSION_IDLE_TIMEOUT_SECONDS = envint("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
# Absolute timeout: a staff session ends this long after login, however active.
SESSION_ABSOLUTE_TIMEOUT_SECONDS = envint("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 15 * 60)

# --- Security (production values unless DEBUG) --------------------------------------------------
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "False" if DEBUG else "True")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "False" if DEBUG else "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False" if DEBUG else "True")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False" if DEBUG else "True")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "False") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)

# --- Languages: Kazakh first, Russian second ----------------------------------------------------
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "bailanys_language"
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

# --- Static and media files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": os.getenv("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ----------------------------------------------------------------------------------------
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 2525)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = os.getenv("EMAIL_FILE_PATH", "") or str(BASE_DIR / "var" / "outbox")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "1414 <noreply@1414.kz>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work: Celery, in-process when no broker is configured ------------------------------
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://localhost/"  # never used: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless this is set, and a new
# PostgreSQL connection costs a backend process and several ms of CPU on both sides: a worker keeps its connection
# for this many tasks instead (closed sooner when broken or older than DB_CONN_MAX_AGE: config/celery.py).
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_TASK_DEFAULT_QUEUE", "bailanys")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Safety net of the phone queue: ends expired wrap-ups and offers calls that events did not move.
    "telephony-dispatch-tick": {"task": "telephony.tasks.dispatch_tick", "schedule": 5.0},
    # Recordings archive: a batch of recordings checked against their SHA-256 every 10 minutes (the whole
    # archive is walked oldest-checked first), and files past their retention period deleted every hour.
    "recordings-verify": {"task": "recordings.tasks.verify_recordings", "schedule": 600.0},
    "recordings-retention": {"task": "recordings.tasks.apply_retention", "schedule": 3600.0},
}
# How many recordings each run of recordings-verify reads back and checks.
RECORDINGS_VERIFY_BATCH = envint("RECORDINGS_VERIFY_BATCH", 2000)
# Requests for recordings: the clock is watched (reminders, missed deadlines) every minute, and the folder an
# external PBX drops recordings into (RECORDINGS_WATCH_DIR) is read every minute.
CELERY_BEAT_SCHEDULE["recordings-request-deadlines"] = {
    "task": "recordings.tasks.watch_request_deadlines",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["recordings-watched-folder"] = {"task": "recordings.tasks.ingest_watched_folder", "schedule": 60.0}
# Complaints (issue 7): review clocks watched every minute (reminders, escalation); signatures left pending (a stale
# CRL, no trust roots yet) verified again every five minutes.
CELERY_BEAT_SCHEDULE["complaints-deadlines"] = {"task": "complaints.tasks.watch_complaint_deadlines", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["complaints-reverify-pending"] = {"task": "complaints.tasks.reverify_pending", "schedule": 300.0}
# Files of portal complaint drafts nobody signed, kept past POLICY COMPLAINT_DRAFT_KEEP_HOURS, removed every hour.
CELERY_BEAT_SCHEDULE["complaints-remove-abandoned-drafts"] = {
    "task": "portal.tasks.remove_abandoned_complaint_drafts",
    "schedule": 3600.0,
}
# The center's key and certificate (PEM files) that sign export packages' manifests; with neither set and
# DEBUG=True a self-signed demo key is made under var/center-signing/.
RECORDINGS_SIGNING_KEY_FILE = os.getenv("RECORDINGS_SIGNING_KEY_FILE", "")
RECORDINGS_SIGNING_CERT_FILE = os.getenv("RECORDINGS_SIGNING_CERT_FILE", "")
# An export copies a recording without reading it again when a check found it intact less than this many hours ago
# and its file is the very one checked (same inode, size and times); 0 reads and hashes every recording at export.
RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS = envint("RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS", 24)
# A regulator's download link to a package works once and for this many minutes.
RECORDINGS_PACKAGE_LINK_MINUTES = envint("RECORDINGS_PACKAGE_LINK_MINUTES", 10)
# Largest scanned request letter accepted (bytes).
RECORDINGS_LETTER_MAX_BYTES = envint("RECORDINGS_LETTER_MAX_BYTES", 20 * 1024 * 1024)
# Folder an external PBX drops recordings into (audio + JSON sidecar); empty: not watched.
RECORDINGS_WATCH_DIR = os.getenv("RECORDINGS_WATCH_DIR", "")
# A sidecar naming a call the platform has not heard of is retried this long before it is refused.
RECORDINGS_WATCH_CALL_WAIT_MINUTES = envint("RECORDINGS_WATCH_CALL_WAIT_MINUTES", 60)

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.DeclaredRolesOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.getenv("API_ANON_RATE", "120/minute"),
        "user": os.getenv("API_USER_RATE", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bailanys API",
    "DESCRIPTION": "Unified contact center for public services: appeals, knowledge base, directory.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "knowledge.choices.Language",
        "OrganisationKindEnum": "directory.choices.OrganisationKind",
        "DataOriginEnum": "directory.choices.DataOrigin",
        "TerritoryLevelEnum": "directory.choices.TerritoryLevel",
    },
}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not os.getenv("CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.getenv("CACHE_URL")}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "core.logging.MaskPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        # A refused signature is a verdict we record ourselves; pyHanko would log each one with a traceback.
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# --- Knowledge search -------------------------------------------------------------------------------
# "tantivy" (our kk/ru analysis in an embedded tantivy index) or "database" (folded substrings, no index).
SEARCH_BACKEND = os.getenv("SEARCH_BACKEND", "tantivy")
if SEARCH_BACKEND not in ("tantivy", "database"):
    raise ImproperlyConfigured(f"SEARCH_BACKEND={SEARCH_BACKEND!r}: expected tantivy or database")
# Directory of the search index; every web process and worker of a node opens it (built from the database).
SEARCH_INDEX_DIR = Path(os.getenv("SEARCH_INDEX_DIR", "") or str(BASE_DIR / "var" / "search-index"))
# Local time (HH:MM, TIME_ZONE) of the nightly rebuild of the search index by Celery beat; empty: no rebuild.
SEARCH_REBUILD_AT = os.getenv("SEARCH_REBUILD_AT", "03:30").strip()
if SEARCH_REBUILD_AT:
    from celery.schedules import crontab

    _rebuild_at = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", SEARCH_REBUILD_AT)
    if _rebuild_at is None:
        raise ImproperlyConfigured(f"SEARCH_REBUILD_AT={SEARCH_REBUILD_AT!r}: expected HH:MM or nothing")
    CELERY_BEAT_SCHEDULE["knowledge-rebuild-search-index"] = {
        "task": "knowledge.tasks.rebuild_search_index",
        "schedule": crontab(hour=int(_rebuild_at[1]), minute=int(_rebuild_at[2])),
    }

# --- Reference data ---------------------------------------------------------------------------------
REFERENCE_DATA_DIR = Path(os.getenv("REFERENCE_DATA_DIR", str(BASE_DIR / "data" / "reference")))

# --- Telephony (docs/telephony-api.md) -----------------------------------------------------------
# How long the platform lets a consultant's phone ring before the edge gives up (seconds).
TELEPHONY_RING_TIMEOUT_SECONDS = envint("TELEPHONY_RING_TIMEOUT_SECONDS", 15)
# After a conversation the consultant is in wrap-up for this long, then ready again (seconds).
TELEPHONY_WRAP_UP_SECONDS = envint("TELEPHONY_WRAP_UP_SECONDS", 10)
# Signed requests older or newer than this (seconds) are refused.
TELEPHONY_SIGNATURE_MAX_SKEW_SECONDS = envint("TELEPHONY_SIGNATURE_MAX_SKEW_SECONDS", 300)
# Sending a command to an edge: timeout per attempt and pauses between attempts (seconds).
TELEPHONY_COMMAND_TIMEOUT_SECONDS = envint("TELEPHONY_COMMAND_TIMEOUT_SECONDS", 5)
TELEPHONY_COMMAND_RETRY_PAUSES = [0.2, 0.5, 1.0]
# Largest recording file an edge may upload (bytes); an hour of 8 kHz 16-bit mono is about 58 MB.
TELEPHONY_RECORDING_MAX_BYTES = envint("TELEPHONY_RECORDING_MAX_BYTES", 500 * 1024 * 1024)
# Waiting calls considered per distribution round.
TELEPHONY_DISPATCH_BATCH = envint("TELEPHONY_DISPATCH_BATCH", 200)
# Live statistics: the rolling window of the wallboard (minutes), and the share of the wait target at which
# the wallboard turns red.
TELEPHONY_LIVE_WINDOW_MINUTES = envint("TELEPHONY_LIVE_WINDOW_MINUTES", 15)
TELEPHONY_WALLBOARD_ALERT_FRACTION = float(os.getenv("TELEPHONY_WALLBOARD_ALERT_FRACTION", "0.8"))

# --- Electronic signatures on complaints (complaints/eds) ------------------------------------------------
# Pinned NCA root and intermediate certificates (.cer/.crt/.der/.pem); signatures chain to these roots only.
EDS_TRUST_DIR = Path(os.getenv("EDS_TRUST_DIR") or BASE_DIR / "var" / "eds" / "trust")
# CRLs held locally (full and delta); verification never fetches. A CRL past its nextUpdate makes verdicts pending.
EDS_CRL_DIR = Path(os.getenv("EDS_CRL_DIR") or BASE_DIR / "var" / "eds" / "crl")
# Where the scheduled refresh downloads the CRLs from (comma-separated http(s) URLs); empty: refreshed by hand.
EDS_CRL_URLS = envlist("EDS_CRL_URLS", "")
# Timeout of one CRL download (seconds).
EDS_CRL_FETCH_TIMEOUT_SECONDS = envint("EDS_CRL_FETCH_TIMEOUT_SECONDS", 30)
# A signingTime later than the verification time by more than this (seconds; the citizen's clock) is refused.
EDS_SIGNING_TIME_SKEW_SECONDS = envint("EDS_SIGNING_TIME_SKEW_SECONDS", 300)
# Minutes between scheduled CRL downloads from EDS_CRL_URLS (only scheduled when EDS_CRL_URLS is set).
EDS_CRL_REFRESH_MINUTES = envint("EDS_CRL_REFRESH_MINUTES", 60)
if EDS_CRL_URLS:
    CELERY_BEAT_SCHEDULE["complaints-refresh-crls"] = {
        "task": "complaints.tasks.refresh_crls",
        "schedule": 60.0 * EDS_CRL_REFRESH_MINUTES,
    }
# Where the portal's signing page reaches NCALayer on the citizen's computer (its local websocket).
NCALAYER_URL = os.getenv("NCALAYER_URL", "wss://127.0.0.1:13579")

# --- E-mail intake (docs/email-intake.md) ----------------------------------------------------------
# The built-in SMTP receiver (manage.py run_smtp_receiver) listens here for mail to the center's mailboxes.
INTAKE_SMTP_HOST = os.getenv("INTAKE_SMTP_HOST", "127.0.0.1")
INTAKE_SMTP_PORT = envint("INTAKE_SMTP_PORT", 2625)
# Mailboxes with an "imap" section are read every this many seconds by Celery beat (0: not polled).
INTAKE_IMAP_POLL_SECONDS = envint("INTAKE_IMAP_POLL_SECONDS", 60)
# Messages read from IMAP per mailbox and poll; the rest wait for the next poll.
INTAKE_IMAP_BATCH = envint("INTAKE_IMAP_BATCH", 200)
# A stored message not registered after this many seconds is queued again (a lost task, a broker restart).
INTAKE_REQUEUE_AFTER_SECONDS = envint("INTAKE_REQUEUE_AFTER_SECONDS", 120)
# Stored messages a worker registers in one transaction when they queue up (1: each in its own).
INTAKE_REGISTRATION_BATCH = envint("INTAKE_REGISTRATION_BATCH", 20)
# Domain of the Message-IDs of mails to citizens (default: the domain of DEFAULT_FROM_EMAIL).
MAIL_MESSAGE_ID_DOMAIN = os.getenv("MAIL_MESSAGE_ID_DOMAIN", "")
if INTAKE_IMAP_POLL_SECONDS:
    CELERY_BEAT_SCHEDULE["intake-poll-mailboxes"] = {
        "task": "intake.tasks.poll_mailboxes",
        "schedule": float(INTAKE_IMAP_POLL_SECONDS),
    }
CELERY_BEAT_SCHEDULE["intake-requeue-stored"] = {"task": "intake.tasks.requeue_stored", "schedule": 60.0}


def _mailboxes(default: str) -> list[dict[str, object]]:
    value = os.getenv("POLICY_INTAKE_MAILBOXES", "") or default
    try:
        boxes = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"POLICY_INTAKE_MAILBOXES: not JSON ({exc})") from exc
    if not isinstance(boxes, list) or not all(isinstance(box, dict) and box.get("address") for box in boxes):
        raise ImproperlyConfigured("POLICY_INTAKE_MAILBOXES: expected a list of objects with an address")
    return boxes


# Clause 7: the three addresses the regulation names, each with its topic and the queue its appeals go to.
INTAKE_MAILBOXES = _mailboxes(
    json.dumps(
        [
            {"address": "egov@nitec.kz", "topic": "egov", "queue": "egov"},
            {"address": "support@pki.gov.kz", "topic": "eds", "queue": "pki"},
            {"address": "sd@nitec.kz", "topic": "service-desk", "queue": "service-desk"},
        ]
    )
)

# --- Policy: every number the regulation sets, with the regulation's value as default ---------------
# Order No. 487 (26.06.2013) and its successor order No. 83 (26.01.2016); see MISSION.md.
POLICY = {
    # Clause 7: average wait for an answer must not exceed this many seconds.
    "ANSWER_WAIT_TARGET_SECONDS": envint("POLICY_ANSWER_WAIT_TARGET_SECONDS", 40),
    # Clause 8: registration number format. Fields: {year}, {channel} (one letter), {seq}.
    "APPEAL_NUMBER_FORMAT": os.getenv("POLICY_APPEAL_NUMBER_FORMAT", "{year}-{channel}-{seq:07d}"),
    # Clause 17: the rating scale offered after each contact.
    "RATING_SCALE_MAX": envint("POLICY_RATING_SCALE_MAX", 5),
    # Clause 3.2 / 5: how long a published article stays current before its review is due.
    "ARTICLE_REVIEW_INTERVAL_DAYS": envint("POLICY_ARTICLE_REVIEW_INTERVAL_DAYS", 180),
    # Clause 4.1 / 5: a translation counts as older than the other language when that one was published
    # more than this many calendar days later (0: any later day counts).
    "TRANSLATION_LAG_DAYS": envint("POLICY_TRANSLATION_LAG_DAYS", 0),
    # Appeal text limits (written channels); longer text is refused with a clear message.
    "APPEAL_TEXT_MAX_CHARS": envint("POLICY_APPEAL_TEXT_MAX_CHARS", 20000),
    # Clause 7: the center's channels, shown to citizens.
    "PHONE_NUMBERS": envlist("POLICY_PHONE_NUMBERS", "1414,8 800 080 7777"),
    "EMAIL_ADDRESSES": envlist("POLICY_EMAIL_ADDRESSES", ",".join(str(box["address"]) for box in INTAKE_MAILBOXES)),
    # Clause 7–8: the mailboxes whose mail is registered automatically (address, topic, queue, optional imap).
    "INTAKE_MAILBOXES": INTAKE_MAILBOXES,
    # Files sent with an appeal (any written channel): size, count and the types read from their content.
    "ATTACHMENT_MAX_BYTES": envint("POLICY_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024),
    "ATTACHMENTS_MAX_COUNT": envint("POLICY_ATTACHMENTS_MAX_COUNT", 10),
    "ATTACHMENT_TYPES": envlist(
        "POLICY_ATTACHMENT_TYPES",
        "application/pdf,image/jpeg,image/png,image/gif,image/tiff,image/webp,image/heic,text/plain,application/rtf,"
        "application/x-ole-storage,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
        "application/vnd.oasis.opendocument.text,application/vnd.oasis.opendocument.spreadsheet",
    ),
    # Largest whole e-mail accepted by the SMTP receiver (bytes); a larger one is refused in the SMTP session.
    "INTAKE_MESSAGE_MAX_BYTES": envint("POLICY_INTAKE_MESSAGE_MAX_BYTES", 64 * 1024 * 1024),
    # Acknowledgements mailed to one sender per hour; past it appeals are still registered (against mail loops).
    "INTAKE_ACKS_PER_SENDER_PER_HOUR": envint("POLICY_INTAKE_ACKS_PER_SENDER_PER_HOUR", 5),
    # Portal and API: appeals one client (browser session / IP, API account) may send per hour.
    "APPEALS_PER_CLIENT_PER_HOUR": envint("POLICY_APPEALS_PER_CLIENT_PER_HOUR", 30),
    # Portal: appeal-tracking look-ups allowed per browser session and per IP address in 10 minutes.
    "TRACKING_ATTEMPTS_PER_10_MIN": envint("POLICY_TRACKING_ATTEMPTS_PER_10_MIN", 20),
    # Clause 21 / 18: how long recordings are kept, in days, per category (0: kept for good). The regulation
    # sets no period; five years is our default ("recordings kept for years"), to be set by the operator's
    # records policy. Recordings under legal hold (touched by a regulator's request) are never deleted.
    "RECORDING_RETENTION_DAYS": envint("POLICY_RECORDING_RETENTION_DAYS", 5 * 365),
    # Calls that ended in the voice menu, with no consultant: nothing for quality control, same default.
    "RECORDING_MENU_ONLY_RETENTION_DAYS": envint("POLICY_RECORDING_MENU_ONLY_RETENTION_DAYS", 5 * 365),
    # Clause 18: recordings asked for by an authorized body are handed over within this many hours of the
    # request's registration.
    "RECORDING_REQUEST_HOURS": envint("POLICY_RECORDING_REQUEST_HOURS", 4),
    # Reminders to supervisors this many minutes before a request's deadline (comma-separated).
    "RECORDING_REQUEST_REMINDER_MINUTES": [
        int(m) for m in envlist("POLICY_RECORDING_REQUEST_REMINDER_MINUTES", "60,15") if m.isdigit()
    ],
    # Clause 12: review periods of complaints in working days, per type (the law's 5 working days at the provider).
    "COMPLAINT_REVIEW_WORKING_DAYS": {
        "service_order": envint("POLICY_COMPLAINT_SERVICE_ORDER_REVIEW_WORKING_DAYS", 5),
        "official_conduct": envint("POLICY_COMPLAINT_OFFICIAL_CONDUCT_REVIEW_WORKING_DAYS", 5),
    },
    # When a body's working day closes (Asia/Almaty): a review period ends then on its last working day.
    "COMPLAINT_WORKDAY_ENDS_AT": os.getenv("POLICY_COMPLAINT_WORKDAY_ENDS_AT", "18:00"),
    # Complaint numbers: {year} (Asia/Almaty) and {seq}, the complaint's place in the year (its own counter).
    "COMPLAINT_NUMBER_FORMAT": os.getenv("POLICY_COMPLAINT_NUMBER_FORMAT", "{year}-C-{seq:07d}"),
    # Reminders to the body's officers this many hours before a complaint's review period ends (comma-separated).
    "COMPLAINT_REMINDER_HOURS": [int(h) for h in envlist("POLICY_COMPLAINT_REMINDER_HOURS", "24") if h.isdigit()],
    # Portal: new complaint drafts (the form stores its files before signing) and signatures sent, each, one client
    # (browser session / IP address) may make per hour.
    "COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR": envint("POLICY_COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR", 20),
    # Portal: hours the files of a complaint draft nobody signed are kept before they are removed.
    "COMPLAINT_DRAFT_KEEP_HOURS": envint("POLICY_COMPLAINT_DRAFT_KEEP_HOURS", 24),
}
