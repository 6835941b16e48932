"""Time phrases in a sentence: "by the end of the year", "next month", "soon", "until the
works are done", "following the vote", read off the parse (all clipped to one sentence span).

Each finder takes a token and the set of token indices it may use (`area`) and returns a
`When` (the phrase's tokens, the DATE/TIME entity inside it, and its kind: a point in time, a
time clause, or a duration) or None. `reader.commitments.when` picks among them the time of a
commitment's action; `future_time` tells the suggester whether a predicate's time adverbial
points ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reader.grammar import lexicon as lx
from reader.grammar import tree
from reader.grammar.party import is_agent

TIME_LABELS = ("DATE", "TIME")
YEAR_MIN, YEAR_MAX = 1800, 2200
@dataclass
class When:
    """A time expression: token indices and the DATE/TIME entity text inside it (if any)."""

    indices: list[int]
    entity: str | None
    kind: str  # "point", "clause", "duration"


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
    if obj.pos_ in ("NOUN", "PROPN") and obj.ent_type_ not in TIME_LABELS and obj.head.lower_ in ("at", "in") and any(
            t.ent_type_ in TIME_LABELS and t.i < obj.i for t in obj.subtree) and _event(span, obj):
        return True  # "at the May 18 ministerial", "in the 2027 budget": an event dated in its name
    if obj.lower_ in lx.OPEN_TIME_NOUNS:
        return obj.head.lower_ == "in"  # "in the future", "in the meantime"
    if obj.lower_ in ("term", "run") and any(c.dep_ == "amod" and c.lower_ in ("long", "longer", "short", "medium") for c in obj.children):
        return True  # "over the long term", "in the short run"
    if obj.lower_ in ("time", "term", "period"):
        return obj.ent_type_ in TIME_LABELS
    if obj.pos_ == "NOUN" and any(c.lower_ in lx.FORWARD_WORDS for c in obj.children if c.dep_ in ("amod", "det")):
        return True  # "at its next meeting", "in the coming round"
    return is_temporal(obj)


def prep_phrase(span, tok, area) -> When | None:
    if tok.dep_ not in ("prep", "agent") or tok.lower_ not in lx.TIME_PREPOSITIONS:
        participle = tok.lower_ in ("following", "pending") and tok.dep_ in ("acl", "advcl", "prep", "xcomp")
        if not participle and not (tok.lower_ == "ahead" and tree.child(span, tok, "prep") is not None):
            return None
    obj = tree.child(span, tok, "pobj")
    gerund = tree.child(span, tok, "pcomp")
    if obj is None and gerund is not None and gerund.tag_ == "VBG" and tok.lower_ in lx.EVENT_PREPOSITIONS:
        # "before flying any crew", "after completing the review": an event told by a verb
        indices = _trim_clauses(span, [i for i in tree.subtree_range(span, tok) if i in area or i == tok.i], gerund, keep=tok)
        return When(indices, entity_text(span, indices), "clause")
    if obj is None and tok.lower_ in ("following", "pending"):
        obj = tree.child(span, tok, "dobj")  # "following the vote", tagged as a verb with an object
    if obj is None:
        inner = tree.child(span, tok, "prep")  # "ahead of the vote", "no later than"
        obj = tree.child(span, inner, "pobj") if inner is not None else None
    if obj is None or obj.lower_ in lx.NOT_TIME_NOUNS:
        return None  # "over the age of 21": spaCy's DATE, but no time
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
    for place in tree.children(span, obj, "prep"):
        if any(c.ent_type_ in ("GPE", "LOC", "FAC") for c in tree.children(span, place, "pobj")) or (
                is_temporal(obj) and place.lower_ != "of" and not any(is_temporal(t) for t in place.subtree)):
            # "at the summit in Kigali": where, not when; "over the next two years on new
            # floodlights": what, not when
            indices = [i for i in indices if i not in tree.subtree(span, place)]
    indices = _trim_lead(span, indices, tok)
    if tok.lower_ == "on" and tok.head.lower_ in lx.TOPIC_NOUNS and not has_time_entity(span, indices):
        return None  # "a decision on the launch date": what the decision is about, not a time
    kind = "duration" if tok.lower_ == "for" and not _rest_of(obj) else "point"
    if tok.lower_ == "from" and _followed_by_to(span, tok):
        kind = "clause"  # "moved from August to September": what changes, a weak reading of when
    if tok.lower_ in ("for", "over", "during", "throughout") and not has_time_entity(span, indices) and not _rest_of(obj) \
            and obj.lower_ not in ("term", "run") and not (tok.lower_ == "during" and event):
        return None  # "for talks", "over the plan" (but "over the long term", "during the summit")
    if kind == "duration" and _looks_like_date(span, indices):
        kind = "point"  # "for 2 April" is a date, not a span of time
    return When(indices, entity_text(span, indices), kind)


def _event(span, tok, loose: bool = False) -> bool:
    """Can a noun phrase name an event ("the vote", "the election", "the Olympics")? Nouns that
    are neither parties nor places ("before the committee", "after him" are not times).
    loose: after "the end / conclusion / start of", where only a person or a place is no event
    ("at the conclusion of its congress", but not "at the end of the street")."""
    if tok.pos_ not in ("NOUN", "PROPN") or tok.ent_type_ in ("LOC", "FAC", "GPE", "PERSON"):
        return False
    if loose:
        return tok.lower_ not in lx.PLACE_NOUNS and tok.lower_ not in lx.PERSON_NOUNS and tok.lower_ not in lx.SPATIAL_NOUNS
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


def onset(span, tok, area) -> When | None:
    """"starting next week", "effective 1 March", "beginning in June"."""
    if tok.lower_ not in lx.ONSET_WORDS:
        return None
    for c in tree.children(span, tok):
        inner = tree.child(span, c, "pobj") if c.dep_ == "prep" else c
        if inner is not None and inner.ent_type_ in TIME_LABELS:
            indices = _trim_clauses(span, [i for i in tree.subtree_range(span, tok) if i in area], tok)
            return When(indices, entity_text(span, indices), "point") if indices else None
    return None


def adverbial(span, tok, area) -> When | None:
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
        return When(indices, entity_text(span, indices), "point")
    if tok.dep_ == "npadvmod" and tok.lower_ in lx.TEMPORAL_NOUNS and any(
        c.lower_ in ("once", "twice", "thrice", "every", "each", "per") for c in tok.children
    ):
        indices = [i for i in tree.subtree_range(span, tok) if i in area]  # "once a month", "twice a year"
        return When(indices, None, "point") if indices else None
    if tok.dep_ in ("advmod", "npadvmod") and tok.lower_ in lx.TEMPORAL_ADVERBS:
        if tok.head.pos_ in ("NOUN", "PROPN") and tok.dep_ == "advmod":
            return None
        indices = [i for i in tree.subtree_range(span, tok) if i in area]
        return When(indices, entity_text(span, indices), "point")
    return None


def _bare_amount(span, indices) -> bool:
    """"30 days", "two weeks": an amount of time with nothing that fixes it on the calendar."""
    words = [span.doc[i] for i in indices]
    return len(words) >= 2 and words[-1].lower_ in lx.UNITS and all(w.like_num or w.lower_ in ("a", "few", "several") for w in words[:-1])


def as_long_as(span, tok, area) -> When | None:
    """"as long as needed", "as quickly as possible" (the `as-long-as` pattern): open-ended, but
    the time the party gives its action."""
    from reader.grammar import triggers

    if not triggers.at(tok, "as-long-as", span):
        return None
    standard = [m[2] for m in triggers.at(tok, "as-long-as", span)]
    if any(c.dep_ in ("nsubj", "expl") and c.lower_ != "it" for s in standard for c in s.children):
        return None  # "as long as the truce holds": a condition ("as long as it takes" is a time)
    indices = [i for i in tree.subtree_range(span, tok) if i in area]
    return When(indices, None, "point") if indices else None


def time_clause(span, tok, area) -> When | None:
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


def has_time_entity(span, indices) -> bool:
    return any(span.doc[i].ent_type_ in TIME_LABELS for i in indices)


def _looks_like_date(span, indices) -> bool:
    return any(span.doc[i].lower_ in lx.MONTHS_AND_DAYS for i in indices)


def entity_text(span, indices) -> str | None:
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


# ---- the suggester's reading ---------------------------------------------------------------

def future_time(t: Any, present: bool = False) -> bool:
    """Does a time adverbial of this predicate point ahead ("next week", "tomorrow", "by
    the end of the year")? In the present progressive any date but a past one does: "is
    meeting them on Thursday"."""
    for child in t.children:
        if child.dep_ not in ("npadvmod", "advmod", "prep", "tmod"):
            continue
        words = list(child.subtree)
        for w in words:
            low = w.lower_
            if low in ("tomorrow", "soon") or (low in lx.FUTURE_TIME_WORDS and w.ent_type_ in ("DATE", "TIME")):
                return True
        if present and any(w.ent_type_ == "DATE" for w in words) and not any(
                w.lower_ in lx.PAST_TIME_WORDS or w.lower_ in ("today", "now", "currently") for w in words):
            return True
        if child.lower_ == "by" and any(g.dep_ == "pobj" and (g.lower_ == "end" or g.ent_type_ == "DATE") for g in child.children):
            return True
    return False
