"""Settings, driven by the environment.

Development (the default) runs on an SQLite file under var/ with DEBUG on.
Production (BAOCAO_MODE=production) refuses to start with DEBUG on or
without SECRET_KEY, and expects DATABASE_URL to name PostgreSQL.
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("BAOCAO_HOME", PACKAGE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("BAOCAO_VAR", PROJECT_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


MODE = os.environ.get("BAOCAO_MODE", "development")
PRODUCTION = MODE == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("BAOCAO_MODE=production refuses to start with DEBUG on.")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("BAOCAO_MODE=production needs SECRET_KEY (at least 32 characters).")
elif not SECRET_KEY:
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "baocao.audit",
    "baocao.jobs",
    "baocao.access",
    "baocao.units",
    "baocao.accounts",
    "baocao.mfa",
    "baocao.parameters",
    "baocao.regimes",
    "baocao.formdefs",
    "baocao.reports",
    "baocao.exchange",
    "baocao.rollup",
    "baocao.reorg",
    "baocao.support",
    "baocao.shell",
    "baocao.guide",
    # Background tasks (docs/adr/0006): Django's tasks API, stored in this database.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "baocao.shell.middleware.SubmittedTextMiddleware",
    "baocao.shell.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "baocao.shell.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "baocao.accounts.middleware.SessionIdleTimeoutMiddleware",
    "baocao.accounts.middleware.PasswordChangeRequiredMiddleware",
    # Administrators complete their second factor before any page (docs/adr/0015).
    "baocao.mfa.middleware.SecondFactorMiddleware",
    "baocao.audit.middleware.AuditRefusals",
    "baocao.shell.middleware.DatabaseBusyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if PRODUCTION:
    # gunicorn serves the collected static files itself (runserver does it in development).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "baocao.urls"
WSGI_APPLICATION = "baocao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baocao.shell.context.shell",
            ],
        },
    },
]

# Which reporting regime this deployment runs (a package under baocao/regimes/).
BAOCAO_REGIME = os.environ.get("BAOCAO_REGIME", "kiemke")

DATABASES = {
    "default": dj_database_url.config(
        # One embedded database per regime, so both demos can live side by side.
        default=f"sqlite:///{VAR_DIR / f'baocao-{BAOCAO_REGIME}.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one request writes; fine for the embedded default.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No request waits on a locked row or a runaway query past the worker's timeout: it is
    # cancelled and the person told to try again, with what was typed kept (docs/concurrency.md).
    DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 5_000)
    # The statement timeout is the web server's (wsgi.py sets 25 s): commands, the task worker
    # and benchmarks may run long statements on purpose.
    DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 0)
    # No parallel plans (DB_PARALLEL_WORKERS=0, the default): the pages' queries are short, and
    # with parallel workers the planner prefers a parallel sequential scan of every unit to the
    # path index for a subtree joined to its accounts (45 ms against 3.6 ms for a province's
    # count, measured at national size; docs/operations.md).
    DB_PARALLEL_WORKERS = env_int("DB_PARALLEL_WORKERS", 0)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
        f" -c max_parallel_workers_per_gather={DB_PARALLEL_WORKERS}"
    )
else:
    DATABASES["default"]["OPTIONS"]["timeout"] = env_int("DB_LOCK_TIMEOUT_MS", 5_000) / 1000  # SQLite's busy wait

# Background tasks (imports of large files): stored in the database, run by `baocao db_worker`.
TASKS = {"default": {"BACKEND": os.environ.get("BAOCAO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# Uploads whose estimated work (cells + shared strings, counted before any parsing) is above
# this are read by the task worker with a progress page (jobs/uploads.py, docs/adr/0013).
BAOCAO_BACKGROUND_WORK = env_int("BAOCAO_BACKGROUND_WORK", 20_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Account"
# Usernames are unique case-insensitively, by a functional unique constraint Django cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
AUTHENTICATION_BACKENDS = ["baocao.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "shell:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    # Argon2id with OWASP's parameters (docs/security.md); verifies hashes made with Django's too.
    "baocao.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Our own validators: Vietnamese messages, and they know the regime's default password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "baocao.accounts.password_policy.MinimumLengthValidator"},
    {"NAME": "baocao.accounts.password_policy.LettersAndDigitsValidator"},
    {"NAME": "baocao.accounts.password_policy.NotDefaultPasswordValidator"},
    {"NAME": "baocao.accounts.password_policy.NotUsernameValidator"},
    {"NAME": "baocao.accounts.password_policy.NotCommonValidator"},
]

# Account security defaults; the central administrator's parameters (THIẾT LẬP THÔNG SỐ) override them.
BAOCAO_PASSWORD_MIN_LENGTH = env_int("BAOCAO_PASSWORD_MIN_LENGTH", 8)
BAOCAO_LOCKOUT_THRESHOLD = env_int("BAOCAO_LOCKOUT_THRESHOLD", 5)
BAOCAO_LOCKOUT_MINUTES = env_int("BAOCAO_LOCKOUT_MINUTES", 15)
# Failed logins from one client address (any usernames) within lockout_minutes before that
# address may not try again until they age out (0: no such limit). docs/security.md
BAOCAO_LOGIN_ADDRESS_LIMIT = env_int("BAOCAO_LOGIN_ADDRESS_LIMIT", 30)
BAOCAO_SESSION_IDLE_MINUTES = env_int("BAOCAO_SESSION_IDLE_MINUTES", 30)
BAOCAO_UPLOAD_MAX_MB = env_int("BAOCAO_UPLOAD_MAX_MB", 20)

# Idle timeout: the session expires this long after the last request (the parameter
# session_idle_minutes overrides it per request, see SessionIdleTimeoutMiddleware).
SESSION_COOKIE_AGE = BAOCAO_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS, for deployments served over TLS only (browsers then refuse plain http for this long).
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", False)
# A refused CSRF check gets a Vietnamese page (and, on plain http with secure cookies, the
# operator's fix) instead of Django's English one.
CSRF_FAILURE_VIEW = "baocao.shell.errors.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates are always dd/mm/yyyy, whatever the language.
FORMAT_MODULE_PATH = ["baocao.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}
