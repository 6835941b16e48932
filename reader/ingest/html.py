"""Pull the article body and its metadata out of an HTML page.

trafilatura does the work; it is imported inside `extract_html` so that importing
this module stays cheap. The settings were measured on the project's 181-page
extraction benchmark (shared/corpus/html-extraction, 4-word-shingle F1):

- bare trafilatura 2.3.1                                   F1 0.953
- include_comments=False                                   F1 0.960
- + favor_precision=True                                   F1 0.964
- + balanced rescue when the precise run collapses         F1 0.969
- + drop a leading body line that repeats the title        F1 0.971 (P 0.965, R 0.976)

Options that measured worse and are left off: favor_recall, fast (skips the
readability/jusText comparison), deduplicate, include_tables=False,
include_formatting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ExtractedPage", "extract_html"]

# Precision mode switches off trafilatura's own rescue stages (baseline dump, recall
# retry), so a page whose article it misjudges can come back as a reprint notice or
# a caption. When the precise text is this short, a balanced run is tried as well ...
_RESCUE_BELOW_CHARS = 1000
# ... and taken only when it is clearly longer, so a short article that precision
# got right keeps its precise text.
_RESCUE_RATIO = 2.0

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"\w+")
# A line counts as prose when it has this many words, or one unbroken run of this
# many word characters (Chinese or Japanese text has no spaces between words).
_PROSE_WORDS = 8
_PROSE_RUN = 15
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ExtractedPage:
    """The main text of an HTML page and what the page says about itself.

    `text` holds the article body only: one paragraph, heading or list item per
    line, with no navigation, scripts, styles, footers or reader comments, and
    without the title (which is kept in `title`). Metadata fields are None when
    the page does not give them.
    """

    text: str
    title: str | None
    author: str | None
    published: str | None  # ISO date "YYYY-MM-DD"
    site: str | None
    url: str | None


def extract_html(html: str, url: str | None = None) -> ExtractedPage:
    """Extract the article of an already-decoded HTML page.

    `url` is where the page came from; it helps trafilatura resolve the site and
    date, and is returned as the page's url (the page's own canonical url is used
    when none is given). Raises ValueError("no article text found") when the page
    has no extractable body.
    """
    import trafilatura

    if not html or not html.strip():
        raise ValueError("no article text found")

    common = {"url": url, "include_comments": False, "include_tables": True}
    document = trafilatura.bare_extraction(
        html, favor_precision=True, with_metadata=True, **common
    )
    text = _body(document)

    if len(text) < _RESCUE_BELOW_CHARS:
        # without a precise result there is no metadata yet: let the balanced run fetch it
        balanced_doc = trafilatura.bare_extraction(html, with_metadata=document is None, **common)
        balanced = _body(balanced_doc)
        if len(balanced) > _RESCUE_RATIO * len(text):
            text = balanced
            document = document or balanced_doc

    title = _field(document, "title")
    text = _drop_leading_title(text, title)
    if not any(_is_prose(line) for line in text.splitlines()):
        # trafilatura falls back to dumping the page's text; on a page without an
        # article that dump is menu items and footer links, never a sentence
        raise ValueError("no article text found")

    published = _field(document, "date")
    if published is not None and not _ISO_DATE.fullmatch(published):
        published = None
    return ExtractedPage(
        text=text,
        title=title,
        author=_field(document, "author"),
        published=published,
        site=_field(document, "sitename"),
        url=url or _field(document, "url"),
    )


def _body(document: object) -> str:
    """The plain text of a trafilatura result, or "" when it found nothing."""
    if document is None:
        return ""
    lines = (line.strip() for line in (getattr(document, "text", None) or "").splitlines())
    return "\n".join(line for line in lines if line)


def _field(document: object, name: str) -> str | None:
    """A metadata string from a trafilatura result, with blanks turned into None."""
    value = getattr(document, name, None) if document is not None else None
    if not isinstance(value, str):
        return None
    value = _SPACE.sub(" ", value).strip()
    return value or None


def _is_prose(line: str) -> bool:
    """Whether a line reads like a sentence rather than a menu item or link."""
    words = _WORD.findall(line)
    return len(words) >= _PROSE_WORDS or any(len(word) >= _PROSE_RUN for word in words)


def _drop_leading_title(text: str, title: str | None) -> str:
    """Remove a first line that only repeats the title, which is stored on its own."""
    if not title:
        return text
    first, _, rest = text.partition("\n")
    if _SPACE.sub(" ", first).strip().casefold() == title.casefold():
        return rest
    return text
