"""Settings of the governance portal, read from the environment.

Every value that differs between a laptop, CI and production comes from an environment
variable (see the README, "Configuration"). With nothing set and DEBUG on, the portal runs on
a SQLite file with Celery tasks executed in-process.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.beat import BeatLazyFunc
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from governance import periods
from governance.audit.retention import DEFAULT_RETENTION_DAYS, checked_retention_days
from infra import crypto
from infra import logging as portal_logging

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# ---------------------------------------------------------------------------------------------
# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
# ---------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: DEBUG must be switched on explicitly.
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"

# Personal data (ID numbers, phones) is encrypted at rest under PERSONAL_DATA_KEY: 32 random
# bytes in URL-safe base64. After a rotation the previous keys, comma-separated in
# PERSONAL_DATA_OLD_KEYS, still open older rows until `reencrypt_personal_data` has run.
# See infra/crypto.py and the README, "Security and operations".
PERSONAL_DATA_KEY = os.environ.get("PERSONAL_DATA_KEY", "")
PERSONAL_DATA_OLD_KEYS = env_list("PERSONAL_DATA_OLD_KEYS", [])
if not PERSONAL_DATA_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEY must be set when DEBUG is off (it encrypts ID numbers and phones)."
        )
    PERSONAL_DATA_KEY = crypto.DEVELOPMENT_KEY
crypto.parse_key(PERSONAL_DATA_KEY)
for _old_key in PERSONAL_DATA_OLD_KEYS:
    crypto.parse_key(_old_key, name="PERSONAL_DATA_OLD_KEYS")

# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mptt",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "governance",
    "governance.rollups",
    "governance.outbox",
    "governance.audit",
    "cases",
    "grids",
    "disputes",
    "petitions",
    "incidents",
    "desk",
    "open311",
]

MIDDLEWARE = [
    # First, so that its request line times and sees everything the others do.
    "infra.logging.RequestLogMiddleware",
    # Early, so that its count of the body sees every byte anything reads.
    "infra.middleware.WholePostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "infra.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files are compressed at collectstatic), before anything that
    # writes a page: pages and JSON leave gzipped. BREACH: see the class.
    "infra.middleware.PageCompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "infra.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # What a signed-in person is sent is never kept in a cache (static files never get here).
    "infra.middleware.PrivateResponsesNotStoredMiddleware",
    # Records 403 answers, and knows the request for entries written without it at hand.
    "governance.audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the CSRF check (both act in process_view): control characters get a message.
    "infra.middleware.ControlCharacterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the lockout raised by the authentication backend.
    "axes.middleware.AxesMiddleware",
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
                "governance.context_processors.navigation",
            ],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Database: a SQLite file unless DATABASE_URL names another (PostgreSQL in production and CI).
# https://github.com/jazzband/dj-database-url
# ---------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------------------------
# Cache and Celery: Redis when REDIS_URL is set, otherwise in-process.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ---------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that while Redis is down reads miss and writes are
            # dropped (nothing in the cache is the only copy of anything): pages keep working.
            "BACKEND": "infra.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker there is no worker: run every task in the caller's process.
CELERY_TASK_ALWAYS_EAGER = not (os.environ.get("CELERY_BROKER_URL") or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it finished, so a worker killed mid-task leaves it queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that died (acks_late) goes back to the queue after this many
# seconds; it must exceed the longest job. Short connection timeouts: a request that queues a
# task while Redis is down keeps it in the outbox (governance.outbox) instead of waiting.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # Look for such tasks at every sweep (every 10 s), not one sweep in ten: the look is one
    # cheap sorted-set range under a lock, and a dead worker's job should not wait longer.
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
}
# Celery's scheduler, except that a job due while the broker is down waits in the outbox.
CELERY_BEAT_SCHEDULER = "governance.outbox.beat:OutboxScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
# The beat schedule: one line per job, its cron spelled out (Beijing time). The rollups are
# told their period as they fall due (governance.periods), so a late run covers the right one.
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {
        "task": "governance.outbox.tasks.drain_outbox",
        "schedule": crontab(minute="*"),  # every minute: tasks kept while Redis was down
    },
    "supervise-red-cases": {
        "task": "cases.tasks.supervise_red_cases",
        "schedule": crontab(hour=0, minute=5),  # 00:05 every night: the lights that turned red
    },
    "daily-clear": {
        "task": "governance.rollups.tasks.daily_clear",
        "args": (BeatLazyFunc(periods.day_that_ended),),
        "schedule": crontab(hour=0, minute=20),  # 00:20 every night, for the day that ended
    },
    "weekly-review": {
        "task": "governance.rollups.tasks.weekly_review",
        "args": (BeatLazyFunc(periods.week_that_ended),),
        "schedule": crontab(day_of_week="mon", hour=1, minute=0),  # Mondays 01:00, last week
    },
    "monthly-assessment": {
        "task": "governance.rollups.tasks.monthly_assessment",
        "args": (BeatLazyFunc(periods.month_that_ended),),
        "schedule": crontab(day_of_month=1, hour=2, minute=0),  # the 1st, 02:00, last month
    },
    "deliver-open311-callbacks": {
        "task": "open311.tasks.deliver_waiting_callbacks",
        "schedule": crontab(minute="*"),  # every minute: callbacks due again, or never kept
    },
    "purge-audit-log": {
        "task": "governance.audit.tasks.purge_audit_log",
        "schedule": crontab(hour=3, minute=30),  # 03:30 every night, entries past retention
    },
}

# ---------------------------------------------------------------------------------------------
# Authentication, sign-in lockout and sessions
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# ---------------------------------------------------------------------------------------------
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
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock the pair (username, address), not the address alone: a whole township office shares
# one address, and one person's typos must not lock out their colleagues.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy, set this to the number of proxies so the client's address is used.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
# django-ipware is not installed, so axes would use REMOTE_ADDR (the proxy) whatever the
# count: it asks the same function as the audit log instead.
AXES_CLIENT_IP_CALLABLE = "governance.audit.clients.client_ip"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# ---------------------------------------------------------------------------------------------
# Audit log: kept AUDIT_RETENTION_DAYS, never fewer than MINIMUM_RETENTION_DAYS (180,
# 网络安全法 §21: six months); a shorter or malformed retention stops the portal at start-up.
# ---------------------------------------------------------------------------------------------
AUDIT_RETENTION_DAYS = checked_retention_days(
    os.environ.get("AUDIT_RETENTION_DAYS", str(DEFAULT_RETENTION_DAYS))
)

# Thirty minutes idle ends a session: every request pushes the expiry forward.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ---------------------------------------------------------------------------------------------
# Transport security. On by default whenever DEBUG is off, so `check --deploy` is clean; an
# intranet that serves plain http behind no TLS terminator must say so with HTTPS=false.
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# ---------------------------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# ---------------------------------------------------------------------------------------------
# Language and time: Simplified Chinese first, English second; Beijing time.
# ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------------
# Static files: everything is served by the portal itself (intranets have no internet).
# ---------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The phone's outbox (static/js/outbox.js, rendered by {% outbox_script %}) gives each try at
# sending a finding this many seconds plus the time its bytes take at an assumed slow upload
# rate (a weak mobile link). A try that runs out is told to the worker as a slow network, not a
# lost one, and is tried again at once with twice the time.
OUTBOX_SEND_SECONDS = 20
OUTBOX_SLOW_BYTES_PER_SECOND = 20 * 1024

# ---------------------------------------------------------------------------------------------
# Logging: one record per line on stderr, for the process manager to collect; JSON lines in
# production (LOG_FORMAT=json), readable text under DEBUG (LOG_FORMAT=text). Each request is
# one line with its id, status and duration (infra/logging.py).
# https://docs.djangoproject.com/en/5.2/topics/logging/
# ---------------------------------------------------------------------------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = portal_logging.logging_config(
    log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO").upper()
)
# Celery workers log through the same configuration instead of replacing it with their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
