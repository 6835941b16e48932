"""Plain text files: the text as it is, the first line as the title."""

from __future__ import annotations

from reader.sanitize import clean_field, clean_text
from reader.model import Article

_MAX_TITLE = 300


def from_text(text: str, source: str | None = None) -> Article:
    """Build an Article from plain text; raise ValueError when nothing readable is left."""
    body = clean_text(text)
    if not body:
        raise ValueError("empty: no text after removing whitespace and control characters")
    first = body.split("\n", 1)[0]
    title = clean_field(first[:_MAX_TITLE]) if len(first) <= _MAX_TITLE else None
    return Article(text=body, title=title, source=source)
