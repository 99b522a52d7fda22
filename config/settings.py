"""All Pingan settings, read from the environment.

SQLite under var/ unless DATABASE_URL is set (PostgreSQL in production and CI).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PINGAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Third-party data used by tests and benchmarks only (real citizen messages, the Open311
# spec): the `shared/` folder beside the checkout unless PINGAN_SHARED_DIR says otherwise.
# Nothing at run time reads it (CONTRIBUTING.md, "Third-party data").
PINGAN_SHARED_DIR = Path(os.environ.get("PINGAN_SHARED_DIR", BASE_DIR.parent / "shared"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


PINGAN_ENV = os.environ.get("PINGAN_ENV", "development")
PRODUCTION = PINGAN_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else "dev-insecure-key-change-me")
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when PINGAN_ENV=production")
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "pingan.core",
    "pingan.accounts",
    "pingan.geo",
    "pingan.org",
    "pingan.privacy",
    "pingan.cases",
    "pingan.events",
    "pingan.routing",
    "pingan.sla",
    "pingan.notifications",
    "pingan.analytics",
    "pingan.patrols",
    "pingan.field",
    "pingan.gridsys",
    "pingan.triage",
    "pingan.registry",
    "pingan.places",
    "pingan.mediation",
    "pingan.risk",
    "pingan.emergency",
    "pingan.screening",
    "pingan.campaigns",
    "pingan.rectification",
    "pingan.inspections",
    "pingan.surveys",
    "pingan.safety",
    "pingan.assessment",
    "pingan.importer",
    "pingan.leads",
    # Demo and test data (load_demo, generate_events, ...): not installed in production,
    # so none of its commands exists there. No other app imports it; it has no models.
    *([] if PRODUCTION else ["pingan.demo"]),
    "pingan.api",
    "pingan.web",
    "captcha",
    "pingan.intake",
    "pingan.open311",
    "pingan.citizen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "pingan.web.context.header",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'pingan.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL through Django's backend plus a schema editor that points new foreign keys to
# the partitioned events table at its key table (docs/adr/0006-partitioning.md).
PG_ENGINE = "pingan.core.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = PG_ENGINE
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, the task worker and the sweeper share the file.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    # Argon2id at OWASP's parameters (docs/performance.md, "Sign-in"); hashes made with
    # Django's defaults still verify and are re-hashed at the next sign-in.
    "pingan.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions expire: a signed-in user's request pushes the expiry forward by the idle
# limit, writing the session row at most once every PINGAN_SESSION_TOUCH_S seconds
# (pingan.accounts.middleware; a page view otherwise writes nothing).
SESSION_COOKIE_AGE = int(os.environ.get("PINGAN_IDLE_TIMEOUT_S", "1800"))
SESSION_SAVE_EVERY_REQUEST = False
PINGAN_SESSION_TOUCH_S = int(os.environ.get("PINGAN_SESSION_TOUCH_S", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "pingan" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pingan@localhost")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ---- Pingan domain settings -------------------------------------------------------------
# Working hours of a working day, as (start, end) pairs in local time.
PINGAN_WORKING_HOURS = os.environ.get("PINGAN_WORKING_HOURS", "08:30-12:00,13:30-17:30")
# Share of the allowed time after which a deadline turns yellow (warning).
PINGAN_WARNING_FRACTION = float(os.environ.get("PINGAN_WARNING_FRACTION", "0.8"))
# Acceptance deadline (受理时限) of a reported event, in hours by urgency: natural hours for
# critical and urgent matters, working hours for normal ones (pingan/events/queue.py).
PINGAN_ACCEPT_HOURS = {
    "critical": float(os.environ.get("PINGAN_ACCEPT_HOURS_CRITICAL", "0.5")),
    "urgent": float(os.environ.get("PINGAN_ACCEPT_HOURS_URGENT", "2")),
    "normal": float(os.environ.get("PINGAN_ACCEPT_HOURS_NORMAL", "24")),
}
# Urgencies whose signing and handling deadlines run on natural hours, day and night
# (计时方式「自然时」), unless the category's deadline row says otherwise; the other
# urgencies run on the working calendar (pingan/events/deadlines.py, docs/workflow.md).
PINGAN_NATURAL_TIME_URGENCIES = tuple(env_list("PINGAN_NATURAL_TIME_URGENCIES", "urgent,critical"))
# Seconds between two polls of a dispatcher's page for queue changes (pingan/web/views/live.py).
PINGAN_LIVE_POLL_S = int(os.environ.get("PINGAN_LIVE_POLL_S", "15"))
# Photo uploads.
PINGAN_PHOTO_MAX_BYTES = int(os.environ.get("PINGAN_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
PINGAN_PHOTO_MAX_SIDE = int(os.environ.get("PINGAN_PHOTO_MAX_SIDE", "2560"))
PINGAN_THUMB_SIDE = int(os.environ.get("PINGAN_THUMB_SIDE", "320"))
# Long-term tracking re-checks, in days after closure.
PINGAN_TRACKING_INTERVALS = [int(x) for x in env_list("PINGAN_TRACKING_INTERVALS", "7,30,90")]
# 督办 reply allowance in working days per level (一般督办 normal, 重点督办 key).
PINGAN_SUPERVISION_REPLY_DAYS = {
    level: int(days)
    for level, days in (
        item.split(":", 1) for item in env_list("PINGAN_SUPERVISION_REPLY_DAYS", "normal:3,key:1")
    )
}
# Login throttle: failures per username within the window before refusing.
PINGAN_LOGIN_MAX_FAILURES = int(os.environ.get("PINGAN_LOGIN_MAX_FAILURES", "5"))
PINGAN_LOGIN_WINDOW_S = int(os.environ.get("PINGAN_LOGIN_WINDOW_S", "900"))
# API tokens live this many hours, and stop working after this many hours unused (0: no
# idle limit). The owner lists and revokes them at /api/v1/auth/tokens (docs/security.md).
PINGAN_TOKEN_TTL_HOURS = int(os.environ.get("PINGAN_TOKEN_TTL_HOURS", "720"))
PINGAN_TOKEN_IDLE_HOURS = float(os.environ.get("PINGAN_TOKEN_IDLE_HOURS", "72"))
# Notification delivery retries.
PINGAN_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("PINGAN_NOTIFY_MAX_ATTEMPTS", "8"))
# The site's address as citizens and staff reach it (e.g. https://pingan.example.gov.cn),
# for links in e-mails and SMS; links are relative when empty.
PINGAN_SITE_URL = os.environ.get("PINGAN_SITE_URL", "")
# SMS to citizens who reported without an account (docs/channels.md): the county SMS
# platform's HTTP endpoint (a JSON POST) and its key. Unset: messages are kept in the
# outbox as "未发送（未配置短信网关）", never sent and never silently dropped.
PINGAN_SMS_GATEWAY_URL = os.environ.get("PINGAN_SMS_GATEWAY_URL", "")
PINGAN_SMS_GATEWAY_KEY = os.environ.get("PINGAN_SMS_GATEWAY_KEY", "")
# The signature the carrier requires at the start of each text (【…】), when the platform
# does not add it itself.
PINGAN_SMS_SIGN = os.environ.get("PINGAN_SMS_SIGN", "")
# Channels (docs/channels.md): citizen reporting limits and the offline arithmetic captcha.
PINGAN_CITIZEN_MAX_PER_PHONE_DAY = int(os.environ.get("PINGAN_CITIZEN_MAX_PER_PHONE_DAY", "5"))
PINGAN_CITIZEN_MAX_PER_ADDRESS_DAY = int(os.environ.get("PINGAN_CITIZEN_MAX_PER_ADDRESS_DAY", "10"))
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_FONT_SIZE = 28
CAPTCHA_LETTER_ROTATION = (-15, 15)
CAPTCHA_TIMEOUT = 10

# Analytics (issue 4): the top-level category counted as 矛盾纠纷, the repeat-report
# window in days, an optional map tile URL template (no tiles when empty), and the row
# count above which an export runs as a background task.
PINGAN_DISPUTE_CATEGORY = os.environ.get("PINGAN_DISPUTE_CATEGORY", "dispute")
# Cases of judicial-kind mediation committees (诉前/司法调解) in the region scope of the
# town and county centres; false: only the committee's own mediators (docs/mediation.md).
PINGAN_MEDIATION_JUDICIAL_VISIBLE_TO_CENTRE = env_bool(
    "PINGAN_MEDIATION_JUDICIAL_VISIBLE_TO_CENTRE", True
)
# The mediation term from acceptance (人民调解: 30 days), on the working calendar unless
# natural time is asked for.
PINGAN_MEDIATION_DAYS = int(os.environ.get("PINGAN_MEDIATION_DAYS", "30"))
PINGAN_MEDIATION_NATURAL_TIME = env_bool("PINGAN_MEDIATION_NATURAL_TIME", False)
# The largest signed scan of a mediation document that may be uploaded (bytes).
PINGAN_MEDIATION_SCAN_MAX_BYTES = int(
    os.environ.get("PINGAN_MEDIATION_SCAN_MAX_BYTES", str(20 * 1024 * 1024))
)
PINGAN_REPEAT_DAYS = int(os.environ.get("PINGAN_REPEAT_DAYS", "30"))
PINGAN_MAP_TILE_URL = os.environ.get("PINGAN_MAP_TILE_URL", "")
# Comparisons (同比/环比, docs/kpis.md): withheld when the earlier period starts before the
# first day with data (PINGAN_DATA_SINCE, YYYY-MM-DD, when a county's records are whole
# only from some day, e.g. its go-live after a partial import; else the first reported
# day) or rests on fewer than PINGAN_COMPARE_MIN_BASE events (a rate: its denominator).
# Rankings leave out units whose rate rests on fewer than PINGAN_RANKING_MIN_BASE.
PINGAN_DATA_SINCE = (
    dt.date.fromisoformat(os.environ["PINGAN_DATA_SINCE"])
    if os.environ.get("PINGAN_DATA_SINCE")
    else None
)
PINGAN_COMPARE_MIN_BASE = int(os.environ.get("PINGAN_COMPARE_MIN_BASE", "10"))
PINGAN_RANKING_MIN_BASE = int(os.environ.get("PINGAN_RANKING_MIN_BASE", "10"))
# The classifier learns from the newest N events (manage.py classifier train; ~1 min
# for 10,000 on two cores).
PINGAN_CLASSIFIER_TRAIN_MAX = int(os.environ.get("PINGAN_CLASSIFIER_TRAIN_MAX", "10000"))
# The issuing body printed on briefings (简报); empty: 「<region>社会治理指挥中心」.
PINGAN_BRIEFING_ISSUER = os.environ.get("PINGAN_BRIEFING_ISSUER", "")
PINGAN_EXPORT_SYNC_MAX = int(os.environ.get("PINGAN_EXPORT_SYNC_MAX", "5000"))
# Evidence checks on report photos: flag a photo taken more than N hours before the
# report, or more than M metres from the report's location.
PINGAN_EVIDENCE_MAX_AGE_HOURS = float(os.environ.get("PINGAN_EVIDENCE_MAX_AGE_HOURS", "24"))
PINGAN_EVIDENCE_MAX_DISTANCE_M = float(os.environ.get("PINGAN_EVIDENCE_MAX_DISTANCE_M", "500"))
# Field tasks: a result to verify is due this many hours after the department resolved
# it; a follow-up call this many days after closure.
PINGAN_FIELD_VERIFY_HOURS = float(os.environ.get("PINGAN_FIELD_VERIFY_HOURS", "24"))
PINGAN_FIELD_FOLLOW_UP_DAYS = int(os.environ.get("PINGAN_FIELD_FOLLOW_UP_DAYS", "3"))
# Personal data (docs/privacy.md): Fernet keys newest first, and the blind-index key.
# Outside production both default to keys derived from SECRET_KEY.
PINGAN_PII_KEYS = os.environ.get("PINGAN_PII_KEYS", "")
PINGAN_PII_INDEX_KEY = os.environ.get("PINGAN_PII_INDEX_KEY", "")
# Exports of more rows than this need a second person's approval, counting every event row
# the same user exported in the last PINGAN_EXPORT_WINDOW_HOURS hours (a rolling window:
# splitting a large export into small ones does not get past it; 0 counts each export alone).
PINGAN_EXPORT_APPROVAL_ROWS = int(os.environ.get("PINGAN_EXPORT_APPROVAL_ROWS", "500"))
PINGAN_EXPORT_WINDOW_HOURS = int(os.environ.get("PINGAN_EXPORT_WINDOW_HOURS", "24"))
# ---- Security: accounts, audit, web hardening (docs/security.md) ----------------------------
from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
AUTHENTICATION_BACKENDS = ["pingan.accounts.backends.RoleBackend"]  # permissions from 三员 roles
AUTH_PASSWORD_VALIDATORS += [
    {
        "NAME": "pingan.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")  # fmt: skip
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                  "pingan.core.middleware.AuditDenialsMiddleware")  # fmt: skip
_AUTH_MW = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
MIDDLEWARE.insert(_AUTH_MW + 1, "pingan.core.middleware.RateLimitMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "pingan.accounts.middleware.SessionLimitsMiddleware")  # fmt: skip
# Two-factor sign-in (TOTP) is required for these roles (and superusers), optional for others.
PINGAN_MFA_REQUIRED_ROLES = env_list(
    "PINGAN_MFA_REQUIRED_ROLES", "sys_admin,sec_admin,audit_admin,dispatcher,leader"
)
# Demo only: these users sign in with the password alone. Empty in production (a check
# refuses a non-empty list there); by default the demo accounts of `make demo` elsewhere.
PINGAN_MFA_EXEMPT_USERS = env_list(
    "PINGAN_MFA_EXEMPT_USERS",
    ""
    if PRODUCTION
    else "demo-gridworker,demo-town-dispatcher,demo-other-dispatcher,demo-dispatcher,"
    "demo-handler,demo-other-handler,demo-leader,demo-inspector,demo-sysadmin,demo-secadmin,"
    "demo-auditadmin",
)
PINGAN_TOTP_ISSUER = os.environ.get("PINGAN_TOTP_ISSUER", "平安基层治理")
PINGAN_ADMIN_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PINGAN_ADMIN_PASSWORD_MAX_AGE_DAYS", "90"))
PINGAN_SESSION_MAX_AGE_S = int(os.environ.get("PINGAN_SESSION_MAX_AGE_S", str(12 * 3600)))
PINGAN_DORMANT_DAYS = int(os.environ.get("PINGAN_DORMANT_DAYS", "90"))
PINGAN_AUDIT_RETENTION_DAYS = int(os.environ.get("PINGAN_AUDIT_RETENTION_DAYS", "183"))
# HMAC key of the audit hash chain (docs/security.md): required in production, kept out of
# the database. Outside production it defaults to a key derived from SECRET_KEY.
PINGAN_AUDIT_KEY = os.environ.get("PINGAN_AUDIT_KEY", "")
# Rate limits ("count/period", django-ratelimit syntax; empty turns one off).
PINGAN_RATELIMIT_LOGIN = os.environ.get("PINGAN_RATELIMIT_LOGIN", "30/m")  # per address
PINGAN_RATELIMIT_API = os.environ.get("PINGAN_RATELIMIT_API", "600/m")  # per token or user
PINGAN_RATELIMIT_PUBLIC = os.environ.get("PINGAN_RATELIMIT_PUBLIC", "120/m")  # per address
RATELIMIT_USE_CACHE = "default"
# The client's address behind a reverse proxy (pingan.core.clientaddr; docs/deploy.md):
# X-Forwarded-For is believed only from these addresses or networks (e.g. nginx on another
# machine: 10.0.0.5; on this one over TCP: 127.0.0.1,::1), and from the local Unix socket
# unless PINGAN_TRUST_UNIX_SOCKET is false. From any other peer it is ignored.
PINGAN_TRUSTED_PROXIES = env_list("PINGAN_TRUSTED_PROXIES")
PINGAN_TRUST_UNIX_SOCKET = env_bool("PINGAN_TRUST_UNIX_SOCKET", True)
for _proxy in PINGAN_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _e:
        raise RuntimeError(
            f"PINGAN_TRUSTED_PROXIES: {_proxy!r} is not an address or network"
        ) from _e
# Content Security Policy: every script and style from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Readable by the page's own script: the offline field app (/m/) sends queued items long
# after its cached page was rendered, so it takes the token from the cookie of the current
# session. Django's documentation: an HttpOnly CSRF cookie offers no practical protection.
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# ---- Operations (pingan.ops): logs, replica, task backend, media storage -----------------
# Every switch is an environment variable; docs/deploy.md lists them.
from pingan.ops import conf as ops_conf  # noqa: E402

INSTALLED_APPS += ["pingan.ops"]
MIDDLEWARE = [
    "pingan.ops.middleware.RequestLogMiddleware",
    *MIDDLEWARE,
    "pingan.ops.middleware.ReplicaReadsMiddleware",
    "pingan.ops.unavailable.DatabaseUnavailableMiddleware",
]
LOGGING = ops_conf.logging_config(os.environ, production=PRODUCTION)
# Seconds a client is told to wait (Retry-After) when the database is unavailable.
PINGAN_RETRY_AFTER_S = int(os.environ.get("PINGAN_RETRY_AFTER_S", "10"))
# PostgreSQL session settings (PG_OPTIONS; by default JIT off).
ops_conf.pg_options(os.environ, DATABASES["default"])
# Read replica: analytics GETs under these paths read from it (pingan/ops/db_router.py).
_replica = ops_conf.replica_database(os.environ, DATABASES["default"])
if _replica is not None:
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        _replica["ENGINE"] = PG_ENGINE
    ops_conf.pg_options(os.environ, _replica)
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["pingan.ops.db_router.ReplicaRouter"]
PINGAN_REPLICA_PATHS = env_list("PINGAN_REPLICA_PATHS", "/api/v1/stats/")
# Task queue: the database (default) or Redis with RQ (TASKS_BACKEND=rq); same task code.
TASKS, RQ_QUEUES = ops_conf.task_backend(os.environ)
if RQ_QUEUES:
    INSTALLED_APPS += ["django_rq"]
REDIS_URL = os.environ.get("REDIS_URL", "")
# Media: the local disk (MEDIA_ROOT) or an S3-compatible bucket (MEDIA_STORAGE=s3).
STORAGES["default"] = ops_conf.media_storage(os.environ)
# Triage (pingan.triage): automatic acceptance needs at least this classifier confidence
# (a category's policy may ask for more) and acts as this account (a dispatcher).
PINGAN_TRIAGE_MIN_CONFIDENCE = float(os.environ.get("PINGAN_TRIAGE_MIN_CONFIDENCE", "0.9"))
PINGAN_TRIAGE_ACTOR = os.environ.get("PINGAN_TRIAGE_ACTOR", "")
# Duplicate candidates: look this many days back, read at most CAP events, keep those with a
# text similarity of at least THRESHOLD, show the best SHOW.
PINGAN_DUPLICATE_WINDOW_DAYS = int(os.environ.get("PINGAN_DUPLICATE_WINDOW_DAYS", "7"))
PINGAN_DUPLICATE_CAP = int(os.environ.get("PINGAN_DUPLICATE_CAP", "200"))
PINGAN_DUPLICATE_THRESHOLD = float(os.environ.get("PINGAN_DUPLICATE_THRESHOLD", "0.5"))
PINGAN_DUPLICATE_SHOW = int(os.environ.get("PINGAN_DUPLICATE_SHOW", "5"))
# ---- Input (docs/security.md, "Input") ---------------------------------------------------
# Every page's query string and form (and Open311's) passes the input rule of
# pingan.core.text; a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413. The API checks its
# own input (pingan.api.v1.inputs). After the rate limits: a refused request costs no parse.
MIDDLEWARE.insert(MIDDLEWARE.index("pingan.core.middleware.RateLimitMiddleware") + 1,
                  "pingan.core.inputs.InputMiddleware")  # fmt: skip
# Production refuses the passwords this repository publishes (the demo's).
AUTH_PASSWORD_VALIDATORS += [{"NAME": "pingan.accounts.validators.PublishedPasswordValidator"}]
