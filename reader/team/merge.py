"""Merging another reader database into this one: the decisions, with no SQL.

- Events are matched by their `uid`, so merging the same file twice adds nothing. An event of
  a version-1 log has no uid: it gets a hash of what it says (and its rank among identical
  events), which every copy of that log gives alike.
- An article split into other sentences there (another model) has its labels mapped by
  offsets: a sentence of theirs maps to ours only when both cover the same text; labels on
  sentences that do not exist here are left out and counted, never put on a neighbour.
- The value in force for a sentence, annotator and field is the one of the latest event by
  time among both logs, so it does not depend on which file came first. Two events of one log
  in the same millisecond are in the log's order; of two logs, the greater uid wins. Older
  events are appended to the log without being applied; the winning one takes the times the
  other database's current value carries.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from reader.store.labels import Entry

COLUMNS = "id, article_id, sentence_index, annotator, action, label, previous, target, created, field, provenance, suggested, uid"
Key = tuple[int, str, "str | None"]  # sentence index, annotator, field
Stamp = tuple[str, int, str]  # event time, id in its own log, uid
Value = tuple[str, str, str]  # label, since, updated


@dataclass(frozen=True)
class LogEvent:
    """One row of an event log (COLUMNS)."""

    id: int
    article_id: str
    sentence_index: int | None
    annotator: str
    action: str
    label: str | None
    previous: str | None
    target: int | None
    created: str
    field: str | None
    provenance: str | None
    suggested: str | None
    uid: str | None


def with_uids(events: Iterable[LogEvent]) -> list[tuple[str, LogEvent]]:
    """Each event with its uid, derived for events written before events had one."""
    seen: Counter[str] = Counter()
    out = []
    for e in events:
        uid = e.uid
        if uid is None:
            said = "\x1f".join(repr(x) for x in (e.article_id, e.sentence_index, e.annotator, e.action, e.label, e.previous, e.created, e.field))
            rank = seen[said]
            seen[said] += 1
            uid = "v1-" + hashlib.sha256(f"{said}\x1e{rank}".encode()).hexdigest()[:29]
        out.append((uid, e))
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_map(text: str, ours: Iterable[tuple[int, int, int]], theirs: Iterable[tuple[int, int, int]]) -> dict[int, int]:
    """Their sentence index -> ours, for sentences that cover the same text (spaces aside)."""
    by_span = {_trimmed(text, start, end): index for index, start, end in ours}
    found = {}
    for index, start, end in theirs:
        mine = by_span.get(_trimmed(text, start, end))
        if mine is not None:
            found[index] = mine
    return found


@dataclass(frozen=True)
class Planned:
    """An event to write here; `their_target` is the id (in their log) of the event it undoes
    or redoes, to be replaced by that event's id here."""

    their_id: int
    their_target: int | None
    entry: Entry


@dataclass
class ArticlePlan:
    """What merging one article's log does."""

    known: dict[int, int] = field(default_factory=dict)  # their event id -> ours, already here
    events: list[Planned] = field(default_factory=list)
    left_out: int = 0  # events on sentences that do not exist here
    changed: int = 0  # values in force that the merge changes


def latest_stamps(events: Iterable[tuple[str, LogEvent]]) -> dict[Key, Stamp]:
    """The latest event of each sentence, annotator and field in one log: by time, then by
    the log's order."""
    latest: dict[Key, Stamp] = {}
    for uid, e in events:
        if e.sentence_index is None:
            continue
        key = (e.sentence_index, e.annotator, e.field)
        stamp = (e.created, e.id, uid)
        if key not in latest or stamp[:2] > latest[key][:2]:
            latest[key] = stamp
    return latest


def later(theirs: Stamp, ours: Stamp) -> bool:
    """Whether an event of another log is later than ours: by time, then by uid (the ids of
    two logs say nothing about each other)."""
    return (theirs[0], theirs[2]) > (ours[0], ours[2])


def plan_article(theirs: list[tuple[str, LogEvent]], mapping: dict[int, int] | None, known: dict[str, int],
                 ours: dict[Key, Stamp], values: dict[Key, Value], *, can_apply: bool = True) -> ArticlePlan:
    """The events of their log for one article that are not here yet, mapped onto our
    sentences (mapping None: the same sentences), each applied only if it is the latest.

    `known` is uid -> our event id; `ours` our latest stamps; `values` their current values by
    their sentence index.
    """
    plan = ArticlePlan()
    fresh: list[tuple[str, LogEvent, int | None]] = []
    for uid, e in theirs:
        if uid in known:
            plan.known[e.id] = known[uid]
            continue
        index = e.sentence_index
        if index is not None and mapping is not None:
            index = mapping.get(index)
            if index is None:
                plan.left_out += 1
                continue
        fresh.append((uid, e, index))
    newest = latest_stamps((uid, _at(e, index)) for uid, e, index in fresh)
    winners = {key: stamp for key, stamp in newest.items() if can_apply and (key not in ours or later(stamp, ours[key]))}
    plan.changed = len(winners)
    for uid, e, index in fresh:
        apply = index is not None and winners.get((index, e.annotator, e.field)) == (e.created, e.id, uid)
        since = updated = None
        if apply:
            value = values.get((e.sentence_index, e.annotator, e.field))
            if value is not None and value[0] == e.label:
                _, since, updated = value
        entry = Entry(e.article_id, index, e.annotator, e.action, e.label, e.previous, field=e.field,
                      provenance=e.provenance, suggested=e.suggested, created=e.created, uid=uid,
                      since=since, updated=updated, apply=apply, exact=apply)
        plan.events.append(Planned(e.id, e.target, entry))
    return plan


def _at(e: LogEvent, index: int | None) -> LogEvent:
    return e if index == e.sentence_index else LogEvent(**{**e.__dict__, "sentence_index": index})


@dataclass
class MergeReport:
    """What `reader merge` says about one file."""

    path: str
    articles_added: int = 0
    articles_present: int = 0
    events_added: int = 0
    events_present: int = 0
    changed: int = 0
    left_out: int = 0
    resplit: list[dict] = field(default_factory=list)  # {id, title, sentences, mapped}
    assignments_added: int = 0
