"""Production: refuses to start without its environment; hardened transport and cookies."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_URL, CACHES, MIDDLEWARE, WAGTAILADMIN_BASE_URL, env_bool, env_list

REQUIRED_ENVIRONMENT = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")

for _name in REQUIRED_ENVIRONMENT:
    if not os.environ.get(_name, "").strip():
        raise ImproperlyConfigured(f"Production settings need the environment variable {_name}.")

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")

MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)

# Links made without a request (certificate QR codes, reminder emails, Wagtail's admin
# links) need the public address: BASE_URL when given, else HTTPS on the first named host.
# Loopback names (kept for health checks) are skipped: certificates are permanent evidence.
_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}
_public_host = next(
    (h for h in ALLOWED_HOSTS if h and "*" not in h and h != "." and h not in _LOOPBACK), ""
)
BASE_URL = BASE_URL or (f"https://{_public_host.lstrip('.')}" if _public_host else "")
WAGTAILADMIN_BASE_URL = BASE_URL or WAGTAILADMIN_BASE_URL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Wagtail's live preview shows the page in a same-origin frame, so DENY would break it.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Rate limits (/verify/, sign-in) must hold per client across every worker process: with
# no Redis named in CACHE_URL, the cache lives in the database (its table is made by
# ``migrate``, see cms/cache_table.py) rather than in each process's memory.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cms_cache",
        }
    }

# Static files are served by the app itself, compressed and with far-future cache headers.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
