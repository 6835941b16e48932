"""Merging another reader database into this one: the decisions, with no SQL (the reading and
writing are `reader.store.merge`'s).

- Events are matched by their `uid`, so merging the same file twice adds nothing. An event of
  a version-1 log has no uid: it gets a hash of what it says (and its rank among identical
  events), which every copy of that log gives alike.
- An article split into other sentences there (another model) has its labels mapped by
  offsets: a sentence of theirs maps to ours only when both cover the same text; labels on
  sentences that do not exist here are left out and counted, never put on a neighbour.
- Everything taken in passes the sanitiser and limits of `reader import`: an article whose
  text is not clean text, or whose sentences do not fit it, is left out with the reason;
  titles, names, labels, notes and corrections are cleaned; an event whose names are empty or
  too long, or whose time is not a time, is refused and counted.
- An event whose uid is here already with other content is left out and counted, as is an
  event on a sentence that does not exist here.
- The value in force for a sentence, annotator and field is the one of the latest event by
  time among both logs, so it does not depend on which file came first. Two events of one log
  in the same millisecond are in the log's order; of two logs, the greater uid wins. Older
  events are appended to the log without being applied; the winning one takes the times the
  other database's current value carries.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from reader.limits import DEFAULT_MAX_BYTES, MAX_NAME_CHARS, MAX_SENTENCE_CHARS, MAX_VALUE_CHARS
from reader.sanitize import clean_field, clean_meta, clean_text, clean_time, clipped_field
from reader.store.events import Event
from reader.store.labels import Entry

Key = tuple[int, str, "str | None"]  # sentence index, annotator, field
Stamp = tuple[str, int, str]  # event time, id in its own log, uid
Value = tuple[str, str, str]  # label, since, updated


LogEvent = Event  # one row of an event log, here or in the other database

ACTIONS = frozenset({"set", "clear", "undo", "redo", "delete", "import"})
Refused = str  # why an article, or a part of one, was left out


@lru_cache(maxsize=65536)
def _clean(value: object, limit: int) -> str | None:
    """A one-line value cleaned as import cleans it; None when nothing is left or it is too long."""
    if not isinstance(value, str):
        return None
    cleaned = clean_field(value)
    return cleaned if cleaned and len(cleaned) <= limit else None


def _clean_json(value: object) -> str | None:
    """JSON text with every string in it cleaned; None when it is not JSON."""
    if not isinstance(value, str):
        return None
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if value.isascii() and value.isprintable() and "\\u" not in value:
        return value  # no control character can hide in it, escaped or not (the usual case, made fast)
    try:
        return json.dumps(clean_meta(data), ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def clean_value(field_name: str | None, value: object) -> str | None | bool:
    """What a field holds, cleaned (a label or a field's name: a short line; a note or
    correction: a longer one); False when it cannot be stored."""
    if value is None:
        return None
    cleaned = _clean(value, MAX_NAME_CHARS if field_name is None else MAX_VALUE_CHARS)
    return False if cleaned is None else cleaned


def clean_event(e: LogEvent) -> LogEvent | None:
    """The event with everything it carries cleaned; None when it cannot be taken in: an
    unknown action, an empty or over-long name or value, a time that is not a time, a
    sentence index that is not a number."""
    created = clean_time(e.created)
    annotator = _clean(e.annotator, MAX_NAME_CHARS)
    name = None if e.field is None else _clean(e.field, MAX_NAME_CHARS)
    uid = e.uid if e.uid is None or (isinstance(e.uid, str) and e.uid.isascii() and e.uid.isprintable()
                                     and " " not in e.uid and len(e.uid) <= MAX_NAME_CHARS) else None
    if (created is None or annotator is None or e.action not in ACTIONS or (e.field is not None and name is None)
            or (e.uid is not None and uid is None) or not isinstance(e.id, int)
            or not (e.sentence_index is None or type(e.sentence_index) is int)
            or not (e.target is None or type(e.target) is int)):
        return None
    label, previous = clean_value(name, e.label), clean_value(name, e.previous)
    if isinstance(label, bool) or isinstance(previous, bool):  # False: it cannot be stored
        return None
    provenance = None if e.provenance is None else _clean(e.provenance, MAX_NAME_CHARS)
    suggested = None if e.suggested is None else _clean_json(e.suggested)
    if (created, annotator, label, previous, name, provenance, suggested) == (
            e.created, e.annotator, e.label, e.previous, e.field, e.provenance, e.suggested):
        return e  # clean already (nearly always)
    return LogEvent(e.id, e.article_id, e.sentence_index, annotator, e.action, label, previous, e.target, created,
                    name, provenance, suggested, uid)


def same_content(a: LogEvent, b: LogEvent) -> bool:
    """Whether two events (one uid) say the same thing; where they sit in their logs aside."""
    return (a.sentence_index, a.annotator, a.action, a.label, a.previous, a.created, a.field) == (
        b.sentence_index, b.annotator, b.action, b.label, b.previous, b.created, b.field)


DETAIL_FIELDS = ("title", "source", "url", "author", "published", "site")


def clean_article(row: tuple) -> tuple | Refused:
    """An article row (reader.store.merge.ARTICLE_COLUMNS) cleaned as import cleans, or why it
    cannot be taken in."""
    article_id, text = row[0], row[7]
    if not isinstance(article_id, str) or clean_field(article_id) != article_id or len(article_id) > 64:
        return "its id is not one short line of printable text"
    if not isinstance(text, str) or not text:
        return "it has no text"
    if len(text.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_BYTES:
        return f"its text is over {DEFAULT_MAX_BYTES:,} bytes"
    if clean_text(text) != text:
        return "its text holds control characters or escape sequences (reader import would have removed them)"
    details = [_clean_detail(v) for v in row[1:7]]
    meta = _clean_json(row[8]) if row[8] is not None else "{}"
    imported = clean_time(row[11]) or "1970-01-01T00:00:00.000Z"
    model = _clean(row[9], MAX_NAME_CHARS)
    version = _clean(row[10], MAX_NAME_CHARS)
    return (article_id, *details, text, meta if meta is not None else "{}", model, version, imported)


def _clean_detail(value: object) -> str | None:
    return None if value is None else clipped_field(str(value), MAX_VALUE_CHARS)


def clean_parse(text: str, sentences: list[tuple], entities: list[tuple]) -> tuple[list[tuple], list[tuple]] | Refused:
    """Their sentences (idx, start, end, text) checked against the article text, and their
    entities (start, end, label, text) that fit it, cleaned; or why the sentences do not fit."""
    end_before = 0
    seen: set[int] = set()
    for idx, start, end, sentence in sentences:
        if not all(type(v) is int for v in (idx, start, end)) or idx < 0 or idx in seen:
            return "its sentence numbers are not whole numbers, or repeat"
        seen.add(idx)
        if not (end_before <= start < end <= len(text)):
            return f"sentence {idx} has offsets outside the text or overlapping another"
        if end - start > MAX_SENTENCE_CHARS:
            return f"sentence {idx} is over {MAX_SENTENCE_CHARS:,} characters"
        if sentence != text[start:end]:
            return f"sentence {idx} is not the text at its offsets"
        end_before = end
    kept = []
    for start, end, label, _ in entities:
        name = _clean(label, MAX_NAME_CHARS)
        if type(start) is int and type(end) is int and 0 <= start < end <= len(text) and name:
            kept.append((start, end, name, text[start:end]))
    return [tuple(s) for s in sentences], kept


def clean_assignment(article_id: object, annotator: object, assigned: object) -> tuple[str, str, str] | None:
    name, when = _clean(annotator, MAX_NAME_CHARS), clean_time(assigned)
    if not isinstance(article_id, str) or name is None or when is None:
        return None
    return article_id, name, when


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


class Planned(NamedTuple):
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
    conflicts: int = 0  # events whose uid is here (or twice there) with other content
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


def plan_article(theirs: list[tuple[str, LogEvent]], mapping: dict[int, int] | None, known: dict[str, tuple[int, LogEvent]],
                 ours: dict[Key, Stamp], values: dict[Key, Value], *, can_apply: bool = True,
                 valid: set[int] | None = None, elsewhere: AbstractSet[str] = frozenset()) -> ArticlePlan:
    """The events of their log for one article that are not here yet, mapped onto our
    sentences (mapping None: the same sentences), each applied only if it is the latest.

    `theirs` are cleaned events (`clean_event`); `known` is uid -> (our event id, our event);
    `ours` our latest stamps; `values` their current values by their sentence index; `valid`
    our sentence indexes (None: the article is not here); `elsewhere` uids that are here in
    another article's log.
    """
    plan = ArticlePlan()
    fresh: list[tuple[str, LogEvent, int | None]] = []
    taken: dict[str, LogEvent] = {}
    for uid, e in theirs:
        index = e.sentence_index
        if index is not None and mapping is not None:
            index = mapping.get(index)
            if index is None:
                plan.left_out += 1
                continue
        if uid in known:
            if same_content(_at(e, index), known[uid][1]):
                plan.known[e.id] = known[uid][0]
            else:
                plan.conflicts += 1
            continue
        if uid in elsewhere or uid in taken:
            if uid in elsewhere or not same_content(e, taken[uid]):
                plan.conflicts += 1
            continue
        if index is not None and valid is not None and index not in valid:
            plan.left_out += 1
            continue
        taken[uid] = e
        fresh.append((uid, e, index))
    newest = latest_stamps((uid, _at(e, index)) for uid, e, index in fresh)
    winners = {key: stamp for key, stamp in newest.items() if can_apply and (key not in ours or later(stamp, ours[key]))}
    plan.changed = len(winners)
    for uid, e, index in fresh:
        apply = index is not None and winners.get((index, e.annotator, e.field)) == (e.created, e.id, uid)
        since = updated = None
        if apply and e.sentence_index is not None:  # (an event mapped to a sentence here has one there)
            value = values.get((e.sentence_index, e.annotator, e.field))
            if value is not None and clean_value(e.field, value[0]) == e.label:
                # the times of the value are nearly always the event's own, which is clean already
                since = e.created if value[1] == e.created else clean_time(value[1])
                updated = e.created if value[2] == e.created else clean_time(value[2])
        entry = Entry(e.article_id, index, e.annotator, e.action, e.label, e.previous, field=e.field,
                      provenance=e.provenance, suggested=e.suggested, created=e.created, uid=uid,
                      since=since, updated=updated, apply=apply, exact=apply)
        plan.events.append(Planned(e.id, e.target, entry))
    return plan


def _at(e: LogEvent, index: int | None) -> LogEvent:
    return e if index == e.sentence_index else e._replace(sentence_index=index)


@dataclass
class MergeReport:
    """What `reader merge` says about one file."""

    path: str
    articles_added: int = 0
    articles_present: int = 0
    events_added: int = 0
    events_present: int = 0
    changed: int = 0
    left_out: int = 0  # events on sentences that do not exist here
    refused: int = 0  # events that are not clean, or whose time is not a time
    conflicts: int = 0  # events whose uid is here (or twice there) with other content
    articles_refused: list[dict] = field(default_factory=list)  # {id, title, reason, events}
    resplit: list[dict] = field(default_factory=list)  # {id, title, sentences, mapped}
    assignments_added: int = 0
