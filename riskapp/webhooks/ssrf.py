"""Refusing webhook targets inside the deployment's network (SSRF), checked before every delivery.

The host is resolved once and the connection goes to that address, so a name that resolves to a
public address when checked cannot resolve to a private one when connected (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l


class UnsafeTarget(ValueError):
    """The URL may not be called; ``str(error)`` is a translated message for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_loopback or address.is_private or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified
            or not address.is_global)


def check_url(url: str) -> Target:
    """The resolved target of ``url``, or UnsafeTarget with the reason."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget(_l("The address must start with http:// or https:// and name a host."))
    if parts.username or parts.password:
        raise UnsafeTarget(_l("The address may not contain a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:
        raise UnsafeTarget(_l("The host of this address cannot be found.")) from error
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    allow_private = current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False)
    if not allow_private and any(_forbidden(address) for address in addresses):
        raise UnsafeTarget(_l("This address points into a private or local network; "
                              "only public addresses may receive webhooks."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, str(addresses[0]), path)
