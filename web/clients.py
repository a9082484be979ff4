"""Who a request comes from: the address that per-client limits count by.

The connection's address, unless it is one of the configured reverse
proxies (``KG_TRUSTED_PROXIES``): then ``X-Forwarded-For`` is read from the
right, skipping the trusted proxies, and its first other address is the
client. Entries left of that are whatever the client wrote and are never
believed, so a client cannot pick its own address by sending the header.

>>> trusted = parse_networks(["127.0.0.1", "10.8.0.0/16"])
>>> client_address("127.0.0.1", "198.51.100.7, 10.8.1.2", trusted)
'198.51.100.7'
>>> client_address("127.0.0.1", "made-up, 203.0.113.9", trusted)
'203.0.113.9'
>>> client_address("192.0.2.1", "203.0.113.9", trusted)
'192.0.2.1'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from kg.errors import UsageError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(texts: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks from the setting; a bad one is a usage error."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise UsageError(f"KG_TRUSTED_PROXIES: {text!r} is not an address or a network "
                             "such as 10.0.0.0/8") from None
    return tuple(networks)


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(remote: str, forwarded_for: str | None,
                   trusted: tuple[Network, ...]) -> str:
    """The client's address, from the connection and a trusted proxy's header."""
    if not trusted or not forwarded_for or not _trusted(remote, trusted):
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop[:64]  # a key, not shown to anyone: bounded in size
    return hops[0] if hops else remote
