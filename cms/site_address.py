"""The site's public address, for every link made outside a page: certificate QR codes
and printed addresses, emails, evidence packs and Wagtail's own admin links.

``BASE_URL`` in the environment wins (production sets it). Otherwise a link made while
answering a request uses the address that request came to, and one made without a
request (background tasks) uses the default Wagtail Site (Settings → Sites). In
development the default Site follows the address the site is actually served on, so a
demo on port 8102 prints 8102: see ``SiteAddressMiddleware``.
"""

from django.conf import settings
from django.core.management.commands.runserver import naiveip_re
from django.db import transaction
from django.http.request import split_domain_port
from wagtail.models import Site

# What Wagtail's first migration creates: no one chose this address.
PLACEHOLDER = ("localhost", 80)
LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}
FALLBACK = "http://localhost"


def site_base_url(request=None) -> str:
    """The site's public base URL without a trailing slash, e.g. ``https://x.example``."""
    if settings.BASE_URL:
        return settings.BASE_URL.rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    site = Site.objects.filter(is_default_site=True).only("hostname", "port").first()
    return site.root_url if site is not None else FALLBACK


def _follows(site: Site, hostname: str) -> bool:
    """Whether the default Site should take the address a request came to: while it is
    still the placeholder, or when both are this machine (a demo moved to another port).
    A public address someone chose is never changed."""
    return (site.hostname, site.port) == PLACEHOLDER or (
        site.hostname in LOOPBACK and hostname in LOOPBACK
    )


@transaction.atomic
def default_site_adopt_address(*, hostname: str, port: int) -> Site | None:
    """Give the default Site this address if it should follow it (see ``_follows``).
    Returns the default Site, changed or not; None if there is none."""
    site = Site.objects.select_for_update().filter(is_default_site=True).first()
    if site is None:
        return None
    if (site.hostname, site.port) != (hostname, port) and _follows(site, hostname):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site


class ServingAddressError(ValueError):
    """An address the development server could not be started on."""


def serving_address_parse(addrport: str) -> tuple[str, int]:
    """``[host:]port`` as ``runserver`` reads it, as (hostname, port). Raises
    ``ServingAddressError`` saying why for anything it would refuse, so nothing is saved
    from an address no server can listen on."""
    match = naiveip_re.fullmatch(addrport.strip())
    if match is None:
        raise ServingAddressError(f"{addrport!r} is not HOST:PORT, e.g. 127.0.0.1:8000.")
    port = int(match["port"])
    if not 1 <= port <= 65535:
        raise ServingAddressError(f"{addrport!r}: the port must be between 1 and 65535.")
    return (match["addr"] or "127.0.0.1").strip("[]").lower(), port


def default_site_adopt_serving_address(addrport: str) -> None:
    """Before the development server starts on ``addrport`` (``[host:]port``), so work the
    worker does before anyone visits carries the right address. An address that is not
    one (0.0.0.0, ::) is left to the first request. Raises ``ServingAddressError`` for an
    address that is not one at all, before anything is saved."""
    hostname, port = serving_address_parse(addrport)
    if not settings.SITE_ADDRESS_FROM_REQUESTS or settings.BASE_URL:
        return
    if hostname not in ("0.0.0.0", "::", "0"):  # noqa: S104 - compared, not bound
        default_site_adopt_address(hostname=hostname, port=port)


class SiteAddressMiddleware:
    """Development only (``SITE_ADDRESS_FROM_REQUESTS``, on in dev settings, and only
    without ``BASE_URL``): the default Site takes the host and port the site is served on,
    so background work, which has no request, prints the address people actually use.
    Checked once per address per process; Wagtail's admin link setting follows it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.handled: str | None = None

    def __call__(self, request):
        if settings.SITE_ADDRESS_FROM_REQUESTS and not settings.BASE_URL:
            host = request.get_host()
            if host != self.handled:
                hostname, port = split_domain_port(host)
                default_port = 443 if request.is_secure() else 80
                site = default_site_adopt_address(
                    hostname=hostname, port=int(port) if port else default_port
                )
                if site is not None:
                    settings.WAGTAILADMIN_BASE_URL = site.root_url
                self.handled = host
        return self.get_response(request)
