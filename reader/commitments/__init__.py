"""Commitment extraction: who commits to what, and when, in one labelled sentence.

    from reader.commitments import extract, article_date
    base = article_date(article_text, published)
    found = extract(sentence_span, preceding_spans, base)
    found.actor, found.action, found.when, found.when_iso

Core code: it never imports textual, and it imports no spaCy itself (the caller owns the
pipeline and passes parsed Spans in). `dateparser` is imported on first use.
"""

from reader.dates import article_date, resolve as resolve_when
from reader.commitments.extract import extract, extract_article, parse_article
from reader.commitments.model import Commitment

__all__ = ["Commitment", "article_date", "extract", "extract_article", "parse_article", "resolve_when"]
