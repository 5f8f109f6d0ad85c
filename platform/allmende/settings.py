"""Settings for every process (web, worker, beat, tests, manage.py), read from the environment.

DJANGO_ENV selects the profile: `development` (default), `test` or `production`. Production
refuses to start without DJANGO_SECRET_KEY and DATABASE_URL (ImproperlyConfigured) and passes
`manage.py check --deploy` without warnings. With DATABASE_URL unset outside production the
embedded PostgreSQL under .data/postgres is started on demand (infra/embedded_pg.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from allmende import env

ROOT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(env.get("ALLMENDE_DATA_DIR", str(ROOT_DIR / ".data")))

ENVIRONMENT = env.get("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production.")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"
DEBUG = env.get_bool("DJANGO_DEBUG", ENVIRONMENT == "development")


def _development_secret_key() -> str:
    # Generated once per checkout so that no key is ever committed.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.get("DJANGO_SECRET_KEY", required=PRODUCTION) or _development_secret_key()

# Portals live at <subdomain>.PLATFORM_DOMAIN; the platform site itself at PLATFORM_DOMAIN.
PLATFORM_DOMAIN = env.get("PLATFORM_DOMAIN", "localhost").lower()
PUBLIC_URL_SCHEME = env.get("PUBLIC_URL_SCHEME", "https" if PRODUCTION else "http")
PUBLIC_PORT = env.get("PUBLIC_PORT", "" if PRODUCTION else "8000")
# Any syntactically valid host reaches the routing middleware, which answers unknown hosts with
# a 404 of its own; custom portal domains cannot be listed here in advance.
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["*"])

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "core",
    "accounts",
    "features",
    "billing",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # allauth's security-key list formats dates with it.
    "django.contrib.humanize",
    "rest_framework",
    "allauth",
    "allauth.account",
    "allauth.mfa",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "core",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "themes",
    "news",
    "members",
    "spaces",
    "comments",
    "discussions",
    "documents",
    "moderation",
    "notifications",
    "search",
    "ideas",
    "proposals",
    "events",
    "places",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Portal"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "allmende.urls_public"
ROOT_URLCONF = "allmende.urls_portal"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# `SET search_path` once after the schema changes, not before every statement: half of a page's
# statements otherwise. django-tenants forgets the setting at rollback, savepoint rollback and
# reconnect, where PostgreSQL forgets it too; our raw `SET LOCAL`s (schema_clone) do the same.
# tenants.postgresql_backend also skips it when the connection already holds the wanted path.
TENANT_LIMIT_SET_CALLS = True
# Schemas are created by tenants.services.provisioning, never as a side effect of Portal.save().
PORTAL_TEMPLATE_SCHEMA = "portal_template"
# Migrated spare schemas kept ready so provisioning renames one instead of copying the
# template (tenants.spares); 0 switches the pool off.
SPARE_SCHEMAS = env.get_int("SPARE_SCHEMAS", 3)
PORTAL_PURGE_GRACE_DAYS = env.get_int("PORTAL_PURGE_GRACE_DAYS", 30)
PORTAL_EXPORT_DIR = Path(env.get("PORTAL_EXPORT_DIR", str(DATA_DIR / "exports")))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tenants.middleware.PortalRoutingMiddleware",
    "features.gate.FeatureGateMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "themes.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.MemberLanguageMiddleware",
    "accounts.middleware.LastSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.MembersOnlyMiddleware",
    "accounts.middleware.RequiredMfaMiddleware",
    "core.gates.AdminGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT_DIR / "platform" / "templates"],
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "core.template_loaders.AppDirectoriesLoader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.media",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.portal",
                "features.gate.context",
                "core.gates.context",
                "accounts.context_processors.accounts",
                "billing.context_processors.billing_notice",
            ],
        },
    },
]

WSGI_APPLICATION = "allmende.wsgi.application"

DATABASE_URL = env.get("DATABASE_URL", required=PRODUCTION)
if DATABASE_URL:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=600 if PRODUCTION else 0)
else:
    from infra import embedded_pg

    _database = embedded_pg.ensure_running()
# Lets processes started by the test suite (a worker, a command) use the suite's test database.
_database["NAME"] = env.get("DATABASE_NAME", _database["NAME"])
_database["ENGINE"] = "tenants.postgresql_backend"
# Persistent connections, checked before each request reuses one: after a database restart the
# first request of every process reconnects instead of failing on the dead connection.
_database["CONN_MAX_AGE"] = env.get_int("DATABASE_CONN_MAX_AGE", _database.get("CONN_MAX_AGE") or 0)
_database["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL backend keeps the catalogue of every schema it has touched (~100 kB each for the
# read mix), so a persistent connection serving the whole fleet would grow without bound: the
# request that takes it past either limit closes it (tenants.connections). 0 switches a limit off.
# 1,000 schemas: a backend peaked at 99 MB (bench fleet, under the 150 MB bound) and reads over
# 1,000 portals kept their catalogue warm (p95 1.2x that over 10 portals; 1.3x at 200, where
# every connection was closed before it came back to a portal). The request limit only guards
# against growth the schema limit does not see: at 5,000 a worker's connection was recycled
# every minute of the benchmark and each new one loaded 1,000 catalogues again (p95 1.20x;
# 1.13x at 50,000 in the same hour, memory the same 99 MB peak).
DB_MAX_SCHEMAS_PER_CONNECTION = env.get_int("DB_MAX_SCHEMAS_PER_CONNECTION", 1000)
DB_MAX_REQUESTS_PER_CONNECTION = env.get_int("DB_MAX_REQUESTS_PER_CONNECTION", 50000)
_database.setdefault("TEST", {})["NAME"] = env.get("TEST_DATABASE_NAME", "test_allmende")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.get("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: routes, feature sets, themes and Celery's queue "
        "must be shared by every web and worker process, and the embedded file cache and broker "
        "reach only the processes of one machine."
    )
if REDIS_URL:
    _cache_backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
    _routing_cache = dict(_cache_backend)
else:
    # A file cache is shared by the web and worker processes, so invalidation reaches both.
    # Django's default of 300 entries thrashes beyond ~150 portals (a portal needs ~5 routing
    # entries and more in "default"); these hold 1,000 active portals with room to spare. When
    # full, a cull drops a random tenth (CULL_FREQUENCY 10) rather than a third; the count is
    # checked on every hundredth write only (tenants.filecache), not by listing the folder on
    # each.
    _cache_backend = {
        "BACKEND": "tenants.filecache.SparselyCulledFileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / ENVIRONMENT / "portals"),
        "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 10},
    }
    _routing_cache = {
        "BACKEND": "tenants.filecache.SparselyCulledFileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / ENVIRONMENT / "routing"),
        "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 10},
    }
CACHES = {
    # Everything a portal caches is prefixed with its schema: see tenants.cache.
    "default": {**_cache_backend, "KEY_FUNCTION": "tenants.cache.portal_cache_key"},
    # Host -> portal routing data, shared by all portals.
    "routing": {**_routing_cache, "KEY_PREFIX": f"routing-{ENVIRONMENT}"},
}
# Routes, feature sets and published themes are also kept in each process (tenants.localcache):
# this many entries, each checked against its version in the shared cache at most once per this
# many seconds, which is how long another process may serve an invalidated entry. Tests check on
# every read: their data is rolled back, not invalidated, and each test clears the shared cache.
LOCAL_CACHE_MAX_ENTRIES = env.get_int("LOCAL_CACHE_MAX_ENTRIES", 5000)
LOCAL_CACHE_CHECK_SECONDS = env.get_int("LOCAL_CACHE_CHECK_SECONDS", 0 if TESTING else 1)

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Passwords are hashed with Argon2; older hashes are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # invitation links stay valid for a week

# Member accounts (django-allauth), per portal schema: login by e-mail, sign-up with mandatory
# verification, allauth's rate limits. accounts.adapter routes every account creation through
# our services (registration policy, member limit, audit log); the platform host has no sign-up.
ACCOUNT_ADAPTER = "accounts.adapter.PortalAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirmation keys are random rows in the portal's own schema. allauth's default signed keys name
# only the address's id, and ids repeat across schemas: a key made in one portal would verify an
# address in another (found by tests/security/test_cross_tenant_matrix.py).
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# An address that exists gets a clear message instead of a pretend success (the rule).
ACCOUNT_PREVENT_ENUMERATION = False
# Two-factor login: an authenticator app (TOTP) or a security key (WebAuthn), with recovery codes.
# Required for platform staff in the operator console, and for a portal's admins where the portal
# says so.
MFA_ADAPTER = "accounts.adapter.PortalMfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Security keys (WebAuthn) as a second factor; each portal host is its own relying party
# (accounts.adapter.PortalMfaAdapter). Origins are checked everywhere: browsers and fido2 accept
# https and http://*.localhost only, so production stays HTTPS-only and `make up` works as is.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

LANGUAGE_CODE = "de"
# Every language a portal may offer (docs/languages.md). The platform site, the operator console
# and a portal's admin area stay German and English (themes.languages.ADMIN_LANGUAGES).
LANGUAGES = [
    ("de", "Deutsch"),
    ("en", "English"),
    ("uk", "Українська"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
]
LOCALE_PATHS = [ROOT_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
# Outbound fetches of URLs people enter (core.outbound: OParl, iCal imports); production always
# refuses private and loopback targets, whatever this says.
OUTBOUND_ALLOW_PRIVATE = env.get_bool("OUTBOUND_ALLOW_PRIVATE", not PRODUCTION)
OUTBOUND_ALLOWED_PORTS = [int(p) for p in env.get_list("OUTBOUND_ALLOWED_PORTS", [])]
# Our own English formats (allmende/formats/en): day before month and a 24-hour clock.
FORMAT_MODULE_PATH = ["allmende.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.get("STATIC_ROOT", str(ROOT_DIR / "staticfiles")))
STATICFILES_DIRS = [ROOT_DIR / "platform" / "static"]
# Leaflet and its cluster plugin, from the npm registry (infra/ensure_leaflet.sh copies their
# dist files here), served as our own static files under vendor/.
VENDOR_STATIC_DIR = DATA_DIR / "vendor"
if VENDOR_STATIC_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor", VENDOR_STATIC_DIR))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.get("MEDIA_ROOT", str(DATA_DIR / "media")))
# The accessibility harness (tests/a11y) writes its latest result here; statements read it.
ACCESSIBILITY_CHECK_RESULT = Path(
    env.get("ACCESSIBILITY_CHECK_RESULT", str(DATA_DIR / "a11y" / "last-check.json"))
)
STORAGES = {
    "default": {"BACKEND": "tenants.storage.PortalFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

globals().update(env.email_settings(env.get("EMAIL_URL"), str(DATA_DIR / "mail")))
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", f"Allmende <noreply@{PLATFORM_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Cookies are host-only: a portal's session never travels to another portal's host. A sibling
# portal can still set a cookie for the parent domain, so nothing relies on one it could plant:
# the CSRF secret lives in the session (a key of this portal's schema), and in production the
# session cookie carries the __Host- prefix, which browsers refuse to take with a Domain.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
CSRF_USE_SESSIONS = True
SESSION_COOKIE_NAME = "__Host-sessionid" if PRODUCTION else "sessionid"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.get_bool("SECURE_HSTS_PRELOAD", True)
    if env.get_bool("TRUST_X_FORWARDED_PROTO", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health check reaches /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
}

CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost//"
if not REDIS_URL:
    _broker = DATA_DIR / "broker" / ENVIRONMENT
    for _folder in ("queue", "processed", "control"):
        (_broker / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died (killed, out of memory) goes back to the queue instead of
# being acknowledged as failed; tasks are idempotent (themes.mail sends a mail once per task).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / f"celerybeat-schedule-{ENVIRONMENT}")
CELERY_BEAT_SCHEDULE = {
    "purge-archived-portals": {
        "task": "tenants.tasks.purge_due_portals",
        "schedule": crontab(hour=3, minute=17),
    },
    "billing-dunning": {"task": "billing.tasks.enforce_dunning", "schedule": crontab(minute=7)},
    "billing-reconciliation": {
        "task": "billing.tasks.reconcile_subscriptions",
        "schedule": crontab(hour=2, minute=41),
    },
    "expire-domain-claims": {
        "task": "tenants.tasks.expire_domain_claims",
        "schedule": crontab(minute=23),
    },
    # Digests of notifications (notifications.tasks; portal-local time, TIME_ZONE).
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=6, minute=30),
        "kwargs": {"frequency": "daily"},
    },
    "notifications-weekly-digest": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=6, minute=45, day_of_week=1),
        "kwargs": {"frequency": "weekly"},
    },
    # Spaces' subscribed calendars (events.imports), every portal, twice an hour.
    "events-import-calendars": {
        "task": "events.tasks.import_calendars_everywhere",
        "schedule": crontab(minute="5,35"),
    },
    # Reminders a day before an event to those going (events.services.send_reminders).
    "events-reminders": {
        "task": "events.tasks.send_reminders_everywhere",
        "schedule": crontab(minute=50),
    },
    # Spare portal schemas for instant provisioning (tenants.spares), topped up every 5 minutes.
    "tenants-refill-spare-schemas": {
        "task": "tenants.tasks.refill_spare_schemas",
        "schedule": crontab(minute="*/5"),
    },
    # Deleted documents keep their files for 30 days, then go (documents.services).
    "documents-purge": {
        "task": "documents.tasks.purge_deleted_everywhere",
        "schedule": crontab(hour=4, minute=11),
    },
}
CELERY_TIMEZONE = TIME_ZONE

SENTRY_DSN = env.get("SENTRY_DSN")
if SENTRY_DSN:
    from allmende.observability import init_sentry

    init_sentry(SENTRY_DSN, environment=ENVIRONMENT)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"portal": {"()": "tenants.context.PortalLogFilter"}},
    "formatters": {
        "portal": {"format": "%(asctime)s %(levelname)s [portal=%(portal)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["portal"],
            "formatter": "portal",
        }
    },
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Resolvers for verifying own domains; unset means the system's resolvers.
DNS_NAMESERVERS = env.get_list("DNS_NAMESERVERS", [])
DNS_PORT = env.get_int("DNS_PORT", 53)
# An unverified claim on an own domain counts this long; then it no longer can be verified and
# the "expire-domain-claims" beat task removes it.
DOMAIN_CLAIM_LIFETIME_DAYS = env.get_int("DOMAIN_CLAIM_LIFETIME_DAYS", 7)

STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env.get("STRIPE_API_BASE")
STRIPE_PUBLISHABLE_KEY = env.get("STRIPE_PUBLISHABLE_KEY", "pk_test_allmende")
STRIPE_JS_URL = env.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
STRIPE_LIVEMODE = env.get_bool("STRIPE_LIVEMODE", False)
BILLING_GRACE_DAYS = env.get_int("BILLING_GRACE_DAYS", 14)
# Plan prices are gross amounts; the pages say which VAT rate they include.
BILLING_VAT_PERCENT = env.get_int("BILLING_VAT_PERCENT", 19)

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
