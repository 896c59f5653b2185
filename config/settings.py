"""Settings for Bolots, read from the environment (django-environ).

Without any environment the defaults give a safe local setup: SQLite in the
project folder, Celery tasks run eagerly in the web process, mail printed to
the console, and only 127.0.0.1/localhost served. Production sets DEBUG=0 and
must then provide SECRET_KEY and ALLOWED_HOSTS; see docs/deploy.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A fixed key is only acceptable for local development; production refuses to
# start without its own key.
_DEV_SECRET_KEY = "dev-only-key-bolots-not-for-production-use-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see docs/deploy.md)."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",  # input hardening (issue 10 §6)
    # Project apps, lowest layer first (see docs/architecture.md).
    "core",
    "audit",
    "accounts",
    "referrals",
    "tenancies",
    "bolots",
    "rent",
    "reports",
    "logreview",
    "culling",
    # Demo data (seed_demo, demo_code): on top, imported by no app.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # --- input hardening (issue 10 §6): see the block "Content-Security-Policy" below.
    "core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # --- end input hardening
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Renews the session row only every SESSION_REFRESH_SECONDS (issue 16
    # perf); after sessions, so that its response half runs before the save.
    "core.middleware.SessionRefreshMiddleware",
    # Replaces django_otp's OTPMiddleware (see accounts/login/middleware.py):
    # the same request.user.is_verified(), without a query per request, and
    # every page but login/enrolment/static/health requires it.
    "accounts.login.middleware.SecondFactorMiddleware",
    # Logs every client the request read (audit/reads.py); after
    # authentication, because the row names the user.
    "audit.middleware.ReadLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Drafts (issue 12 §4): a save refused by an ended session goes to the
    # login with the form's page as `next`; a successful save deletes the
    # draft. After the messages, because it queues one.
    "accounts.drafts.middleware.DraftMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into
    # the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait instead of failing at once under the
    # development server's threads.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the KPI engine's grouped counts are the only queries
    # big enough to trigger it, and compiling cost 4–7 s per query where the
    # query itself takes well under one (docs/performance.md "Running-year
    # KPIs and the national seed"). Every other query is far below its cost.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    # django-axes first so that a locked-out user is stopped before the
    # password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleAwareModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock a user name + address pair out after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# The client address (TRUSTED_PROXY_COUNT) and the limits across addresses
# and accounts: see the "Login, second factor" block at the end.

# Sessions end after 30 minutes without a request (sliding expiry). The row
# is renewed by core.middleware.SessionRefreshMiddleware when
# SESSION_REFRESH_SECONDS have passed since its last write (or on a POST),
# not on every request (issue 16 perf block below).
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False

# Cache (issue 16 §1): Redis through django-redis when CACHE_URL is set (the
# production layout, docs/deploy.md), local memory otherwise (make run, the
# test suite). IGNORE_EXCEPTIONS: a Redis that refuses or hangs must not take
# pages down (§2): a cache miss is computed again and sessions fall back to
# their database rows.
CACHE_URL = env.str("CACHE_URL", default="")
CACHE_BREAKER_SECONDS = env.float("CACHE_BREAKER_SECONDS", default=10.0)
if CACHE_URL:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from core.cache_breaker import BreakerConnection

    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
                # After a failure, skip Redis for CACHE_BREAKER_SECONDS
                # instead of waiting out a timeout on every call (a hung
                # Redis); no retries inside one call for the same reason.
                "CONNECTION_POOL_KWARGS": {"connection_class": BreakerConnection, "retry": Retry(NoBackoff(), 0)},
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bolots"}}
# Sessions read from the cache, written through to the database: a Redis
# that is down only costs the session read from its row again.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The session warning (static/js/session.js) opens this long before the
# idle timeout, with "Fortsätt arbeta" (accounts.drafts, issue 12 §4).
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)
# Unsaved drafts of forms (accounts.drafts) are deleted after this many days
# without change (accounts.tasks.purge_drafts, nightly; docs/access.md "Drafts").
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=14)

OTP_TOTP_ISSUER = "Bolots"

# --- Security headers (production) -----------------------------------------
# Defaults follow DEBUG so that `check --deploy` is clean in production while
# the local server stays usable over plain http.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed by load balancers over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Language, time ---------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# Swedish formats: 2026-11-22, 940 000 kr, 12,5 %. Thousands separators are
# applied by explicit filters (core/formatting.py), not globally, so
# that ids and years in templates never turn into "2 026".
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = False

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bolots@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------
# No broker configured: tasks run eagerly inside the request (make run).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# In eager mode a task enqueued after the commit that fails is logged, not
# raised into the request whose change it followed (core.tasks._run_eagerly):
# the user's action was saved. The tests set it (pytest.ini) so that a
# task's error fails the test that caused it.
CELERY_EAGER_ERRORS_PROPAGATE = env.bool("CELERY_EAGER_ERRORS_PROPAGATE", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# With acks_late a task whose worker dies is delivered again; rejecting on
# worker loss makes that explicit.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- issue 16 worker: e-mail timeout, task time limits, redelivery ---------
# A mail server that accepts and never answers must not hold a worker for
# ever: smtplib waits EMAIL_TIMEOUT seconds per connect/command, then the
# task retries (accounts.tasks.send_notification_email).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# An e-mail is tried 1 + MAIL_MAX_RETRIES times, backing off exponentially
# from MAIL_RETRY_BACKOFF seconds (30 s … about 2 h in all); then it is given
# up and shown on /drift/e-post/ (core.models.mail.MailFailure).
MAIL_MAX_RETRIES = env.int("MAIL_MAX_RETRIES", default=8)
MAIL_RETRY_BACKOFF = env.int("MAIL_RETRY_BACKOFF", default=30)
# Every task gets a soft limit (SoftTimeLimitExceeded is raised in the task,
# which marks its record failed) and a hard limit (the pool process is
# killed). Long tasks set their own (reports.tasks, rent.tasks.bgmax).
# Limits need the prefork pool, which production runs (docs/deploy.md).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
# A task whose worker was killed (acks_late: never acknowledged) is given to
# another worker once this many seconds have passed since it was taken. It
# must be longer than the longest task (the hard limits above and per task),
# or a task still running would be started a second time; the tests of a
# killed worker set it to a few seconds (docs/deploy.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# --- end issue 16 worker

# --- Logging ----------------------------------------------------------------
# Log lines never carry personal data: views log ids, not names or numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_4xx_tracebacks": {"()": "config.log_filters.WithoutClientErrorTracebacks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_4xx_tracebacks"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Project ----------------------------------------------------------------
BOLOTS_UNIT_NAME = env.str("BOLOTS_UNIT_NAME", default="Bolotsenheten")
# Days after an order ends during which its bolotsar may still read their own
# visit notes (not the client's address or phone); after that, no access.
# See referrals.models.orders.own_notes_cutoff and docs/access.md.
BOLOTS_OWN_NOTES_DAYS = env.int("BOLOTS_OWN_NOTES_DAYS", default=14)
# Absolute address of the site, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")


# --- Login, second factor, throttling, password reset (issue 10 §3) ---------
# Kept in one block to ease merging; docs/access.md "Login and second factor"
# and docs/deploy.md "Proxy, login limits and e-mail" describe it.

# Number of reverse proxies in front of the app, each appending the address
# it saw to X-Forwarded-For; 0 means REMOTE_ADDR is the client's address.
# core.client_ip.client_ip reads it for django-axes and the logs alike.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# Every failed password is kept (username, address, time) so that the limits
# across addresses and across accounts below can be counted
# (accounts.login.throttle).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# One account, from any number of addresses: spraying one user's password.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=10)
LOGIN_ACCOUNT_WINDOW = timedelta(minutes=env.int("LOGIN_ACCOUNT_WINDOW_MINUTES", default=60))
# One address, against any number of accounts: spraying one password.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_WINDOW = timedelta(minutes=env.int("LOGIN_ADDRESS_WINDOW_MINUTES", default=15))
# The second step (TOTP, backup code) locks after this many failures until a
# system administrator unlocks it.
SECOND_FACTOR_FAILURE_LIMIT = 5
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_THROTTLE_FACTOR = 0  # our own lockout (above) replaces the backoff
# Passkeys are a second factor only: the password always comes first.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Bolots"
OTP_WEBAUTHN_RP_ID_CALLABLE = "accounts.login.passkeys.relying_party_id"
# The server checks the origin the browser reports. Defaults to the site
# address used in e-mails; over plain http passkeys work only on localhost
# (not 127.0.0.1: WebAuthn refuses IP addresses), so the demo uses that.
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    default=[SITE_URL] if SITE_URL.startswith("https://") else ["http://localhost:8000"],
)
# Reset links in e-mails work for 30 minutes.
PASSWORD_RESET_TIMEOUT = 30 * 60

# --- Tamper-evident log (audit.chain) -----------------------------------------
# HMAC key of the log's hash chain. Set it in production, apart from
# SECRET_KEY, and never change it: rows hashed with another key no longer
# verify. Unset, a key derived from SECRET_KEY is used (see docs/deploy.md).
LOG_CHAIN_KEY = env.str("LOG_CHAIN_KEY", default="")

# Scheduled jobs for `celery -A config beat` (times are CELERY_TIMEZONE's).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Every night: is any log row deleted, altered or reordered? Alerts
    # managers and system administrators when it is.
    "verify-log-chains": {"task": "audit.tasks.verify_log_chains", "schedule": crontab(hour=2, minute=30)},
    # Every night: delete unsaved drafts older than DRAFT_RETENTION_DAYS.
    "purge-old-drafts": {"task": "accounts.tasks.purge_drafts", "schedule": crontab(hour=3, minute=15)},
    # Every night: delete identity link requests decided or abandoned more
    # than OIDC_LINK_REQUESTS_KEEP_DAYS ago.
    "purge-link-requests": {"task": "accounts.tasks.purge_link_requests", "schedule": crontab(hour=3, minute=20)},
    # Every 10 January: the yearly culling dry run of each unit (nothing is
    # culled before a manager approves the list; docs/culling.md).
    "culling-yearly-dry-run": {"task": "culling.tasks.yearly_dry_runs",
                               "schedule": crontab(hour=4, minute=0, day_of_month=10, month_of_year=1)},
    # Every morning: remind the approvers of culling lists waiting for
    # approval (monthly; weekly in the last month before the deadline:
    # culling.reminders).
    "remind-culling-lists": {"task": "culling.tasks.send_culling_reminders",
                             "schedule": crontab(hour=7, minute=5)},
    # Every morning: remind the unit's managers of log reviews not signed
    # off (at most weekly per month: logreview.reminders).
    "remind-log-reviews": {"task": "logreview.reminders.send_review_reminders",
                           "schedule": crontab(hour=7, minute=0)},
    # Every morning: from the first working day of a month on, draw the
    # previous month's log review for each unit not yet drawn (logreview.tasks).
    "draw-monthly-log-reviews": {"task": "logreview.tasks.draw_monthly_reviews", "schedule": crontab(hour=5, minute=30)},
    # The rent ledger (docs/rent.md), every morning in this order: next
    # month's notices where the run day has come; instalments judged;
    # signals for notices unpaid after due date and grace; terminations
    # whose three weeks ran out.
    "rent-notice-runs": {"task": "rent.tasks.runs.run_due_notices", "schedule": crontab(hour=4, minute=30)},
    "rent-judge-instalments": {"task": "rent.tasks.plans.judge_instalments", "schedule": crontab(hour=6, minute=0)},
    "rent-overdue-signals": {"task": "rent.tasks.overdue.raise_overdue_signals",
                             "schedule": crontab(hour=6, minute=15)},
    "rent-recoveries": {"task": "rent.tasks.terminations.check_recoveries", "schedule": crontab(hour=6, minute=30)},
}

# --- Content-Security-Policy and caching (issue 10 §6, input hardening) -----
# A strict policy with django-csp: everything from this origin only, no inline
# script and no inline style (templates keep their CSS in static/css/bolots.css
# and scripts in static/js/; the charts use SVG presentation attributes, not
# style attributes; core/tests/test_headers.py checks the templates and every
# page's header). `data:` images are Bootstrap's own icons in its CSS (select
# arrows, check marks) and the empty favicon. No frames, no plugins, forms
# post only here. Pages and downloads are never stored: core.middleware.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# --- end Content-Security-Policy and caching

# --- issue 16 oidc: login through the municipality's identity provider ------
# OpenID Connect (mozilla-django-oidc, accounts/oidc/). Off unless the client
# and the provider's endpoints are set; then the login page offers "Logga in
# med kommunens inloggning" beside the password. docs/deploy.md "OpenID
# Connect" lists the variables; docs/access.md "Login through the identity
# provider" the rules.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid")
# The provider's `issuer` and endpoints, as its discovery document
# (<issuer>/.well-known/openid-configuration) states them.
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# Not called (the ID token carries what Bolots reads) but the library wants it.
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
# The claim that identifies a person stably at the provider ("oid" in
# Microsoft Entra ID when `sub` differs per application is not wanted).
OIDC_SUBJECT_CLAIM = env.str("OIDC_SUBJECT_CLAIM", default="sub")
# Strong authentication the provider may assert in the ID token; only then is
# Bolots' own second step skipped. Empty: the second step always follows.
OIDC_STRONG_ACR_VALUES = env.list("OIDC_STRONG_ACR_VALUES", default=[])
OIDC_STRONG_AMR_VALUES = env.list("OIDC_STRONG_AMR_VALUES", default=[])
# Clock difference tolerated on the ID token's exp/iat, in seconds.
OIDC_LEEWAY_SECONDS = env.int("OIDC_LEEWAY_SECONDS", default=30)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)  # token and JWKS requests
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # accounts are never created from the provider
# Unknown identities become link requests for the system administrators
# (accounts.oidc.services.record_unknown_identity); at most this many open at
# once, so that a flood of logins cannot grow the table without end.
OIDC_LINK_REQUESTS_MAX = env.int("OIDC_LINK_REQUESTS_MAX", default=200)
# Decided requests, and open ones whose holder has not logged in again, are
# deleted this many days after their last event (beat `purge-link-requests`,
# accounts.oidc.services.purge_link_requests): they name a person.
OIDC_LINK_REQUESTS_KEEP_DAYS = env.int("OIDC_LINK_REQUESTS_KEEP_DAYS", default=30)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
if all((OIDC_RP_CLIENT_ID, OIDC_OP_ISSUER, OIDC_OP_TOKEN_ENDPOINT)):
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.backend.BolotsOIDCBackend"]
# Refused provider logins are not failed passwords (accounts/oidc/config.py).
AXES_WHITELIST_CALLABLE = "accounts.oidc.config.exempt_from_password_lockout"
# The login page's {% load oidc %} (accounts/oidc/templatetags.py).
TEMPLATES[0]["OPTIONS"].setdefault("libraries", {})["oidc"] = "accounts.oidc.templatetags"
# --- end issue 16 oidc
# --- issue 16 backup: database outages and backups (docs/deploy.md "When
# PostgreSQL restarts", "Backup and restore") ---------------------------------
# Last, so that its process_exception runs first: a view that loses the
# database answers with the Swedish 503 page (core/db_errors.py); the same
# module is handler500 for exceptions raised in middleware. Recovery relies
# on CONN_HEALTH_CHECKS (Database block above).
MIDDLEWARE.append("core.db_errors.DatabaseUnavailableMiddleware")
# --- end issue 16 backup
# --- issue 16 perf: throughput under load (docs/performance.md "Throughput
# under load (issue 16)", docs/deploy.md "gunicorn").
# The session row is written again once this many seconds have passed since
# its last write (core.middleware.SessionRefreshMiddleware): the idle
# timeout then ends a session between SESSION_COOKIE_AGE minus this and
# SESSION_COOKIE_AGE after the last request. One minute of a thirty-minute
# window; sixty times fewer session writes for a user clicking along.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
# Per-user roles, permissions and menu (accounts.permission_cache): kept in
# the cache this long at most; a change of roles, groups or the account
# invalidates them at once.
PERMISSION_CACHE_SECONDS = env.int("PERMISSION_CACHE_SECONDS", default=600)
# Rendered chart SVGs and PNGs (core.charts), shared by all web processes
# through the cache, keyed by everything they show.
CHART_CACHE_SECONDS = env.int("CHART_CACHE_SECONDS", default=24 * 3600)
# --- end issue 16 perf
# --- issue 16 outbox ---------------------------------------------------------
# Work kept in the database until the broker has it (core.outbox,
# docs/architecture.md "The outbox", docs/deploy.md "When Redis is down").
# A publish after a request waits at most this long for Redis (refused or hung).
OUTBOX_PUBLISH_TIMEOUT_SECONDS = env.float("OUTBOX_PUBLISH_TIMEOUT_SECONDS", default=1.0)
# After a failed publish a web process leaves new rows to the relay this long.
OUTBOX_BROKER_BACKOFF_SECONDS = env.float("OUTBOX_BROKER_BACKOFF_SECONDS", default=15.0)
OUTBOX_RELAY_BATCH_SIZE = 200
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)
# /healthz/status and /drift/status/: a backlog older than this is "error"
# (the relay runs every minute), and so is a relay heartbeat older than this.
OUTBOX_BACKLOG_ALERT_MINUTES = env.int("OUTBOX_BACKLOG_ALERT_MINUTES", default=5)
# A yearly evaluation still queued after this long may be tried again from
# its page (reports.services.runs.retry_run).
REPORT_RUN_STUCK_MINUTES = env.int("REPORT_RUN_STUCK_MINUTES", default=10)
# The worker and beat must not hang on a dead Redis either (the default
# socket timeout is none at all): kombu gives up and reconnects.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS, "socket_timeout": 5, "socket_connect_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
# Monitoring polls the detailed status over plain http inside the network,
# like the load balancer /healthz (config.health: no personal data).
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^healthz/status$"]
CELERY_BEAT_SCHEDULE["relay-outbox"] = {
    # Every minute: publish what was kept while Redis was down. Expires so
    # that relays queued during an outage do not all run when it ends.
    "task": "core.outbox_tasks.relay_outbox", "schedule": 60.0, "options": {"expires": 50},
}
# --- end issue 16 outbox
# --- issue 16 ops: production guards, media storage, key rotation, logs, beat
# Kept in one block to ease merging; docs/deploy.md describes every variable.
import os as _os  # noqa: E402

# Production refuses to start (every process: gunicorn, worker, beat,
# manage.py) without the two settings an operator forgot in issue 16 §4:
# without SITE_URL every e-mail links to 127.0.0.1, and without a broker
# every task would run silently inside the web request. A single-host
# deployment that really wants in-process tasks says so with CELERY_EAGER=1.
if not DEBUG:
    if not _os.environ.get("SITE_URL", "").strip():
        raise ImproperlyConfigured(
            "SITE_URL must be set when DEBUG is off, e.g. https://bolots.kommun.se (see docs/deploy.md)."
        )
    if not CELERY_BROKER_URL and not env.bool("CELERY_EAGER", default=False):
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL must be set when DEBUG is off, e.g. redis://127.0.0.1:6379/0 "
            "(or CELERY_EAGER=1 to run tasks in the web process; see docs/deploy.md)."
        )

# Secret-key rotation without logging everyone out: the new key signs, the
# old ones (comma-separated) are still accepted for sessions, password-reset
# links and signed values until they expire (docs/deploy.md "Rotating the
# secret key").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Media as shared state (issue 16 §4): the worker writes the PDFs that the
# web processes serve, so several hosts need one store. MEDIA_STORAGE=s3
# keeps every uploaded and generated file in an S3-compatible bucket
# (django-storages); the default keeps them under MEDIA_ROOT. Files are
# private either way: downloads go through the access-checked views, never
# through public bucket URLs.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "s3":
    from config.storage_settings import s3_options  # noqa: E402

    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(env)}
if MEDIA_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3' (see docs/deploy.md).")
# On disk, every uploaded or generated file is readable by the service user
# only: they hold personal data (the systemd units also set UMask=0077).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Logs: one line per record with time (ISO 8601 with offset, in TIME_ZONE),
# level and logger; JSON lines in production (journald or a log shipper reads
# them), plain text under DEBUG. Never personal data: see conftest.py's
# log check, which fails the test run on any client name or number.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING["formatters"] = {
    "json": {
        "()": "config.log_format.JsonLines",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
    },
    "plain": {"()": "config.log_format.PlainLines", "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"},
}
if LOG_FORMAT not in LOGGING["formatters"]:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain' (see docs/deploy.md).")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT

# Housekeeping in beat, and the watch on every job (core.scheduled): each
# beat entry's last run is recorded, /drift/jobb/ shows them, and a job that
# has not succeeded on time is reported to the system administrators once.
CELERY_IMPORTS = ["core.housekeeping"]
CELERY_BEAT_SCHEDULE.update({
    # Every night: delete expired sessions (Django's `clearsessions`).
    "clear-sessions": {"task": "core.housekeeping.clear_sessions", "schedule": crontab(hour=3, minute=0)},
    # Every hour: is any job of this schedule late? Alerts once per lateness.
    "check-scheduled-jobs": {"task": "core.housekeeping.check_scheduled_jobs", "schedule": crontab(minute=45)},
})
# A job is late when its next run after the last success is this much overdue.
SCHEDULED_JOB_GRACE_MINUTES = env.int("SCHEDULED_JOB_GRACE_MINUTES", default=60)
# --- end issue 16 ops
# --- issue 16 frozen: closed years kept and recomputed (reports.year_figures)
# A stale closed year whose recount has not come back after this many seconds
# (a lost message, a worker that was down) is enqueued again by the next
# dashboard request for it (docs/kpis.md "Closed years kept and recomputed").
YEAR_FIGURES_RECOUNT_AFTER = env.int("YEAR_FIGURES_RECOUNT_AFTER", default=600)
# The running year's dashboard figures are kept this long in the cache per
# unit and day (reports.running_year): preliminary figures a few minutes
# old, instead of counting the dearest page on every request. 0: counted on
# every request (the test settings, pytest.ini).
RUNNING_YEAR_CACHE_SECONDS = env.int("RUNNING_YEAR_CACHE_SECONDS", default=300)
# --- end issue 16 frozen
