"""Which address a request comes from, for per-client rate limits.

`X-Forwarded-For` is anyone's to write: it is read only when the peer itself is one of
COMPTOIR_TRUSTED_PROXIES, and then from the right, skipping the trusted proxies, so a client
cannot slip a made-up address in front of the one its proxy appended.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]
) -> str:
    """The client's address: the peer, or behind trusted proxies the nearest untrusted hop."""
    networks = _networks(trusted_proxies)
    if peer is None or not forwarded_for or not _trusted(peer, networks):
        return peer or "unknown"
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            return hop[:64]
    return peer
