"""The cold-start suggester: label a sentence commitment, claim or background before any
label has been given, by rules over `features.analyse`, in the precedence the label definitions
set (`reader.definitions`, which the help screen and the README show):

1. a fragment with no verb (headline, dateline, byline) is background;
2. a commitment beats a claim: a party that agrees, pledges, decides, refuses... (a
   commissive predicate with its complement), signs an agreement, offers, announces a plan
   (or has one: "the minister's effort to"), or says it *will* do something in its own
   power, even when the sentence is a quotation or reported speech; also a decision reported
   as a future fact with the party implicit ("will be given to", "is to begin", "will
   receive") or speaking for a thing it runs ("the service will continue, the operator
   said"), a futurate progressive ("is meeting them next week") and a headline's "X to do Y";
3. a demand or request on someone else, an attribution (a verb of saying with its clause,
   "according to", "in a statement", a quotation, speech introduced by the sentence before
   or continuing from it), an opinion, a forecast (a future of change or effect, or from an
   analyst), a conditional, an imperative or a hedge make a claim;
4. everything else, schedules nobody pledges included (events, procedures such as "will be
   held", "will decide"), is background.

Each rule carries the confidence of its evidence, so the probabilities are graded: a plain
"agreed to" scores higher than a future tense in a relative clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.model import DEFAULT_LABELS
from reader.suggest.features import Analysis, analyse

COMMITMENT, CLAIM, BACKGROUND = DEFAULT_LABELS
LABELS: tuple[str, ...] = DEFAULT_LABELS


@dataclass(frozen=True)
class Decision:
    """What the parse rules decide for a sentence: probabilities over LABELS (summing to 1), the
    best label and the rule that chose it. `reader.suggest.cold_start_suggester` turns it into
    the stored `reader.model.Decision`; the learned model reads it as features."""

    label: str
    score: float
    probs: dict[str, float]
    reason: str  # "rule:evidence", e.g. "commissive:agreed"


def suggest(sentence: Any) -> Decision:
    """The cold-start suggestion for a spaCy `Span` or one-sentence `Doc`."""
    return decide(analyse(sentence))


def decide(f: Analysis) -> Decision:
    """Apply the precedence rules to an analysis."""
    attributed = max(f["report_frame"], f["report_passive"], f["according_to"], f["quote"] >= 1, f["speech_follows"],
                     f["speech_continues"])
    runner = CLAIM if attributed else BACKGROUND

    def out(label: str, confidence: float, rule: str, second: str | None = None) -> Decision:
        return _suggestion(label, confidence, rule, f, second or (runner if label != runner else BACKGROUND))

    if f["fragment"] and not attributed:
        return out(BACKGROUND, 0.9, "fragment")
    for rule, confidence in (("commissive", 0.85), ("refusal", 0.85), ("commissive_noun", 0.8),
                             ("future_first_person", 0.8), ("future_agentive", 0.72), ("offer", 0.7),
                             ("future_reported", 0.68), ("headline_plan", 0.65), ("futurate", 0.62)):
        if f[rule]:
            return out(COMMITMENT, confidence * (0.85 if f[rule] < 1 else 1.0), rule)
    if f["demand"] or f["demand_on_commissive"]:
        return out(CLAIM, 0.8, "demand" if f["demand"] else "demand_on_commissive", COMMITMENT if f["demand_on_commissive"] else None)
    for rule, confidence in (("commissive_soft", 0.6), ("future_passive", 0.6), ("future_thing_reported", 0.58),
                             ("intention", 0.55), ("commissive_embedded", 0.5)):
        if f[rule]:
            return out(COMMITMENT, confidence, rule, CLAIM)
    if f["report_frame"] or f["according_to"] or f["report_passive"]:
        rule = next(r for r in ("according_to", "report_frame", "report_passive") if f[r])
        return out(CLAIM, 0.85 if f["report_frame"] or f["according_to"] else 0.75, rule)
    if f["quote_mostly"] or (f["quote"] >= 1 and f["first_person"]):
        return out(CLAIM, 0.8, "quote_continued" if f["quote_continued"] else "quote")
    if f["speech_follows"]:
        return out(CLAIM, 0.75, "speech_follows")
    if f["speech_continues"]:
        return out(CLAIM, 0.6, "speech_continues")
    narrated = f["past_root"] and not f["quote"]  # "I visited the site on Saturday": a reporter's account
    for rule, confidence in (("first_person", 0.0 if narrated else 0.7), ("second_person", 0.65), ("deontic", 0.7),
                             ("forecast", 0.7), ("hedged_commissive", 0.65), ("conditional", 0.6), ("request", 0.6),
                             ("imperative", 0.6), ("desire", 0.55),
                             ("hedge", 0.6), ("question", 0.6), ("future_other", 0.55),
                             ("evaluative", 0.55), ("claim_noun", 0.55)):
        if f[rule] >= 1 and confidence:
            second = COMMITMENT if rule in ("hedged_commissive", "desire") else BACKGROUND
            return out(CLAIM, confidence, rule, second)
    if f["schedule"]:
        return out(BACKGROUND, 0.75, "schedule", COMMITMENT)
    if f["quote"] >= 1:
        return out(CLAIM, 0.55, "quote")
    return out(BACKGROUND, 0.7, "default", CLAIM)


def _suggestion(label: str, confidence: float, rule: str, f: Analysis, second: str) -> Decision:
    """Spread what the rule does not claim over the other labels, most to the runner-up."""
    rest = 1.0 - confidence
    probs = {name: 0.0 for name in LABELS}
    probs[label] = confidence
    others = [name for name in LABELS if name != label]
    if second == label or second not in others:
        second = others[0]
    third = next(name for name in others if name != second)
    probs[second] = rest * 0.75
    probs[third] = rest * 0.25
    evidence = f.evidence.get(rule)
    return Decision(label, confidence, probs, f"{rule}:{evidence}" if evidence else rule)
