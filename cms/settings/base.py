"""Settings shared by every environment; safe by default, secrets from the environment."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Comma-separated addresses or networks (``10.0.0.0/8``, ``2001:db8::1``)."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks, not {entry!r}."
            ) from None
    return entries


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "cms",
    "assessments",
    "courses",
    "certificates",
    "learning",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.security_headers.ContentSecurityPolicyMiddleware",
    "cms.security_headers.NoStoreWhenSignedInMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.site_address.SiteAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireStaffMFAMiddleware",
    "cms.admin_access.AdminAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_config() -> dict:
    """PostgreSQL (or any engine) from DATABASE_URL; otherwise an embedded SQLite file.

    SQLite runs in WAL mode and opens write transactions with BEGIN IMMEDIATE, so
    two writers queue on the busy timeout instead of failing with "database is locked".
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Sessions end when the browser closes after two weeks at the most.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "policy-certify",
    }
}
if os.environ.get("CACHE_URL", "").startswith("redis://"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }

# Mail: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "training@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose worker has not been seen for this long is put back in the queue.
TASK_WORKER_LEASE_SECONDS = int(os.environ.get("TASK_WORKER_LEASE_SECONDS", "60"))
# Certificates a recertification fan-out handles per transaction.
RECERTIFICATION_BATCH_SIZE = int(os.environ.get("RECERTIFICATION_BATCH_SIZE", "2000"))

# --- django-allauth -------------------------------------------------------
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins: 10 a minute from one address, 5 in 5 minutes for one account.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# The proxies in front of the site (addresses or networks). A request from one of them
# is counted against the client named in its X-Forwarded-For (cms/client_address.py), for
# /verify/ and for sign-in alike; from anywhere else, X-Forwarded-For is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# Email domains whose owners may create their own account; empty: nobody may.
SELF_REGISTRATION_DOMAINS = [d.lower() for d in env_list("SELF_REGISTRATION_DOMAINS")]

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Policy Certify")
# When on, superusers and members of these groups must set up TOTP before anything else.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)
MFA_REQUIRED_GROUPS = ["HR"]

SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False
# Single sign-on signs up only with the address the provider verified, not editable.
SOCIALACCOUNT_FORMS = {"signup": "accounts.forms.SingleSignOnSignupForm"}

# Draftail, refusing a posted value that is not its own format rather than failing on it.
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "cms.rich_text.CheckedDraftailRichTextArea"}
}
# The OpenID Connect client is always installed (with PKCE); it offers a provider once
# OIDC_SERVER_URL names one, or a social application is added in the database.
INSTALLED_APPS.append("allauth.socialaccount.providers.openid_connect")
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "")
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": os.environ.get("OIDC_PROVIDER_ID", "sso"),
            "name": os.environ.get("OIDC_PROVIDER_NAME", "Company sign-in"),
            "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
            "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
            "settings": {"server_url": OIDC_SERVER_URL},
        }
    ]

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Policy Certify")
# The public address for links made outside a page (certificates, emails, admin links);
# unset, they use the address of the request or the default Wagtail Site (cms/site_address.py).
BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL or "http://127.0.0.1:8000"
# Development: the default Site takes the address the site is served on.
SITE_ADDRESS_FROM_REQUESTS = False
WAGTAILADMIN_LOGIN_URL = "account_login"
# No avatars fetched from an outside service: staff details stay on this server.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No autosave in the editors: an autosave on a new question or snippet created it, so its
# first Save read "updated"; and every pause in typing left a revision in the history an
# auditor reads. Editors save drafts when they choose to.
WAGTAIL_AUTOSAVE_INTERVAL = 0
# Passwords are managed through allauth's pages only, so rate limits and MFA always apply.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents (job aids): only these kinds are accepted (an .html, .svg or unknown file is
# refused on upload), each served with this content type, nosniff and a CSP of
# default-src 'none'; only PDFs open in the browser, the rest download. Who may download
# one is learning/document_access.py.
WAGTAILDOCS_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
}
WAGTAILDOCS_EXTENSIONS = list(WAGTAILDOCS_CONTENT_TYPES)
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf"]
WAGTAILDOCS_BLOCK_EMBEDDED_CONTENT = True
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest staff CSV accepted through the admin upload.
STAFF_IMPORT_MAX_BYTES = 5 * 1024 * 1024

# Certificates: serials read PREFIX-000123; /verify/ answers this many lookups a minute
# per client before it asks them to wait.
CERTIFICATE_SERIAL_PREFIX = os.environ.get("CERTIFICATE_SERIAL_PREFIX", "CERT")
VERIFY_LOOKUPS_PER_MINUTE = int(os.environ.get("VERIFY_LOOKUPS_PER_MINUTE", "30"))
CERTIFICATE_RENDER_SECONDS = int(os.environ.get("CERTIFICATE_RENDER_SECONDS", "60"))
# Reminder emails go this many days before an assignment is due (and once overdue).
REMINDER_DAYS_BEFORE = sorted(
    int(days) for days in os.environ.get("REMINDER_DAYS", "30,14,7,1").split(",") if days.strip()
)
# The most certificate PDFs HR may download in one ZIP.
CERTIFICATE_ZIP_MAX = int(os.environ.get("CERTIFICATE_ZIP_MAX", "500"))
QUESTION_IMPORT_MAX_BYTES = 2 * 1024 * 1024

# seed_demo refuses to run unless a settings module turns this on.
DEMO_DATA_ALLOWED = False

X_FRAME_OPTIONS = "SAMEORIGIN"
# Pages under this path are the Wagtail admin, whose Content-Security-Policy allows the
# inline scripts and styles it needs (cms/security_headers.py).
ADMIN_PATH_PREFIX = "/admin/"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates each step of every PDF at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

ACCOUNT_FORMS = {"signup": "accounts.forms.DomainRestrictedSignupForm"}

# Training
# Onboarding courses are assigned to people whose hire date is no older than this.
ONBOARDING_WINDOW_DAYS = int(os.environ.get("ONBOARDING_WINDOW_DAYS", "90"))
