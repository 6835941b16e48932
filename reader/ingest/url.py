"""http(s) URLs: fetched with a timeout, a size limit and a bounded number of redirects."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from reader import __version__

MAX_REDIRECTS = 5
USER_AGENT = f"close-reader/{__version__} (+article import)"


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


def fetch(url: str, *, timeout: float, max_bytes: int) -> Fetched:
    """Fetch a URL; raise ValueError with a one-line reason on any failure."""
    opener = urllib.request.build_opener(_BoundedRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ValueError(f"too large: {int(length):,} bytes (limit {max_bytes:,}; see --max-bytes)")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise ValueError(f"too large: over {max_bytes:,} bytes (see --max-bytes)")
            return Fetched(
                data=data,
                url=response.geturl(),
                content_type=response.headers.get_content_type(),
                charset=response.headers.get_content_charset(),
            )
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise ValueError(f"too many redirects (more than {MAX_REDIRECTS})") from None
        raise ValueError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ValueError(f"timed out after {timeout:g} s") from None
        raise ValueError(f"cannot fetch: {reason}") from None
    except TimeoutError:
        raise ValueError(f"timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith("too large"):
            raise
        raise ValueError(f"cannot fetch: {exc}") from None
