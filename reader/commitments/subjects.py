"""Subjects the parser did not label as subjects: the party named right before a finite verb
left without one, and a headline's party read as part of a noun phrase with its verb. Each
returns the party's head token (and its words), or None."""

from __future__ import annotations

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.party import is_agent


def compound_subject(span, clause):
    """A headline's verb the parser took for the head of a noun phrase ("Council votes to
    move ...", "Hospital board votes to close ..."): the party before it, parsed as a compound."""
    verb = clause
    if clause.dep_ in ("acl", "relcl") and tree.head(span, clause) is not None and tree.head(span, clause).dep_ == "ROOT":
        verb = tree.head(span, clause)
    if verb.dep_ != "ROOT" or verb.lower_ not in lx.COMMIT_VERB_FORMS:
        return None
    words = [c for c in tree.children(span, verb, "compound") if c.i < verb.i]
    if not words or words[-1].i != verb.i - 1 or not is_agent(span, words[-1]):
        return None
    first = min(c.left_edge.i for c in tree.children(span, verb, "compound", "amod", "det", "nmod") if c.i < verb.i)  # "Parish council"
    return words[-1], list(range(first, verb.i))


def noun_before(span, verb, apposition: bool = True):
    """A finite verb the parser left without a subject: the name or party noun right before it
    (past its auxiliaries and a comma-enclosed apposition: "..., SoftBank, its largest investor,
    committed to ..."). None when something else stands there."""
    if verb.tag_ not in ("VBD", "VBZ", "VBP") and not tree.children(span, verb, "aux"):
        return None
    j = min([verb.i] + [a.i for a in tree.children(span, verb, "aux", "neg", "advmod") if a.i < verb.i]) - 1
    if apposition and j >= span.start and span.doc[j].text == ",":
        k = j - 1
        while k >= span.start and span.doc[k].text != "," and span.doc[k].pos_ not in ("VERB", "AUX"):
            k -= 1
        if k >= span.start and span.doc[k].text == "," and k < j - 1:
            j = k - 1  # over the apposition
    if j < span.start:
        return None
    tok = span.doc[j]
    if tok.pos_ not in ("NOUN", "PROPN") or not is_agent(span, tok):
        return None
    return tok


def np_words(span, tok) -> list[int]:
    """The words of a name or noun phrase ending in tok: its entity, or tok with the
    determiners, adjectives and compounds right before it."""
    start = tok.i
    if tok.ent_type_ and tok.ent_iob_ == "I":
        while start > span.start and span.doc[start].ent_iob_ == "I":
            start -= 1
    else:
        while start > span.start and span.doc[start - 1].dep_ in ("compound", "amod", "det", "poss", "nummod") and span.doc[start - 1].head.i >= tok.i - 3:
            start -= 1
    return list(range(start, tok.i + 1))
