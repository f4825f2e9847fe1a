"""Fail any test that opens a network connection: the product's promise is offline.

Loopback and Unix sockets stay allowed (a notebook kernel talks to its client over loopback); everything
else raises before a packet leaves.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any


class NetworkAccessError(AssertionError):
    """A test tried to reach the network."""


def _is_local(family: int, address: Any) -> bool:
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_original_connect = socket.socket.connect
_original_getaddrinfo = socket.getaddrinfo
_original_connect_ex = socket.socket.connect_ex


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_local(self.family, address):
        raise NetworkAccessError(f"test tried to connect to {address!r}")
    _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_local(self.family, address):
        raise NetworkAccessError(f"test tried to connect to {address!r}")
    return _original_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    # A name lookup is network traffic too.
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_local(socket.AF_INET, (name,)):
        raise NetworkAccessError(f"test tried to resolve {name!r}")
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    socket.getaddrinfo = _original_getaddrinfo
    socket.socket.connect = _original_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _original_connect_ex  # type: ignore[method-assign]
