"""Commissive predicates and nouns: a party agrees, pledges, refuses, offers, signs an
agreement or announces a plan ("agreed to", "announced plans to", "ruled out a referendum")."""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import triggers
from reader.grammar.clauses import (
    auxiliaries,
    clause_kind,
    controlling_subject,
    is_hedged,
    is_negated,
    is_passive,
    lemma,
    says_future,
    to_complement,
    under_directive,
)
from reader.grammar.party import agentivity, expects_to_act
from reader.suggest.analysis import Analysis


def commissive(found: Analysis, t: Any) -> None:
    word = lemma(t)
    if t.pos_ not in ("VERB", "ADJ", "AUX"):
        return
    if word in lx.DESIRE_VERBS:
        if to_complement(t) is not None and clause_kind(t) in ("main", "reported"):
            found.fire("desire", t)
        return
    if (word not in lx.COMMISSIVE_VERBS and word not in lx.INTENTION_VERBS and word not in lx.REFUSAL_VERBS
            and word not in ("committed", "determined")):
        return
    ruled_out = word == "rule" and bool(triggers.at(t, "ruled-out/lemma"))
    if word == "rule" and not ruled_out:
        return  # a court "ruled": only "ruled out" refuses
    complement = to_complement(t)
    if word in lx.REFUSAL_VERBS and complement is not None and lemma(complement) in lx.COMMENT_VERBS:
        found.fire("declined_comment", t)  # "declined to comment", "refused to say when": no pledge
        return
    strong = complement is not None
    if not strong and word in ("pledge", "promise", "vow", "guarantee", "swear", "undertake"):
        strong = any(c.dep_ in ("dobj", "ccomp") for c in t.children)
    if not strong and word == "agree":
        strong = any(c.dep_ == "dobj" for c in t.children)  # "agreed a ceasefire"
    if not strong and word in ("agree", "decide", "resolve", "announce"):
        strong = any(c.dep_ == "ccomp" and says_future(c) for c in t.children)
    if not strong and word == "propose":
        strong = any(c.dep_ == "dobj" for c in t.children)
    if not strong and word in ("offer", "plan", "announce", "schedule", "unveil"):
        if any(c.dep_ == "dobj" for c in t.children) and not is_passive(t) and not is_negated(t):
            found.fire("commissive_object", t)
            # "The charity is offering free meals": an offer binds the party that makes it.
            offered = next(c for c in t.children if c.dep_ == "dobj")
            if (word in ("offer", "plan") and clause_kind(t) in ("main", "reported") and not is_hedged(t)
                    and not any(c.lower_ in ("no", "little") for c in offered.children)
                    and not under_directive(t) and agentivity(controlling_subject(t)) in ("agent", "first")):
                found.fire("offer", t)  # "plans a second launch": a plan announced, as an offer
    if not strong and ruled_out:
        strong = any(c.dep_ == "dobj" for c in t.children)  # "ruled out a referendum": a refusal
    if not strong:
        return
    if word in lx.JUDGING_VERBS and any(a in lx.FUTURE_MODALS for a in auxiliaries(t)):
        found.fire("schedule", t)  # "the judge will decide next week": no decision yet
        return
    if is_passive(t) and word not in ("commit", "committed", "determine", "determined", "resolve"):
        return  # "is scheduled to", "was planned for": a timetable, not a pledge
    if word in lx.INTENTION_VERBS:
        if word == "expect" and not expects_to_act(t):
            return  # "expects prices to rise", "expects to see growth": a forecast
        if (not found["question"] and agentivity(controlling_subject(t)) != "thing" and not is_negated(t)
                and clause_kind(t) in ("main", "reported")):
            found.fire("intention", t)
        return
    if under_directive(t):
        found.fire("demand_on_commissive", t)
        return
    if t.dep_ == "xcomp" and lemma(t.head) in lx.FAILURE_WORDS:
        found.fire("negated_commissive", t)  # "failed to agree on quotas": no one is bound
        return
    if is_hedged(t):
        found.fire("hedged_commissive", t)
        return
    refusal = word in lx.REFUSAL_VERBS or (complement is not None and is_negated(complement))
    if is_negated(t) and word not in lx.REFUSAL_VERBS:
        found.fire("negated_commissive", t)
        return
    if refusal:
        found.fire("refusal", t)
    if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in t.children) and not refusal:
        found.fire("conditional", t)  # "whether the council will agree to ... depends on": open
    elif clause_kind(t) == "embedded":
        found.fire("commissive_embedded", t)
    elif word in lx.SOFT_COMMISSIVE_VERBS:
        found.fire("commissive_soft", t)
    else:
        found.fire("commissive", t)


def commissive_noun(found: Analysis, t: Any) -> None:
    """A party's plan, pledge or effort to act: "announced plans to", "the minister's effort to"."""
    if t.pos_ != "NOUN" or lemma(t) not in lx.COMMISSIVE_NOUNS:
        return
    complement = to_complement(t)
    head = t.head
    if t.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("on", "upon", "to"):
        head = head.head  # "settled on a plan to", "agreed to a deal"
        announced = lemma(head) in lx.COMMITMENT_NOUN_VERBS
    else:
        announced = t.dep_ in ("dobj", "nsubjpass", "attr") and lemma(head) in lx.COMMITMENT_NOUN_VERBS
    owned = any(c.dep_ == "poss" for c in t.children)
    if (lemma(t) in lx.AGREEMENT_NOUNS and t.dep_ == "pobj" and t.head.lower_ in ("in", "with")
            and lemma(t.head.head) in ("result", "end", "culminate", "conclude", "close")
            and not is_negated(t.head.head) and not is_hedged(t.head.head)
            and clause_kind(t.head.head) in ("main", "reported") and controlling_subject(t.head.head) is not None
            and lemma(controlling_subject(t.head.head)) in lx.EVENT_NOUNS | {"negotiation", "meeting", "discussion", "talk"}):
        found.fire("commissive_noun", t, 0.8)  # "the talks ended in a deal on ...": the parties agreed
        return
    if (lemma(t) in lx.AGREEMENT_NOUNS and announced and lemma(head) in lx.AGREEMENT_VERBS and not is_passive(head)
            and not is_negated(head) and not is_hedged(head) and clause_kind(head) in ("main", "reported")
            and not under_directive(head) and agentivity(controlling_subject(head)) in ("agent", "first")):
        found.fire("commissive_noun", t, 0.9)  # "the two provinces signed an accord"
        return
    if complement is not None and (announced or owned) and lemma(complement) not in lx.NON_AGENTIVE_VERBS:
        if not is_hedged(head) and not is_negated(head) and not under_directive(t):
            embedded = clause_kind(head) == "embedded" or head.pos_ not in ("VERB", "AUX")
            found.fire("commissive_noun", t, 0.8 if embedded else 1.0)
            return
    if complement is not None or announced:
        found.fire("commissive_noun_loose", t)
