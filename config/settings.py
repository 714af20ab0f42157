"""Anxin settings. Everything that differs between a trial and production comes from the
environment (see README, "Configuration"); with nothing set, it runs on SQLite in ``var/``."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy

from anxin.core.env import env_bool, env_int, env_list, env_str, secret_from_env_or_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANXIN_VAR_DIR", str(BASE_DIR / "var")))
TESTING = "pytest" in sys.modules or env_bool("ANXIN_TESTING", False)

DEBUG = env_bool("ANXIN_DEBUG", False)
# A trial/demo server: `make run` sets it. The demo loader refuses without it, and
# `check --deploy` fails if demo accounts (shared public password) exist in production.
ANXIN_DEMO = env_bool("ANXIN_DEMO", False)
SECRET_KEY = secret_from_env_or_file("ANXIN_SECRET_KEY", VAR_DIR / "secret.key")
# Key for field encryption at rest (ID numbers, health data; LAW 20). Comma-separated list:
# the first encrypts, all decrypt, so keys can be rotated.
FIELD_ENCRYPTION_KEYS = env_list("ANXIN_FIELD_KEYS", []) or [
    secret_from_env_or_file("ANXIN_FIELD_KEY", VAR_DIR / "field.key")
]
# Pepper for follow-up code hashes of anonymous reports: kept apart from SECRET_KEY so
# rotating that key does not lock reporters out of their reports.
ANXIN_FOLLOWUP_PEPPER = secret_from_env_or_file("ANXIN_FOLLOWUP_PEPPER", VAR_DIR / "followup.pepper")
# Key that signs audit stream heads, seals and checkpoints (LAW 22): never stored in the
# database, so whoever owns the database alone cannot forge a head.
ANXIN_AUDIT_KEY = secret_from_env_or_file("ANXIN_AUDIT_KEY", VAR_DIR / "audit.key")
# Signed checkpoints of the audit streams, one JSON line each, outside the database: point it
# at an append-only (chattr +a) or WORM-mounted directory (docs/operations.md).
ANXIN_AUDIT_CHECKPOINT_DIR = Path(env_str("ANXIN_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
ALLOWED_HOSTS = env_list("ANXIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ANXIN_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ANXIN_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "anxin.core",
    "anxin.accounts",
    "anxin.org",
    "anxin.roster",
    "anxin.intake",
    "anxin.cases",
    "anxin.screening",
    "anxin.care",
    "anxin.campaigns",
    "anxin.governance",
    "anxin.oversight",
    "anxin.education",
    "anxin.supervision",
    "anxin.dashboards",
    "anxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anxin.core.middleware.RequestIdMiddleware",
    # before sessions and every view: NUL in a request is a 400, never a PostgreSQL 500
    "anxin.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "anxin.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after messages (it tells why a session ended) and the audit context (the logout it
    # forces is attributed to the user)
    "anxin.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "anxin.core.context_processors.shell",
                "anxin.core.context_processors.site",
            ],
        },
    }
]
# form widgets through Jinja2 (Django's own widget templates for it): the same markup, faster
FORM_RENDERER = "anxin.core.formrenderer.FormRenderer"

# --- database -------------------------------------------------------------------------------
# SQLite by default (a trial on one small server); DATABASE_URL=postgres://… in production.
_default_sqlite = f"sqlite:///{VAR_DIR / 'anxin.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE: a writer takes the lock when its transaction starts, so two
        # writers queue (busy_timeout) instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT: the pages run short queries whose plans look costly on large tables, and compiling
    # them took longer than running them (bench/province.py: 工作台's bureau-report counts).
    opts = DATABASES["default"].setdefault("OPTIONS", {})
    opts["options"] = f"{opts.get('options', '')} -c jit=off".strip()
    # Reading a page of an index costs little more than reading the next one: a county's data
    # sits in memory or on an SSD. At PostgreSQL's default (4, for spinning disks) the planner
    # scanned every enrolled student to join the 248 screened in one round (4.9 ms against
    # 0.9 ms; 工作台's queries 16.7 -> 9.7 ms at 200,000 cases, no query slower: docs/operations.md).
    # ANXIN_PG_RANDOM_PAGE_COST="" keeps the server's own setting.
    _page_cost = env_str("ANXIN_PG_RANDOM_PAGE_COST", "1.1")
    if _page_cost:
        opts["options"] += f" -c random_page_cost={float(_page_cost)}"
    # Prepared statements (docs/decisions.md 21): parameters are bound on the server, and a
    # statement a connection runs a second time is prepared, so PostgreSQL parses it once and,
    # where its generic plan costs no more than the custom ones, stops planning it: the pages'
    # queries spent about half their database time in planning (bench/province.py).
    # ANXIN_PG_PREPARED=false turns it off (e.g. behind a transaction-mode PgBouncer).
    if env_bool("ANXIN_PG_PREPARED", True):
        opts["server_side_binding"] = True
        opts["prepare_threshold"] = 2
if TESTING:  # no pooled connections left behind by live-server threads (the test DB is dropped)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and authentication (LAW 21, 23) ---------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lockout first: a locked account never reaches the check
    "anxin.accounts.backends.UsernameOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # speed only; production and `make run` hash with argon2
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
ANXIN_PASSWORD_MIN_LENGTH = env_int("ANXIN_PASSWORD_MIN_LENGTH", 10)
ANXIN_PASSWORD_MIN_CLASSES = env_int("ANXIN_PASSWORD_MIN_CLASSES", 3)
ANXIN_PASSWORD_MAX_AGE_DAYS = env_int("ANXIN_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": ANXIN_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "anxin.accounts.validators.CharacterClassValidator"},
    {"NAME": "anxin.accounts.validators.ChineseBlocklistValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after 5 failures for 15 minutes (LAW 21), counted per account whatever the
# login name used (username or phone), see anxin.accounts.backends.axes_username.
AXES_FAILURE_LIMIT = env_int("ANXIN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ANXIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "anxin.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "anxin.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# 15 minutes from the lockout: trying again while locked does not restart the clock (the
# login page promises the account opens again after 15 minutes).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Lockout is per account on purpose: a whole school shares one NAT address, so locking by IP
# would lock every teacher out after five typos anywhere in the building.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # cases' case_reported_idx INCLUDEs the report time for PostgreSQL's index-only scans;
    # SQLite builds the same index without it (a trial county's few thousand cases)
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Idle timeout 30 minutes: the session lives 30 minutes from its last save; SessionPolicyMiddleware
# renews it at most once a minute (accounts.middleware.touch_session), not on every request,
# and checks the absolute limit (12 hours).
ANXIN_IDLE_TIMEOUT_MINUTES = env_int("ANXIN_IDLE_TIMEOUT_MINUTES", 30)
ANXIN_ABSOLUTE_SESSION_HOURS = env_int("ANXIN_ABSOLUTE_SESSION_HOURS", 12)
SESSION_COOKIE_AGE = ANXIN_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Roles whose accounts must use a TOTP second factor (LAW 21). City and province posts
# (accounts.RegionPost) always must.
ANXIN_2FA_ROLES = env_list("ANXIN_2FA_ROLES", ["bureau_admin", "bureau_safety", "auditor", "supervisor"])
OTP_TOTP_ISSUER = "安心校园 Anxin"

# --- security in transit and headers (R-Q-4) -----------------------------------------------
HTTPS = env_bool("ANXIN_HTTPS", False)
BEHIND_PROXY = env_bool("ANXIN_BEHIND_PROXY", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("ANXIN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("ANXIN_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- i18n and time (R-Q-1) -------------------------------------------------------------------
# Source strings are Chinese (the users' and the seed's language); locale/en translates them.
LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["config.formats"]  # date inputs: 2026-12-04, 2026/12/4, 2026年12月4日
# every list filter's "any" choice reads 全部 (django-filter's default is "---------"); no
# filter offers a "not filled in" choice: none of their fields is nullable, so it found nothing
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("全部")
FILTERS_NULL_CHOICE_LABEL = None
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files: all served by the app, nothing from a CDN (R-Q-6) ------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
MEDIA_ROOT = VAR_DIR / "media"
# Uploads hold evidence about minors (encrypted too, core.filecrypt): readable by the service
# account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ANXIN_ROSTER_MAX_BYTES = env_int("ANXIN_ROSTER_MAX_BYTES", 40 * 1024 * 1024)

# --- API (R-Q-3) -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anxin.accounts.api_auth.SessionAuthentication",
        "anxin.accounts.api_auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["anxin.core.api_auth.PolicyPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "anxin.core.api_auth.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anxin.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "安心校园 Anxin API",
    "DESCRIPTION": "REST API of Anxin. Same permissions as the pages: every list is scoped to the caller.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "anxin.core.schema.document_error_responses",
    ],
    # Choice sets that share a field name across apps get their own component names.
    "ENUM_NAME_OVERRIDES": {
        "CarePlanKindEnum": "anxin.care.models.CarePlan.Kind",
        "CarePlanStatusEnum": "anxin.care.models.CarePlan.Status",
        "CareContactKindEnum": "anxin.care.models.ContactKind",
        "InterventionTaskStatusEnum": "anxin.care.models.InterventionTask.Status",
        "StudentStatusEnum": "anxin.roster.models.StudentStatus",
        "ChannelEnum": "anxin.intake.models.Channel",
        "DeliveryChannelEnum": "anxin.core.models.Delivery.Channel",
        "DeliveryStatusEnum": "anxin.core.models.Delivery.Status",
        "GovernanceAnswerEnum": "anxin.governance.models.Answer",
        "GovernanceDocKindEnum": "anxin.governance.models.DocKind",
        "ImprovementSourceEnum": "anxin.governance.models.Improvement.Source",
        "EducationActivityKindEnum": "anxin.education.models.Kind",
        "AccountabilityLevelEnum": "anxin.oversight.models.Level",
        "RiskLevelEnum": "anxin.screening.models.risk.Level",
        "CarePlanLevelEnum": "anxin.care.cadence.Level",
        "AccountabilityActionKindEnum": "anxin.oversight.models.ActionKind",
    },
}

ANXIN_API_TOKEN_DAYS = env_int("ANXIN_API_TOKEN_DAYS", 30)  # an API token lives this long

# --- task queue (GUIDE principle 6) ----------------------------------------------------------
# Huey: SQLite storage in var/ by default (survives restarts), Redis with ANXIN_REDIS_URL.
_redis_url = env_str("ANXIN_REDIS_URL", "")
HUEY = {
    "name": "anxin",
    "immediate": TESTING or env_bool("ANXIN_TASKS_IMMEDIATE", False),
    "utc": True,
    # nothing reads task results: storing them would grow the queue's store without end
    "results": False,
    "consumer": {"workers": env_int("ANXIN_TASK_WORKERS", 2), "worker_type": "thread", "periodic": True},
}
if _redis_url:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _redis_url})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

# --- cache: rate-limit counters must be shared by every worker process -------------------
if _redis_url:
    # short timeouts: when Redis hangs or is down the public limits fail open at once (issue 9)
    CACHES = {
        "default": {
            "BACKEND": "anxin.core.rediscache.RedisCache",
            "LOCATION": _redis_url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # one small server: a database-backed cache every gunicorn worker shares
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "anxin_cache"}
    }
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- mail and messages -----------------------------------------------------------------------
EMAIL_BACKEND = env_str("ANXIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("ANXIN_FROM_EMAIL", "anxin@localhost")

# --- logging: no personal data, only ids and request ids ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ANXIN_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "ERROR"}},
}

# --- product settings (LAW: local bureaus set their own values) -----------------------------
# The deployment default of each county's audit retention (LAW 22; a county's administrator sets
# its own as the legal parameter RETENTION_AUDIT_DAYS); the nightly retention task redacts older
# entries. Never below 183 days (网络安全法 21: logs kept ≥ 6 months).
ANXIN_AUDIT_RETENTION_DAYS = env_int("ANXIN_AUDIT_RETENTION_DAYS", 3 * 365)
if ANXIN_AUDIT_RETENTION_DAYS < 183:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "ANXIN_AUDIT_RETENTION_DAYS 不得少于183日（网络安全法第二十一条：网络日志留存不少于六个月）"
    )
ANXIN_ACCESS_GRANT_MAX_DAYS = env_int("ANXIN_ACCESS_GRANT_MAX_DAYS", 30)
ANXIN_LIST_PAGE_SIZE = env_int("ANXIN_LIST_PAGE_SIZE", 50)
# Reaching people outside the platform (anxin/core/delivery.py): SMS gateway (console by
# default: sends nothing and says so), group robots, quiet hours for non-urgent messages.
ANXIN_SMS_BACKEND = env_str("ANXIN_SMS_BACKEND", "anxin.core.delivery.ConsoleSmsBackend")
ANXIN_SMS_URL = env_str("ANXIN_SMS_URL", "")
ANXIN_SMS_USER = env_str("ANXIN_SMS_USER", "")
ANXIN_SMS_KEY = env_str("ANXIN_SMS_KEY", "")
ANXIN_SMS_SIGN = env_str("ANXIN_SMS_SIGN", "安心校园")
ANXIN_WECOM_WEBHOOK = env_str("ANXIN_WECOM_WEBHOOK", "")
ANXIN_DINGTALK_WEBHOOK = env_str("ANXIN_DINGTALK_WEBHOOK", "")
ANXIN_DINGTALK_SECRET = env_str("ANXIN_DINGTALK_SECRET", "")
ANXIN_ROBOT_KINDS = frozenset(env_str("ANXIN_ROBOT_KINDS", "emergency").split(","))
ANXIN_QUIET_HOURS = env_str("ANXIN_QUIET_HOURS", "22:00-07:00")
