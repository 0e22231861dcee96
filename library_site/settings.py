"""Settings for the school library system.

One module, read from environment variables. Nothing secret lives in the repository:
the SECRET_KEY comes from the environment or is generated into ``var/`` on first run.
Every variable is listed in README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Everything the running system writes (the embedded database, the generated secret key,
# the embedded broker's queue, the file cache, outgoing mail in development) lives here.
VAR_DIR = Path(os.environ.get("LIBRARY_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    from_environment = os.environ.get("SECRET_KEY", "").strip()
    if from_environment:
        return from_environment
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    from django.core.management.utils import get_random_secret_key

    key = get_random_secret_key()
    # Created with owner-only permissions before the key is written into it.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else ["localhost", "127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The school's name, shown in the header and on printed registers.
SCHOOL_NAME = os.environ.get("SCHOOL_NAME", "").strip()
# The school's top grade: its classes graduate at the promotion at year end (6 for a primary
# school, 9 for a nine-year school, 12 for a complete secondary school).
SCHOOL_TOP_GRADE = int(os.environ.get("SCHOOL_TOP_GRADE", "6"))
# The month the school year begins in (September in China): the first term runs from then to
# January, the second from February; library_site/school.py holds the rules that read it.
SCHOOL_YEAR_START_MONTH = int(os.environ.get("SCHOOL_YEAR_START_MONTH", "9"))
# The annual plan's target for each reading room's opening hours a week (R7: at least 40).
READING_ROOM_WEEKLY_TARGET_HOURS = int(os.environ.get("READING_ROOM_WEEKLY_TARGET_HOURS", "40"))
# The statistics mark a CLC class as hardly borrowed below this many loans per copy.
REPORTS_LOW_USE_LOANS_PER_COPY = float(os.environ.get("REPORTS_LOW_USE_LOANS_PER_COPY", "0.1"))
# A Chinese TrueType font (.ttf, or .ttc with ":index") for printed labels; empty: found on the system.
LABEL_FONT_PATH = os.environ.get("LABEL_FONT_PATH", "").strip()

# Copy cataloguing: the SRU or Z39.50 servers the cataloguing desk asks for a scanned ISBN,
# "name|url" entries separated by ";" (http://host:port/db for SRU, z3950://host:port/db for
# Z39.50, "|cnmarc" after a Z39.50 url that sends CNMARC), and how long to wait for them.
CATALOG_COPY_SERVERS = [
    entry.strip() for entry in os.environ.get("CATALOG_COPY_SERVERS", "").split(";") if entry.strip()
]
CATALOG_COPY_TIMEOUT = float(os.environ.get("CATALOG_COPY_TIMEOUT", "5") or 5)
# The largest MARC or spreadsheet file an upload takes, in bytes (20 MB; nginx's
# client_max_body_size in deploy/nginx-proxy.conf is a little above it). A larger MARC file (a whole
# catalogue: 50,000 CNMARC records with their copies are about 22 MB) is imported on the server with
# `manage.py import_marc FILE`, which reads up to CATALOG_IMPORT_COMMAND_MAX_BYTES (200 MB).
CATALOG_IMPORT_MAX_BYTES = int(os.environ.get("CATALOG_IMPORT_MAX_BYTES", "") or 20 * 1024 * 1024)
CATALOG_IMPORT_COMMAND_MAX_BYTES = int(
    os.environ.get("CATALOG_IMPORT_COMMAND_MAX_BYTES", "") or 200 * 1024 * 1024
)
# An upload's preview (library_site/documents/previews.py): a file up to this size is read in the
# request, a larger one by the worker; a preview whose worker is silent this long while it parses,
# or that no worker took this long, is given up.
UPLOAD_PREVIEW_INLINE_BYTES = int(os.environ.get("UPLOAD_PREVIEW_INLINE_BYTES", "") or 256 * 1024)
PREVIEW_SILENT_SECONDS = int(os.environ.get("PREVIEW_SILENT_SECONDS", "") or 120)
PREVIEW_QUEUED_SECONDS = int(os.environ.get("PREVIEW_QUEUED_SECONDS", "") or 600)

INSTALLED_APPS = [
    "library_site.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "import_export",
    "axes",
    "catalog",
    "circulation",
    "activities",
    "reports",
    "library_site.system",
    "library_site.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "library_site.content_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "library_site.accounts.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A first password is replaced before anything else (library_site/accounts/passwords.py).
    "library_site.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "library_site.urls"
WSGI_APPLICATION = "library_site.wsgi.application"
ASGI_APPLICATION = "library_site.asgi.application"

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
                "library_site.accounts.context_processors.navigation",
            ],
            # {% colon %} and {% comma %}: full-width in Chinese, on every page.
            "builtins": ["library_site.system.templatetags.punctuation"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL in production (postgres://user:password@host:5432/name).
# Without it the embedded default is an SQLite file under var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'library.sqlite3'}"
# Persistent connections with health checks: a new connection per request costs 2-8x the
# throughput on a small server.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the web server read while the Celery worker writes; IMMEDIATE makes a
            # writing transaction take the lock at its start instead of failing half-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file, not memory, so that a real Celery worker started by a test can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-library.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out login before any password check.
    "library_site.accounts.signin.SignInThrottleBackend",
    "library_site.accounts.backends.ModelBackend",  # permissions in one query
    # A reader may also sign in with their library card number or student/staff number.
    "circulation.auth.ReaderIdentifierBackend",
]
# First passwords (printed on the readers' slips, replaced at the first sign-in) are hashed with
# PBKDF2 at this many iterations: see library_site/accounts/passwords.py.
FIRST_PASSWORD_ITERATIONS = int(os.environ.get("FIRST_PASSWORD_ITERATIONS", "100000"))
# A batch of first passwords larger than this is made by the background worker.
FIRST_PASSWORDS_INLINE = int(os.environ.get("FIRST_PASSWORDS_INLINE", "40"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Sessions live in the database, so that a Redis outage logs nobody out; they are read from
# the cache (Redis when REDIS_URL is set) first, so a request that does not change its session
# costs no session query (library_site/session_store.py falls back on any cache error).
SESSION_ENGINE = "library_site.session_store"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# Failed sign-ins are counted per account, whatever identifier was typed (user name, card or
# student number, in any case), and per address with a higher limit (a whole school often
# shares one public address); library_site/accounts/signin.py. A librarian lifts an account's
# lock-out on the sign-in lock-outs page; otherwise it ends after the cool-off.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "library_site.accounts.signin.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "library_site.accounts.views.locked_out"
AXES_VERBOSE = False
# Behind nginx: how many proxies of our own stand in front of gunicorn. The client's address is
# the X-Forwarded-For entry that many places from the right; what the client wrote to its left
# is ignored (signin.client_address; django-ipware's left-most default let a client choose).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "library_site.accounts.signin.client_address"
# django-axes warns when its lockout has no address parameter; the address is counted by
# SignInThrottleBackend instead, with its own higher limit (LOGIN_ADDRESS_FAILURE_LIMIT).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and one date-time format per language, everywhere (library_site/formats/).
FORMAT_MODULE_PATH = ["library_site.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "staticfiles")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "media/"
# Where the nightly backup job writes its archives (manage.py backup by default too), kept 7
# daily, 4 weekly and 12 monthly. Point it at another disk than the database's in production.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or VAR_DIR / "backups")

# Exports from the back office need the model's view permission; cells are escaped by the
# resources themselves (library_site.documents.sheets), which also covers + - and @.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "library",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A Redis that does not answer fails a connection in 2 s instead of the system's minutes.
    # A task a lost worker had taken is delivered again once the visibility timeout passes:
    # just past the longest a job may run (CELERY_TASK_TIME_LIMIT, 30 minutes, below), so that a
    # running job is never delivered twice and a lost one waits no longer than it must.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 35 * 60, "socket_connect_timeout": 2}
else:
    # The embedded default: no Redis, yet the jobs still run for real. kombu's filesystem
    # transport keeps the queue in var/celery/, which the web server, the worker and beat share.
    CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
    CELERY_PROCESSED_DIR = VAR_DIR / "celery" / "processed"
    CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
    CELERY_RESULTS_DIR = VAR_DIR / "celery" / "results"
    for folder in (CELERY_QUEUE_DIR, CELERY_PROCESSED_DIR, CELERY_CONTROL_DIR, CELERY_RESULTS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": "library",
        }
    }
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_PROCESSED_DIR),
        "control_folder": str(CELERY_CONTROL_DIR),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_RESULTS_DIR}"

CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A task is acknowledged only when it has finished, so a worker killed half-way leaves it queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 3,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 2,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A running job holds a lease, renewed every JOB_LEASE_RENEW_SECONDS by its worker; a lease that
# ran out (the worker was killed) marks the run failed, at the next sweep (JOB_LEASE_SWEEP_SECONDS,
# by beat) or the next look at the jobs: within a minute of the kill (library_site/system/jobs.py).
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "30"))
JOB_LEASE_RENEW_SECONDS = float(os.environ.get("JOB_LEASE_RENEW_SECONDS", "10"))
JOB_LEASE_SWEEP_SECONDS = int(os.environ.get("JOB_LEASE_SWEEP_SECONDS", "20"))
# /healthz answers 503 when the worker's heartbeat or beat's last tick is older than these.
WORKER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_STALE_SECONDS", "150"))
BEAT_LATE_SECONDS = int(os.environ.get("BEAT_LATE_SECONDS", "150"))
# The beat schedule lives in code. Each later job adds its line here.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "library_site.system.tasks.heartbeat_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    # Runs whose worker was lost (their lease ran out) are marked failed and may start again.
    "job-leases": {
        "task": "library_site.system.tasks.job_leases_expire_task",
        "schedule": timedelta(seconds=JOB_LEASE_SWEEP_SECONDS),
        "options": {"expires": JOB_LEASE_SWEEP_SECONDS},
    },
    # The whole library into BACKUP_DIR every night, before the other night jobs.
    "nightly-backup": {
        "task": "library_site.system.tasks.backup_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "clear-expired-sessions": {
        "task": "library_site.accounts.tasks.clear_expired_sessions_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "purge-abandoned-imports": {
        "task": "catalog.tasks.imports_purge_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-register-files": {
        "task": "reports.tasks.register_exports_purge_task",
        "schedule": crontab(hour=3, minute=50),
    },
    "anonymise-leavers": {
        "task": "circulation.tasks.anonymise_leavers_task",
        "schedule": crontab(hour=3, minute=45),
    },
    # The month before, counted on the 1st once the day's first jobs are done.
    "compute-monthly-stats": {
        "task": "reports.tasks.compute_monthly_stats_task",
        "schedule": crontab(day_of_month=1, hour=4, minute=30),
    },
    # Holds first, so that a copy passed on to the next reader is in the same morning's notices.
    "expire-holds": {
        "task": "circulation.tasks.expire_holds_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "send-notices": {
        "task": "circulation.tasks.send_notices_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # --- promotion (issue 19): the co-borrowing and popularity behind the pupils' recommendations.
    "compute-recommendations": {
        "task": "activities.tasks.compute_recommendations_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # --- issue 17: a quiz attempt whose time ran out is closed and graded at its deadline ---
    # --- issue 18: the service team's shifts that ended with nobody checked in are marked missed ---
    "mark-missed-shifts": {
        "task": "activities.tasks.mark_missed_shifts_task",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 25 * 60},
    },
    "close-overdue-attempts": {
        "task": "activities.tasks.close_overdue_attempts_task",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
}
# Notices are made and e-mailed in batches of this many. NOTICE_BATCH_PAUSE_SECONDS is for the
# fault tests only: it slows the job down between batches so that a test can kill it half-way.
NOTICE_BATCH_SIZE = env_int("NOTICE_BATCH_SIZE", 2000)
NOTICE_BATCH_PAUSE_SECONDS = float(os.environ.get("NOTICE_BATCH_PAUSE_SECONDS", "0") or 0)
# Also for the fault tests: a pause after each e-mail is handed over and before it is marked sent.
NOTICE_EMAIL_HANDOVER_PAUSE_SECONDS = float(os.environ.get("NOTICE_EMAIL_HANDOVER_PAUSE_SECONDS", "0") or 0)

# --- E-mail ---------------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes out by SMTP. Without it, every message is written to a file
# under var/mail/, so that nothing is lost and a developer can read what would have been sent.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "library@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
ADMINS = [("Administrator", address) for address in env_list("ADMIN_EMAILS", [])]

# --- Security -------------------------------------------------------------------------------
# HTTPS=true when the site is served over TLS (nginx in front): secure cookies, redirect to
# https and HSTS. A school intranet served over plain HTTP leaves it false.
HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
# The language switch's cookie: sent only over HTTPS when the site is, never to scripts, and not
# on requests other sites start (Django's defaults give it no flag at all).
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# library_site/content_security.py says what each source is for (measured over the pages).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_REFERRER_POLICY = "same-origin"
# A roster of 3,000 students posts many fields; the cap stays finite.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
