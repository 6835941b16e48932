"""`reader serve`: the full app in a browser, through Textualize's textual-serve.

Each browser session runs `reader` as its own process (the same command and write path as in
a terminal), with the annotator taken from the session's token, never from the browser. The
core parts here (tokens, memory, the status file) import neither aiohttp nor textual; the web
server itself is `reader.serve.server`, imported only when serving.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets


def in_session() -> bool:
    """True inside a session of `reader serve`: the app talks to a browser through pipes by
    Textual's web driver (set by textual-serve's app service), so it needs no terminal, and
    whoever types is not on this machine."""
    return os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver:")


def new_token() -> str:
    """A fresh token for a link: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token (SHA-256 hex): enough to check one, not to make one."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
