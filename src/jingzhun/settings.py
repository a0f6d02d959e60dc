"""Django settings: everything comes from jingzhun.config (environment variables)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from jingzhun import config

CONFIG = config.load()
PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jingzhun.core",
    "jingzhun.accounts",
    "jingzhun.regions",
    "jingzhun.registry",
    "jingzhun.region_pages",
    "jingzhun.assistance",
    "jingzhun.jobs",
    "jingzhun.workbook",
    "jingzhun.standards",
    "jingzhun.trail",
    "jingzhun.ledger",
    "jingzhun.verification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # the reactions (jobs.outbox) of the request's writes, run once they committed
    "jingzhun.jobs.middleware.ReactionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # 等保 L3 identification: idle timeout, second factor, password age (accounts/identification.py)
    "jingzhun.accounts.identification.IdentificationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jingzhun.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingzhun.urls"
WSGI_APPLICATION = "jingzhun.wsgi.application"

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
                "jingzhun.accounts.context.actor_context",
                "jingzhun.trail.context.audit_nav",
            ],
        },
    }
]

DATABASES = {"default": config.parse_database_url(CONFIG.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # 等保 2.0: no all-digit password (a phone number, a birthday) and none equal or close to the user name
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "phone")},
    },
]
# 等保 L3: a password older than this must be changed before anything else (0 = no maximum age)
JINGZHUN_PASSWORD_MAX_AGE_DAYS = CONFIG.password_max_age_days
# A signed-in session idle for this long ends (the next request goes to the login page)
JINGZHUN_IDLE_TIMEOUT_MINUTES = CONFIG.idle_timeout_minutes
# Two-factor sign-in (TOTP) for the roles of accounts.identification.otp_required; off only in the demo
JINGZHUN_OTP_REQUIRED = CONFIG.otp_required
OTP_TOTP_ISSUER = "精准扶贫"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

SESSION_COOKIE_AGE = CONFIG.session_age_seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: idle sessions end after SESSION_COOKIE_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CONFIG.secure_cookies
CSRF_COOKIE_SECURE = CONFIG.secure_cookies
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
# Failures are forgotten after this long without a new one.
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.lockout_minutes)
# Counted per user name AND client address. Axes itself never locks (issue 15 #12): after the limit each
# further attempt from that address must wait a growing delay (accounts/throttle.py), so an attacker
# elsewhere — or behind the same proxy without a trusted X-Forwarded-For — cannot lock the real user out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCK_OUT_AT_FAILURE = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "jingzhun.accounts.throttle.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Reverse proxies whose X-Forwarded-For is believed; from any other peer REMOTE_ADDR is the client.
JINGZHUN_TRUSTED_PROXIES = CONFIG.trusted_proxies
JINGZHUN_LOGIN_DELAY_CAP_SECONDS = CONFIG.login_delay_cap_seconds

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # static files are served from the package through the finders (no collectstatic)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = CONFIG.data_dir / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
JINGZHUN_UPLOAD_MAX_BYTES = CONFIG.upload_max_mb * 1024 * 1024
# Hours a background export's file stays downloadable (workbook.export_jobs).
JINGZHUN_EXPORT_RETENTION_HOURS = CONFIG.export_retention_hours
JINGZHUN_EXIT_OVERRIDE = CONFIG.exit_override
# Hours an upload no job has taken (a national list left on its mapping page) is kept (workbook.upload_sweep).
JINGZHUN_UPLOAD_RETENTION_HOURS = CONFIG.upload_retention_hours
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Limits of one uploaded workbook or CSV folder (issue 15 #9): inflated bytes of its zip members and rows.
JINGZHUN_UPLOAD_MAX_INFLATED_BYTES = CONFIG.upload_max_inflated_mb * 1024 * 1024  # each zip member
JINGZHUN_UPLOAD_MAX_INFLATED_TOTAL_BYTES = CONFIG.upload_max_inflated_total_mb * 1024 * 1024
JINGZHUN_UPLOAD_MAX_ROWS = CONFIG.upload_max_rows
# Budget of one background job, run in a child process of the worker (jobs/sandbox.py).
JINGZHUN_JOB_TIMEOUT_SECONDS = CONFIG.job_timeout_seconds
JINGZHUN_JOB_MEMORY_BYTES = CONFIG.job_memory_mb * 1024 * 1024
# Jobs the worker runs side by side; one creator has at most one running (jobs.runner.claim_next).
JINGZHUN_WORKER_SLOTS = CONFIG.worker_slots

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "ERROR"}},
}
