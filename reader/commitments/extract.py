"""Put the parts together: one commitment sentence in, one `Commitment` out."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from reader import dates
from reader.commitments import action as action_mod
from reader.commitments import actor as actor_mod
from reader.commitments import clause, coref, head, ranker
from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.speaker import organisation_of, speaker
from reader.commitments import when as when_mod
from reader.commitments.model import EMPTY, Commitment

log = logging.getLogger(__name__)
CONFIDENCE = {"verb": 0.9, "refusal": 0.9, "proposal": 0.9, "adjective": 0.85, "be-to": 0.8, "headline": 0.7,
              "future": 0.7, "control": 0.7, "noun": 0.6, "fallback": 0.3}


def extract(sent, context: Sequence = (), article_date: dt.date | None = None) -> Commitment:
    """Actor, action and time of the commitment a sentence reports.

    sent: a spaCy Span (a sentence inside its paragraph's Doc), or a Doc.
    context: the sentences of the article before it, in order (Spans or Docs; anything else is
        ignored); used only to name a pronoun or generic actor. Pass all of them from the top
        of the article: only the nearest few are read, plus the first three, where an article
        names the parties that "both sides" later stands for.
    article_date: the date the article speaks from (see `dates.article_date`), for `when_iso`.
    Never raises: odd input gives a Commitment with empty fields and a note.
    """
    try:
        span = _as_span(sent)
        if span is None or len(span) == 0 or not any(t.is_alpha for t in span):
            return EMPTY
        spans = [s for s in map(_as_span, context or ()) if s is not None]
        return _extract(span, spans, article_date)
    except Exception as exc:  # noqa: BLE001 - the app must keep going on any sentence
        log.debug("commitment extraction failed on %r", getattr(sent, "text", sent)[:200], exc_info=True)
        return Commitment(actor_note=f"extraction failed: {type(exc).__name__}")


def _as_span(value):
    """A Span as is, a Doc as its whole Span, anything else None (a Doc also has `.doc`)."""
    if hasattr(value, "start") and hasattr(value, "doc"):
        return value
    if hasattr(value, "vocab") and hasattr(value, "ents"):
        return value[:]
    return None


def _extract(span, context, article_date) -> Commitment:
    anchor = clause.find(span)
    if anchor is None:
        return Commitment(actor_note="no predicate in the sentence")
    found = _ranked(span, anchor, actor_mod.find(span, anchor, lambda tok: coref.names_party(span, tok, context)))
    when = when_mod.find(span, anchor, found.indices, article_date.year if article_date else None, article_date)
    when_idx = when.indices if when else []
    act = _action(span, anchor, found, when_idx)
    when_text = tree.text_of(span.doc, when_idx) if when else None
    actor_text = tree.text_of(span.doc, found.indices) if found.indices else None

    resolved = note = None
    generic = found.head is not None and coref.needs_resolution(span, found.head, found.indices)
    if found.stands_for is not None:
        generic = False
        resolved = _speaker_text(span, found.stands_for, context)
    if generic:
        own = _speakers_organisation(span, anchor, found.head)
        if own is not None:
            resolved, note, generic = own, f"'{tree.text_of(span.doc, found.indices)}' is the organisation the speaker speaks for", False
    if generic:
        answer = coref.resolve(span, found.head, context)
        if answer is not None and answer[0] != actor_text:
            resolved, note = answer
    notes = [n for n in (found.note, note) if n]
    if generic and not resolved and found.head.pos_ != "PROPN":
        notes.append("left as written: no antecedent found by the rules")
    return Commitment(
        actor=actor_text or None,
        actor_entities=_entities(span, found.indices),
        actor_resolved=resolved,
        actor_note="; ".join(notes) or None,
        action=tree.text_of(span.doc, act) or None,
        when=when_text or None,
        when_iso=dates.resolve(when_text, article_date, when.entity) if when else None,
        trigger=anchor.trigger.text,
        confidence=CONFIDENCE.get(anchor.kind, 0.3),
    )


def _ranked(span, anchor, found):
    """The learned ranker's actor when it outscores the rules' (`reader.commitments.ranker`);
    the rules' when the model is absent, offers nothing better, or fails."""
    try:
        better = ranker.choose(span, anchor, found)
    except Exception:  # noqa: BLE001 - the rules' actor stands
        log.debug("actor ranker failed on %r", span.text[:200], exc_info=True)
        return found
    if better is None:
        return found
    said = tree.text_of(span.doc, found.indices) or "no actor"
    return actor_mod.Actor(better.head, better.indices, f"chosen by the learned ranker over the rules' '{said}'")


def _action(span, anchor, found, when_idx) -> list[int]:
    """The rules' action, or the one the learned head choice prefers when it outscores them
    (`reader.commitments.head`); the rules' when the model is absent, offers nothing better, or fails."""
    act = action_mod.indices(span, anchor, found, when_idx)
    try:
        better = head.choose(span, anchor, found, when_idx, act)
    except Exception:  # noqa: BLE001 - the rules' action stands
        log.debug("action head choice failed on %r", span.text[:200], exc_info=True)
        better = None
    act = act if better is None else better
    return [] if _introduces_list(span, act) else act


def _introduces_list(span, act) -> bool:
    """A sentence ending in a colon whose action is function words alone ("the Administration
    will:", "aims to:", "announces the following:"): the acts are the list after it, and the
    sentence names none of them, so it has no action (as the corpus's annotators left it)."""
    words = [t for t in span if not t.is_space]
    if not act or not words or words[-1].text != ":":
        return False
    return all(span.doc[i].is_stop or span.doc[i].is_punct or span.doc[i].lower_ in ("following", "follows") for i in act)


def _speakers_organisation(span, anchor, noun) -> str | None:
    """"Polaris Net's chief executive, Dana Weir, said the company would ...", "A spokeswoman for
    the Finance Ministry said the ministry would ...": the organisation the speaker speaks for,
    named before the noun in the same sentence, when the noun can name it (a word for a company
    and a name tagged as an organisation, or the organisation's own noun)."""
    src = speaker(span, anchor.clause)
    if src is None or noun.pos_ != "NOUN":
        return None
    org = organisation_of(span, src) or _possessor(span, src)
    if org is None or org.i >= noun.i or org.pos_ != "PROPN":
        return None  # after the noun, the noun itself, or another common noun: no name to give
    words = tree.text_of(span.doc, [i for i in actor_mod.phrase(span, org) if span.doc[i].dep_ != "case"])  # no "'s"
    named = noun.lower_ in {w.lower() for w in words.split()}
    if not named and not (noun.lower_ in lx.COMPANY_NOUNS and org.pos_ == "PROPN" and org.ent_type_ not in ("GPE", "NORP")):
        return None
    return words


def _possessor(span, person):
    """The organisation whose role a speaker holds: "Polaris Net's chief executive, Dana Weir"."""
    for role in [person, *tree.children(span, person, "appos")]:
        if role.i == person.i or role.pos_ == "NOUN":
            for owner in tree.children(span, role, "poss"):
                if owner.pos_ == "PROPN" and owner.ent_type_ not in ("GPE", "NORP"):  # the small model tags some firms PERSON
                    return owner
    head = tree.head(span, person)
    if person.dep_ == "appos" and head is not None:  # "Polaris Net's chief executive, Dana Weir, said"
        return _possessor(span, head) if head.pos_ == "NOUN" else None
    return None


def _speaker_text(span, src, context) -> str | None:
    """The speaker a kept pronoun stands for: the speaker's name, or whom a pronoun speaker is."""
    answer = coref.resolve(span, src, context) if coref.needs_resolution(span, src) else None
    if answer is not None:
        return answer[0]
    return None if src.pos_ == "PRON" else tree.text_of(span.doc, actor_mod.phrase(span, src))


def _entities(span, indices) -> tuple:
    have = set(indices)
    out = []
    for ent in span.ents:
        if ent.start in have and ent.end - 1 in have:
            start = ent.start_char - span.start_char
            out.append((ent.text, ent.label_, start, start + len(ent.text)))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# Whole articles, parsed the way the app parses them.
# ----------------------------------------------------------------------------------------------

def parse_article(nlp, text: str) -> list:
    """The article's sentences as spaCy Spans, in order: paragraphs through `nlp.pipe`, cut
    by `reader.segment.sentence_spans`, exactly as `reader.nlp.parse_spans` cuts them."""
    from reader import segment
    from reader.nlp import chunks

    pieces = [c for a, b in segment.paragraph_spans(text) for c in chunks(text, a, b)]
    out = []
    for doc, (a, _b) in nlp.pipe(((text[a:b], (a, b)) for a, b in pieces), as_tuples=True):
        doc, cut = segment.parsed_sentences(nlp, doc, a)
        for start, end in cut:
            span = doc.char_span(start - a, end - a, alignment_mode="expand")
            if span is not None:
                out.append((start, end, span))
    return out


def extract_article(
    nlp,
    text: str,
    targets: Iterable[tuple[int, int]],
    *,
    published: str | None = None,
    window: int = 40,
) -> list[tuple[tuple[int, int], tuple[int, int] | None, Commitment]]:
    """Extract for each (start, end) of a commitment sentence in an article's text.

    Returns (target, (start, end) of the parsed sentence used, Commitment) per target; the
    parsed sentence is the one overlapping the target most (None when nothing overlaps)."""
    sentences = parse_article(nlp, text)
    base = dates.article_date(text, published)
    out = []
    for target in targets:
        best, overlap = None, 0
        for k, (a, b, _span) in enumerate(sentences):
            o = min(b, target[1]) - max(a, target[0])
            if o > overlap:
                best, overlap = k, o
        if best is None:
            out.append((target, None, EMPTY))
            continue
        a, b, span = sentences[best]
        context = [s for _, _, s in sentences[max(0, best - window):best]]
        out.append((target, (a, b), extract(span, context, base)))
    return out
