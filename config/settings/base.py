"""Every setting of the portal. Production differs only by environment variables.

With no variable set the portal runs embedded: SQLite under var/, an on-disk Celery broker under
var/, a file cache under var/. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

import secrets
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_rate,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _embedded_secret_key() -> str:
    # Without DJANGO_SECRET_KEY (the embedded default) a strong key is made once and kept
    # under var/, so sessions survive restarts and no key is ever committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("DJANGO_SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, open only to portal administrators (accounts.admin_site).
    "accounts.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "simple_history",
    "import_export",
    # Domain apps, in the one direction their dependencies point (DESIGN.md §7).
    "core",
    "mahalla",
    "accounts",
    "prevention",
    "partnership",
    "incentives",
    "accountability",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After CSRF and authentication: a key is looked up only for a request that passed the
    # CSRF check, and belongs to its user.
    "core.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# The benchmarks (bench/) read each request's query count from an X-Query-Count header.
QUERY_COUNT_HEADER = env_bool("DJANGO_QUERY_COUNT_HEADER", default=False)
if QUERY_COUNT_HEADER:
    MIDDLEWARE.insert(0, "core.middleware.QueryCountHeaderMiddleware")

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASES = {
    "default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hamkorlik.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat write to one file: WAL and immediate transactions
    # keep them from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------

REDIS_URL = env_redis_url("REDIS_URL")
# Redis holds nothing the portal cannot do without: the cache only saves work, sessions and
# failed logins (django-axes) live in the database, and tasks wait in the database's outbox
# (core.outbox) while the broker is away. So an outage of Redis must make pages slower, never
# failing: django-redis turns every cache error into a miss (logged), and short timeouts keep
# a Redis that hangs from holding a request for long.
REDIS_SOCKET_CONNECT_TIMEOUT_SECONDS = 1
REDIS_SOCKET_TIMEOUT_SECONDS = 2
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_CONNECT_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than the longest task's hard time limit, so an unacknowledged task is not
        # handed to a second worker while the first is still working on it.
        "visibility_timeout": 3600,
        # A send to a broker that is down fails in seconds (the outbox keeps the task); the
        # read timeout stays above the worker's 1 s BRPOP wait, which it must outlast.
        "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": 5,
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _processed_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }

DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# django-ratelimit (the public feedback and application forms) counts in the cache. With Redis
# down it cannot count: the forms stay open rather than refusing every resident, as DRF's
# throttles do too (a cache miss is an empty history). Logins are limited by django-axes,
# which counts in the database and so holds through an outage.
RATELIMIT_FAIL_OPEN = True

CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# How long opening a broker connection may take (Celery's default is 4 s): /healthz and the
# outbox's sends give up on a broker that is down within it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The task outbox (core.outbox): how often the relay (manage.py outbox_relay) looks for tasks
# the web could not send, how many it sends per pass, after how long an unsent task turns
# /healthz red (the broker or the relay is down), and how long sent rows are kept.
OUTBOX_RELAY_INTERVAL_SECONDS = env_int("OUTBOX_RELAY_INTERVAL_SECONDS", default=5, minimum=1)
OUTBOX_RELAY_BATCH = 100
OUTBOX_PENDING_MAX_AGE_SECONDS = env_int("OUTBOX_PENDING_MAX_AGE_SECONDS", default=300, minimum=10)
OUTBOX_SENT_TTL_DAYS = 7
CELERY_TIMEZONE = "Asia/Tashkent"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env_int("HEARTBEAT_INTERVAL_SECONDS", default=60, minimum=5)
# /healthz turns red when the last heartbeat is older than this.
HEARTBEAT_MAX_AGE_SECONDS = 3 * HEARTBEAT_INTERVAL_SECONDS
# A report run that has not moved for this long (every report it makes moves it) has lost its
# batch, to a worker killed in the middle of it: it is resumed (accountability.services
# report_runs_resume), instead of waiting an hour for the broker to hand the batch out again.
REPORT_RUN_STALLED_AFTER_SECONDS = env_int(
    "REPORT_RUN_STALLED_AFTER_SECONDS", default=10 * 60, minimum=1
)
REPORT_RUN_RESUME_INTERVAL_SECONDS = 5 * 60
CELERY_BEAT_SCHEDULE = {
    # Every minute (HEARTBEAT_INTERVAL_SECONDS): proves that beat, the broker and a worker work.
    "heartbeat": {
        "task": "core.tasks.heartbeat_task",
        "schedule": HEARTBEAT_INTERVAL_SECONDS,
        "options": {"expires": HEARTBEAT_INTERVAL_SECONDS},
    },
    # Every day at 08:00 Tashkent time: expiring agreements, overdue obligations and requests.
    "partnership-reminders": {
        "task": "partnership.tasks.partnership_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every night at 01:30 Tashkent time: the current month's, quarter's and year's roll-ups
    # (and last month's, for late records).
    "rollups-refresh-current": {
        "task": "accountability.tasks.rollups_refresh_current_task",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every REPORT_RUN_RESUME_INTERVAL_SECONDS: report runs that stopped moving (a worker
    # killed in the middle of a batch) get their next batch queued again.
    "report-runs-resume": {
        "task": "accountability.tasks.report_runs_resume_task",
        "schedule": REPORT_RUN_RESUME_INTERVAL_SECONDS,
        "options": {"expires": REPORT_RUN_RESUME_INTERVAL_SECONDS},
    },
    # On the 1st of every month at 03:00 Tashkent time: last month's roll-ups, then the
    # mahallas' public reports of last month.
    "reports-monthly": {
        "task": "accountability.tasks.reports_monthly_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    # On 1 January, 1 April, 1 July and 1 October at 04:00 Tashkent time: the quarter just
    # ended, for the districts, the regions and the republic.
    "reports-quarterly": {
        "task": "accountability.tasks.reports_quarterly_task",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=4, minute=0),
    },
    # On 2 January at 05:00 Tashkent time: the year just ended, for the districts, the regions
    # and the republic (a day after the fourth quarter's reports).
    "reports-yearly": {
        "task": "accountability.tasks.reports_yearly_task",
        "schedule": crontab(month_of_year=1, day_of_month=2, hour=5, minute=0),
    },
    # Every day at 09:00 Tashkent time: from the 5th of a month on, reminds the district units
    # that have not submitted last month's data, and their region units (once per month).
    "period-submission-reminders": {
        "task": "prevention.tasks.period_submission_reminders_task",
        "schedule": crontab(hour=9, minute=0),
    },
    # Every day at 02:30 Tashkent time: forgets the idempotency keys of writes older than
    # IDEMPOTENCY_KEY_TTL_HOURS.
    "idempotency-keys-purge": {
        "task": "core.tasks.idempotency_keys_purge_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every day at 02:45 Tashkent time: deletes the outbox's tasks sent more than
    # OUTBOX_SENT_TTL_DAYS ago.
    "outbox-purge": {
        "task": "core.tasks.outbox_purge_task",
        "schedule": crontab(hour=2, minute=45),
    },
}

# --- Authentication -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Twelve characters: the portal holds personal data of residents and officers.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:home"

# Failed logins: after AXES_FAILURE_LIMIT failures for one user name from one address, further
# attempts are refused for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)  # the lockout page says 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"  # the lockout page, JSON for the API
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "uz"
LANGUAGES = [
    ("uz", "Oʻzbekcha"),
    ("uz-cyrl", "Ўзбекча"),
    ("ru", "Русский"),
    ("en", "English"),
]
# Django knows Uzbek in Latin script as "uz"; the Cyrillic script is added here.
LANG_INFO["uz-cyrl"] = {
    "bidi": False,
    "code": "uz-cyrl",
    "name": "Uzbek (Cyrillic)",
    "name_local": "Ўзбекча",
}
# Our catalogues first; then the Uzbek messages of Django, DRF and django-filter that those
# packages lack (locale_thirdparty/README.md).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Tashkent"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------------
# Secure by default; DJANGO_DEBUG=true (local development over plain HTTP) relaxes them.

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of the portal, whose X-Forwarded-For entries are trusted when
# telling clients apart (core.net.client_ip); 0 means clients connect directly.
NUM_PROXIES = env_int("DJANGO_NUM_PROXIES", default=1 if BEHIND_PROXY else 0)
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
RATELIMIT_IP_META_KEY = "core.net.client_ip"
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: pages and the outbox take the token from the page or from
# accounts:session.
CSRF_COOKIE_HTTPONLY = True
# Lax: a link from another site keeps the user signed in; a form posted from it does not.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): every script, style sheet, image and request comes from
# the portal itself. No inline script and no eval: handlers live in static/js/portal.js, and
# htmx runs with allowEval off (templates/base.html). Styles too are 'self' only; the few
# widths computed per row (progress bars) are set from data attributes by static/js/portal.js.
# Two views loosen it, each with a decorator saying why: the Swagger UI page and the archived
# report documents, whose <style> is part of the frozen document.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the SVG icons inside Bootstrap's style sheet.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        # The service worker (accounts:service-worker), served from the portal's root.
        "worker-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields; files are limited separately
# Requests up to this size are received in memory; bigger ones go to a temporary file that
# keeps no more than UPLOAD_RECEIVE_MAX_BYTES of any one file (core.uploads.UploadLimitHandler).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "core.uploads.UploadLimitHandler",
]

# --- E-mail ---------------------------------------------------------------------------------

vars().update(env_email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hamkorlik <noreply@hamkorlik.uz>")

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "600/minute"),
        "auth": env_rate("API_THROTTLE_AUTH", "20/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hamkorlik API",
    "DESCRIPTION": "Cooperation of internal affairs bodies and civil society institutions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Two choice sets in fields named "kind" that are not an EnumChoiceField (mahalla.api).
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "mahalla.models.Territory.Kind",
        "TerritoryEventKindEnum": "mahalla.selectors.TerritoryEventKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # The Idempotency-Key header of core.middleware, on every write.
        "core.openapi.idempotency_key_postprocess",
    ],
}

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"once_a_minute": {"()": "core.logs.RepeatedRecordFilter", "interval": 60}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "DJANGO_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        ),
    },
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        # One traceback a minute while Redis is down, not one per cache call.
        "django_redis.cache": {"filters": ["once_a_minute"]},
    },
}

# --- Portal ---------------------------------------------------------------------------------

PORTAL_NAME = _("Hamkorlik")
# Days after filing during which the inspector may still edit a prevention record; after that
# only a unit officer above corrects it, giving a reason.
PREVENTION_RECORD_EDIT_WINDOW_DAYS = env_int(
    "PREVENTION_RECORD_EDIT_WINDOW_DAYS", default=7, minimum=0
)
# Resident feedback: submissions allowed per client address and hour.
FEEDBACK_RATE = env_rate("FEEDBACK_RATE", "5/h")
# Public applications of organisations allowed per client address.
ORGANISATION_APPLY_RATE = env_rate("ORGANISATION_APPLY_RATE", "10/h")
# Writes sent with an Idempotency-Key header (core.middleware): how long a key is kept, and
# after how long a key whose request never finished (its worker died) is taken over by a
# retry; far longer than any request lives (gunicorn stops a worker after 30 s).
IDEMPOTENCY_KEY_TTL_HOURS = 24
IDEMPOTENCY_KEY_ABANDONED_SECONDS = 10 * 60
# The portal's own address, for links in e-mails sent by background tasks.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# Largest uploaded file (evidence, documents, attachments).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# The most of one file the server keeps while receiving it: the biggest any form takes whole
# (a published report to verify, accountability.views.public). Bigger files are still counted
# to the end, so the form refuses them by their size.
UPLOAD_RECEIVE_MAX_BYTES = 20 * 1024 * 1024
# Where users can get the source of the running portal (AGPL-3.0 §13); shown in the footer.
PORTAL_SOURCE_URL = env_str("PORTAL_SOURCE_URL", "")
