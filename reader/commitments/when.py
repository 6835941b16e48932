"""The time expression of the action, as written: "by the end of the year", "on Wednesday".

Only words that time the action count: those inside the action's own phrase, plus those on the
commitment word when it is not a past event ("tomorrow he plans to ..."; but in "agreed on
Tuesday to build ...", Tuesday dates the agreement, not the building). On a past commitment
word, a time still counts when it points forward ("next month", "by 2030", a year after the
article's), since the parser often hangs the action's time there. A subject's subtree,
relative clauses and object descriptions ("weekly case numbers", "a ten-year deal") are not
looked at, and neither are times in the past ("last year") or durations ("for 25 years":
how long, not when). Candidates:

* a time preposition with a temporal object: "by the end of January", "within 48 hours";
* a temporal noun phrase used as an adverb: "next month", "every week", "Wednesday";
* a time adverb: "tomorrow", "soon", "immediately";
* a time clause: "until the outbreak is declared over" (weakest);
* a point fixed by an event: "following the vote", "upon the release of the report", "at the
  conclusion of the hearings", "in the wake of the fire", "before flying any crew", "in time for
  the season" (any noun but a party, a person or a place: not "after the minister", "at the end
  of the street"); "on" after a decision or a report gives its topic, not a time.

The nearest to the action's head wins, then the first in the sentence; a date right after it
joins it ("following the vote on Friday", "every Monday in March"). A time clause among the
action's own words may be in the past tense of reported speech ("would not reopen until the
heating was fixed"); elsewhere a past clause is a past event. A bare amount ("30 days") is a
duration; "for the rest of the month" is not.

When the action's words hold no time, the rest of the sentence is searched, less the subjects,
the words of saying ("said on Tuesday", "Speaking after the meeting, X said"), clauses in the
past and forecasts ("with a ruling expected next month"): a condition's deadline ("If the fee is
not paid within 30 days, they said, they will ...") or a participle clause that spells the action
out ("..., with the first game set for Lisbon on 9 June").
"""

from __future__ import annotations

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.time import (
    TIME_LABELS,
    When,
    adverbial,
    as_long_as,
    entity_text,
    has_time_entity,
    is_temporal,
    onset,
    prep_phrase,
    time_clause,
)


def region(span, anchor, actor_indices) -> set[int]:
    """Token indices where the action's time may be written."""
    found: set[int] = set()
    for h in anchor.heads:
        found |= tree.subtree(span, h)
        for c in tree.children(span, h, "conj"):
            if c.i > h.i and tree.child(span, c, "nsubj", "nsubjpass") is not None:
                found -= tree.subtree(span, c)  # another clause, with its own time
    if not anchor.past:
        for node in {anchor.trigger, anchor.clause}:
            if node is None or not tree.inside(span, node):
                continue
            found.add(node.i)
            for c in tree.children(span, node):
                if c.dep_ in ("nsubj", "nsubjpass", "conj", "cc", "ccomp", "parataxis", "relcl"):
                    continue
                found |= tree.subtree(span, c)
    for i in actor_indices:
        tok = span.doc[i]
        if tok.dep_ == "npadvmod" and tok.ent_type_ in TIME_LABELS and not anchor.past:
            found |= tree.subtree(span, tok)  # "The council today is to ..."
    found -= _said_when(span, anchor.clause)
    path = _anchor_path(span, anchor)
    for i in sorted(found):
        tok = span.doc[i]
        if i in found and tok.i not in path and tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON") and (
            tok.lower_ not in lx.ONSET_WORDS | {"following", "pending"}
        ):
            found -= tree.subtree(span, tok)  # a clause describing a noun, not timing the action
    found -= set(actor_indices) - {i for i in actor_indices if span.doc[i].dep_ == "npadvmod"}
    for i in sorted(found):
        tok = span.doc[i]
        if i in found and tok.lower_ in lx.FORECAST_WORD_FORMS and tok.i not in path and (tok.tag_.startswith("VB") or tok.tag_ == "JJ"):
            found -= tree.subtree(span, tok)  # "..., with the first expected to open in 2029": a forecast
    return found


def _said_when(span, clause) -> set[int]:
    """"The company said Monday it would close ...": words between the verb of saying and the
    reported clause's subject belong to the saying, wherever the parser hung them."""
    subject = tree.child(span, clause, "nsubj", "nsubjpass")
    said = tree.head(span, clause)
    if subject is None or said is None or clause.dep_ != "ccomp" or not said.i < subject.left_edge.i:
        return set()
    that = next((m for m in tree.children(span, clause, "mark") if m.lower_ == "that" and said.i < m.i < subject.i), None)
    if that is not None:
        return set(range(said.i + 1, that.i))  # "said that, following the inquiry, it would": the clause's own
    between = set(range(said.i + 1, subject.left_edge.i))
    for c in tree.children(span, clause, "advcl"):
        if c.i in between and tree.child(span, c, "mark") is not None:
            between -= tree.subtree(span, c)  # "said that if it is not paid within 30 days, ...": the clause's own
    return between


def _anchor_path(span, anchor) -> set[int]:
    """The anchor's words and everything above them: never cut away as a "noun's clause"."""
    path: set[int] = set()
    for node in [anchor.trigger, anchor.clause, *anchor.heads]:
        if node is None or not tree.inside(span, node):
            continue
        path.add(node.i)
        path |= {a.i for a in tree.ancestors(span, node)}
    return path


def find(span, anchor, actor_indices, base_year: int | None = None, base_date=None) -> When | None:
    """The action's time: first among the words of the action (see `region`); when they have
    none, anywhere else in the sentence but the subject, the time of saying and the time of a
    past promise ("If the fee is not paid within 30 days, the club said, it will ...", "...,
    with the first game set for 3 June")."""
    area = region(span, anchor, actor_indices)
    on_promise: set[int] = set()
    if anchor.past:
        on_promise = _promise_words(span, anchor) - area
        area = area | on_promise
    # the action's own time clause may be backshifted ("would not reopen until the heating was
    # fixed"), unless the action itself is told in the past ("began after the river fell")
    own = not any(h.tag_ == "VBD" for h in anchor.heads)
    cands = _candidates(span, anchor, area, on_promise, base_year, own=own, base_date=base_date)
    if not cands:
        wide = _wider(span, anchor, actor_indices) - area
        cands = _candidates(span, anchor, wide | on_promise, on_promise, base_year, own=False, base_date=base_date)
    if not cands:
        return None
    best = min(cands, key=lambda c: c[0])[1]
    return _tidy(span, _joined(span, best, [c[1] for c in cands]))


def _tidy(span, found: When) -> When:
    """The time words alone: a date runs on to the end of its entity ("December 31, 2021", cut
    at the comma by the parse), and the adverbs of manner or degree at its edges ("entirely
    before the spring", "virtually on 12 May") are not part of it."""
    have = sorted(found.indices)
    if not have:
        return found
    end = have[-1] + 1
    while end < span.end and span.doc[end - 1].ent_type_ in TIME_LABELS and span.doc[end].ent_iob_ == "I":
        have.append(end)
        end += 1
    while len(have) > 1 and _manner(span.doc[have[0]]):
        have.pop(0)
    while len(have) > 1 and _manner(span.doc[have[-1]]):
        have.pop()
    if have == sorted(found.indices):
        return found
    return When(have, entity_text(span, have), found.kind)


def _manner(tok) -> bool:
    """An adverb that says how or how much of the whole phrase or the verb, not when
    ("entirely before", "virtually on 12 May"); not one inside the expression ("as soon as",
    "no later than", "once a month")."""
    return tok.pos_ == "ADV" and tok.ent_type_ not in TIME_LABELS and tok.lower_ not in lx.TEMPORAL_ADVERBS | lx.FORWARD_WORDS \
        | lx.BACKWARD_WORDS | lx.FUTURE_TIME_WORDS and not any(c.dep_ in ("prep", "pobj") for c in tok.children) \
        and tok.head.pos_ in ("ADP", "VERB", "AUX") and not any(is_temporal(c) for c in tok.children)


def _candidates(span, anchor, area, on_promise, base_year, own: bool = True, base_date=None) -> list[tuple[tuple, When]]:
    cands: list[tuple[tuple, When]] = []
    taken: set[int] = set()
    for i in sorted(area):
        tok = span.doc[i]
        if i in taken:
            continue
        found = onset(span, tok, area) or prep_phrase(span, tok, area) or adverbial(span, tok, area) or as_long_as(span, tok, area) \
            or time_clause(span, tok, area)
        if found is None:
            continue
        if found.kind == "duration" or _in_the_past(span, found, base_year, own=own):
            continue  # "last year", "over the past decade": not when a promise is kept
        if _day_of_saying(span, found, anchor):
            continue  # "Today, the council announces ...": the day it is said
        if _on_past_event(span, found) and not _points_forward(span, found, base_year, base_date):
            continue  # "The Senate on Thursday ratified ...", "returned to work on Thursday": a day gone by
        first = span.doc[min(found.indices)]
        if first.lower_ == "during" and first.head.i == anchor.trigger.i and anchor.kind in ("verb", "refusal", "proposal"):
            continue  # "agree a workplan during the minister's visit": the time of agreeing
        if _after_a_spell(span, found):
            continue  # "after four months of talks": what led to it, not when it is done
        if on_promise & set(found.indices) and not _points_forward(span, found, base_year, base_date):
            continue  # "agreed on Tuesday": the day of the agreement
        taken |= set(found.indices)
        order = {"point": 0, "clause": 1, "duration": 2}[found.kind]
        near = _distance(span, tok, anchor)
        cands.append(((order, _set_off(span, found), near, i), found))
    return cands


def _day_of_saying(span, found: When, anchor) -> bool:
    """"today" on a verb of announcing, affirming or saying: the day the party speaks."""
    words = [span.doc[i] for i in found.indices]
    if len(words) != 1 or words[0].lower_ not in lx.SPEAKING_DAY_WORDS:
        return False
    verb = words[0].head
    saying = lx.ANNOUNCE_VERB_FORMS | lx.SPEECH_VERB_FORMS | lx.COMMIT_VERB_FORMS
    # "we are proud to announce", "pleased to confirm": the verb of saying hangs on an adjective
    complements = [g for c in verb.children if c.dep_ == "acomp" for g in c.children] + list(verb.children)
    # "reaffirm their commitment today", "a commitment I am making tonight": the verb that
    # makes or affirms the commitment noun
    affirms = anchor.kind == "noun" and (anchor.trigger.head.i == verb.i or (verb.dep_ == "relcl" and verb.head.i == anchor.trigger.i))
    return verb.lower_ in saying or affirms or (verb.i == anchor.trigger.i and anchor.kind in ("verb", "noun", "adjective")) or any(
        c.lower_ in saying and c.dep_ in ("xcomp", "ccomp") for c in complements)


def _on_past_event(span, found: When) -> bool:
    """A point in time hung on a verb in the past tense dates that past event."""
    if found.kind != "point":
        return False
    first = span.doc[min(found.indices)]
    top = next((span.doc[i] for i in found.indices if not tree.inside(span, span.doc[i].head) or span.doc[i].head.i not in found.indices), first)
    verb = top.head
    if verb.tag_ == "VBD":
        return True
    return verb.tag_ == "VBN" and any(a.lower_ in ("was", "were", "had") for a in verb.children if a.dep_ in ("aux", "auxpass"))


def _after_a_spell(span, found: When) -> bool:
    """"after three years of talks", "after a two-week freeze": a spell of time that has passed."""
    words = [span.doc[i] for i in sorted(found.indices)]
    if not words or words[0].lower_ not in ("after", "following") or any(w.lower_ in lx.FORWARD_WORDS for w in words):
        return False
    # a spell "of" something, or a spell that describes a thing: not "after three years"
    spell = [w for w in words[1:] if w.ent_type_ == "DATE" and not is_temporal(w.head) and (
        any(c.lower_ == "of" for c in w.children) or w.dep_ in ("amod", "compound", "nummod") and w.head.ent_type_ != "DATE")]
    return bool(spell)


def _set_off(span, found: When) -> bool:
    """A phrase between commas (", after weeks of protests,") tells the circumstance of the
    sentence: weaker than one that times the act itself."""
    lo, hi = min(found.indices), max(found.indices)
    return found.kind == "point" and lo > span.start and \
        span.doc[lo - 1].text == "," and hi + 1 < span.end - 1 and span.doc[hi + 1].text in (",", "—", "–")


def _joined(span, best: When, others: list[When]) -> When:
    """Two time phrases side by side are one expression: "following the vote on Friday",
    "next week on Tuesday" (the parser hangs them on the verb one by one)."""
    have = sorted(best.indices)
    for other in sorted(others, key=lambda w: min(w.indices)):
        if other is best or not other.indices or other.kind != "point" or best.kind != "point":
            continue
        if not (min(other.indices) == have[-1] + 1 or max(other.indices) + 1 == have[0]):
            continue
        first, second = (best, other) if min(other.indices) > max(best.indices) else (other, best)
        if has_time_entity(span, second.indices):
            # then a date that fixes or narrows it: "following the vote on Friday", "every Monday
            # in March" (but not "next Thursday after heavy rain": an event after a date)
            have = sorted(set(have) | set(other.indices))
    if have == sorted(best.indices):
        return best
    return When(have, entity_text(span, have), best.kind)


def _wider(span, anchor, actor_indices) -> set[int]:
    """The sentence less the words that cannot time the action: subjects (the actor's and the
    speaker's), the time words of a verb of saying ("said on Tuesday"), and clauses with a
    subject of their own that the commitment is not part of."""
    found = set(range(span.start, span.end)) - set(actor_indices) - _said_when(span, anchor.clause)
    path = _anchor_path(span, anchor)
    cut: list = []  # whose subtrees go: taken out in one pass at the end (one at a time is quadratic on a deep parse)
    for i in path:
        tok = span.doc[i]
        for c in tree.children(span, tok):
            if c.i in path:
                continue
            if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                cut.append(c)
            elif c.dep_ == "conj" and tree.child(span, c, "nsubj", "nsubjpass") is not None:
                cut.append(c)
            elif tok.lower_ in lx.SPEECH_VERB_FORMS and c.dep_ in ("prep", "npadvmod", "tmod", "advmod"):
                cut.append(c)  # when it was said
    for tok in span:
        if tok.tag_ == "VBD" and tok.i not in path and tok.dep_ in ("advcl", "relcl", "acl", "conj", "ccomp", "parataxis"):
            cut.append(tok)  # "After the founder left in October, ...": a past event
        elif tok.tag_ == "VBN" and tok.i not in path and tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN") and not (
                tok.lower_ in lx.COMMIT_ADJECTIVES | lx.COMMIT_VERB_FORMS or any(
                a.dep_ in ("aux", "auxpass") and a.lower_ not in ("was", "were", "been", "has", "have", "had") for a in tok.children)):
            # "under a scheme approved on Monday": what was done to a noun (not "a match set for
            # June", "doses to be allocated by June", "a summit that will be held on 12 May",
            # "pupils getting tested until July")
            cut.append(tok)
        if tok.lower_ in lx.FORECAST_WORD_FORMS and tok.i not in path:
            cut.append(tok)  # "..., with a ruling expected next month": a forecast
        if tok.lower_ in lx.SPEECH_VERB_FORMS:
            for c in tree.children(span, tok, "prep", "npadvmod", "tmod", "advmod", "nsubj", "advcl"):
                if c.i in path or (c.dep_ == "advcl" and tree.child(span, c, "mark") is not None):
                    continue  # a condition ("If ..., they said, they will"): the content's own
                cut.append(c)  # ", the minister said on Tuesday"; "Speaking after the meeting, X said"
    return found - tree.subtrees(span, cut)


def _promise_words(span, anchor) -> set[int]:
    """Time adjuncts hung directly on a past commitment word: a preposition of time, a noun
    phrase or an adverb (not "with" phrases, clauses, its subject or its complement)."""
    heads = {h.i for h in anchor.heads}
    found: set[int] = set()
    # a plan noun's verb is the event as well ("The plan to close X was approved on Tuesday")
    words = [anchor.trigger] + ([anchor.clause] if anchor.kind == "noun" and anchor.clause is not anchor.trigger else [])
    for word in words:
        for c in tree.children(span, word, "prep", "npadvmod", "tmod", "advmod"):
            if c.i in heads or c.i == anchor.trigger.i or (c.dep_ == "prep" and c.lower_ not in lx.TIME_PREPOSITIONS):
                continue
            found |= tree.subtree(span, c)
    return found


def _final(word) -> bool:
    """"the last minute", "its last meeting": last in a series, not the past ("last week")."""
    return word.lower_ == "last" and word.i > 0 and word.doc[word.i - 1].tag_ in ("DT", "PRP$", "POS")


def _points_forward(span, found: When, base_year: int | None, base_date=None) -> bool:
    words = [span.doc[i] for i in found.indices]
    while len(words) > 1 and _manner(words[0]):
        words.pop(0)  # "well before the sowing"
    if any(w.lower_ in lx.FORWARD_WORDS for w in words) or (words and words[0].lower_ in lx.DEADLINE_PREPOSITIONS):
        return True
    if base_date is not None and _calendar_day_after(words, base_date):
        return True  # "agreed to a debate on 2 May" in an article of February
    years = [int(w.text) for w in words if w.text.isdigit() and len(w.text) == 4 and is_temporal(w)]
    return base_year is not None and bool(years) and min(years) > base_year


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


def _calendar_day_after(words, base_date) -> bool:
    """A day of a named month ("2 May", "May 2") later than the article's date (in its year, or
    the year written). A weekday ("on Tuesday") says nothing: news uses it for the days just past."""
    month = next((MONTHS.index(w.lower_) + 1 for w in words if w.lower_ in MONTHS and (w.lower_ != "may" or w.tag_ == "NNP")), None)
    day = next((int(w.text) for w in words if w.text.isdigit() and 1 <= int(w.text) <= 31), None)
    year = next((int(w.text) for w in words if w.text.isdigit() and len(w.text) == 4), base_date.year)
    if month is None or day is None:
        return False
    return (year, month, day) > (base_date.year, base_date.month, base_date.day)


def _in_the_past(span, found: When, base_year: int | None, own: bool = False) -> bool:
    """own: the expression is among the action's own words, where a past tense in a time clause
    is the backshift of reported speech ("would not reopen until the heating was fixed")."""
    words = [span.doc[i] for i in found.indices]
    if any(w.lower_ in lx.BACKWARD_WORDS and not _final(w) for w in words):
        return True
    if found.kind == "clause":
        return not own and any(w.tag_ == "VBD" for w in words)  # "After the plant closed, ..."
    if base_year is None:
        return False
    years = [int(w.text) for w in words if w.text.isdigit() and len(w.text) == 4 and is_temporal(w)]
    return bool(years) and max(years) < base_year


def _distance(span, tok, anchor) -> int:
    heads = {h.i for h in anchor.heads} | {anchor.trigger.i, anchor.clause.i}
    n = 0
    node = tok
    while node is not None and node.i not in heads and n < 40:
        node, n = tree.head(span, node), n + 1
    return n


