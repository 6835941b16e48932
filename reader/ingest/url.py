"""http(s) URLs: fetched with a timeout, a size limit and a bounded number of redirects."""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from reader import __version__

MAX_REDIRECTS = 5
USER_AGENT = f"close-reader/{__version__} (+article import)"
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fetched:
    """A fetched document: its body, its final URL after redirects and its content type."""

    data: bytes
    url: str
    content_type: str
    charset: str | None


class _BoundedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS
    max_repeats = 2

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        # urllib would follow a redirect to ftp://; reader fetches http(s) only.
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise ValueError(f"redirected to a URL that is not http(s): {newurl[:200]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float, max_bytes: int) -> Fetched:
    """Fetch a URL; raise ValueError with a one-line reason on any failure."""
    opener = urllib.request.build_opener(_BoundedRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"})
    # The socket timeout bounds each wait; the deadline bounds the whole body, so a server
    # trickling a byte at a time cannot hold an import for minutes.
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ValueError(f"too large: {int(length):,} bytes (limit {max_bytes:,}; see --max-bytes)")
            parts: list[bytes] = []
            size = 0
            while size <= max_bytes:
                if time.monotonic() > deadline:
                    raise TimeoutError
                # read1: at most one wait on the socket, so the deadline is checked between waits
                part = response.read1(min(_READ_CHUNK, max_bytes + 1 - size))
                if not part:
                    break
                parts.append(part)
                size += len(part)
            if size > max_bytes:
                raise ValueError(f"too large: over {max_bytes:,} bytes (see --max-bytes)")
            if length and length.isdigit() and size < int(length):
                raise ValueError(f"cannot fetch: the connection closed after {size:,} of {int(length):,} bytes")
            return Fetched(
                data=b"".join(parts),
                url=response.geturl(),
                content_type=response.headers.get_content_type(),
                charset=response.headers.get_content_charset(),
            )
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            if "infinite loop" in str(exc.reason):
                raise ValueError(f"too many redirects (more than {MAX_REDIRECTS})") from None
            if "not allowed" in str(exc.reason):
                raise ValueError("redirected to a URL that is not http(s)") from None
            raise ValueError(f"HTTP {exc.code}: redirect without a usable location") from None
        raise ValueError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ValueError(f"timed out after {timeout:g} s") from None
        raise ValueError(f"cannot fetch: {reason}") from None
    except TimeoutError:
        raise ValueError(f"timed out after {timeout:g} s") from None
    except http.client.InvalidURL as exc:
        raise ValueError(f"invalid URL: {exc}") from None
    except http.client.HTTPException as exc:
        # Not an HTTP response at all (BadStatusLine), or the body stopped short (IncompleteRead).
        raise ValueError(f"cannot fetch: bad HTTP response ({type(exc).__name__})") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith(("too large", "redirected to", "cannot fetch")):
            raise
        raise ValueError(f"cannot fetch: {exc}") from None
