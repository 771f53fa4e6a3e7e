"""One settings module, read from the environment through small strict helpers.

Local defaults are safe for a laptop (SQLite file, DEBUG on); production sets DATABASE_URL,
SECRET_KEY and DEBUG=0. A malformed value stops start-up with a message instead of being guessed at.
"""

import datetime as dt
import ipaddress
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("QINQING_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0/true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be >= {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - local default, refused when DEBUG=0
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before django.contrib.auth so its `createsuperuser` (refused but for an audited break-glass use) replaces
    # Django's: of two apps with a command of one name, the earlier wins.
    "qinqing.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # django-ninja as an app: the API docs page serves Swagger UI from its bundled static files, not a CDN
    # (government intranets have no internet).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "qinqing.core",
    "qinqing.organisation",
    "qinqing.enterprises",
    "qinqing.audit",
    "qinqing.appeals",
    "qinqing.insights",
    "qinqing.supervision",
    "qinqing.fieldwork",
    "qinqing.signup",
    "qinqing.credit",
    "qinqing.policies",
    "qinqing.projects",
    "qinqing.indices",
    "qinqing.plans",
    "qinqing.dashboard",
    "qinqing.ops",
]

MIDDLEWARE = [
    # First and last: django-prometheus counts every request and times it end to end (/metrics, docs/deploy.md).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A request id in and out (X-Request-ID) and one log line per request (qinqing/ops/requestlog.py).
    "qinqing.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qinqing.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the input: control characters get a Chinese 400, never a 500 from the database.
    "qinqing.core.middleware.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "qinqing.audit.services.AuditMiddleware",
    # Pages are closed by default; public ones opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the messages middleware so the notice of an ended session can be shown on the login page.
    "qinqing.accounts.security.SessionTimeoutMiddleware",
    "qinqing.accounts.security.PasswordExpiryMiddleware",
    "qinqing.accounts.security.SecondFactorMiddleware",
    # An enterprise account whose link to its enterprise awaits the office reaches only the page that says so.
    "qinqing.signup.middleware.PendingLinkMiddleware",
    # A 404 or 403 from a view is the site's Chinese page even with DEBUG on (make run).
    "qinqing.core.middleware.FriendlyErrorPagesMiddleware",
    # Last, as django-axes asks: refuses a locked account or address on every login form and the admin.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "qinqing.urls"
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
                "qinqing.supervision.context.unread_notifications",
                "qinqing.core.navigation.menu",
            ],
        },
    }
]
WSGI_APPLICATION = "qinqing.wsgi.application"

DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    # The zero-setup default: a SQLite file under var/, created on first use.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'qinqing.sqlite3'}"
# Persistent connections are checked before a request reuses one, so a database restart costs no request a 500
# on a connection that died meanwhile (bench/reliability.py restarts PostgreSQL under load).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; the timeout waits instead of failing on a busy file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "qinqing.accounts.security.DemoPasswordRefusingBackend",
    # 三员分立: what the system and security administrators may do in the admin, by role (no superusers).
    "qinqing.accounts.security.RolePermissionBackend",
]
# The password policy (qinqing/accounts/passwords.py, docs/security.md): staff 10+ characters of three classes,
# no username, not common, not a demo password, not one of the last 5, changed every 90 days.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "qinqing.accounts.passwords.StaffComplexityValidator"},
    {"NAME": "qinqing.accounts.passwords.DemoPasswordValidator"},
    {"NAME": "qinqing.accounts.passwords.HistoryValidator", "OPTIONS": {"keep": 5}},
]
QINQING_DEMO_PASSWORDS = env_list(
    "QINQING_DEMO_PASSWORDS", ["qinqing2026", "qinqing", "qinqing123", "Qinqing@2026"]
)
# The demo data's accounts share one published password: accepted only in a demo (DEBUG on, or said so).
QINQING_ALLOW_DEMO_PASSWORDS = env_bool("QINQING_ALLOW_DEMO_PASSWORDS", DEBUG)
QINQING_PASSWORD_MAX_AGE_DAYS = env_int("QINQING_PASSWORD_MAX_AGE_DAYS", 90)
# API tokens expire: the default term of a new token, in days (a user may choose up to 365).
# Readiness (/healthz/ready) fails when the worker finished nothing for this long or a ready job waited this long.
QINQING_WORKER_STALE_MINUTES = env_int("QINQING_WORKER_STALE_MINUTES", 5, minimum=1)
QINQING_API_TOKEN_DAYS = env_int("QINQING_API_TOKEN_DAYS", 180, minimum=1)

# A second factor (TOTP, django-otp) for the administrator roles, and optionally (QINQING_OTP_ROLES) for any
# staff. Off in a demo (DEBUG on) unless asked for; on in production.
QINQING_REQUIRE_OTP = env_bool("QINQING_REQUIRE_OTP", not DEBUG)
QINQING_OTP_ROLES = env_list("QINQING_OTP_ROLES", ["sysadmin", "secadmin", "auditor"])
OTP_TOTP_ISSUER = "亲清"

# A role or scope change that gives an account case access waits for a second security administrator's approval
# (docs/security.md 访问控制). On in production; off in a demo unless asked for.
QINQING_GRANT_APPROVAL = env_bool("QINQING_GRANT_APPROVAL", not DEBUG)

# Lockout (django-axes): 5 failures per account, and separately per address, lock for 30 minutes.
AXES_FAILURE_LIMIT = env_int("QINQING_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("QINQING_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qinqing.audit.views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # logins are in qinqing's own audit log (qinqing.audit)
AXES_VERBOSE = False
# Behind a reverse proxy set QINQING_PROXY_COUNT (1 for nginx in front) so the client's address is counted.
if env_int("QINQING_PROXY_COUNT", 0):  # also read below, for /metrics
    AXES_IPWARE_PROXY_COUNT = env_int("QINQING_PROXY_COUNT", 0)
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Sessions end after 30 idle minutes (15 for the system and audit administrators) and at most 12 hours after
# signing in, and with the browser.
QINQING_IDLE_MINUTES = env_int("QINQING_IDLE_MINUTES", 30, minimum=1)
QINQING_ADMIN_IDLE_MINUTES = env_int("QINQING_ADMIN_IDLE_MINUTES", 15, minimum=1)
QINQING_SESSION_MAX_HOURS = env_int("QINQING_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = QINQING_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# One language for everyone: LANGUAGE_CODE applies to every request, so no LocaleMiddleware negotiating with
# each browser's Accept-Language (an English browser still gets Chinese messages).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# ECharts is installed from the npm registry at build time (`make` runs `npm ci`) and served from here.
STATICFILES_DIRS.append(("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"))
# htmx likewise: pages fetch server-rendered partials with it (docs/ui.md).
STATICFILES_DIRS.append(("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Attachments are never served from a public URL: a permission-checked view streams them.

# Attachments: what a department can open on a government PC, and nothing executable.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS",
    ["pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd", "txt", "zip"],
)
# Per request: how many files and how much in all (one request of six 19 MB files stored 114 MB before).
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 10, minimum=1)
ATTACHMENT_MAX_TOTAL_BYTES = env_int("ATTACHMENT_MAX_TOTAL_MB", 50, minimum=1) * 1024 * 1024
# Virus scanning (docs/security.md 入侵防范): a ClamAV daemon at a unix socket path ("/run/clamav/clamd.ctl") or
# "host:port" scans every attachment before it is saved; empty turns scanning off. An unreachable daemon refuses
# uploads (fail closed) rather than letting them through unscanned.
QINQING_CLAMD = env_str("QINQING_CLAMD", "")
QINQING_CLAMD_TIMEOUT = env_int("QINQING_CLAMD_TIMEOUT", 30, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Deadline lights: yellow when at most this many working days (today included) are left,
# or when at most this share of the step's working days is left.
QINQING_YELLOW_DAYS = env_int("QINQING_YELLOW_DAYS", 1)
QINQING_YELLOW_SHARE_PERCENT = env_int("QINQING_YELLOW_SHARE_PERCENT", 20)
QINQING_MAX_REOPENS = env_int("QINQING_MAX_REOPENS", 2)
# A pause (挂起) longer than this many working days ends by itself and the clock runs again: no appeal waits
# forever on materials that never come (0: no limit).
QINQING_MAX_PAUSE_WORKING_DAYS = env_int("QINQING_MAX_PAUSE_WORKING_DAYS", 20)
QINQING_PAGE_SIZE = env_int("QINQING_PAGE_SIZE", 20, minimum=1)
# Supervision: escalation to a 通报 N working days after the 催办; the SMS gateway (default: log only).
QINQING_ESCALATE_AFTER_DAYS = env_int("QINQING_ESCALATE_AFTER_DAYS", 5, minimum=1)
# Rankings (部门考评 排名, 红黑榜): a department with fewer appeals received in the period is 样本不足, not ranked.
QINQING_RANKING_MIN_APPEALS = env_int("QINQING_RANKING_MIN_APPEALS", 5, minimum=1)
# Credit (信易+): working days the listing authority has to decide an objection (异议) or a repair request (信用修复)
# about a list entry. Repair: 15 working days, the term 《市场监督管理信用修复管理办法》（国市监信规〔2021〕3号）
# gives for a decision on a repair application; objection: 5 working days, the shorter term provincial 社会信用
# rules commonly set for checking a disputed record. Both are settings because local rules differ.
QINQING_CREDIT_OBJECTION_DAYS = env_int("QINQING_CREDIT_OBJECTION_DAYS", 5, minimum=1)
QINQING_CREDIT_REPAIR_DAYS = env_int("QINQING_CREDIT_REPAIR_DAYS", 15, minimum=1)
# Key projects (重点项目): the target for a project's whole approval (国办发〔2019〕11号: 全流程审批时间压缩至120个
# 工作日以内), and the thresholds of the 三未 rules (projects/flags.py), in working days. 批而未开: 施工许可 given and
# no 开工 within ~3 months (《建筑法》第九条), or land supplied and no 开工 within ~1 year (《闲置土地处置办法》第二条);
# 开而未建: 开工 and no substantive construction (建设) within ~2 months; 建而未成: the planned 竣工 passed by the
# grace, or (no plan) 竣工 not reached ~2 years after 开工.
QINQING_PROJECT_APPROVAL_TARGET_DAYS = env_int("QINQING_PROJECT_APPROVAL_TARGET_DAYS", 120, minimum=1)
QINQING_PROJECT_START_AFTER_PERMIT_DAYS = env_int("QINQING_PROJECT_START_AFTER_PERMIT_DAYS", 60, minimum=1)
QINQING_PROJECT_START_AFTER_LAND_DAYS = env_int("QINQING_PROJECT_START_AFTER_LAND_DAYS", 250, minimum=1)
QINQING_PROJECT_BUILD_AFTER_START_DAYS = env_int("QINQING_PROJECT_BUILD_AFTER_START_DAYS", 40, minimum=1)
QINQING_PROJECT_FINISH_GRACE_DAYS = env_int("QINQING_PROJECT_FINISH_GRACE_DAYS", 20)
QINQING_PROJECT_FINISH_DAYS = env_int("QINQING_PROJECT_FINISH_DAYS", 500, minimum=1)
QINQING_SMS_SENDER = os.environ.get("QINQING_SMS_SENDER", "qinqing.supervision.notify.LoggingSmsSender")
# SMS (docs/notifications.md): the gateway's signature (签名) and our template keys → the codes registered at the
# gateway, as JSON ({"appeal_replied": "SMS_123456789", ...}; unmapped keys are sent as they are, which only the
# logging sender accepts). Alibaba Cloud and Tencent Cloud credentials for the two adapters in supervision/sms.py.
QINQING_SMS_SIGN_NAME = env_str("QINQING_SMS_SIGN_NAME", "亲清")
QINQING_SMS_TEMPLATES: dict[str, str] = json.loads(os.environ.get("QINQING_SMS_TEMPLATES") or "{}")
# One-time SMS codes of sign-up and password reset (qinqing/signup/codes.py): codes a mobile receives and a client
# address asks for per day (5 minutes' life, 5 tries and a 60-second resend pause are fixed).
QINQING_SMS_CODE_MOBILE_DAILY = env_int("QINQING_SMS_CODE_MOBILE_DAILY", 10, minimum=1)
QINQING_SMS_CODE_IP_DAILY = env_int("QINQING_SMS_CODE_IP_DAILY", 50, minimum=1)
QINQING_ALIYUN_SMS_ACCESS_KEY_ID = env_str("QINQING_ALIYUN_SMS_ACCESS_KEY_ID", "")
QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET = env_str("QINQING_ALIYUN_SMS_ACCESS_KEY_SECRET", "")
QINQING_ALIYUN_SMS_ENDPOINT = env_str("QINQING_ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com")
QINQING_ALIYUN_SMS_REGION = env_str("QINQING_ALIYUN_SMS_REGION", "cn-hangzhou")
QINQING_TENCENT_SMS_SECRET_ID = env_str("QINQING_TENCENT_SMS_SECRET_ID", "")
QINQING_TENCENT_SMS_SECRET_KEY = env_str("QINQING_TENCENT_SMS_SECRET_KEY", "")
QINQING_TENCENT_SMS_SDK_APP_ID = env_str("QINQING_TENCENT_SMS_SDK_APP_ID", "")
QINQING_TENCENT_SMS_REGION = env_str("QINQING_TENCENT_SMS_REGION", "ap-guangzhou")
QINQING_TENCENT_SMS_ENDPOINT = env_str("QINQING_TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")
# The site's address, put in front of the links in emails and 企业微信 messages (empty: links stay relative).
QINQING_SITE_URL = env_str("QINQING_SITE_URL", "")
# A pause waiting for the enterprise's materials reminds the enterprise every N working days, and tells the office
# once after M working days. The sweep sends one digest instead of more than N messages to one person in one run.
QINQING_PAUSE_REMIND_DAYS = env_int("QINQING_PAUSE_REMIND_DAYS", 3, minimum=1)
QINQING_PAUSE_OFFICE_DAYS = env_int("QINQING_PAUSE_OFFICE_DAYS", 5, minimum=1)
QINQING_DIGEST_THRESHOLD = env_int("QINQING_DIGEST_THRESHOLD", 3, minimum=1)
# Text insights: where routing models are versioned, how far back similar appeals are searched.
QINQING_MODEL_DIR = Path(os.environ.get("QINQING_MODEL_DIR", VAR_DIR / "models"))
QINQING_SIMILAR_DAYS = env_int("QINQING_SIMILAR_DAYS", 365, minimum=1)
# A reply scoring below this (0-100) is flagged for the department head and the dispatcher.
QINQING_REPLY_FLAG_BELOW = env_int("QINQING_REPLY_FLAG_BELOW", 60, minimum=0)
# Who reviews a held reply (regions with 低分答复须复核后送达): "head" (the lead department's head), "office"
# (the dispatcher of the region) or "both".
QINQING_REPLY_REVIEWERS = os.environ.get("QINQING_REPLY_REVIEWERS", "head")

# Security audit records are kept at least this long (等保 2.0: 180 days); `manage.py archive_audit` refuses to
# archive (and so to let the owner prune) anything younger.
QINQING_AUDIT_RETENTION_DAYS = env_int("QINQING_AUDIT_RETENTION_DAYS", 180, minimum=180)

# Background work (docs/worker.md): the queue is a table in this same database, worked by `manage.py db_worker`;
# `manage.py run_scheduler` enqueues the periodic jobs. Both run next to the web server (`make run` starts them).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A failed email or SMS is retried this many times in all, waiting 1, 2, 4, ... minutes between attempts.
# A job marked running for longer than this was left by a killed worker and goes back to the queue (core/tasks.py).
QINQING_JOB_TIMEOUT_MINUTES = env_int("QINQING_JOB_TIMEOUT_MINUTES", 15, minimum=1)
QINQING_DELIVERY_ATTEMPTS = env_int("QINQING_DELIVERY_ATTEMPTS", 5, minimum=1)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The mail server, for EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend (docs/deploy.md).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "亲清 <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script, no eval, no
# third-party origin (nothing is fetched from the internet). Inline styles stay allowed: ECharts' tooltips and the
# admin set style attributes; they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
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
}
# One switch for a deployment behind HTTPS (docs/security.md): redirect plain HTTP, HSTS for a year, trust the
# proxy's X-Forwarded-Proto. `DEBUG=0 QINQING_HTTPS=1 manage.py check --deploy` is then clean.
QINQING_HTTPS = env_bool("QINQING_HTTPS", False)
if QINQING_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("QINQING_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("QINQING_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # Health checks from the local machine come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/"]

# Logs (docs/deploy.md): plain lines by default (`make run`), one JSON object a line with QINQING_LOG_FORMAT=json.
# Every line logged while serving a request carries its request id; qinqing.request logs one line per request
# (route, status, duration, user id), on by default with JSON, else with QINQING_REQUEST_LOG=1.
QINQING_LOG_FORMAT = env_str("QINQING_LOG_FORMAT", "") or "plain"
if QINQING_LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"QINQING_LOG_FORMAT must be plain or json, got {QINQING_LOG_FORMAT!r}")
QINQING_REQUEST_LOG = env_bool("QINQING_REQUEST_LOG", QINQING_LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qinqing.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": QINQING_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # qinqing.request: one line per request; qinqing.notify: the logging SMS sender writes each rendered message
    # at INFO (the demo's SMS inbox, var/worker.log under `make run`), failed deliveries at WARNING.
    "loggers": {
        "qinqing.request": {"level": "INFO" if QINQING_REQUEST_LOG else "WARNING"},
        "qinqing.notify": {"level": env_str("QINQING_NOTIFY_LOG_LEVEL", "INFO")},
    },
}

# Metrics (/metrics, qinqing/ops/metrics.py): answered to these addresses or networks (default: this machine) or to
# `Authorization: Bearer <QINQING_METRICS_TOKEN>`; 404 to anyone else.
QINQING_METRICS_ALLOW = env_list("QINQING_METRICS_ALLOW", ["127.0.0.1", "::1"])
for _net in QINQING_METRICS_ALLOW:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"QINQING_METRICS_ALLOW: {_net!r} is not an address or network") from exc
QINQING_METRICS_TOKEN = env_str("QINQING_METRICS_TOKEN", "")
QINQING_PROXY_COUNT = env_int("QINQING_PROXY_COUNT", 0)
PROMETHEUS_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))

# Error reporting (optional): Sentry or a compatible service (GlitchTip) when a DSN is given; no personal data is
# sent and mobile numbers are masked (qinqing/ops/errors.py).
QINQING_SENTRY_DSN = env_str("QINQING_SENTRY_DSN", "")
QINQING_SENTRY_ENVIRONMENT = env_str("QINQING_SENTRY_ENVIRONMENT", "production")
if QINQING_SENTRY_DSN:
    from qinqing.ops import errors as _errors

    _errors.setup(
        QINQING_SENTRY_DSN,
        environment=QINQING_SENTRY_ENVIRONMENT,
        release=env_str("QINQING_RELEASE", "") or None,
    )

# SQLite cannot enforce the nulls-not-distinct constraint on TimeLimit; Django still validates it in
# admin forms, and PostgreSQL (production) enforces it in the database.
SILENCED_SYSTEM_CHECKS = ["models.W047"]
if QINQING_HTTPS and not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole parent domain (often a shared gov.cn one) to HTTPS forever: a deployer's choice.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
