"""The lexical triggers of commitments and their complements as spaCy `DependencyMatcher`
patterns, read from `triggers.jsonl` (package data) instead of walked by hand.

One pattern a line: `id` (what the rules ask for), `used_by`, `comment` (what it matches, with
an example) and `pattern` (spaCy's DependencyMatcher format: the first node, `trigger`, is the
word the pattern is anchored on). A list of words is written once, in `words/*.txt`: a value
"$NAME" inside "IN" / "NOT_IN" stands for `lexicon.NAME` (a list may join several). `{"_": {"reader_lemma": ...}}` is the
suggester's `lexicon.lemma` (spaCy's lemma, or the lower-case form where there is none).

    from reader.grammar import triggers
    triggers.at(token, "ruled-out")            # the matches anchored on token: tuples of Tokens
    triggers.at(token, "ruled-out", span)      # only those wholly inside the sentence span

A Doc is matched against a pattern once, when a rule first asks for it; the matches of the
last few Docs are kept (the engines read the sentences of a paragraph one after another). spaCy is imported
on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from functools import cache
from importlib.resources import files
from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar.lexicon import lemma

KEEP = 8  # Docs whose matches are kept
# Annotations a pattern may need: a Doc without one of them (a blank pipeline, a parser without
# a tagger) is matched with only the patterns that need none it lacks; the rest cannot match
# there anyway (an unset tag is "", and without a parse a token has no children).
ANNOTATIONS = ("DEP", "POS", "TAG", "MORPH", "LEMMA")


@cache
def patterns() -> dict[str, dict[str, Any]]:
    """The records of `triggers.jsonl` by id, word lists filled in."""
    text = files("reader.grammar").joinpath("triggers.jsonl").read_text(encoding="utf-8")
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record["id"] in out:
            raise ValueError(f"triggers.jsonl line {number}: the id {record['id']!r} is used twice")
        record["pattern"] = [dict(node, RIGHT_ATTRS=_fill(node["RIGHT_ATTRS"])) for node in record["pattern"]]
        out[record["id"]] = record
    return out


def _fill(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _words(v) if k in ("IN", "NOT_IN") else _fill(v) for k, v in value.items()}
    return value


def _words(value: Any) -> Any:
    """"$NAME" is the list `lexicon.NAME`; a list may join several ("$A", "$B") and words."""
    if isinstance(value, str):
        value = [value] if value.startswith("$") else value
    if not isinstance(value, list):
        return value
    words: set[str] = set()
    for item in value:
        words |= set(getattr(lx, item[1:])) if isinstance(item, str) and item.startswith("$") else {item}
    return sorted(words)


def needs(record: dict[str, Any]) -> frozenset[str]:
    """The annotations a pattern reads: DEP always (its relations), and those its nodes name."""
    return frozenset({"DEP"} | {a for node in record["pattern"] for a in node["RIGHT_ATTRS"] if a in ANNOTATIONS})


_matchers: dict[tuple[int, frozenset[str], str], tuple[Any, Any]] = {}
_found: OrderedDict[int, tuple[Any, frozenset[str], dict[str, dict[int, list[tuple[int, ...]]]]]] = OrderedDict()


def _matcher(vocab: Any, have: frozenset[str], name: str) -> Any:
    """A DependencyMatcher of the one pattern `name` (None when the Doc lacks an annotation it
    needs)."""
    held = _matchers.get((id(vocab), have, name))
    if held is not None and held[0] is vocab:
        return held[1]
    from spacy.matcher import DependencyMatcher
    from spacy.tokens import Token

    if not Token.has_extension("reader_lemma"):
        Token.set_extension("reader_lemma", getter=lemma)
    record = patterns()[name]
    matcher = None
    if needs(record) <= have:
        matcher = DependencyMatcher(vocab)
        matcher.add(name, [record["pattern"]])
    _matchers[(id(vocab), have, name)] = (vocab, matcher)
    return matcher


def _of(doc: Any, name: str) -> dict[int, list[tuple[int, ...]]]:
    """The matches of pattern `name` in the Doc, found on first use: each pattern runs on a Doc
    only when a rule asks for it (the action's patterns only on the paragraphs of commitments),
    which keeps import's parse-and-suggest close to bare spaCy's."""
    if name not in patterns():
        raise KeyError(f"no pattern {name!r} in triggers.jsonl")
    held = _found.get(id(doc))
    if held is None or held[0] is not doc:
        held = (doc, frozenset(a for a in ANNOTATIONS if doc.has_annotation(a)), {})
        _found[id(doc)] = held
        while len(_found) > KEEP:
            _found.popitem(last=False)
    else:
        _found.move_to_end(id(doc))
    _, have, done = held
    if name not in done:
        out: dict[int, list[tuple[int, ...]]] = {}
        matcher = _matcher(doc.vocab, have, name) if "DEP" in have else None
        if matcher is not None:
            for _key, nodes in matcher(doc):
                out.setdefault(nodes[0], []).append(tuple(nodes))
        done[name] = out
    return done[name]


def matches(doc: Any) -> dict[str, dict[int, list[tuple[int, ...]]]]:
    """Every pattern's matches in the Doc: id -> anchor token index -> token indices, in the
    order of the pattern's nodes, in the order spaCy found them."""
    return {name: _of(doc, name) for name in patterns()}


def at(token: Any, name: str, span: Any = None) -> list[tuple[Any, ...]]:
    """The matches of pattern `name` anchored on `token`, each the tuple of its Tokens in the
    order of the pattern's nodes; with `span`, only those with every token inside it."""
    doc = token.doc
    found = _of(doc, name)
    out = []
    for nodes in found.get(token.i, ()):
        if span is None or all(span.start <= i < span.end for i in nodes):
            out.append(tuple(doc[i] for i in nodes))
    return out


def first(token: Any, name: str, node: int, span: Any = None) -> Any:
    """Of the matches of `name` on `token`, the Token at position `node` that comes first in
    the sentence (None when there is no match)."""
    found = [m[node] for m in at(token, name, span)]
    return min(found, key=lambda t: t.i) if found else None
