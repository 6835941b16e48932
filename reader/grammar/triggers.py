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

The matches are those spaCy's DependencyMatcher gives, found by `search`'s walk down the parse
(linear in the Doc, where the DependencyMatcher's every combination of candidate tokens is not).
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
        named = [node["RIGHT_ID"] for node in record["pattern"]]
        for j, node in enumerate(record["pattern"][1:], 1):
            if node.get("REL_OP") not in RELATIONS or node.get("LEFT_ID") not in named[:j]:
                raise ValueError(f"triggers.jsonl line {number}: node {node['RIGHT_ID']!r} needs a LEFT_ID named before it and "
                                 f"a REL_OP of {', '.join(RELATIONS)} (search walks only those)")
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


# The relations the patterns use, as spaCy's DependencyMatcher reads them: each gives the
# tokens a node may be, from the token its LEFT_ID matched, in sentence order.
RELATIONS = {">": lambda tok: tok.children, ">++": lambda tok: tok.rights, ">--": lambda tok: tok.lefts}


def _matcher(vocab: Any, have: frozenset[str], name: str) -> Any:
    """A token Matcher of the pattern's nodes, one rule a node (named by its position), which
    reads each node's attributes as spaCy's DependencyMatcher does (it holds the same one); None
    when the Doc lacks an annotation the pattern needs."""
    held = _matchers.get((id(vocab), have, name))
    if held is not None and held[0] is vocab:
        return held[1]
    from spacy.matcher import Matcher
    from spacy.tokens import Token

    if not Token.has_extension("reader_lemma"):
        Token.set_extension("reader_lemma", getter=lemma)
    record = patterns()[name]
    matcher = None
    if needs(record) <= have:
        matcher = Matcher(vocab)
        for j, node in enumerate(record["pattern"]):
            matcher.add(str(j), [[node["RIGHT_ATTRS"]]])
    _matchers[(id(vocab), have, name)] = (vocab, matcher)
    return matcher


def search(doc: Any, name: str, have: frozenset[str] | None = None) -> tuple[dict[int, list[tuple[int, ...]]], int]:
    """The matches of pattern `name` in the Doc by anchor token, and how many tokens the walk
    looked at. The same tuples in the same order as spaCy's DependencyMatcher gives (by anchor,
    then node by node in sentence order), found by walking from each anchor down the relations
    the pattern names: linear in the Doc, where the DependencyMatcher tries every combination of
    candidate tokens (15 million for a three-node pattern on a 1,000-token run-on sentence of
    relative clauses, about 10 s)."""
    have = have if have is not None else frozenset(a for a in ANNOTATIONS if doc.has_annotation(a))
    matcher = _matcher(doc.vocab, have, name) if "DEP" in have else None
    if matcher is None:
        return {}, 0
    links = _links(name)
    candidates: list[set[int]] = [set() for _ in range(len(links) + 1)]
    for key, start, _end in matcher(doc):
        candidates[int(doc.vocab.strings[key])].add(start)
    out: dict[int, list[tuple[int, ...]]] = {}
    looked = 0

    def extend(chosen: tuple[int, ...]) -> None:
        nonlocal looked
        k = len(chosen)
        if k > len(links):
            out.setdefault(chosen[0], []).append(chosen)
            return
        left, related = links[k - 1]
        wanted = candidates[k]
        for tok in related(doc[chosen[left]]):
            looked += 1
            if tok.i in wanted:
                extend((*chosen, tok.i))

    if all(candidates):
        for anchor in sorted(candidates[0]):
            extend((anchor,))
    return out, looked


@cache
def _links(name: str) -> list[tuple[int, Any]]:
    """For each node after the anchor: the position of the node it hangs from, and how."""
    nodes = patterns()[name]["pattern"]
    position = {node["RIGHT_ID"]: j for j, node in enumerate(nodes)}
    return [(position[node["LEFT_ID"]], RELATIONS[node["REL_OP"]]) for node in nodes[1:]]


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
        done[name] = search(doc, name, have)[0]
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
