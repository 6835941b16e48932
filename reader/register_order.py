"""What the commitment register sorts, groups and filters by, computed from one commitment.

Pure functions of a `Tracked`, shared by the tracker (the register as the screen shows it) and
the store, which keeps each commitment's keys in `register_rows` so the screen reads a window
of them in any order through an index instead of sorting every commitment on each key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reader.model import STATUSES

if TYPE_CHECKING:
    from reader.records import Tracked

LAST = "\uffff"  # sorts after any name or date: commitments without one go last


def deadline(c: Tracked) -> dt.date | None:
    """The last day of the commitment's time: the end of `when_iso` ("by March 2027" ends on
    2027-03-31, though the interval starts at the article's date); None without one."""
    if not c.when_iso:
        return None
    end = c.when_iso.rsplit("/", 1)[-1]
    try:
        return dt.date.fromisoformat(end)
    except ValueError:
        return None


def actor_key(c: Tracked) -> str:
    """Who, for grouping: the resolved name where the sentence only had a pronoun, lower case."""
    name = c.value("actor") if "actor" in c.corrected else (c.extracted.get("actor_resolved") or c.value("actor"))
    return " ".join((name or "").lower().split())


_JOINED = {"and", "&", "or", "with"}


def group_keys(keys: Iterable[str]) -> dict[str, str]:
    """Each actor key mapped to the actor it names: a shorter name that ends one longer name
    (and only one: "Marsh" and "Helena Marsh", or "Helena Marsh" and "Dr Helena Marsh") is the
    same actor. A name of several parties ("Veldra and Ostmark") takes in no one."""
    ordered = sorted(set(keys), key=lambda k: (-len(k.split()), k))
    root: dict[str, str] = {}
    # the actors each run of last words may name, from the longer names seen so far (longest
    # first): a lookup per name, not a pass over every other name
    ends: dict[tuple[str, ...], set[str]] = {}
    for key in ordered:
        words = tuple(key.split())
        found = ends.get(words, set()) if words else set()
        root[key] = next(iter(found)) if len(found) == 1 else key
        if "," not in key and not _JOINED & set(words):
            for n in range(1, len(words)):
                ends.setdefault(words[-n:], set()).add(root[key])
    return root


def haystack(c: Tracked) -> str:
    """What the register's filter looks in, lower case."""
    parts = (c.value("actor"), c.value("action"), c.value("when"), c.article_title, c.text, c.note, c.status)
    return " ".join(p for p in parts if p).lower()


def sort_columns(c: Tracked) -> dict[str, object]:
    """The keys of one commitment as `register_rows` keeps them (the actor's group aside, which
    depends on every other actor)."""
    end = deadline(c)
    return {
        "actor_key": actor_key(c),
        "deadline_sort": end.isoformat() if end else LAST,
        "when_value": c.value("when") or "",
        "status_rank": STATUSES.index(c.status) if c.status in STATUSES else len(STATUSES),  # one written elsewhere: last
        "date_key": c.article_date or "",
        "hay": haystack(c),
    }
