"""A predicate's clause, read off spaCy tokens (not clipped to a span): its subject, looking
through infinitives and conjuncts to the controlling clause, its auxiliaries, voice and
negation, whether it is hedged or someone else's demand, and the kind of clause it stands in
(main, reported, opinion, embedded). Lemmas come from spaCy's lemmatizer; without it a token's
lower-case form stands in.
"""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import triggers
from reader.grammar.lexicon import lemma

EMBEDDING_DEPS = frozenset({"relcl", "acl", "advcl", "amod", "pcomp", "pobj", "csubj", "nsubj", "dobj", "appos", "npadvmod"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "expl", "csubj"})
def clause_kind(token: Any) -> str:
    """"main" for the root's own clause (and its conjuncts), "reported" under a verb of saying
    in the main clause, "opinion" under a verb or adjective of belief, fear or expectation
    (what follows is the speaker's forecast), "embedded" inside a relative, adverbial or
    nominal clause."""
    kind = "main"
    t = token
    while t.dep_ != "ROOT" and t.head is not t:
        dep = t.dep_
        head = t.head
        if dep in ("ccomp", "parataxis") and lemma(head) in lx.FORECAST_FRAMES:
            kind = "opinion"
        elif dep in ("ccomp", "parataxis") and lemma(head) in lx.REPORTING_VERBS:
            kind = "reported" if kind == "main" else kind
        elif dep in EMBEDDING_DEPS or dep == "prep":
            return "embedded"
        t = head
    return kind


def controlling_subject(token: Any) -> Any:
    """The subject of a predicate, looking through xcomp and conj to the controlling clause."""
    seen = 0
    t = token
    while seen < 6:
        for child in t.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
        if t.dep_ in ("xcomp", "conj", "acl", "advcl") and t.head is not t:
            t = t.head
            seen += 1
            continue
        return None
    return None


def reporting_head(token: Any) -> Any:
    """The verb of saying whose clause this predicate is, if any."""
    t = token
    for _ in range(3):
        if t.dep_ not in ("ccomp", "conj") or t.head is t:
            return None
        t = t.head
        if lemma(t) in lx.REPORTING_VERBS or lemma(t) in lx.COMMISSIVE_VERBS:
            return t
    return None


def auxiliaries(token: Any) -> list[str]:
    return [c.lower_ for c in token.children if c.dep_ in ("aux", "auxpass")]


def is_negated(token: Any) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never", "not", "n't") for c in token.children)


def is_passive(token: Any) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)


def is_hedged(token: Any) -> bool:
    """Is this predicate a possibility or a forecast rather than something asserted?"""
    aux = auxiliaries(token)
    if any(a in lx.HEDGE_MODALS for a in aux):
        return True
    if "would" in aux and clause_kind(token) != "reported":
        return True
    if clause_kind(token) == "opinion":
        return True
    head = token.head
    if token.dep_ == "xcomp" and (lemma(head) in lx.FORECAST_VERBS or lemma(head) in lx.FORECAST_ADJECTIVES):
        return True
    return any(c.dep_ == "advmod" and c.lower_ in lx.HEDGE_ADVERBS for c in token.children)


def under_directive(token: Any) -> bool:
    """Is this predicate what someone is urged, asked or called on to do?"""
    t = token
    for _ in range(3):
        dep = t.dep_
        if dep not in ("xcomp", "ccomp", "pcomp", "pobj", "conj") or t.head is t:
            return False
        t = t.head
        word = lemma(t)
        if word in lx.DIRECTIVE_VERBS or word == "call" or (word in lx.REQUEST_VERBS and dep != "ccomp"):
            return True
    return False


def to_complement(token: Any) -> Any:
    """The to-infinitive (or "to"/"on" + gerund/noun) a verb or noun governs, else None: of
    the patterns `to-complement/*` (triggers.jsonl), the one through the first child."""
    found = [(m[1].i, 0, m[1]) for m in triggers.at(token, "to-complement/verb")]
    found += [(m[1].i, m[2].i, m[2]) for m in triggers.at(token, "to-complement/preposition")]
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def says_future(token: Any) -> bool:
    """Does a clause (a ccomp) say what will happen?"""
    return any(a in lx.FUTURE_MODALS or a == "would" for a in auxiliaries(token))


def is_finite(t: Any) -> bool:
    """A verb that heads a clause of its own (not a participle or gerund modifier)."""
    if t.tag_ in ("VBD", "VBZ", "VBP"):
        return True
    return any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") and c.lower_ != "to" for c in t.children)
