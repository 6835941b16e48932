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

from dataclasses import dataclass

from reader.commitments import lexicon as lx
from reader.commitments import tree

TIME_LABELS = ("DATE", "TIME")
# Participles that open a time expression whatever they hang on: "starting next week".
ONSET_WORDS = frozenset({"starting", "beginning", "effective", "commencing"})
YEAR_MIN, YEAR_MAX = 1800, 2200
# Nouns after which "on" gives a topic: "a decision on the date", "talks on the timetable".
TOPIC_NOUNS = frozenset("""
    decision decisions ruling vote debate talks agreement deal report consultation referendum
    view views position statement update discussion discussions negotiations advice guidance
    information details recommendation recommendations proposal proposals
""".split())
# Nouns of places and things with ends in space, not time ("at the end of the street").
SPATIAL_NOUNS = frozenset("""
    street road lane avenue corridor line queue table room hall building bridge river valley field
    pier platform runway track garden park list page book tunnel
""".split())
# Words of forecast: a time under one says when something is expected, which nobody promises.
FORECAST_WORDS = frozenset("""
    expected expect expects likely unlikely predicted forecast forecasts projected anticipated
    estimated believed thought rumoured rumored tipped poised
""".split())


@dataclass
class When:
    """A time expression: token indices and the DATE/TIME entity text inside it (if any)."""

    indices: list[int]
    entity: str | None
    kind: str  # "point", "clause", "duration"


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
            tok.lower_ not in ONSET_WORDS | {"following", "pending"}
        ):
            found -= tree.subtree(span, tok)  # a clause describing a noun, not timing the action
    found -= set(actor_indices) - {i for i in actor_indices if span.doc[i].dep_ == "npadvmod"}
    for i in sorted(found):
        tok = span.doc[i]
        if i in found and tok.lower_ in FORECAST_WORDS and tok.i not in path and (tok.tag_.startswith("VB") or tok.tag_ == "JJ"):
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
    return _joined(span, best, [c[1] for c in cands])


def _candidates(span, anchor, area, on_promise, base_year, own: bool = True, base_date=None) -> list[tuple[tuple, When]]:
    cands: list[tuple[tuple, When]] = []
    taken: set[int] = set()
    for i in sorted(area):
        tok = span.doc[i]
        if i in taken:
            continue
        found = _onset(span, tok, area) or _prep_phrase(span, tok, area) or _adverbial(span, tok, area) or _clause(span, tok, area)
        if found is None:
            continue
        if found.kind == "duration" or _in_the_past(span, found, base_year, own=own):
            continue  # "last year", "over the past decade": not when a promise is kept
        if on_promise & set(found.indices) and not _points_forward(span, found, base_year, base_date):
            continue  # "agreed on Tuesday": the day of the agreement
        taken |= set(found.indices)
        order = {"point": 0, "clause": 1, "duration": 2}[found.kind]
        near = _distance(span, tok, anchor)
        cands.append(((order, near, i), found))
    return cands


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
        if _has_time_entity(span, second.indices):
            # then a date that fixes or narrows it: "following the vote on Friday", "every Monday
            # in March" (but not "next Thursday after heavy rain": an event after a date)
            have = sorted(set(have) | set(other.indices))
    if have == sorted(best.indices):
        return best
    return When(have, _entity_text(span, have), best.kind)


def _wider(span, anchor, actor_indices) -> set[int]:
    """The sentence less the words that cannot time the action: subjects (the actor's and the
    speaker's), the time words of a verb of saying ("said on Tuesday"), and clauses with a
    subject of their own that the commitment is not part of."""
    found = set(range(span.start, span.end)) - set(actor_indices) - _said_when(span, anchor.clause)
    path = _anchor_path(span, anchor)
    for i in path:
        tok = span.doc[i]
        for c in tree.children(span, tok):
            if c.i in path:
                continue
            if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                found -= tree.subtree(span, c)
            elif c.dep_ == "conj" and tree.child(span, c, "nsubj", "nsubjpass") is not None:
                found -= tree.subtree(span, c)
            elif tok.lower_ in lx.SPEECH_VERBS and c.dep_ in ("prep", "npadvmod", "tmod", "advmod"):
                found -= tree.subtree(span, c)  # when it was said
    for tok in span:
        if tok.tag_ == "VBD" and tok.i not in path and tok.dep_ in ("advcl", "relcl", "acl", "conj", "ccomp", "parataxis"):
            found -= tree.subtree(span, tok)  # "After the founder left in October, ...": a past event
        if tok.lower_ in FORECAST_WORDS and tok.i not in path:
            found -= tree.subtree(span, tok)  # "..., with a ruling expected next month": a forecast
        if tok.lower_ in lx.SPEECH_VERBS:
            for c in tree.children(span, tok, "prep", "npadvmod", "tmod", "advmod", "nsubj", "advcl"):
                if c.i in path or (c.dep_ == "advcl" and tree.child(span, c, "mark") is not None):
                    continue  # a condition ("If ..., they said, they will"): the content's own
                found -= tree.subtree(span, c)  # ", the minister said on Tuesday"; "Speaking after the meeting, X said"
    return found


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
    if any(w.lower_ in lx.FUTURE_WORDS for w in words) or (words and words[0].lower_ in lx.DEADLINE_PREPOSITIONS):
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
    if any(w.lower_ in lx.PAST_WORDS and not _final(w) for w in words):
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


def is_temporal(tok) -> bool:
    if tok.ent_type_ in TIME_LABELS:
        return True
    low = tok.lower_
    if low in lx.TEMPORAL_NOUNS and low not in ("time", "end", "start", "beginning", "middle", "term", "period", "may"):
        return True
    if low == "may":
        return tok.tag_ == "NNP"
    return tok.like_num and tok.text.isdigit() and YEAR_MIN <= int(tok.text) <= YEAR_MAX and len(tok.text) == 4


def _temporal_object(span, obj) -> bool:
    """Is a prepositional object temporal: "January", "that date", "the end of the year"?"""
    if obj.lower_ in ("end", "start", "beginning", "middle", "close", "turn") or obj.lower_ in lx.EVENT_TIME_NOUNS:
        for prep in tree.children(span, obj, "prep"):
            inner = tree.child(span, prep, "pobj")
            if prep.lower_ == "of" and inner is not None and is_temporal(inner):
                return True
            if prep.lower_ == "of" and inner is not None and obj.lower_ in lx.EVENT_TIME_NOUNS and _event(span, inner, loose=True):
                return True  # "at the conclusion of the hearings": a point fixed by an event
        return obj.ent_type_ in TIME_LABELS
    if obj.lower_ in ("time", "term", "period"):
        return obj.ent_type_ in TIME_LABELS
    if obj.pos_ == "NOUN" and any(c.lower_ in lx.FUTURE_WORDS for c in obj.children if c.dep_ in ("amod", "det")):
        return True  # "at its next meeting", "in the coming round"
    return is_temporal(obj)


def _prep_phrase(span, tok, area) -> When | None:
    if tok.dep_ not in ("prep", "agent") or tok.lower_ not in lx.TIME_PREPOSITIONS:
        participle = tok.lower_ in ("following", "pending") and tok.dep_ in ("acl", "advcl", "prep", "xcomp")
        if not participle and not (tok.lower_ == "ahead" and tree.child(span, tok, "prep") is not None):
            return None
    obj = tree.child(span, tok, "pobj")
    gerund = tree.child(span, tok, "pcomp")
    if obj is None and gerund is not None and gerund.tag_ == "VBG" and tok.lower_ in lx.EVENT_PREPOSITIONS:
        # "before flying any crew", "after completing the review": an event told by a verb
        indices = _trim_clauses(span, [i for i in tree.subtree_range(span, tok) if i in area or i == tok.i], gerund, keep=tok)
        return When(indices, _entity_text(span, indices), "clause")
    if obj is None and tok.lower_ in ("following", "pending"):
        obj = tree.child(span, tok, "dobj")  # "following the vote", tagged as a verb with an object
    if obj is None:
        inner = tree.child(span, tok, "prep")  # "ahead of the vote", "no later than"
        obj = tree.child(span, inner, "pobj") if inner is not None else None
    if obj is None:
        return None
    if tok.lower_ == "in" and obj.lower_ == "time" and obj.i == tok.i + 1:
        # "in time for the summer season": the "for" phrase may hang on the verb beside it
        after = obj.i + 1
        if after < span.end and span.doc[after].lower_ == "for" and span.doc[after].dep_ == "prep":
            indices = [tok.i, obj.i, *tree.subtree_range(span, span.doc[after])]
            indices = _trim_clauses(span, [i for i in indices if i in area or i in (tok.i, obj.i)], obj, keep=tok)
            return When(indices, None, "point")
    event = tok.lower_ in lx.EVENT_PREPOSITIONS and _event(span, obj)
    if not (_temporal_object(span, obj) or tok.lower_ in ("until", "till") or event or _rest_of(obj)):
        return None
    indices = [i for i in tree.subtree_range(span, tok) if i in area or i == tok.i]
    indices = _trim_clauses(span, indices, obj, keep=tok)
    indices = _trim_lead(span, indices, tok)
    if tok.lower_ == "on" and tok.head.lower_ in TOPIC_NOUNS and not _has_time_entity(span, indices):
        return None  # "a decision on the launch date": what the decision is about, not a time
    kind = "duration" if tok.lower_ == "for" and not _rest_of(obj) else "point"
    if tok.lower_ == "from" and _followed_by_to(span, tok):
        kind = "clause"  # "moved from August to September": what changes, a weak reading of when
    if tok.lower_ in ("for", "over", "during", "throughout") and not _has_time_entity(span, indices) and not _rest_of(obj):
        return None
    if kind == "duration" and _looks_like_date(span, indices):
        kind = "point"  # "for 2 April" is a date, not a span of time
    return When(indices, _entity_text(span, indices), kind)


def _event(span, tok, loose: bool = False) -> bool:
    """Can a noun phrase name an event ("the vote", "the election", "the Olympics")? Nouns that
    are neither parties nor places ("before the committee", "after him" are not times).
    loose: after "the end / conclusion / start of", where only a person or a place is no event
    ("at the conclusion of its congress", but not "at the end of the street")."""
    if tok.pos_ not in ("NOUN", "PROPN") or tok.ent_type_ in ("LOC", "FAC", "GPE", "PERSON"):
        return False
    if loose:
        return tok.lower_ not in lx.PLACE_NOUNS and tok.lower_ not in lx.PERSON_NOUNS and tok.lower_ not in SPATIAL_NOUNS
    return not _is_party(span, tok)


def _rest_of(obj) -> bool:
    """"for the rest of the season", "for the remainder of the year": a stretch fixed on the
    calendar, which ends at a known time, not an amount of time."""
    return obj.lower_ in ("rest", "remainder", "duration") and any(
        p.lower_ == "of" and any(is_temporal(o) or o.lower_ in ("season", "term", "tournament", "campaign", "war") for o in p.children)
        for p in obj.children
    )


def _is_party(span, tok) -> bool:
    """"before the committee", "after him": a party, so the preposition is not about time."""
    from reader.commitments.actor import is_agent

    return tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or (is_agent(span, tok) and tok.ent_type_ not in TIME_LABELS)


def _followed_by_to(span, prep) -> bool:
    after = prep.right_edge.i + 1
    return after < span.end and span.doc[after].lower_ == "to"


def _trim_lead(span, indices, prep) -> list[int]:
    """ "in full next month" -> "next month": words before the time entity that are not time words
    cut the preposition off as well."""
    rest = [i for i in indices if i > prep.i]
    k = 0
    while k < len(rest) and not _time_word(span.doc[rest[k]]):
        if span.doc[rest[k]].pos_ == "PROPN":
            return indices  # "on Arbor Day next April": a named day
        k += 1
    if k == 0 or k == len(rest):
        return indices
    first = span.doc[rest[k]]
    if not (first.lower_ in lx.TEMPORAL_MODIFIERS or first.like_num or first.lower_ in lx.MONTHS_AND_DAYS):
        return indices  # "after dry summer": no time expression of its own is left after the cut
    return rest[k:]


def _time_word(tok) -> bool:
    """A word that can open a time expression; spaCy's DATE entities sometimes take in an
    adjective before it ("in full next month"), so an entity's adjective does not count."""
    if tok.lower_ in lx.TEMPORAL_MODIFIERS or tok.lower_ in lx.TEMPORAL_NOUNS or tok.like_num or tok.tag_ in ("DT", "PRP$", "PDT"):
        return True
    return tok.ent_type_ in TIME_LABELS and tok.pos_ in ("NOUN", "PROPN", "NUM")


def _trim_clauses(span, indices, obj, keep=None) -> list[int]:
    drop: set[int] = set()
    for i in indices:
        tok = span.doc[i]
        if tok.dep_ in ("relcl", "acl", "advcl", "appos") and tok.i != obj.i and (keep is None or tok.i != keep.i):
            drop |= tree.subtree(span, tok)
    kept = [i for i in indices if i not in drop]
    # stop at a comma: what follows it is no longer the time expression
    out = []
    for i in kept:
        if span.doc[i].text in (",", ";", "—", "–", "(") and out:
            break
        out.append(i)
    return out


def _onset(span, tok, area) -> When | None:
    """"starting next week", "effective 1 March", "beginning in June"."""
    if tok.lower_ not in ONSET_WORDS:
        return None
    for c in tree.children(span, tok):
        inner = tree.child(span, c, "pobj") if c.dep_ == "prep" else c
        if inner is not None and inner.ent_type_ in TIME_LABELS:
            indices = _trim_clauses(span, [i for i in tree.subtree_range(span, tok) if i in area], tok)
            return When(indices, _entity_text(span, indices), "point") if indices else None
    return None


def _adverbial(span, tok, area) -> When | None:
    if tok.dep_ in ("npadvmod", "tmod", "advmod", "dobj", "oprd", "nsubj") and tok.ent_type_ in TIME_LABELS:
        recurring = any(c.lower_ in ("every", "each") for c in tok.children if c.dep_ == "det")
        if tok.dep_ in ("dobj", "nsubj") and not (recurring and tok.dep_ == "dobj"):
            return None  # "requires 42 days", "summer empties": not adverbials (but "meet every week")
        head = tok.head
        if head.pos_ in ("NOUN", "PROPN") and tok.dep_ != "npadvmod":
            return None
        indices = [i for i in tree.subtree_range(span, tok) if i in area]
        indices = _trim_clauses(span, indices, tok)
        if not indices:
            return None
        if _bare_amount(span, indices):
            return When(indices, None, "duration")  # "gave them 30 days": how long, not when
        return When(indices, _entity_text(span, indices), "point")
    if tok.dep_ == "npadvmod" and tok.lower_ in lx.TEMPORAL_NOUNS and any(
        c.lower_ in ("once", "twice", "thrice", "every", "each", "per") for c in tok.children
    ):
        indices = [i for i in tree.subtree_range(span, tok) if i in area]  # "once a month", "twice a year"
        return When(indices, None, "point") if indices else None
    if tok.dep_ in ("advmod", "npadvmod") and tok.lower_ in lx.TEMPORAL_ADVERBS:
        if tok.head.pos_ in ("NOUN", "PROPN") and tok.dep_ == "advmod":
            return None
        indices = [i for i in tree.subtree_range(span, tok) if i in area]
        return When(indices, _entity_text(span, indices), "point")
    return None


UNITS = frozenset("second seconds minute minutes hour hours day days week weeks month months year years decade decades".split())


def _bare_amount(span, indices) -> bool:
    """"30 days", "two weeks": an amount of time with nothing that fixes it on the calendar."""
    words = [span.doc[i] for i in indices]
    return len(words) >= 2 and words[-1].lower_ in UNITS and all(w.like_num or w.lower_ in ("a", "few", "several") for w in words[:-1])


def _clause(span, tok, area) -> When | None:
    if tok.lower_ not in lx.TIME_SUBORDINATORS:
        return None
    if tok.dep_ != "mark" and not (tok.dep_ == "advmod" and tok.tag_ == "WRB" and tok.i == tok.head.left_edge.i):
        return None  # "when" is a mark or, as the parser often has it, the clause's first adverb
    verb = tok.head
    if verb.dep_ != "advcl" or not tree.inside(span, verb):
        return None
    indices = [i for i in tree.subtree_range(span, verb) if i in area]
    indices = _trim_clauses(span, [i for i in indices if i >= tok.i], verb)
    return When(indices, None, "clause") if indices else None


def _has_time_entity(span, indices) -> bool:
    return any(span.doc[i].ent_type_ in TIME_LABELS for i in indices)


def _looks_like_date(span, indices) -> bool:
    return any(span.doc[i].lower_ in lx.MONTHS_AND_DAYS for i in indices)


def _entity_text(span, indices) -> str | None:
    """The DATE/TIME entity inside the expression (spaCy's own span of it), clipped to it."""
    doc = span.doc
    have = sorted(set(indices))
    # token by token (IOB tags), not doc.ents: that is rebuilt on every access
    first = next((i for i in have if doc[i].ent_type_ in TIME_LABELS and doc[i].ent_iob_ == "B"), None)
    if first is None:
        return None
    last = first
    while last + 1 in indices and doc[last + 1].ent_iob_ == "I":
        last += 1
    return doc[first:last + 1].text
