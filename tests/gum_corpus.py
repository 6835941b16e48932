"""The GUM news gold (../shared, when present), parsed the way the app parses articles, for the
test that every gold sentence finds its parsed sentence.

Each article is cut into paragraphs (`reader.segment.paragraph_spans`), every paragraph goes
through one `nlp.pipe`, and `reader.segment.sentence_spans` gives the sentences; each gold
sentence is then matched to the parsed sentence with the same text, else the one it overlaps
most (as score_suggestions.py matches them).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader import segment

SHARED = Path(__file__).resolve().parents[2] / "shared"  # beside the checkout
GUM_NEWS = SHARED / "corpus" / "gum-news"
LABELS = GUM_NEWS / "labels.jsonl"
SCORER = SHARED / "tools" / "score_suggestions.py"


@dataclass
class ParsedSentence:
    start: int
    end: int
    text: str
    span: Any  # a spaCy Span inside its paragraph's Doc
    gold: str | None = None


@dataclass
class GumArticle:
    article_id: str
    source: str
    sentences: list[ParsedSentence] = field(default_factory=list)


def available() -> bool:
    return LABELS.is_file()


def gold_records() -> list[dict]:
    with open(LABELS, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def parse_articles(nlp, texts: dict[str, str]) -> dict[str, list[ParsedSentence]]:
    """{name: text} -> {name: sentences}, paragraphs in one nlp.pipe as reader.nlp does."""
    def paragraphs():
        for name, text in texts.items():
            for a, b in segment.paragraph_spans(text):
                yield text[a:b], (name, a)

    out: dict[str, list[ParsedSentence]] = defaultdict(list)
    for doc, (name, offset) in nlp.pipe(paragraphs(), as_tuples=True, batch_size=64):
        text = texts[name]
        doc, cut = segment.parsed_sentences(nlp, doc, offset)
        for a, b in cut:
            span = doc.char_span(a - offset, b - offset, alignment_mode="expand")
            out[name].append(ParsedSentence(a, b, text[a:b], span))
    return dict(out)


def load(nlp) -> list[GumArticle]:
    """The 24 articles in file-name order, every parsed sentence with its gold label (or None)."""
    gold = gold_records()
    by_source: dict[str, list[dict]] = defaultdict(list)
    for record in gold:
        by_source[record["source"]].append(record)
    sources = sorted(by_source)
    texts = {s: (SHARED / "corpus" / s).read_text(encoding="utf-8") for s in sources}
    parsed = parse_articles(nlp, texts)
    articles = []
    for source in sources:
        sentences = parsed.get(source, [])
        for record in by_source[source]:
            match = _match(record, sentences)
            if match is not None and match.gold is None:
                match.gold = record["label"]
        articles.append(GumArticle(by_source[source][0]["article_id"], source, sentences))
    return articles


def _match(record: dict, sentences: list[ParsedSentence]) -> ParsedSentence | None:
    text = record["text"].strip()
    for s in sentences:
        if s.text.strip() == text:
            return s
    best, overlap = None, 0
    for s in sentences:
        o = min(s.end, record["end"]) - max(s.start, record["start"])
        if o > overlap:
            best, overlap = s, o
    return best
