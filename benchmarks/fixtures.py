"""The generated articles (40, 1,000 and 5,000 sentences) imported, parsed by the real spaCy
model, into a template database that each benchmark copies."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import MODEL, READER, clean_env, run_process
from benchmarks.corpus import generate

SIZES = (40, 1000, 5000)


@dataclass(frozen=True)
class Articles:
    work: Path
    db: Path  # parsed template, refined by the sentence encoder: never opened by a benchmark, only copied
    files: dict[int, Path]  # sentences asked for -> the article's .txt
    ids: dict[int, str]
    sentences: dict[int, int]  # sentences asked for -> sentences reader found
    entities: dict[int, int]
    unrefined: Path  # the template as import left it, before the sentence encoder read it

    def copy_db(self, target: Path, *, unrefined: bool = False) -> Path:
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        shutil.copy(self.unrefined if unrefined else self.db, target)
        return target


def build(work: Path) -> Articles:
    files = {}
    for n in SIZES:
        files[n] = work / f"generated-{n}.txt"
        files[n].write_text(generate(n).text, encoding="utf-8")
    db = work / "template.db"
    run_process([*READER, "import", "--db", str(db), "--model", MODEL, *map(str, files.values())], env=clean_env(work))
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ids, sentences, entities = {}, {}, {}
        for n, path in files.items():
            (ids[n],) = conn.execute("SELECT id FROM articles WHERE source = ?", (str(path),)).fetchone()
            sentences[n] = conn.execute("SELECT count(*) FROM sentences WHERE article_id = ?", (ids[n],)).fetchone()[0]
            entities[n] = conn.execute("SELECT count(*) FROM entities WHERE article_id = ?", (ids[n],)).fetchone()[0]
    finally:
        conn.close()
    # A library in use has been read by the sentence encoder (the reader's background job does
    # it once): without this, every reader a benchmark starts would start that job beside it.
    unrefined = work / "template-unrefined.db"
    shutil.copy(db, unrefined)
    run_process([*READER, "_work", "refine", "--db", str(db), "--model", MODEL], env=clean_env(work))
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Articles(work, db, files, ids, sentences, entities, unrefined)


# A user who follows the cold start except for one consistent departure: statements framed as
# reported speech ("X said that ...", the cold start's `report_frame` rule) they file as background.
DEPARTURE = "report_frame"
LABELLED = (40, 1000)


def labelled(articles: Articles, target: Path) -> Path:
    """A copy of the template with every sentence of the 40- and 1,000-sentence articles labelled
    (Store.set_label, annotator "bench") as that user would: enough labels, in two articles, for
    training to run and to keep its model (it learns the departure, which the cold start cannot).
    Built once in the scratch folder, then copied to `target`."""
    from reader.model import LabelSet
    from reader.store import Store

    template = articles.work / "labelled-template.db"
    if not template.exists():
        building = articles.copy_db(articles.work / "labelled-building.db")
        key = LabelSet().key
        with Store(building) as store:
            for n in LABELLED:
                for index, suggestion in sorted(store.suggestions(articles.ids[n], key).items()):
                    departs = (suggestion.reason or "").startswith(DEPARTURE)
                    store.set_label(articles.ids[n], index, "background" if departs else suggestion.label, "bench")
        conn = sqlite3.connect(building)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for suffix in ("-wal", "-shm"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        building.rename(template)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy(template, target)
    return target
