"""Sources to Articles: files, directories, URLs, stdin and JSON Lines.

`collect` walks what the user named and yields one outcome per article or per problem, so the
caller can import the good ones and report the rest: one bad file never stops a batch.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reader.ingest.exports import ExportedArticle
from reader.sanitize import DecodeError, clean_field, clean_markup, clean_meta, decode
from reader.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from reader.model import Article

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


@dataclass(frozen=True)
class Failed:
    """An input that could not become an article, and why (one line)."""

    source: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A file inside a directory that reader does not read; worth a note, not an error."""

    source: str
    reason: str


Outcome = Article | Failed | Skipped | ExportedArticle


@dataclass(frozen=True)
class Limits:
    """How much one input may be and how long a URL may take."""

    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def collect(targets: Iterable[str], limits: Limits = Limits()) -> Iterator[Outcome]:
    """Yield an outcome for every article in, or problem with, each target in turn."""
    for target in targets:
        if target == "-":
            data = _read_stdin(limits)
            if len(data) > limits.max_bytes:
                yield Failed("<stdin>", f"too large: over {limits.max_bytes:,} bytes (see --max-bytes)")
                continue
            yield from _from_bytes(data, "<stdin>", None, sniff=True)
        elif is_url(target):
            yield from _from_url(target, limits)
        elif "://" in target:
            yield Failed(target, "unsupported URL scheme (reader fetches http:// and https://)")
        else:
            yield from _from_path(Path(target), limits, explicit=True)


def _read_stdin(limits: Limits) -> bytes:
    if sys.stdin is None:  # started with stdin closed
        return b""
    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    return data


def _source(path: Path) -> str:
    """A path as it is stored and shown: no controls or escapes, undecodable bytes as U+FFFD."""
    return clean_meta(str(path)).replace("\n", " ").replace("\t", " ")


def _from_path(path: Path, limits: Limits, *, explicit: bool) -> Iterator[Outcome]:
    source = _source(path)
    if path.is_symlink() and not path.exists():
        yield Failed(source, "dangling symbolic link")
        return
    if not path.exists():
        yield Failed(source, "no such file or directory")
        return
    if path.is_dir():
        yield from _from_directory(path, limits)
        return
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        reason = f"unsupported file type {suffix or '(no extension)'} (reader reads .txt, .md, .html, .htm, .jsonl)"
        yield Failed(source, reason) if explicit else Skipped(source, reason)
        return
    if not path.is_file():
        yield Failed(source, "not a regular file")
        return
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            yield Failed(source, f"too large: {size:,} bytes (limit {limits.max_bytes:,}; see --max-bytes)")
            return
        data = path.read_bytes()
    except PermissionError:
        yield Failed(source, "permission denied")
        return
    except OSError as exc:
        yield Failed(source, f"cannot read: {exc.strerror or exc}")
        return
    yield from _from_bytes(data, source, suffix, sniff=False)


def _from_directory(root: Path, limits: Limits) -> Iterator[Outcome]:
    found = False
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            found = True
            yield from _from_path(Path(dirpath) / name, limits, explicit=False)
    if not found:
        yield Failed(_source(root), "empty directory: no files to import")


def _from_url(url: str, limits: Limits) -> Iterator[Outcome]:
    from reader.ingest.url import fetch

    try:
        page = fetch(url, timeout=limits.timeout, max_bytes=limits.max_bytes)
    except ValueError as exc:
        yield Failed(url, str(exc))
        return
    kind = page.content_type
    if kind in ("text/html", "application/xhtml+xml"):
        suffix = ".html"
    elif kind in ("text/plain", "text/markdown"):
        suffix = ".md" if kind == "text/markdown" else ".txt"
    else:
        yield Failed(url, f"not an article: content type {kind}")
        return
    data = page.data
    if page.charset and suffix != ".html":
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            data = data.decode(page.charset).encode("utf-8")
    for outcome in _from_bytes(data, url, suffix, sniff=False, url=page.url):
        yield outcome


def _from_bytes(data: bytes, source: str, suffix: str | None, *, sniff: bool, url: str | None = None) -> Iterator[Outcome]:
    if not data.strip():
        yield Failed(source, "empty file")
        return
    try:
        text = decode(data)
    except DecodeError as exc:
        yield Failed(source, str(exc))
        return
    if sniff:
        suffix = _sniff(text)
    try:
        if suffix in JSONL_SUFFIXES:
            from reader.ingest.jsonl import jsonl_articles

            for number, item in jsonl_articles(text, source):
                yield Failed(f"{source}:{number}", item) if isinstance(item, str) else item
            return
        yield _one(text, source, suffix, url)
    except ValueError as exc:
        yield Failed(source, str(exc))


def _one(text: str, source: str, suffix: str | None, url: str | None) -> Article:
    if suffix in HTML_SUFFIXES:
        from reader.ingest.html import extract_html
        from reader.ingest.text import from_text

        page = extract_html(clean_markup(text), url=url)
        article = from_text(page.text, source)
        return Article(
            text=article.text,
            title=clean_field(page.title) or article.title,
            source=source,
            url=clean_field(page.url or url),
            author=clean_field(page.author),
            published=clean_field(page.published),
            site=clean_field(page.site),
        )
    if suffix in MARKDOWN_SUFFIXES:
        from reader.ingest.markdown import from_markdown

        article = from_markdown(text, source)
    else:
        from reader.ingest.text import from_text

        article = from_text(text, source)
    if url:
        article = Article(text=article.text, title=article.title, source=source, url=clean_field(url))
    return article


def _sniff(text: str) -> str:
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return ".html"
    if head.startswith("{"):
        return ".jsonl"
    return ".txt"
