"""The peer for `make bench`: a minimal django-helpdesk project serving its REST API with DRF token auth, set up
the way our own bench runs qinqing (PostgreSQL, DEBUG off, persistent connections, no e-mail leaving)."""

import os
from pathlib import Path
from urllib.parse import urlparse

_db = urlparse(
    os.environ.get("HELPDESK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qinqing_bench_helpdesk")
)

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-helpdesk-secret-key-not-for-production-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
# Attachments (none in the bench) would land beside the venv, outside git.
MEDIA_ROOT = Path(__file__).resolve().parents[2] / "var" / "bench-helpdesk-media"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
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
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "postgres",
        "PASSWORD": _db.password or "",
        "HOST": _db.hostname or "127.0.0.1",
        "PORT": _db.port or 5432,
        "CONN_MAX_AGE": 600,
    }
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
# Nothing leaves the machine; qinqing's intake sends nothing in the request either.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False  # the pinax-teams integration is an optional extra
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
