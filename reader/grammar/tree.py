"""Small helpers over a dependency parse, all clipped to one sentence span.

`reader.segment` may move sentence boundaries away from spaCy's own, so a token's head or
subtree can reach outside the sentence; everything here stays inside [span.start, span.end).
A subtree is not always the range left_edge..right_edge: a fronted relative pronoun ("which
the government refused to hold") belongs to a verb far to its right.
"""

from __future__ import annotations

from collections.abc import Iterable

PUNCT_EDGES = frozenset(",;:.!?\"'“”‘’()[]—–-…")


def inside(span, token) -> bool:
    return span.start <= token.i < span.end


def head(span, token):
    """The token's head, or None at the root of the sentence (or when the head lies outside)."""
    h = token.head
    return None if h.i == token.i or not inside(span, h) else h


def roots(span) -> list:
    return [t for t in span if head(span, t) is None]


def subtree_range(span, token) -> list[int]:
    """The token's subtree inside the span, in order."""
    return [t.i for t in token.subtree if span.start <= t.i < span.end]


def subtree(span, token) -> set[int]:
    return set(subtree_range(span, token))


def subtrees(span, tokens: Iterable) -> set[int]:
    """The union of these tokens' subtrees inside the span: what `subtree` of each gives, in one
    pass up the heads with each token's verdict kept, so it is linear in the sentence where a
    subtree at a time is quadratic on a deep parse (a run-on chain of clauses)."""
    tops = {t.i for t in tokens}
    doc, under = span.doc, {}
    for i in range(span.start, span.end):
        path, j = [], i
        while True:
            if j in under:
                verdict = under[j]
                break
            path.append(j)
            head_i = doc[j].head.i
            if j in tops or head_i == j:
                verdict = j in tops
                break
            j = head_i
        for k in path:
            under[k] = verdict
    return {i for i in range(span.start, span.end) if under[i]}


def children(span, token, *deps: str) -> list:
    return [c for c in token.children if inside(span, c) and (not deps or c.dep_ in deps)]


def child(span, token, *deps: str):
    found = children(span, token, *deps)
    return found[0] if found else None


def ancestors(span, token, limit: int = 64):
    n = 0
    h = head(span, token)
    while h is not None and n < limit:
        yield h
        h, n = head(span, h), n + 1


def clause_subject(span, verb):
    """(subject token, passive?) of a verb, looking through "be" + predicate and auxiliaries."""
    for c in children(span, verb):
        if c.dep_ in ("nsubj", "csubj"):
            return c, False
        if c.dep_ in ("nsubjpass", "csubjpass"):
            return c, True
    return None, False


def text_of(doc, indices: Iterable[int]) -> str:
    """The text of the given tokens in order: gaps become one space; edges lose punctuation."""
    idx = sorted(set(indices))
    while idx and _edge_junk(doc[idx[0]]):
        idx.pop(0)
    while idx and _edge_junk(doc[idx[-1]]):
        idx.pop()
    if not idx:
        return ""
    parts = []
    for k, i in enumerate(idx):
        tok = doc[i]
        last = k == len(idx) - 1
        if last:
            parts.append(tok.text)
        elif idx[k + 1] == i + 1:
            parts.append(tok.text_with_ws)
        else:
            parts.append(tok.text + " ")
    return _balance("".join(parts).strip())


def _edge_junk(tok) -> bool:
    return tok.is_space or (tok.is_punct and all(ch in PUNCT_EDGES for ch in tok.text)) or tok.dep_ == "cc"


def _balance(text: str) -> str:
    """Drop a quote or bracket left unpaired at either edge by the cut."""
    for opener, closer in (("(", ")"), ("[", "]")):
        if text.count(opener) != text.count(closer):
            text = text.strip(opener + closer + " ")
    if text.count('"') % 2:
        text = text.strip('" ')
    if text.count("\u201c") != text.count("\u201d"):
        text = text.strip("\u201c\u201d ")
    return text
