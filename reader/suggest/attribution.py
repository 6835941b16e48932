"""Attribution and stance: verbs of saying with their clause, "according to", demands and
requests on someone else, opinions, hedges, judgements, claim nouns and numbers."""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar.clauses import clause_kind, is_finite, is_negated, is_passive, lemma
from reader.grammar.party import expects_to_act
from reader.suggest.analysis import Analysis


def attribution(found: Analysis, t: Any) -> None:
    word = lemma(t)
    if t.lower_ == "according" and any(c.lower_ == "to" for c in t.children):
        found.fire("according_to", t)
        return
    if (t.dep_ == "pobj" and lemma(t) in lx.STATEMENT_NOUNS and t.head.lower_ in ("in", "during") and t.tag_ == "NN"
            and any(c.dep_ in ("det", "poss") for c in t.children)
            and t.head.head.pos_ in ("VERB", "AUX") and clause_kind(t.head.head) == "main"):
        found.fire("according_to", t)  # "In a statement, the company apologised": attributed
        return
    if t.pos_ != "VERB":
        return
    children = list(t.children)
    deps = {c.dep_ for c in children}
    if not is_finite(t):
        # "a petition asking the government to act": a demand made in a participle
        if t.tag_ == "VBG" and t.dep_ in ("acl", "advcl") and not is_passive(t) and "xcomp" in deps and (
                word in lx.DIRECTIVE_VERBS or word in lx.REQUEST_VERBS):
            found.fire("request", t)
        return
    # "called on the board to", "called for the minister to resign" (where "for" marks the clause)
    calls_on = word == "call" and any(c.lower_ in ("on", "for", "upon") for c in children) or (
        word == "call" and any(c.dep_ == "advcl" and any(m.lower_ == "for" for m in c.children) for c in children))
    if (word in lx.DIRECTIVE_VERBS or calls_on) and not is_passive(t):
        if deps & {"xcomp", "ccomp"} or calls_on or (word in ("urge", "demand") and "dobj" in deps):
            found.fire("demand", t)
            return
    if word in lx.REQUEST_VERBS and not is_passive(t) and deps & {"xcomp", "ccomp"}:
        found.fire("request", t)
        if word != "tell":
            return
    if word not in lx.REPORTING_VERBS:
        return
    if word in lx.FORECAST_VERBS and "xcomp" in deps and not (word == "expect" and expects_to_act(t)):
        found.fire("forecast", t)
        if is_passive(t):
            return
    clause = bool(deps & {"ccomp", "parataxis"}) or t.dep_ == "parataxis"
    if is_passive(t):
        if clause or "xcomp" in deps or any(c.dep_ == "expl" or c.lower_ == "it" for c in children):
            found.fire("report_passive", t)
        elif word in lx.CLAIM_ACT_VERBS and clause_kind(t) == "main" and "dobj" not in deps:
            found.fire("report_passive", t)  # "was widely praised", "were accused of": a judgement reported
        return
    if word in lx.CLAIM_ACT_VERBS and deps & {"dobj", "prep", "ccomp", "oprd"}:
        found.fire("opinion_verb", t)
        found.fire("report_frame", t)
    elif word in lx.OPINION_VERBS and (clause or deps & {"oprd", "xcomp"}):
        found.fire("opinion_verb", t)
        found.fire("report_frame", t)
    elif clause or (t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "as" for m in children)):
        found.fire("report_frame", t)  # "... said that ...", "As the minister told reporters, ..."
    elif word in lx.SPEECH_VERBS and t.dep_ in ("ROOT", "parataxis", "conj"):
        ending = [c for c in t.sent if not c.is_space][-2:]
        if any(c.text in (":", ",") for c in ending) or any(c.is_quote for c in t.sent):
            found.fire("report_frame", t)
    elif word in ("call", "describe", "label", "brand", "dub") and deps & {"oprd", "xcomp"} | ({"prep"} if word == "describe" else set()):
        found.fire("report_frame", t)


def stance(found: Analysis, t: Any) -> None:
    low = t.lower_
    if t.dep_ == "aux" and low in lx.DEONTIC_MODALS:
        # "It must be returned within a month" is a procedure; "they must act" an opinion.
        found.fire("procedure" if is_passive(t.head) else "deontic", t)
    elif t.dep_ == "aux" and low in ("may", "might", "could", "would") and clause_kind(t.head) in ("main", "reported", "opinion"):
        later = any(c.lower_ == "later" for c in t.head.children)  # "would later become": narrative
        if not is_negated(t.head) and not (low == "would" and (later or clause_kind(t.head) == "reported")):
            found.fire("hedge", t)
    elif low in lx.HEDGE_ADVERBS and t.pos_ == "ADV" and clause_kind(t.head) != "embedded":
        found.fire("hedge", t)
    elif t.pos_ in ("ADJ", "ADV") and (lemma(t) in lx.EVALUATIVE_WORDS or _intensified(t)) and t.dep_ in ("acomp", "amod", "attr", "oprd", "ROOT", "conj"):
        found.fire("evaluative", t, 1.0 if t.dep_ != "amod" or _intensified(t) else 0.5)
    elif t.pos_ == "NOUN" and t.dep_ in ("attr", "oprd") and lemma(t) in lx.EVALUATIVE_NOUNS:
        found.fire("evaluative", t)
    elif t.pos_ == "ADJ" and lemma(t) in lx.FORECAST_ADJECTIVES and any(c.dep_ == "xcomp" for c in t.children):
        found.fire("forecast", t)
    elif t.pos_ == "NOUN" and low in lx.CLAIM_NOUNS:
        found.fire("claim_noun", t, 1.0 if t.dep_ in ("nsubj", "dobj") and t.head.dep_ == "ROOT" else 0.5)
    elif t.like_num or t.ent_type_ in ("CARDINAL", "PERCENT", "MONEY", "QUANTITY"):
        found.fire("number", t)


def _intensified(t: Any) -> bool:
    """An adjective of judgement marked as such: "very emotional", "the most successful"."""
    return t.pos_ == "ADJ" and any(c.dep_ == "advmod" and c.lower_ in lx.INTENSIFIERS for c in t.children)
