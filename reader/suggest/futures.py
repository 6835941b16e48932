"""Futures (will, be going to, be to, set to, would under a verb of saying, the futurate
progressive) and who controls what will happen: a party's own future is a pledge, a thing's
or a forecaster's a forecast, an event's a schedule."""

from __future__ import annotations

from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import triggers
from reader.grammar.clauses import (
    auxiliaries,
    clause_kind,
    controlling_subject,
    is_passive,
    lemma,
    reporting_head,
    under_directive,
)
from reader.grammar.party import agentivity
from reader.grammar.speaker import speaker_kind
from reader.grammar.time import future_time
from reader.suggest.analysis import Analysis


def future(found: Analysis, t: Any) -> None:
    """will/shall/'ll, be going to, be to, set to, would under a verb of saying, and the
    futurate progressive ("is travelling next week"); then who controls what will happen."""
    if t.pos_ not in ("VERB", "AUX") or t.dep_ in ("aux", "auxpass"):
        return
    kind = _future_kind(found, t)
    if kind is None:
        return
    word = lemma(t)
    subject = controlling_subject(t) if kind not in ("going to", "be to", "set to") else controlling_subject(t.head)
    who = agentivity(subject)
    if kind == "would" and found["speech_continues"] and subject is not None and subject.lower_ in ("it", "they"):
        who = "agent"  # the speaker of the sentence before, still speaking
    where = clause_kind(t)
    passive = is_passive(t)
    speaker = speaker_kind(t) if where == "reported" else None
    frame = reporting_head(t) if where == "reported" else None
    if frame is not None and frame.dep_ == "xcomp" and lemma(frame.head) in lx.REFUSAL_VERBS:
        return  # "declined to say when the plant would reopen": nobody said it would
    if kind == "would" and where == "main":
        found.fire("would_narrative", t)
    if where == "opinion" or speaker == "forecaster":
        found.fire("future_other", t)  # a future someone believes, fears or predicts: a forecast
        return
    if any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.sent) and who != "first":
        found.fire("conditional", t)
        return
    if any(c.dep_ == "advmod" and c.lower_ in lx.HEDGE_ADVERBS for c in t.children) or under_directive(t):
        found.fire("future_other", t)
        return
    strength = 0.6 if kind == "set to" else 1.0
    if where == "embedded":
        found.fire("future_embedded", t, strength)
        return
    if (subject is not None and lemma(subject) in lx.EVENT_NOUNS) or (passive and word in lx.PROCEDURE_PASSIVES):
        found.fire("schedule", t)  # "the hearing will resume", "will be held on Tuesday"
        return
    if word in lx.RECIPIENT_VERBS and not passive and any(c.dep_ == "dobj" for c in t.children):
        # "Each family will receive a grant": the giver has undertaken to give it.
        found.fire("future_passive", t, strength * (1.0 if speaker or who != "thing" else 0.8))
        return
    if passive and (word in lx.NON_AGENTIVE_VERBS or word in lx.JUDGEMENT_PASSIVES):
        found.fire("future_other", t)  # "homes will be affected", "he will be remembered as"
        return
    if passive:
        # "The families will be given housing": a party's decision with the party left implicit.
        found.fire("future_passive", t, strength)
        if where == "reported":
            found.fire("future_reported", t, 0.8 * strength)
        return
    if who in ("thing", "none") or passive:
        if speaker == "party" and not passive and (word in lx.ASPECTUAL_VERBS or _settable(t, subject) or (
                word not in lx.OUTCOME_VERBS and word not in lx.NON_AGENTIVE_VERBS)):
            # "the service will continue", "the new flag will feature a fern", says who runs it
            found.fire("future_thing_reported", t, 1.0 if word in lx.ASPECTUAL_VERBS else 0.8)
        elif word in lx.CHANGE_VERBS or word in lx.OUTCOME_VERBS or speaker is not None:
            found.fire("future_other", t)  # "prices will rise", "the project will create jobs": a forecast
        else:
            found.fire("schedule", t)  # "the mission will last six months": a plan stated as fact
        return
    if word in lx.NON_AGENTIVE_VERBS:
        found.fire("future_other", t)  # "we will see", "the party will lose": not in its power
        return
    if word in lx.JUDGING_VERBS:
        found.fire("schedule", t)  # "the judge will decide next week": a decision still to come
        return
    if kind == "progressive":
        found.fire("futurate", t)
    elif kind == "would" or where == "reported":
        found.fire("future_reported", t, strength)
    elif who == "first":
        found.fire("future_first_person", t, strength)
    else:
        found.fire("future_agentive", t, strength)


def _settable(t: Any, subject: Any) -> bool:
    """A state the speaking party can set for a thing of its own: "the museum will be free",
    "the road will remain closed" (not "it would be difficult", "prices will be higher")."""
    if lemma(t) not in ("be", "remain", "stay", "have") or subject is None:
        return False
    if subject.lower_ in lx.NON_AGENT_PRONOUNS or subject.pos_ == "PRON":
        return False
    for c in t.children:
        if c.dep_ in ("acomp", "attr", "oprd") and (lemma(c) in lx.EVALUATIVE_WORDS or lemma(c) in lx.FORECAST_ADJECTIVES
                                                    or c.tag_ in ("JJR", "JJS", "RBR") or lemma(c) in ("able", "difficult", "easy", "hard")):
            return False
    return True


def _future_kind(found: Analysis, t: Any) -> str | None:
    aux = auxiliaries(t)
    if any(a in lx.FUTURE_MODALS for a in aux):
        return "will"
    if "would" in aux and "have" in aux:
        return None  # "would have been possible": a counterfactual, not a future
    if "would" in aux:
        where = clause_kind(t)
        if where == "reported":
            return "would"
        if where == "main" and not any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.sent):
            if found["prev_attributed"] and not any(c.lower_ == "later" for c in t.children):
                # "The airline said it had apologised. It would refund every ticket.": the
                # reported speech of the sentence before goes on, its "would" still reported.
                found.fire("speech_continues", t)
                return "would"
            found.fire("would_narrative", t)
        return None
    if t.dep_ == "xcomp" and "to" in aux:
        head = t.head
        if any(m[2].i == t.i for m in triggers.at(head, "going-to/lemma")):
            return "going to"
        if lemma(head) == "be" and head.dep_ in ("ROOT", "ccomp", "conj") and not any(c.dep_ in ("acomp", "attr") for c in head.children):
            if agentivity(controlling_subject(head)) not in ("agent", "first"):
                return None  # "its goal is to ...": a description, not a future
            return "be to"
        if head.lower_ == "set" and (auxiliaries(head) or is_passive(head)):
            return "set to"
        if head.lower_ in ("due", "scheduled", "slated"):
            found.fire("schedule", head)
        return None
    be = [c for c in t.children if c.dep_ == "aux" and lemma(c) == "be"]
    if t.tag_ == "VBG" and be and future_time(t, present=be[0].tag_ in ("VBZ", "VBP")):
        return "progressive"
    return None
