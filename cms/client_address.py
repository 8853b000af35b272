"""The address of the client behind a request, the one thing every per-client limit
(``/verify/`` lookups, failed sign-ins) counts by.

Behind a TLS-terminating proxy every request comes from the proxy, so the client is
named in ``X-Forwarded-For``; but anyone can send that header. It is believed only when
the request came from an address listed in ``TRUSTED_PROXIES``, and then only the
entries those proxies added: reading from the right, the first address that is not
itself a trusted proxy is the client. Entries further left were written by the client
and are never read.
"""

import functools
import ipaddress

from django.conf import settings

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the right-most untrusted entry of
    X-Forwarded-For when REMOTE_ADDR is a trusted proxy."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return UNKNOWN
    networks = trusted_networks()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not something a trusted proxy writes: stop at the last address we trust.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
