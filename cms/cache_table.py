"""The database cache's table, made whenever ``migrate`` runs: production settings keep
rate-limit counters and cached figures in the database when no CACHE_URL names Redis,
so every process shares them, and nobody has to remember ``createcachetable``."""

from django.conf import settings
from django.core.management import call_command

DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"


def uses_database_cache() -> bool:
    return any(cache["BACKEND"] == DATABASE_CACHE for cache in settings.CACHES.values())


def create_cache_table(sender, using="default", **kwargs) -> None:
    """post_migrate receiver: make any missing database cache table (a no-op otherwise)."""
    if uses_database_cache():
        call_command("createcachetable", database=using, verbosity=0)
