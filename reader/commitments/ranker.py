"""A learned choice of the actor among the parties a commitment sentence names.

The rules (`reader.commitments.actor`) propose one actor. This module lists the other spans of
the sentence that could be the actor (the subject of every clause, the quoted source, the
agent of a passive, owners, objects, named people, organisations and places, and "nobody"),
describes each by a few features of the parse (its relation to the commitment's predicate,
whether the rules chose it, its entity type, where it stands, whether it is a pronoun or a
generic noun) and scores them with a linear model fitted on the labelled corpus
(`reader.commitments.ranker_build`, `make model`). The best-scoring candidate wins when it
beats the rules' own by the shipped margin; otherwise, and when the model file is absent, the
sentence offers a single candidate, or the rule that chose the actor was seldom taken in the
corpus or resolved a relative pronoun (`overridable`), the rules' actor stands.

The model is a JSON file of feature weights in this package (`ranker.json`), read on first use
(only where extraction runs); scoring needs no scikit-learn.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.commitments import weights
from reader.commitments.weights import in_quote, score
from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.party import is_agent, maybe_party
from reader.grammar.speaker import speaker

MODEL_PATH = Path(__file__).resolve().parent / "ranker.json"
# heads of a noun phrase that may name the actor
HEAD_DEPS = frozenset(("nsubj", "nsubjpass", "pobj", "poss", "appos", "dobj", "conj", "ROOT", "attr",
                       "npadvmod", "dative", "nmod", "compound", "oprd", "dep"))
ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP")
_WORD = re.compile(r"\w+")
PROTECTED = frozenset({"Q stands for the noun before it"})


class Candidate:
    """One span that could be the actor: its head token and the token indices it covers."""

    __slots__ = ("head", "indices", "source")

    def __init__(self, head, indices: list[int], source: str) -> None:
        self.head = head
        self.indices = indices
        self.source = source


def candidates(span, anchor, rules) -> list[Candidate]:
    """The rules' actor first, then "nobody", then every other noun phrase head's phrase and
    every named party of the sentence, each span once."""
    from reader.commitments.actor import phrase

    out: list[Candidate] = []
    seen: set[tuple[int, ...]] = set()

    def add(head, indices, source):
        key = tuple(sorted(indices))
        if key not in seen:
            seen.add(key)
            out.append(Candidate(head, list(key), source))

    add(rules.head, rules.indices, "rules")
    add(None, [], "none")
    src = speaker(span, anchor.clause)
    if src is not None:
        add(src, phrase(span, src), "speaker")
    for tok in span:
        if tok.pos_ in ("NOUN", "PROPN", "PRON") and tok.dep_ in HEAD_DEPS and not (
            tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN")
        ):
            if tok.pos_ == "PRON" and tok.lower_ not in lx.PERSONAL_PRONOUNS:
                continue
            words = phrase(span, tok)
            if not any(span.doc[i].tag_ in ("WDT", "WP", "WP$") for i in words):  # "whose mother": not as written
                add(tok, words, "phrase")
    for ent in span.ents:
        if ent.label_ in ENTITY_LABELS:
            add(ent.root, list(range(ent.start, ent.end)), "entity")
    return out


def features(span, anchor, rules, cand: Candidate, n_candidates: int) -> dict[str, float]:
    """The features of one candidate (names are strings; the model's weights are keyed by them)."""
    kind = anchor.kind
    f: dict[str, float] = {}
    is_rules = cand.source == "rules"
    rules_empty = not rules.indices
    if is_rules:
        f["rules"] = 1.0
        f[f"rules|{kind}"] = 1.0
        f[f"rules|note={_note_key(rules.note)}"] = 1.0
    rules_role = _role(span, anchor, rules.head if rules.indices else None)
    role = rules_role if is_rules else _role(span, anchor, cand.head if cand.indices else None)
    f[f"role={role}"] = 1.0
    if not is_rules:
        f[f"rules_role={rules_role}|role={role}"] = 1.0
    if not cand.indices:
        f["none"] = 1.0
        f[f"none|{kind}"] = 1.0
        f[f"none|rules_empty={rules_empty}"] = 1.0
        f[f"none|speaker={speaker(span, anchor.clause) is not None}"] = 1.0
        return f
    head = cand.head
    f["cand"] = 1.0
    f[f"src={cand.source}"] = 1.0
    f[f"dep={head.dep_}"] = 1.0
    f[f"pos={head.pos_}"] = 1.0
    f[f"ent={head.ent_type_ or '-'}"] = 1.0
    f[f"dep2={head.dep_}<{head.head.dep_ if head.head.i != head.i else '-'}"] = 1.0
    f[f"kind={kind}|dep={head.dep_}"] = 1.0
    subject, passive = tree.clause_subject(span, anchor.clause)
    if subject is not None and subject.i == head.i:
        f[f"clause_subject|passive={passive}"] = 1.0
        f[f"clause_subject|{kind}"] = 1.0
    above = _subject_above(span, anchor.clause, head)
    if above:
        f[f"subject_above={min(above, 3)}"] = 1.0
        if any(n.dep_ in ("relcl", "acl") for n in [anchor.clause, *list(tree.ancestors(span, anchor.clause, above - 1))]):
            f["subject_above_a_relative_clause"] = 1.0  # "X described ... Y, who intends to": not X
    src = speaker(span, anchor.clause)
    if src is not None and src.i == head.i:
        f["speaker"] = 1.0
    if head.dep_ == "pobj" and head.head.dep_ == "agent":
        f["agent"] = 1.0
    if head.dep_ == "pobj":
        f[f"pobj_of={head.head.lower_ if head.head.lower_ in ('by', 'from', 'of', 'for', 'to', 'with', 'in') else 'other'}"] = 1.0
    if head.dep_ == "nsubj" and lx.lemma(head.head) in ("say", "tell", "announce", "state", "add"):
        f["subject_of_saying"] = 1.0
    action = set()
    for h in anchor.heads:
        action |= tree.subtree(span, h)
    if head.i in action and not (subject is not None and subject.i == head.i):
        f["in_action"] = 1.0
    if head.i in tree.subtree(span, anchor.clause):
        f["under_clause"] = 1.0
    if anchor.clause.i in tree.subtree(span, head) and head.i != anchor.clause.i:
        f["over_clause"] = 1.0
    if head.lower_ in lx.COMMIT_NOUNS or head.lower_ in lx.THING_NOUNS:
        f["thing_noun"] = 1.0
    if any(span.doc[i].tag_ == "POS" for i in cand.indices):
        f["possessive_mark"] = 1.0
    trig = anchor.trigger.i
    f["before_trigger" if head.i < trig else "after_trigger"] = 1.0
    f[f"distance={_bucket(abs(head.i - trig))}"] = 1.0
    f[f"position={_bucket(head.i - span.start)}"] = 1.0
    f[f"length={_bucket(len(cand.indices))}"] = 1.0
    if in_quote(span, head):
        f["in_quote"] = 1.0
    if head.lower_ in lx.PERSONAL_PRONOUNS:
        f["pronoun"] = 1.0
        f[f"pronoun={head.lower_ if head.lower_ in ('i', 'we', 'they', 'it', 'he', 'she', 'you') else 'other'}"] = 1.0
    if head.pos_ == "NOUN" and any(c.dep_ == "det" for c in head.children):
        f["generic"] = 1.0
    if is_agent(span, head):
        f["agent_noun"] = 1.0
    elif maybe_party(span, head):
        f["maybe_party"] = 1.0
    else:
        f["no_party"] = 1.0
    ents = {span.doc[i].ent_type_ for i in cand.indices} & set(ENTITY_LABELS)
    for label in ents:
        f[f"has_ent={label}"] = 1.0
    if is_rules or rules_empty:
        return f
    overlap = len(set(cand.indices) & set(rules.indices))
    if overlap:
        f["overlaps_rules"] = 1.0
        f["inside_rules" if overlap == len(cand.indices) else "covers_rules" if overlap == len(rules.indices) else "crosses_rules"] = 1.0
    f[f"n_candidates={_bucket(n_candidates)}"] = 1.0
    return f


def _role(span, anchor, head) -> str:
    """What a candidate is to the predicate, in one word (and whether it is a pronoun)."""
    if head is None:
        return "none"
    subject, _ = tree.clause_subject(span, anchor.clause)
    src = speaker(span, anchor.clause)
    if subject is not None and subject.i == head.i:
        role = "subject"
    elif src is not None and src.i == head.i:
        role = "speaker"
    elif _subject_above(span, anchor.clause, head):
        role = "subject_above"
    elif head.dep_ in ("poss", "pobj") and head.head.i in (anchor.trigger.i, *(c.i for c in anchor.trigger.children)):
        role = "owner"
    elif any(head.i in tree.subtree(span, h) for h in anchor.heads):
        role = "in_action"
    else:
        role = "other"
    return role + ("+pron" if head.lower_ in lx.PERSONAL_PRONOUNS else "")


def overridable(model: dict, note: str) -> bool:
    """May the model replace the actor a rule chose? Not for a rule the corpus seldom took (the
    model has not learnt when it errs), nor for a relative pronoun's antecedent (grammar, not a
    guess: "Carney, who intends to travel" is Carney's intention)."""
    return note not in PROTECTED and model.get("notes", {}).get(note, 0) >= model.get("min_note", 0)


def _note_key(note: str | None) -> str:
    """The rule that chose the actor, without the words of the sentence it quotes."""
    if not note:
        return "-"
    return re.sub(r"'[^']*'", "Q", note.split(";")[0])[:60]


def _subject_above(span, clause, head) -> int:
    """How many verbs up from the predicate's clause the candidate is a subject (0: none)."""
    for n, node in enumerate(tree.ancestors(span, clause, 8), start=1):
        subject, _ = tree.clause_subject(span, node)
        if subject is not None and subject.i == head.i:
            return n
    return 0


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3-5" if n < 6 else "6-10" if n < 11 else "11+"




def load(path: Path | None = None) -> dict | None:
    """The weights (the shipped ones by default, read once), or None when the file is absent or
    unreadable (the rules stand)."""
    return weights.read(path or MODEL_PATH, "actor ranker")


def choose(span, anchor, rules, model: dict | None = None):
    """The candidate the model prefers, or None to keep the rules' actor (always for a sentence
    over MAX_TOKENS)."""
    model = model if model is not None else load()
    if model is None or len(span) > weights.MAX_TOKENS or not overridable(model, _note_key(rules.note)):
        return None
    found = candidates(span, anchor, rules)
    if len(found) <= 2 and rules.indices:  # the rules' actor and "nobody": nothing to choose
        return None
    scored = [(score(model, features(span, anchor, rules, c, len(found))), k) for k, c in enumerate(found)]
    best, k = max(scored, key=lambda sk: (sk[0], -sk[1]))
    if k == 0 or best < scored[0][0] + model.get("margin", 0.0):
        return None
    return found[k]


def tokens(text: str | None) -> list[str]:
    """The scorer's tokens (../shared/tools/score_commitments.py): lower-case words."""
    return _WORD.findall(text.lower()) if text else []
