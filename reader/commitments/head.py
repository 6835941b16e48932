"""A learned choice of the clause whose words are the committed action.

The rules (`reader.commitments.clause`) choose the action's head(s) with the trigger, and
`reader.commitments.action` cuts the action from under them. Sometimes the act hangs from
another clause: the rules took the reporting verb or an outer clause where the promised clause
is meant, the promised clause where the outer one is, or the first of two conjoined acts. This
module lists the other predicates of the sentence that could head the action (every verb that
is no auxiliary, the rules' heads' objects and conjuncts), cuts each one's action with the
rules of `action.indices`, describes each candidate by a few features of the parse (its
relation to the trigger and to the rules' head, its markers of future or intention, its
subject, the length and overlap of its action with the rules') and scores them with a linear
model fitted on the corpus's gold actions (`reader.commitments.head_build`, `make model`).
The best-scoring candidate wins when it beats the rules' own by the shipped margin; otherwise,
and when the model file is absent or unreadable, the rules' action stands. Actor and time are
not touched.

The model is a JSON file of feature weights in this package (`head.json`), read on first use;
scoring needs no scikit-learn.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reader.commitments import weights
from reader.commitments.weights import MAX_TOKENS, QUOTES, in_quote, score
from reader.grammar import lexicon as lx
from reader.grammar import tree

MODEL_PATH = Path(__file__).resolve().parent / "head.json"
CLAUSE_DEPS = frozenset(("ROOT", "xcomp", "ccomp", "conj", "advcl", "relcl", "acl", "pcomp", "parataxis", "dobj", "pobj"))


class Candidate:
    """One way to cut the action: the head(s) it hangs from and the token indices it covers."""

    __slots__ = ("heads", "indices", "source")

    def __init__(self, heads: list, indices: list[int], source: str) -> None:
        self.heads = heads
        self.indices = indices
        self.source = source


def cut(span, anchor, actor, when_indices, heads: list, alone: bool = False) -> list[int]:
    """The action `action.indices` cuts with `heads` in place of the anchor's; `alone`: without
    the heads' conjoined predicates (the first of two acts)."""
    from reader.commitments import action

    exclude = list(anchor.exclude)
    if alone:
        exclude += _conjuncts(span, heads)
    return action.indices(span, dataclasses.replace(anchor, heads=list(heads), exclude=exclude), actor, when_indices)


def _conjuncts(span, heads: list) -> list:
    return [c for h in heads for c in tree.children(span, h, "conj") if c.pos_ in ("VERB", "AUX") or h.pos_ not in ("VERB", "AUX")]


def _heads(span, anchor) -> list[tuple[object, str]]:
    """Tokens that could head the action, each with how it was found: every verb that is no
    auxiliary or modifier, and the objects of the trigger and of the rules' heads (the gold
    action is often the promised thing alone: "offered all appropriate assistance")."""
    heads = {h.i for h in anchor.heads} | {anchor.trigger.i}
    out: list[tuple[object, str]] = []
    for tok in span:
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("aux", "auxpass", "amod", "compound"):
            out.append((tok, "verb"))
        elif tok.dep_ in ("dobj", "pobj", "attr", "oprd") and tok.head.i in heads:
            out.append((tok, "object"))
    return out


def candidates(span, anchor, actor, when_indices, ruled: list[int] | None = None) -> list[Candidate]:
    """The rules' action first, then one per other head, each distinct action once."""
    out: list[Candidate] = []
    seen: set[tuple[int, ...]] = set()
    first = list(ruled) if ruled is not None else cut(span, anchor, actor, when_indices, anchor.heads)
    seen.add(tuple(first))
    out.append(Candidate(list(anchor.heads), first, "rules"))

    def add(heads, source, alone=False):
        got = cut(span, anchor, actor, when_indices, heads, alone)
        key = tuple(got)
        if got and key not in seen:
            seen.add(key)
            out.append(Candidate(list(heads), got, source + ("+alone" if alone else "")))

    if _conjuncts(span, anchor.heads):
        add(anchor.heads, "rules", alone=True)
    for tok, source in _heads(span, anchor):
        add([tok], source)
        if _conjuncts(span, [tok]):
            add([tok], source, alone=True)
    return out


def _relation(span, frm, to) -> str:
    """How `to` stands to `frm` in the tree, in a few words: self, child by its label, grandchild,
    parent, sibling, ancestor, descendant, or apart."""
    if to.i == frm.i:
        return "self"
    if to.head.i == frm.i:
        return f"child:{to.dep_}"
    if to.head.head.i == frm.i and to.head.i != to.i:
        return f"grandchild:{to.head.dep_}>{to.dep_}"
    if frm.head.i == to.i:
        return f"parent:{frm.dep_}"
    if frm.head.i == to.head.i:
        return f"sibling:{to.dep_}"
    up = [a.i for a in tree.ancestors(span, frm, 10)]
    if to.i in up:
        return "ancestor"
    if frm.i in [a.i for a in tree.ancestors(span, to, 10)]:
        return "descendant"
    return "apart"


def _word_class(tok) -> str:
    low = tok.lower_
    if low in lx.SPEECH_VERB_FORMS:
        return "speech"
    if low in lx.WEAK_COMMIT_VERB_FORMS:
        return "weak"
    if low in lx.COMMIT_VERB_FORMS or low in lx.REFUSAL_VERB_FORMS:
        return "commit"
    if low in lx.BE_FORMS:
        return "be"
    return tok.pos_


def _markers(span, tok) -> list[str]:
    aux = [a.lower_ for a in tree.children(span, tok, "aux", "auxpass")]
    out = []
    if any(a in lx.FUTURE_MODALS_AND_WOULD for a in aux):
        out.append("modal")
    if "to" in aux:
        out.append("to")
    if tree.child(span, tok, "neg") is not None:
        out.append("neg")
    if tree.child(span, tok, "nsubjpass") is not None or any(a.dep_ == "auxpass" for a in tok.children):
        out.append("passive")
    subject = tree.child(span, tok, "nsubj", "nsubjpass", "expl")
    if subject is None:
        out.append("no_subject")
    elif subject.lower_ in lx.PERSONAL_PRONOUNS:
        out.append("pron_subject")
    else:
        out.append("subject")
    out.append(f"tag={tok.tag_}")
    return out


def _subject_role(span, tok, actor) -> str:
    """Who does the candidate's clause: the actor, someone else, or nobody named (controlled)."""
    subject, _ = tree.clause_subject(span, tok)
    if subject is None:
        return "none"
    if actor is not None and actor.head is not None and subject.i == actor.head.i:
        return "actor"
    if actor is not None and subject.i in set(actor.indices):
        return "actor"
    return "pron" if subject.lower_ in lx.PERSONAL_PRONOUNS else "other"


def features(span, anchor, cand: Candidate, rules: Candidate, n_candidates: int, actor=None) -> dict[str, float]:
    """The features of one candidate (names are strings; the model's weights are keyed by them)."""
    kind = anchor.kind
    f: dict[str, float] = {}
    is_rules = cand.source == "rules"
    rules_head = rules.heads[0] if rules.heads else anchor.trigger
    f[f"rules_head={_word_class(rules_head)}|dep={rules_head.dep_}"] = 1.0
    _shape(span, cand.indices, f)
    if is_rules:
        f["rules"] = 1.0
        f[f"rules|{kind}"] = 1.0
        f[f"rules|heads={min(len(rules.heads), 3)}"] = 1.0
        f[f"rules|rel={_relation(span, anchor.trigger, rules_head)}"] = 1.0
        f[f"rules|class={_word_class(rules_head)}"] = 1.0
        for m in _markers(span, rules_head):
            f[f"rules|{m}"] = 1.0
        f[f"rules|length={_bucket(len(rules.indices))}"] = 1.0
        f[f"rules|subject={_subject_role(span, rules_head, actor)}"] = 1.0
        return f
    head = cand.heads[0]
    f["cand"] = 1.0
    if cand.source.endswith("+alone"):
        f["alone"] = 1.0
        f[f"alone|rel_rules={_relation(span, rules_head, head).split(':')[0]}"] = 1.0
    f[f"src={cand.source}"] = 1.0
    f[f"kind={kind}"] = 1.0
    rel_t = _relation(span, anchor.trigger, head)
    rel_r = _relation(span, rules_head, head)
    f[f"rel_trigger={rel_t}"] = 1.0
    f[f"rel_rules={rel_r}"] = 1.0
    f[f"kind={kind}|rel_rules={rel_r.split(':')[0]}"] = 1.0
    f[f"kind={kind}|rel_trigger={rel_t.split(':')[0]}"] = 1.0
    role = _subject_role(span, head, actor)
    f[f"subject={role}"] = 1.0
    f[f"subject={role}|rules_subject={_subject_role(span, rules_head, actor)}"] = 1.0
    depth = sum(1 for a in tree.ancestors(span, head) if a.pos_ in ("VERB", "AUX"))
    f[f"depth={min(depth, 3)}"] = 1.0
    f[f"dep={head.dep_}"] = 1.0
    f[f"class={_word_class(head)}"] = 1.0
    f[f"class={_word_class(head)}|rules_class={_word_class(rules_head)}"] = 1.0
    f[f"dep={head.dep_}|rules_dep={rules_head.dep_}"] = 1.0
    for m in _markers(span, head):
        f[f"m={m}"] = 1.0
    f["before_trigger" if head.i < anchor.trigger.i else "after_trigger"] = 1.0
    f[f"distance={_bucket(abs(head.i - rules_head.i))}"] = 1.0
    if in_quote(span, head) != in_quote(span, rules_head):
        f["quote_differs"] = 1.0
    if head.dep_ == "conj" and head.head.i == rules_head.i:
        f["conj_of_rules"] = 1.0
    if rules_head.dep_ == "conj" and rules_head.head.i == head.i:
        f["rules_is_conj"] = 1.0
    mine, theirs = set(cand.indices), set(rules.indices)
    overlap = len(mine & theirs)
    if not overlap:
        f["disjoint"] = 1.0
    elif overlap == len(mine):
        f["inside_rules"] = 1.0
    elif overlap == len(theirs):
        f["covers_rules"] = 1.0
    else:
        f["crosses_rules"] = 1.0
    f[f"length={_bucket(len(mine))}"] = 1.0
    ratio = len(mine) / max(1, len(theirs))
    f[f"ratio={'<0.5' if ratio < 0.5 else '<1' if ratio < 1 else '<2' if ratio < 2 else '2+'}"] = 1.0
    if any(span.doc[i].lower_ in lx.SPEECH_VERB_FORMS for i in mine - theirs):
        f["adds_speech_verb"] = 1.0
    if any(span.doc[i].lower_ in lx.SPEECH_VERB_FORMS for i in theirs - mine):
        f["drops_speech_verb"] = 1.0
    if any(span.doc[i].text in QUOTES for i in mine):
        f["has_quote_mark"] = 1.0
    f[f"n_candidates={_bucket(n_candidates)}"] = 1.0
    return f


def _shape(span, indices: list[int], f: dict[str, float]) -> None:
    """What the action cut looks like, alike for every candidate: its first word, its verbs,
    modals and commas, and whether it runs through a clause of its own."""
    doc = span.doc
    toks = [doc[i] for i in indices]
    first = toks[0]
    f[f"shape:first={first.tag_}"] = 1.0
    f[f"shape:first_dep={first.dep_}"] = 1.0
    verbs = sum(1 for t in toks if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass"))
    f[f"shape:verbs={min(verbs, 4)}"] = 1.0
    if any(t.lower_ in lx.FUTURE_MODALS_AND_WOULD for t in toks):
        f["shape:modal"] = 1.0
    if any(t.dep_ in ("nsubj", "nsubjpass") for t in toks):
        f["shape:subject"] = 1.0
    if any(t.lower_ in lx.SPEECH_VERB_FORMS for t in toks):
        f["shape:speech_verb"] = 1.0
    commas = sum(1 for t in toks if t.text in (",", ";"))
    f[f"shape:commas={min(commas, 3)}"] = 1.0
    gaps = sum(1 for a, b in zip(indices, indices[1:]) if b - a > 1)
    f[f"shape:gaps={min(gaps, 3)}"] = 1.0
    f[f"shape:length={_bucket(len(indices))}"] = 1.0


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3-5" if n < 6 else "6-10" if n < 11 else "11-20" if n < 21 else "21+"




def load(path: Path | None = None) -> dict | None:
    """The weights (the shipped ones by default, read once), or None when the file is absent or
    unreadable (the rules stand)."""
    return weights.read(path or MODEL_PATH, "action head model")






def choose(span, anchor, actor, when_indices, ruled: list[int], model: dict | None = None) -> list[int] | None:
    """The action the model prefers, or None to keep the rules' (always for a sentence over MAX_TOKENS)."""
    model = model if model is not None else load()
    if model is None or len(span) > MAX_TOKENS:
        return None
    found = candidates(span, anchor, actor, when_indices, ruled)
    if len(found) < 2:
        return None
    scores = [score(model, features(span, anchor, c, found[0], len(found), actor)) for c in found]
    k = max(range(len(found)), key=lambda i: (scores[i], -i))
    if k == 0 or scores[k] < scores[0] + model.get("margin", 0.0):
        return None
    return found[k].indices
