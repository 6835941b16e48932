"""Linguistic features of one sentence, read off spaCy's parse: pure Python over its tokens.

`analyse(sentence)` takes a spaCy `Span` (a sentence inside a parsed paragraph) or a `Doc`
holding one sentence and returns an `Analysis`: named features that do not depend on any
label set (commissive predicates, futures and who controls them, hedges, attribution,
quotation, demands, schedules, opinion), the words that fired each one, and a few general
sparse string features (root lemma, tag and auxiliaries, subject type, modals, words of the
lexicon's classes) for a trained model.

A Span is read in its paragraph: a quotation opened in an earlier sentence and not yet
closed, a verb of saying that ends the sentence before on ":" or ",", and reported speech in
the sentence before (`quote_continued`, `speech_follows`, `prev_attributed`, ...). A bare
one-sentence Doc has no such context and is read on its own.

Lemmas come from spaCy's lemmatizer; without it a token's lower-case form stands in, which
misses inflected forms ("agreed"), so load the pipeline with the lemmatizer.
"""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import triggers
from reader.grammar.clauses import SUBJECT_DEPS, auxiliaries, lemma
from reader.grammar.party import agentivity
from reader.suggest import attribution, commissive, futures
from reader.suggest.analysis import FEATURES, Analysis

__all__ = ["FEATURES", "Analysis", "analyse", "lemma"]

_OPEN_QUOTES = frozenset("“‘«")
_CLOSE_QUOTES = frozenset("”’»")


def analyse(sentence: Any) -> Analysis:
    """Features of a sentence (`Span`, or a `Doc` of one sentence)."""
    if not hasattr(sentence, "root"):
        sentence = sentence[:]  # a Doc: the whole of it is the sentence
    tokens = [t for t in sentence if not t.is_space]
    found = Analysis()
    words = [t for t in tokens if t.is_alpha]
    if not words or not any(t.pos_ in ("VERB", "AUX") for t in tokens):
        found.fire("fragment")
    if len(words) < 6:
        found.fire("short")
    if tokens and any(t.text == "?" for t in tokens[-3:]):
        found.fire("question")
    quoted, continued = _quoted(sentence, tokens)
    _quotes(found, tokens, quoted)
    if continued and quoted and quoted[0] and found["quote_mostly"]:
        found.fire("quote_continued")  # inside a quotation opened in an earlier sentence
    _persons(found, tokens, quoted)
    _context(found, sentence)
    for t in tokens:
        commissive.commissive(found, t)
        commissive.commissive_noun(found, t)
        futures.future(found, t)
        attribution.attribution(found, t)
        attribution.stance(found, t)
    _headline(found, tokens)
    _root(found, sentence)
    found.sparse = _sparse(found, tokens)
    return found


# ---- the sentence as a whole ---------------------------------------------------------------

def _root(found: Analysis, sentence: Any) -> None:
    root = sentence.root
    if (root.tag_ == "VB" and root.i == sentence.start + _first_word(sentence)
            and not any(c.dep_ in SUBJECT_DEPS or c.dep_ in ("aux", "auxpass") for c in root.children)):
        found.fire("imperative", root)  # "Wait until the third day": advice to the reader
    tags = {root.tag_} | {c.tag_ for c in root.children if c.dep_ in ("aux", "auxpass")}
    if tags & {"VBD"} or (root.tag_ == "VBN" and "VBD" in tags):
        found.fire("past_root", root)
    elif tags & {"VBZ", "VBP"}:
        found.fire("present_root", root)


def _first_word(sentence: Any) -> int:
    """Offset of the first word of the sentence (past quotes and punctuation)."""
    for i, t in enumerate(sentence):
        if t.is_alpha:
            return i
    return 0


def _quoted(sentence: Any, tokens: list[Any]) -> tuple[list[bool], bool]:
    """Which tokens stand inside quotation marks, and whether the sentence opens inside a
    quotation begun before it (a Span inherits an open quote from its paragraph)."""
    inside = False
    start_char = getattr(sentence, "start_char", 0)
    doc = getattr(sentence, "doc", sentence)
    before = doc.text[:start_char] if start_char else ""
    if before.count('"') % 2 == 1 or before.count("“") > before.count("”"):
        inside = True
    marks = []
    for t in tokens:
        text = t.text
        if text in _OPEN_QUOTES or (text == '"' and not inside):
            inside = True
            marks.append(False)
        elif text in _CLOSE_QUOTES and t.tag_ != "POS" or (text == '"' and inside):
            inside = False
            marks.append(False)
        else:
            marks.append(inside)
    opened_before = bool(marks) and marks[0]
    if not any(marks) and any(t.text in ('"', "”") for t in tokens):
        # A closing mark with no opening one: the sentence began inside a quotation.
        for i, t in enumerate(tokens):
            if t.text in ('"', "”"):
                return [True] * i + [False] * (len(tokens) - i), True
    return marks, opened_before


def _quotes(found: Analysis, tokens: list[Any], quoted: list[bool]) -> None:
    """A quotation of four words or more is speech; a shorter one, or one in title case (the
    name of a work, a website, a campaign), is a name or a scare quote."""
    words = [(t, q) for t, q in zip(tokens, quoted) if t.is_alpha]
    share = sum(q for _, q in words) / len(words) if words else 0.0
    longest = 0
    run: list[Any] = []
    for t, q in words + [(None, False)]:
        if q:
            run.append(t)
            continue
        if run and not _title_case(run):
            longest = max(longest, len(run))
        elif run:
            found.fire("quote", None, 0.3)
        run = []
    if longest >= 4:
        found.fire("quote", None, 1.0)
    elif longest:
        found.fire("quote", None, 0.3)
    if share >= 0.5 and longest >= 4:
        found.fire("quote_mostly")


def _title_case(run: list[Any]) -> bool:
    """"The Internet Explorer 6 Countdown": most content words capitalised, no finite verb."""
    content = [t for t in run if not t.is_stop]
    if len(content) < 2 or any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in run):
        return False
    return sum(t.text[0].isupper() for t in content) >= 0.8 * len(content)


def _persons(found: Analysis, tokens: list[Any], quoted: list[bool]) -> None:
    for t, q in zip(tokens, quoted):
        if t.pos_ == "PRON" or t.tag_ == "PRP$":
            if t.lower_ in lx.FIRST_PERSON:
                found.fire("first_person", t, 0.5 if q else 1.0)
            elif t.lower_ in lx.SECOND_PERSON:
                found.fire("second_person", t, 0.5 if q else 1.0)


def _headline(found: Analysis, tokens: list[Any]) -> None:
    """A headline's "X to do Y" (no finite verb) announces what X is to do: "Council to close
    two libraries"."""
    if any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in tokens):
        return
    for t in tokens:
        if not triggers.at(t, "headline-to/verb"):
            continue
        head = t.head
        if t.dep_ == "ROOT" or (t.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN")
                                and (head.dep_ == "ROOT" or head.head.dep_ == "ROOT" and head.dep_ in ("appos", "dep"))):
            if lemma(t) not in lx.NON_AGENTIVE_VERBS and lemma(t) not in lx.REPORTING_VERBS:
                found.fire("headline_plan", t)
            return


def _context(found: Analysis, sentence: Any) -> None:
    """What the sentence before, in the same paragraph, says about this one: a verb of saying
    that ends on ":" or "," introduces it as speech; attributed speech may continue into it."""
    start = getattr(sentence, "start", 0)
    if not start:
        return
    doc = sentence.doc
    before = doc[doc[start - 1].sent.start:start]
    words = [t for t in before if not t.is_space]
    if not words:
        return
    speech = [t for t in words if t.pos_ == "VERB" and lemma(t) in lx.REPORTING_VERBS]
    if speech and words[-1].text in (":", ","):
        found.fire("speech_follows", speech[-1])
    if any(t.is_quote for t in words):
        found.fire("prev_quote")
    if any(c.dep_ in ("ccomp", "parataxis") for t in speech for c in t.children) or any(
            t.lower_ == "according" for t in words):
        found.fire("prev_attributed")


# ---- sparse features for a trained model ---------------------------------------------------

_CLASS_VERBS = (lx.COMMISSIVE_VERBS | lx.INTENTION_VERBS | lx.DESIRE_VERBS | lx.REPORTING_VERBS | lx.DIRECTIVE_VERBS
                 | lx.REQUEST_VERBS | lx.FORECAST_VERBS)
_CLASS_NOUNS = lx.COMMISSIVE_NOUNS | lx.AGREEMENT_NOUNS | lx.CLAIM_NOUNS


def _sparse(found: Analysis, tokens: list[Any]) -> list[str]:
    """Few, general string features: the root's lemma, tag and auxiliaries, its subject's
    entity type and agentivity, the modals, and the words of the lexicon's classes (verbs of
    commitment, saying, demanding; plan and claim nouns) that occur."""
    out = []
    root = None
    for t in tokens:
        if t.dep_ == "ROOT" and root is None:
            root = t
        word = lemma(t)
        if t.pos_ in ("VERB", "AUX") and word in _CLASS_VERBS:
            out.append(f"V:{word}")
        elif t.pos_ == "NOUN" and word in _CLASS_NOUNS:
            out.append(f"N:{word}")
        elif t.tag_ == "MD":
            out.append(f"M:{t.lower_}")
        if t.ent_type_ and t.ent_iob_ == "B":
            out.append(f"E:{t.ent_type_}")
    if root is not None:
        out.append(f"R:{lemma(root)}")
        out.append(f"RT:{root.tag_}")
        for a in auxiliaries(root):
            out.append(f"A:{a}+{lemma(root)}")
        subject = next((c for c in root.children if c.dep_ in SUBJECT_DEPS), None)
        if subject is not None:
            out.append(f"S:{subject.ent_type_ or subject.pos_}")
            out.append(f"SA:{agentivity(subject)}")
    return sorted(set(out))
