"""Regressions for what a new team and hostile files found (issue 17), each built from the input
that found it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.model import Article, Parsed, Sentence
from reader.store import Store
from tests.conftest import dump_database, file_modes_bind, one_line, run_reader, trained_copy
from tests.uihelp import INDIA, article_id_of, parsed_samples




def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def integrity(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


# --- 1. backup --force onto a backup with a -wal ------------------------------------------------

# Another program (the sqlite3 shell, Datasette) writes to the backup in WAL mode and dies
# before a checkpoint: its pages stay in backup.db-wal.
WAL_WRITER = textwrap.dedent(
    """
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    article = conn.execute("SELECT id FROM articles LIMIT 1").fetchone()[0]
    for n in range(300):
        conn.execute(
            "INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, created, uid)"
            " VALUES (?, ?, 'shell', 'set', 'claim', '2026-01-01T00:00:00.000Z', ?)", (article, n % 5, f"shell-{n}"))
    print("written", flush=True)
    os.kill(os.getpid(), 9)
    """
)


def test_backup_force_onto_a_backup_with_a_wal_is_consistent(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    writer = subprocess.run([sys.executable, "-c", WAL_WRITER, str(copy)], capture_output=True, text=True, timeout=60)
    assert writer.returncode == -signal.SIGKILL and "written" in writer.stdout, writer.stderr
    assert Path(f"{copy}-wal").stat().st_size > 0
    # the source moves on, so its pages differ from the old backup's
    news = tmp_path / "news.jsonl"
    news.write_text("".join(json.dumps({"text": f"A new report number {n} came in today. It said little."}) + "\n" for n in range(12)))
    assert run_reader("--db", str(samples), "import", str(news)).returncode == 0
    proc = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert proc.returncode == 0, proc.stderr
    assert integrity(copy) == ["ok"]
    assert count(copy, "SELECT count(*) FROM annotation_events") == count(samples, "SELECT count(*) FROM annotation_events")
    assert count(copy, "SELECT count(*) FROM articles") == count(samples, "SELECT count(*) FROM articles")
    assert count(copy, "SELECT count(*) FROM annotation_events WHERE annotator = 'shell'") == 0


# --- 2. backup --force replaces only a backup -------------------------------------------------


def test_backup_force_refuses_a_working_database(samples: Path, tmp_path: Path) -> None:
    # Regression: another annotator's working database was replaced, and their labels were gone.
    theirs = tmp_path / "bo.db"
    assert run_reader("--db", str(theirs), "import", "-", input="Bo's own article has words. It has two sentences.\n").returncode == 0
    before = dump_database(theirs)
    for args in ([], ["--force"]):
        one_line(run_reader("backup", str(theirs), "--db", str(samples), *args), 2, "working reader database")
        assert dump_database(theirs) == before


def test_a_backup_worked_in_becomes_a_working_database(samples: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    assert run_reader("backup", str(copy), "--db", str(samples)).returncode == 0
    again = run_reader("backup", str(copy), "--db", str(samples), "--force")
    assert again.returncode == 0, again.stderr
    assert run_reader("stats", "--db", str(copy)).returncode == 0  # reading it keeps it a backup
    assert run_reader("backup", str(copy), "--db", str(samples), "--force").returncode == 0
    # a restored backup that someone imports into is their working database now
    assert run_reader("--db", str(copy), "import", "-", input="Work done in the restored copy. It matters.\n").returncode == 0
    before = dump_database(copy)
    one_line(run_reader("backup", str(copy), "--db", str(samples), "--force"), 2, "working reader database")
    assert dump_database(copy) == before


# --- 3. merge takes in only what import would -------------------------------------------------


OSC_TITLE = "\x1b]0;PWNED-TITLE\x07"
OSC_CLIPBOARD = "\x1b]52;c;aGFja2Vk\x07"
HOSTILE = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066", "\x00", "PWNED", "aGFja2Vk")


def small_article(store: Store, words: str, title: str = "Harbour news") -> str:
    sentences = [f"The {words} board met on Monday.", f"It agreed to dredge the {words} channel.", f"Fishers said the {words} plan was late."]
    text, spans, pos = " ".join(sentences), [], 0
    for sentence in sentences:
        spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    article = Article(text, title=title, source=f"generated/{words}.txt")
    store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1"))
    return article.id


def raw_event(conn: sqlite3.Connection, article_id: str, index: int | None, annotator: str, label: str | None, *,
              field: str | None = None, created: str = "2026-03-01T10:00:00.000Z", uid: str | None = None) -> None:
    conn.execute(
        "INSERT INTO annotation_events (article_id, sentence_index, annotator, action, label, created, field, uid)"
        " VALUES (?, ?, ?, 'set', ?, ?, ?, ?)", (article_id, index, annotator, label, created, field, uid or os.urandom(8).hex()))


def hostile_database(path: Path) -> dict[str, str]:
    """A reader database written by reader, then edited by hand the way a hostile colleague
    would: what `reader import` strips is put straight into its tables."""
    with Store(path) as store:
        ids = {"plain": small_article(store, "harbour"), "dirty": small_article(store, "river"), "huge": small_article(store, "canal")}
        store.set_label(ids["plain"], 0, "claim", "bob")
        store.set_label(ids["plain"], 1, "claim", "bob")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET title = ? WHERE id = ?", (f"{OSC_TITLE}Harbour \u202enews", ids["plain"]))
    conn.execute("UPDATE articles SET author = ?, site = ? WHERE id = ?", ("A\x00uthor" + "x" * 1_000_000, "\u2066site", ids["plain"]))
    # an article whose text carries an escape sequence: import would never have stored it
    text = conn.execute("SELECT text FROM articles WHERE id = ?", (ids["dirty"],)).fetchone()[0]
    conn.execute("UPDATE articles SET text = ? WHERE id = ?", (text.replace("The river", f"The{OSC_CLIPBOARD} rive"), ids["dirty"]))
    # an article with one sentence of a megabyte
    big = "word " * 200_000 + "end."
    conn.execute("UPDATE articles SET text = ? WHERE id = ?", (big, ids["huge"]))
    conn.execute('UPDATE sentences SET start = 0, "end" = ?, text = ? WHERE article_id = ? AND idx = 0', (len(big), big, ids["huge"]))
    conn.execute("DELETE FROM sentences WHERE article_id = ? AND idx > 0", (ids["huge"],))
    raw_event(conn, ids["plain"], 0, f"eve{OSC_TITLE}", "background")
    raw_event(conn, ids["plain"], 1, "mallory\u202e", f"claim{OSC_CLIPBOARD}")
    raw_event(conn, ids["plain"], 2, "bob", f"see\x00 \x1b[31mthis\x1b[0m {OSC_TITLE}", field="note")
    raw_event(conn, ids["plain"], 0, "bob", f"\x1b[2J\u202eThe board{OSC_CLIPBOARD}", field="commitment.actor")
    raw_event(conn, ids["plain"], 2, "n" * 1_000_000, "claim")  # a megabyte of name
    conn.execute("INSERT INTO assignments VALUES (?, ?, '2026-03-01T10:00:00.000Z')", (ids["plain"], f"eve{OSC_TITLE}"))
    conn.commit()
    conn.close()
    return ids


def dirty_strings(db: Path) -> list[tuple[str, str]]:
    found = []
    for table, rows in dump_database(db).items():
        for row in rows:
            for value in row.values():
                if isinstance(value, str) and (any(h in value for h in HOSTILE) or len(value) > 200_000):
                    found.append((table, value[:80]))
    return found


def test_merge_cleans_what_it_takes_in(tmp_path: Path) -> None:
    # Regression: merge copied escape sequences, bidi controls, NULs and 1 MB strings verbatim;
    # afterwards agreement, stats and assign --list printed them raw (the pane title became
    # PWNED-TITLE, the clipboard "hacked"), and a 1 MB sentence made a background job fail.
    ours, theirs = tmp_path / "lead.db", tmp_path / "theirs.db"
    ids = hostile_database(theirs)
    with Store(ours) as store:
        small_article(store, "harbour")
    proc = run_reader("merge", "--db", str(ours), str(theirs))
    assert proc.returncode == 0, proc.stderr
    assert not any(h in proc.stdout + proc.stderr for h in HOSTILE), proc.stderr
    assert f"article {ids['dirty']}" in proc.stderr and "control characters or escape sequences" in proc.stderr
    assert f"article {ids['huge']}" in proc.stderr and "over 100,000 characters" in proc.stderr
    assert "1 event in" in proc.stderr and "was refused" in proc.stderr  # the megabyte name
    assert dirty_strings(ours) == []
    assert count(ours, f"SELECT count(*) FROM articles WHERE id IN ('{ids['dirty']}', '{ids['huge']}')") == 0
    conn = sqlite3.connect(ours)
    assert conn.execute("SELECT title FROM articles WHERE id = ?", (ids["plain"],)).fetchone()[0] == "Harbour news"
    assert {r[0] for r in conn.execute("SELECT DISTINCT annotator FROM annotations")} == {"bob", "eve", "mallory"}
    assert conn.execute("SELECT label FROM annotations WHERE annotator = 'mallory'").fetchone()[0] == "claim"
    assert conn.execute("SELECT value FROM sentence_fields WHERE field = 'note'").fetchone()[0] == "see this"
    assert conn.execute("SELECT value FROM sentence_fields WHERE field = 'commitment.actor'").fetchone()[0] == "The board"
    conn.close()
    for args in (["agreement"], ["agreement", "--json"], ["stats"], ["stats", "--json"], ["assign", "--list"], ["assign", "--list", "--json"],
                 ["list"], ["export", "--all"]):
        shown = run_reader(*args, "--db", str(ours))
        assert shown.returncode == 0, (args, shown.stderr)
        assert not any(h in shown.stdout + shown.stderr for h in HOSTILE), args
        assert "Traceback" not in shown.stderr


# --- 7. merge blames the right file, reports every file, refuses times that are not times -----


def uid_of(db: Path, article_id: str, index: int, annotator: str) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT uid FROM annotation_events WHERE article_id = ? AND sentence_index = ? AND annotator = ? "
                            "ORDER BY id DESC", (article_id, index, annotator)).fetchone()[0]
    finally:
        conn.close()


def labels_of(db: Path, annotator: str) -> dict[tuple[str, int], str]:
    conn = sqlite3.connect(db)
    try:
        return {(a, i): label for a, i, label in conn.execute(
            "SELECT article_id, sentence_index, label FROM annotations WHERE annotator = ?", (annotator,))}
    finally:
        conn.close()


def test_merge_leaves_out_and_counts_what_cannot_go_in_and_blames_the_right_file(tmp_path: Path) -> None:
    ours, good, bad = tmp_path / "lead.db", tmp_path / "good.db", tmp_path / "bad.db"
    with Store(ours) as store:
        first, second = small_article(store, "harbour"), small_article(store, "river")
        store.set_label(first, 0, "claim", "alice")
        store.set_label(first, 2, "claim", "carol")
    shutil.copy(ours, good)
    shutil.copy(ours, bad)
    with Store(good) as store:
        store.set_label(first, 1, "commitment", "gus")
    with Store(bad) as store:
        store.set_label(first, 1, "background", "bea")
        store.set_label(second, 1, "claim", "bea")
    alice = uid_of(ours, first, 0, "alice")
    conn = sqlite3.connect(bad)
    raw_event(conn, first, 99, "bea", "claim")  # a sentence that exists nowhere
    conn.execute("DROP INDEX annotation_events_uid")
    raw_event(conn, second, 2, "bea", "claim", uid=alice)  # alice's uid, in another article
    raw_event(conn, first, 0, "alice", "background", created="2026-12-31T00:00:00.000Z", uid=alice)  # alice's uid, other content
    raw_event(conn, first, 2, "carol", "commitment", created="not a time")  # would sort after every real time
    raw_event(conn, first, 2, "carol", "background", created="")
    conn.commit()
    conn.close()
    before = labels_of(ours, "alice"), labels_of(ours, "carol")
    proc = run_reader("merge", "--db", str(ours), str(good), str(bad))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "FOREIGN KEY" not in proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 2 and out[0].startswith(f"merged {good}:") and out[1].startswith(f"merged {bad}:"), proc.stdout
    notes = proc.stderr.splitlines()
    assert all(str(bad) in line and str(ours) not in line for line in notes), notes
    assert any("1 event on sentences that do not exist here" in line for line in notes), notes
    assert any("2 events" in line and "uid" in line for line in notes), notes
    assert any("2 events" in line and "time that is not a time" in line for line in notes), notes
    # what could go in went in; nobody's label was overwritten by a time that is not a time
    assert labels_of(ours, "gus") == {(first, 1): "commitment"}
    assert labels_of(ours, "bea") == {(first, 1): "background", (second, 1): "claim"}
    assert (labels_of(ours, "alice"), labels_of(ours, "carol")) == before
    assert integrity(ours) == ["ok"]
    # merging again adds nothing and says the same
    again = run_reader("merge", "--db", str(ours), str(good), str(bad))
    assert again.returncode == 0 and "0 events added" in again.stdout.splitlines()[1], again.stdout


def test_merge_of_a_file_missing_a_column_is_refused_naming_that_file(tmp_path: Path) -> None:
    ours, good, bad = tmp_path / "lead.db", tmp_path / "good.db", tmp_path / "bad.db"
    with Store(ours) as store:
        small_article(store, "harbour")
    for path, name in ((good, "gus"), (bad, "bea")):
        with Store(path) as store:
            store.set_label(small_article(store, "harbour"), 0, "claim", name)
    conn = sqlite3.connect(bad)
    conn.execute("ALTER TABLE annotation_events DROP COLUMN created")
    conn.commit()
    conn.close()
    before = dump_database(ours)
    proc = run_reader("merge", "--db", str(ours), str(good), str(bad))
    line = one_line(proc, 2, "has no column created")
    assert str(bad) in line and str(ours) not in line
    assert dump_database(ours) == before


# --- 4-6. sentence exports coming back in -------------------------------------------------------


def exported_records(samples: Path, tmp_path: Path, labels: dict[int, tuple[str, str]]) -> tuple[str, list[dict]]:
    """Sentence-export records of the India article with these labels ({index: (annotator, label)})."""
    india = article_id_of(samples, INDIA)
    labelled = tmp_path / "labelled.db"
    shutil.copy(samples, labelled)
    with Store(labelled) as store:
        for index, (annotator, label) in labels.items():
            store.set_label(india, index, label, annotator)
    out = tmp_path / "export.jsonl"
    proc = run_reader("export", "-o", str(out), "--db", str(labelled))
    assert proc.returncode == 0, proc.stderr
    return india, [json.loads(line) for line in out.read_text().splitlines()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def labels_by(db: Path, article_id: str, annotator: str) -> dict[int, str]:
    with Store(db) as store:
        return store.labels(article_id, annotator)


def test_reimported_labels_go_by_offsets_and_text_not_by_index(samples: Path, tmp_path: Path) -> None:
    # Regression: a record whose text and offsets belong to one sentence landed on the sentence
    # its sentence_index named (exit 0), and 1.5 was read as 1.
    india, records = exported_records(samples, tmp_path, {2: ("asha", "claim"), 5: ("asha", "commitment"), 7: ("asha", "background")})
    moved, shifted, fractional = (dict(r) for r in records)
    moved["sentence_index"] = 5  # its text and offsets are sentence 2's
    shifted["start"] += 1
    shifted["end"] += 1  # offsets of no sentence
    fractional["sentence_index"] = 1.5
    alone = run_reader("import", str(write_jsonl(tmp_path / "moved.jsonl", [moved])), "--db", str(samples))
    assert alone.returncode == 0, alone.stderr
    assert labels_by(samples, india, "asha") == {2: "claim"}  # where its text is, not on sentence 5
    exported = write_jsonl(tmp_path / "edited.jsonl", [moved, shifted, fractional])
    proc = run_reader("import", str(exported), "--db", str(samples))
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("reader: ")]
    assert len(errors) == 2, errors
    assert any(f"{exported}:2:" in line and "match no sentence" in line for line in errors), errors
    assert any(f"{exported}:3:" in line and "1.5" in line and "whole number" in line for line in errors), errors
    assert "Traceback" not in proc.stderr and "invalid literal" not in proc.stderr
    assert labels_by(samples, india, "asha") == {2: "claim"}


def test_the_label_given_last_counts_by_its_own_time(samples: Path, tmp_path: Path) -> None:
    # Regression: which label counted was decided by import order, not by annotated_at: merging
    # two databases restored from exports picked the older label; inside one file, an older
    # label later in the file won.
    india, (record,) = exported_records(samples, tmp_path, {4: ("alice", "claim")})
    older = {**record, "label": "claim", "annotated_at": "2026-03-01T09:00:00.000Z"}
    newer = {**record, "label": "background", "annotated_at": "2026-03-02T09:00:00.000Z"}
    a, b = write_jsonl(tmp_path / "a.jsonl", [older]), write_jsonl(tmp_path / "b.jsonl", [newer])
    both = write_jsonl(tmp_path / "both.jsonl", [newer, older])
    results = {}
    for name, files in {"a then b": [a, b], "b then a": [b, a], "one file": [both], "b alone": [b], "a alone": [a]}.items():
        db = tmp_path / f"{name}.db"
        shutil.copy(samples, db)
        for path in files:
            proc = run_reader("import", str(path), "--db", str(db))
            assert proc.returncode == 0, proc.stderr
        results[name] = db
    for name in ("a then b", "b then a", "one file"):
        assert labels_by(results[name], india, "alice") == {4: "background"}, name
    # two databases restored from exports (b's restored first, so import order would favour a)
    for first, second in ((results["a alone"], results["b alone"]), (results["b alone"], results["a alone"])):
        merged = tmp_path / f"merged-{first.stem}.db"
        shutil.copy(samples, merged)
        for path in (first, second):
            proc = run_reader("merge", "--db", str(merged), str(path))
            assert proc.returncode == 0, proc.stderr
        assert labels_by(merged, india, "alice") == {4: "background"}, first
    assert run_reader("merge", "--db", str(results["a alone"]), str(results["b alone"])).returncode == 0
    assert labels_by(results["a alone"], india, "alice") == {4: "background"}


def test_import_names_each_refused_record_and_keeps_the_good_ones(samples: Path, tmp_path: Path) -> None:
    # Regression: a record of a wrong JSON type disappeared (exit 0); one bad record refused its
    # whole article, named by the article's first line, in raw Python words ("invalid literal
    # for int()"); a record with no "label" became a new one-sentence article.
    india, records = exported_records(samples, tmp_path, {i: ("bo", "claim") for i in (1, 2, 3, 4, 5)})
    good_first, typed, numbered, unlabelled, good_last = (dict(r) for r in records)
    typed["sentence_index"] = str(typed["sentence_index"])
    numbered["label"] = 5
    del unlabelled["label"]
    exported = write_jsonl(tmp_path / "mixed.jsonl", [good_first, typed, numbered, unlabelled, good_last])
    articles_before = count(samples, "SELECT count(*) FROM articles")
    proc = run_reader("import", str(exported), "--db", str(samples))
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("reader: ")]
    assert [line.split(": ")[1] for line in errors] == [f"{exported}:{n}" for n in (2, 3, 4)], errors
    assert '"sentence_index" is the string' in errors[0] and '"label" is 5' in errors[1] and 'no "label"' in errors[2]
    assert "invalid literal" not in proc.stderr and "Traceback" not in proc.stderr
    assert "labels: 2 taken, 3 refused" in proc.stderr.splitlines()[-1]
    assert count(samples, "SELECT count(*) FROM articles") == articles_before
    assert labels_by(samples, india, "bo") == {1: "claim", 5: "claim"}


# --- 9. export never overwrites a file it was not told to replace -----------------------------


@pytest.mark.parametrize("args", [[], ["--format", "csv"], ["--format", "commitments"], ["--unit", "article"]])
def test_export_refuses_an_existing_file_without_force(args: list[str], samples: Path, tmp_path: Path) -> None:
    # Regression: `reader export -o FILE` overwrote any existing file (backup and train -o refuse).
    target = tmp_path / "thesis-notes.txt"
    target.write_text("three years of notes\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    for path in (target, link):
        one_line(run_reader("export", "--all", *args, "-o", str(path), "--db", str(samples)), 2, "--force")
        assert target.read_text() == "three years of notes\n"
    proc = run_reader("export", "--all", *args, "-o", str(target), "--db", str(samples), "--force")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() != "three years of notes\n" and target.stat().st_size > 100
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


# --- 10. smaller ---------------------------------------------------------------------------------


def test_train_with_a_mistyped_database_creates_nothing(tmp_path: Path) -> None:
    # Regression: `reader train --db typo.db` created an empty database.
    typo = tmp_path / "raeder.db"
    one_line(run_reader("train", "--db", str(typo)), 2, "no database at")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_commitments_export_from_a_read_only_database(samples: Path, tmp_path: Path) -> None:
    # Regression: refused with "reader needs to write labels to it" although it only reads.
    prefix = file_modes_bind()
    if prefix is None:
        pytest.skip("running as root without setpriv: a mode 0555 does not stop root")
    india = article_id_of(samples, INDIA)
    with Store(samples) as store:
        unread = [i for i in range(len(store.sentences(india))) if i not in store.suggestions(india, "commitment,claim,background")
                  or store.suggestions(india, "commitment,claim,background")[i].label != "commitment"][:2]
        for index in unread:
            store.set_label(india, index, "commitment", "asha")
        assert store.needing_extraction()
    folder = samples.parent
    before = dump_database(samples)
    folder.chmod(0o555)
    try:
        proc = run_reader("export", "--format", "commitments", "--db", str(samples), prefix=prefix)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert "read-only" in proc.stderr and "2 commitment sentences not read yet" in proc.stderr
    assert "labels" not in proc.stderr
    assert [json.loads(line)["article_id"] for line in proc.stdout.splitlines()]  # what was read before is there
    assert dump_database(samples) == before


def test_bad_json_says_at_column_once(tmp_path: Path) -> None:
    # Regression: "not valid JSON (Unterminated string starting at at column 10)".
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "an unterminated\n')
    proc = run_reader("import", str(bad), "--db", str(tmp_path / "x.db"))
    assert proc.returncode == 1
    assert "Unterminated string starting at column 10" in proc.stderr and "at at" not in proc.stderr


def test_a_model_whose_training_record_is_broken_is_not_scored_on_its_own_training_data(trained: dict, tmp_path: Path) -> None:
    # Regression: with a broken reader-training.json the kept model was the baseline, scored on
    # every label, the ones it was trained on included.
    db = trained_copy(trained, tmp_path)  # the samples labelled as the cold start swapped, trained once
    report = json.loads(trained["proc"].stdout)
    assert report["kept"], report
    record = db.with_name(db.name + ".models") / report["model"] / "reader-training.json"
    record.write_text('{"examples": [["trunc')
    second = run_reader("train", "--db", str(db), "--json", "--no-refresh", timeout=900)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["baseline"]["name"] == "cold start"


# --- 11. enter with suggestions hidden -------------------------------------------------------------


async def test_enter_with_suggestions_hidden_accepts_nothing_and_says_so(db: Path, india: str) -> None:
    # Regression: with S pressed, enter still accepted the hidden suggestion and recorded it as
    # provenance "suggestion", "on screen".
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.key_bar import KeyBar

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        bar = screen.query_one(KeyBar)
        assert "accept" in [hint[2] for hint in bar.hints()]
        await pilot.press("S")
        await pilot.pause()
        assert "accept" not in [hint[2] for hint in bar.hints()]
        await pilot.press("enter")
        await pilot.pause()
        assert count(db, f"SELECT count(*) FROM annotations WHERE article_id = '{india}'") == 0
        notes = [n.message for n in app._notifications]  # what the screen says
        assert notes and "hidden" in notes[-1]
        assert screen.session.accept(0) is None  # the core refuses too
        await pilot.press("S", "enter")
        await pilot.pause()
        assert "accept" in [hint[2] for hint in bar.hints()]
        assert count(db, f"SELECT count(*) FROM annotations WHERE article_id = '{india}' AND provenance = 'suggestion'") == 1


# --- 12. the register follows review decisions -------------------------------------------------


def test_the_commitment_register_follows_the_reviewed_resolution(samples: Path) -> None:
    # Regression: sentences a reviewer settled as background or claim stayed in the register as
    # origin "labelled".
    india = article_id_of(samples, INDIA)
    with Store(samples) as store:
        store.set_label(india, 1, "commitment", "asha")
        store.set_label(india, 1, "claim", "ben")
        store.set_review(india, 1, "background", "rev")  # the reviewer settles it: not a commitment
        for name, label in (("asha", "commitment"), ("ben", "background"), ("cy", "background")):
            store.set_label(india, 2, label, name)  # most say otherwise, nobody reviewed it
        store.set_label(india, 3, "commitment", "asha")  # one annotator, undisputed
        store.set_label(india, 4, "claim", "asha")
        store.set_label(india, 4, "background", "ben")
        store.set_review(india, 4, "commitment", "rev")  # the reviewer decides it is one
        register = {c.sentence_index: c for c in store.register() if c.article_id == india}
    assert 1 not in register and 2 not in register
    assert register[3].origin == "labelled" and register[4].origin == "labelled"
    proc = run_reader("export", "--format", "commitments", "--db", str(samples), "--article", india)
    assert proc.returncode == 0, proc.stderr
    exported = {json.loads(line)["sentence_index"] for line in proc.stdout.splitlines()}
    assert {3, 4} <= exported and not {1, 2} & exported


# --- 14. both register formats carry the same fields ----------------------------------------------


def test_the_commitments_csv_carries_every_field_of_the_jsonl(samples: Path, tmp_path: Path) -> None:
    # Regression: the CSV lacked actor_resolved, so its rows read "It", "She", "The union".
    import csv

    jsonl = run_reader("export", "--format", "commitments", "--db", str(samples))
    assert jsonl.returncode == 0, jsonl.stderr
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    out = tmp_path / "register.csv"
    proc = run_reader("export", "--format", "commitments", "-o", str(out), "--db", str(samples))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    expected = {k for k in records[0] if k != "corrected"} | {f"{part}_corrected" for part in records[0]["corrected"]}
    assert set(rows[0]) == expected
    resolved = [(r["actor_resolved"], c["actor_resolved"]) for r, c in zip(records, rows, strict=False) if r["actor_resolved"]]
    assert resolved and all(a == b for a, b in resolved)  # the samples have a "they" that names its actor


# --- 15. what decided a tie -------------------------------------------------------------------------


def test_a_tie_says_it_is_one_and_that_the_latest_label_decided_it(tmp_path: Path) -> None:
    # Regression: a 1-1 tie said "resolved_by": "majority" under --resolve majority, and the
    # same sentence, settled by a reviewer, said "tie": false under --resolve reviewed.
    db = tmp_path / "team.db"
    with Store(db) as store:
        article = small_article(store, "harbour")
        store.set_label(article, 0, "claim", "asha")
        store.set_label(article, 0, "background", "ben")  # 1-1, ben's is the latest
        store.set_label(article, 1, "claim", "asha")
        store.set_label(article, 1, "claim", "ben")
        store.set_label(article, 1, "background", "cy")  # 2-1
        store.set_review(article, 0, "commitment", "rev")
    records = {}
    for how in ("majority", "reviewed", "latest"):
        proc = run_reader("export", "--resolve", how, "--db", str(db))
        assert proc.returncode == 0, proc.stderr
        records[how] = {r["sentence_index"]: r for r in map(json.loads, proc.stdout.splitlines())}
    tie, clear = records["majority"][0], records["majority"][1]
    assert (tie["label"], tie["tie"], tie["resolved_by"]) == ("background", True, "latest")
    assert (clear["label"], clear["tie"], clear["resolved_by"]) == ("claim", False, "majority")
    reviewed = records["reviewed"][0]
    assert (reviewed["label"], reviewed["tie"], reviewed["resolved_by"]) == ("commitment", True, "review")
    assert records["reviewed"][1]["tie"] is False and records["latest"][0]["tie"] is True


# --- 16. a label set of its own among other annotators' labels ----------------------------------


def test_train_on_a_label_set_sees_its_labels_beside_the_default_sets(samples: Path) -> None:
    # Regression: `reader train --labels num,word` saw 0 labels when another annotator had
    # labelled the same sentences with the default set (resolved across every set first).
    from reader import learn
    from reader.model import LabelSet

    with Store(samples) as store:
        ids = store.article_ids()[:3]
        for n, article_id in enumerate(ids):
            for i in range(10):
                store.set_label(article_id, i, ("num", "word")[(i + n) % 2], "nina")
        for article_id in ids:
            for i in range(10):
                store.set_label(article_id, i, "claim", "asha")  # later, in the default set
        examples = learn.training_labels(store, LabelSet(("num", "word")))
        assert len(examples) == 30 and {e.label for e in examples} == {"num", "word"}
        assert {e.label for e in learn.training_labels(store, LabelSet())} == {"claim"}
    proc = run_reader("train", "--labels", "num,word", "--json", "--no-refresh", "--db", str(samples), timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["labels"] == 30


def test_a_model_that_does_not_fit_on_the_disk_leaves_no_partial_folder(tmp_path: Path) -> None:
    # Regression: partial model folders stayed on a full disk, holding the space.
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mount -t tmpfs is not permitted here")
    try:
        db = parsed_samples(mount)
        with Store(db) as store:
            for n, article_id in enumerate(store.article_ids()[:3]):
                for i in range(10):
                    store.set_label(article_id, i, ("num", "word")[(i + n) % 2], "nina")
        proc = run_reader("train", "--labels", "num,word", "--db", str(db), timeout=900)
        line = one_line(proc, 2, "cannot write the model")
        assert "space" in line
        models = db.with_name(db.name + ".models")
        assert not models.exists() or [p.name for p in models.iterdir()] == []
        assert integrity(db) == ["ok"]
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_after_the_model_is_kept_says_it_was_kept(tmp_path: Path) -> None:
    # Regression: a disk full after the model was written and registered as kept reported
    # "the disk is full: ... was not changed".
    from tests.test_faults import fill_file_system

    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    for leave_kib in (96, 160):  # room for registering the model, not for every refreshed suggestion
        mount = tmp_path / f"small-{leave_kib}"
        mount.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True).returncode:
            pytest.skip("mount -t tmpfs is not permitted here")
        try:
            db = parsed_samples(mount)
            models = tmp_path / f"models-{leave_kib}"  # the model itself goes to a roomy disk
            models.mkdir()
            db.with_name(db.name + ".models").symlink_to(models)
            with Store(db) as store:
                for article_id in store.article_ids():
                    text = store.article(article_id).text
                    for s in store.sentences(article_id):
                        digits = any(c.isdigit() for c in text[s.start:s.end])
                        store.set_label(article_id, s.index, "num" if digits else "word", "nina")
            conn = sqlite3.connect(db)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
            fill_file_system(mount, leave_kib)
            proc = run_reader("train", "--labels", "num,word", "--db", str(db), timeout=900)
            (mount / "filler").unlink()
            kept = count(db, "SELECT count(*) FROM models WHERE kept = 1")
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=True)
        assert "Traceback" not in proc.stderr
        if proc.returncode and kept:
            line = one_line(proc, 2, "disk is full")
            assert line.startswith("reader: kept model") and "refreshing the stored suggestions" in line
            return
    pytest.fail("the disk never filled up between keeping the model and refreshing suggestions")


# --- 8. keys typed while another process holds the write lock --------------------------------

LOCKER = textwrap.dedent(
    """
    import pathlib, sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")  # what a long merge does
    print("locked", flush=True)
    stop = pathlib.Path(sys.argv[2])
    while not stop.exists():
        time.sleep(0.05)
    conn.execute("COMMIT")
    print("released", flush=True)
    """
)


async def test_keys_typed_while_the_database_is_busy_wait_as_pending_and_are_all_written(db: Path, india: str, tmp_path: Path) -> None:
    # Regression: the reader froze while a merge held the write lock; 20 label keys typed
    # meanwhile and a kill -9 left none of them saved.
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    stop = tmp_path / "stop"
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db), str(stop)], stdout=subprocess.PIPE, text=True)
        try:
            assert locker.stdout.readline().strip() == "locked"
            keys = ["1", "2", "3", "2", "1"] * 4
            await pilot.press(keys[0])
            assert "database busy: 1 pending" in screen.status_text().plain  # at once, not after a minute
            for key in keys[1:]:
                await pilot.press(key)
            assert screen.view.cursor == 20  # the screen kept up with every key
            assert "database busy: 20 pending" in screen.status_text().plain
            assert all(screen.session.mark(i).pending for i in range(20))
            gutter = screen.query_one(ArticleView)._paint(0).text
            assert "…" in gutter
            assert count(db, "SELECT count(*) FROM annotations WHERE annotator = 'tester'") == 0
            await pilot.press("u")  # the history waits too
            assert len(screen.session.pending) == 20
        finally:
            stop.touch()
            assert locker.wait(timeout=60) == 0
        for _ in range(200):  # written in order as soon as the lock frees
            await pilot.pause(0.05)
            if not screen.session.pending:
                break
        assert not screen.session.pending and "busy" not in screen.status_text().plain
    names = ("commitment", "claim", "background")
    conn = sqlite3.connect(db)
    written = conn.execute("SELECT sentence_index, label FROM annotation_events WHERE annotator = 'tester' ORDER BY id").fetchall()
    conn.close()
    assert written == [(i, names[int(k) - 1]) for i, k in enumerate(keys)]


# --- 18: an inline dateline is a sentence of its own, and the lede keeps its actor ------------------


def test_18_an_inline_dateline_is_its_own_sentence_and_the_lede_keeps_its_actor(tmp_path: Path) -> None:
    story = tmp_path / "wire.txt"
    story.write_text(
        "Minister pledges fertiliser tariff cut\n\n"
        "VELMONT, 14 January 2026 — The trade minister, Helena Marsh, pledged on Tuesday to cut tariffs "
        "on imported fertiliser by March 2027.\n\n"
        "Farmers had blocked the port for a week.\n",
        encoding="utf-8",
    )
    db = tmp_path / "reader.db"
    assert run_reader("import", "--db", db, story).returncode == 0
    done = run_reader("export", "--db", db, "--all", "--format", "jsonl")
    texts = [json.loads(line)["text"] for line in done.stdout.splitlines()]
    assert texts[1:3] == ["VELMONT, 14 January 2026 —",
                          "The trade minister, Helena Marsh, pledged on Tuesday to cut tariffs on imported fertiliser by March 2027."]
    done = run_reader("export", "--db", db, "--all", "--format", "commitments")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["actor"], r["when"]) for r in records] == [("The trade minister, Helena Marsh", "by March 2027")]
