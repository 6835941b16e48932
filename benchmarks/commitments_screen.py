"""commitments-screen: the commitments screen over a library of 4,000 articles opens within
1.5x of the library screen over the same library; both in a real terminal (tmux), from
process start to the first complete paint.

The library (built once, untimed) is made like the export benchmark's: 4,000 generated
articles of 50 sentences (200,000 sentences) stored with `Store.add_article` and the parse the
generator knows, plus what reader stores at parse for the default label set: a suggestion for
every sentence (seeded: 5 % commitment, the rest claim or background) and, for each suggested
commitment, what the extractor found (`Parsed.commitments`, written by
`reader.store.commitments.put_commitment`: actor and its entity, action, time and its date,
trigger, confidence, the article's date). No labels: the register is the ~10,000 suggested
commitments, all already read by the extractor, so neither screen starts background work.

- floor: `reader --db DB` opens the library; timed until the terminal has been sent its header
  (`4000 articles`) and the title of the first row;
- reader: `reader commitments --db DB` opens the commitments screen; timed until the terminal
  has been sent its header (`N commitments (0 labelled, N suggested)`) and the action of the
  first row.

"Process start" and the paint are seen as in benchmarks/startup.py (the pane's shell stamps
the time just before it execs; the program's output is copied by pipe-pane and polled every
2 ms). The two alternate, twice the repetitions each, after one untimed run of each.
"""

from __future__ import annotations

import datetime
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import READER, Tmux, clean_env, median, say
from benchmarks.corpus import generate
from benchmarks.fixtures import Articles
from benchmarks.startup import _open

ARTICLES = 4000
PER_ARTICLE = 50
COMMITMENT_SHARE = 0.05


@dataclass(frozen=True)
class Found:
    """What the extractor stores for one sentence: the fields of reader.commitments.Commitment."""

    actor: str | None
    actor_entities: tuple[tuple[str, str, int, int], ...]
    actor_resolved: str | None
    actor_note: str | None
    action: str | None
    when: str | None
    when_iso: str | None
    trigger: str | None
    confidence: float


def _found(text: str, start: int, end: int, entities: list[tuple[int, int, str]], day: datetime.date) -> Found:
    """A plausible extraction from a generated sentence: its first name as the actor, its first
    date as the time, the words after the actor as the action."""
    sentence = text[start:end]
    inside = [(a, b, label) for a, b, label in entities if start <= a and b <= end]
    actor_ent = next(((a, b, label) for a, b, label in inside if label in ("PERSON", "ORG", "GPE")), None)
    when_ent = next(((a, b) for a, b, label in inside if label == "DATE"), None)
    actor = text[actor_ent[0]:actor_ent[1]] if actor_ent else None
    rest = sentence[actor_ent[1] - start:] if actor_ent else sentence
    action = " ".join(rest.split()[:8]).strip(" ,.") or None
    return Found(
        actor=actor,
        actor_entities=((actor, actor_ent[2], actor_ent[0] - start, actor_ent[1] - start),) if actor_ent else (),
        actor_resolved=None,
        actor_note="subject of the commitment verb" if actor else None,
        action=action,
        when=text[when_ent[0]:when_ent[1]] if when_ent else None,
        when_iso=day.isoformat() if when_ent else None,
        trigger="will",
        confidence=0.8,
    )


def build(path: Path) -> dict:
    from reader.model import Article, Entity, Parsed, Sentence, Suggestion
    from reader.store import Store

    rng = random.Random(11)
    commitments = 0
    with Store(path) as store:
        for k in range(ARTICLES):
            g = generate(PER_ARTICLE, seed=k)
            day = datetime.date(2020, 1, 1) + datetime.timedelta(days=k % 1500)
            suggestions, found = {}, {}
            for i, (a, b) in enumerate(g.sentences):
                if rng.random() < COMMITMENT_SHARE:
                    label = "commitment"
                    found[i] = (_found(g.text, a, b, g.entities, day), day)
                else:
                    label = rng.choice(("claim", "background"))
                score = round(rng.uniform(0.4, 0.95), 3)
                rest = (1 - score) / 2
                scores = {name: (score if name == label else rest) for name in ("commitment", "claim", "background")}
                suggestions[i] = Suggestion(label, score, scores, "cold-start", "generated")
            commitments += len(found)
            article = Article(text=g.text, title=g.title, source=f"generated/{k:05d}.txt", url=f"https://example.org/bench/{k}")
            parsed = Parsed(
                sentences=tuple(Sentence(i, a, b) for i, (a, b) in enumerate(g.sentences)),
                entities=tuple(Entity(a, b, label, g.text[a:b]) for a, b, label in g.entities),
                model="generated",
                model_version="0",
                suggestions=suggestions,
                commitments=found,
            )
            store.add_article(article, parsed)
        register = store.register()
        first_article = store.summaries("bench")[0]
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not store.needing_extraction(), "every suggested commitment has its extraction"
    assert len(register) == commitments, (len(register), commitments)
    return {"articles": ARTICLES, "sentences": ARTICLES * PER_ARTICLE, "commitments": commitments,
            "first_title": first_article.title, "first_action": register[0].value("action") or ""}


def _words(text: str, width: int) -> bytes:
    """The opening words of a table cell that fit in `width` columns (escape sequences may sit
    between words, never inside one)."""
    words, used = [], 0
    for word in text.split():
        if used + len(word) > width:
            break
        words.append(re.escape(word.encode("utf-8")))
        used += len(word) + 1
    return rb"(?:\x1b\[[0-9;]*m| )+".join(words or [re.escape(text[:width].encode("utf-8"))])


def run(articles: Articles, tmux: Tmux, reps: int) -> dict:
    work = articles.work / "commitments-screen"
    work.mkdir(exist_ok=True)
    env = clean_env(work)
    config = work / "empty.toml"
    config.write_text("")
    db = work / "library.db"
    started = time.monotonic()
    facts = build(db)
    say(f"  built a library of {facts['articles']:,} articles, {facts['sentences']:,} sentences, "
        f"{facts['commitments']:,} suggested commitments ({time.monotonic() - started:.0f} s)")
    n = facts["commitments"]
    library_marks = {"header": re.escape(f"{facts['articles']} articles".encode()), "row": _words(facts["first_title"], 40)}
    commitments_marks = {"header": re.escape(f"{n} commitments (0 labelled, {n} suggested)".encode()),
                         "row": _words(facts["first_action"], 20)}

    def library(tag: str) -> float:
        return max(_open(tmux, work, tag, [*READER, "--db", str(db), "--config", str(config)], env, library_marks).values())

    def commitments(tag: str) -> float:
        return max(_open(tmux, work, tag, [*READER, "commitments", "--db", str(db), "--config", str(config)], env,
                         commitments_marks).values())

    library("warm-library")  # untimed: byte code, the page cache
    commitments("warm-commitments")
    libraries, registers = [], []
    for i in range(2 * reps):  # whole start-ups, noisy: twice the repetitions
        if i % 2 == 0:
            libraries.append(library(f"library-{i}"))
            registers.append(commitments(f"commitments-{i}"))
        else:
            registers.append(commitments(f"commitments-{i}"))
            libraries.append(library(f"library-{i}"))
        say(f"  commitments screen {i + 1}/{2 * reps}: library {libraries[-1]:.3f} s, commitments {registers[-1]:.3f} s")
    return {
        **{k: v for k, v in facts.items() if k not in ("first_title", "first_action")},
        "floor_s": median(libraries),
        "reader_s": median(registers),
        "ratio": median(registers) / median(libraries),
        "samples": {"library": libraries, "commitments": registers},
    }
