"""Defects found by a hostile-input and data-safety sweep of the real command line, each with
the input that showed it. Texts are written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_reader


def _sentences(db: Path) -> list[str]:
    proc = run_reader("export", "--db", db, "--unit", "article", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    return [s["text"] for line in proc.stdout.splitlines() for s in json.loads(line)["sentences"]]


def test_markdown_tables_of_every_shape_come_in_as_their_cells(tmp_path: Path) -> None:
    """Only a delimiter row of three dashes or more per cell and two cells or more was taken for
    one: '|-|-|', '|:-|-:|' and a one-column '|---|' came in as sentences '· -', ':- · -:' and
    '---' to label; a row of empty cells as a sentence '·'; and a table without outer pipes kept
    its pipes ('a | b')."""
    source = tmp_path / "tolls.md"
    source.write_text(
        "# Bridge tolls frozen\n\nThe authority agreed to freeze tolls until 2028.\n\n"
        "| year | toll |\n|-|-:|\n| 2026 | 4 euros |\n|  |  |\n\n"
        "| lane |\n|---|\n| north |\n\n"
        "span | length\n:-- | --:\nmain | 900 m\n\nDrivers welcomed the decision.\n", encoding="utf-8")
    db = tmp_path / "r.db"
    proc = run_reader("import", "--db", db, source)
    assert proc.returncode == 0, proc.stderr
    sentences = _sentences(db)
    assert not any("|" in s or "-" in s or s.strip(" ·") == "" for s in sentences), sentences
    for row in ("year · toll", "2026 · 4 euros", "lane", "north", "span · length", "main · 900 m", "Drivers welcomed the decision."):
        assert row in sentences, (row, sentences)




def test_the_learned_choices_leave_a_sentence_thousands_of_words_long_to_the_rules(nlp, monkeypatch) -> None:
    """The learned actor ranker and action head describe every candidate by reading the whole
    sentence: a line of 6,000 words without a full stop took 15 s to extract where the rules
    alone take a tenth of a second, and a 300 KB file of such text five minutes to import where
    the rest of the import takes 20 s. Over MAX_TOKENS the rules decide alone, as they do when
    the models are absent: neither model lists a candidate (the real functions, watched)."""
    import random

    from reader.commitments import extract, head, ranker
    from reader.commitments.weights import MAX_TOKENS

    listed: list[int] = []
    for module in (head, ranker):
        real = module.candidates
        monkeypatch.setattr(module, "candidates", lambda span, *a, real=real, **k: listed.append(len(span)) or real(span, *a, **k))
    rng = random.Random(1)
    words = "word council promise said will the a build road".split()
    doc = nlp(" ".join(rng.choice(words) for _ in range(6000)))
    span = doc[:]  # as one line of an import is when spaCy finds no sentence end in it
    assert len(span) > 10 * MAX_TOKENS, len(span)
    found = extract(span)
    assert found.actor_note is None or "failed" not in found.actor_note, found
    assert listed == []
    short = nlp("The council said it would build the road and the bridge by June.")
    extract(short[:])
    assert listed and set(listed) == {len(short)}  # a sentence of ordinary length still asks them


def test_a_merge_of_one_article_and_one_label_counts_them_in_the_singular(tmp_path: Path) -> None:
    """The merge summary said 'merged ...: 1 articles added, 0 already here; 1 events added, ...;
    1 labels changed', where every other count takes the singular for one."""
    from reader.store import Store

    source = tmp_path / "ferry.txt"
    source.write_text("Ferry fares frozen\n\nThe island council agreed to freeze ferry fares until 2028.\n", encoding="utf-8")
    theirs, ours = tmp_path / "theirs.db", tmp_path / "ours.db"
    assert run_reader("import", "--db", theirs, source).returncode == 0
    with Store(theirs) as store:
        store.set_label(store.article_ids()[0], 1, "commitment", "asha")
    proc = run_reader("merge", "--db", ours, theirs)
    assert proc.returncode == 0, proc.stderr
    assert f"merged {theirs}: 1 article added, 0 already here; 1 event added, 0 already here; 1 label changed" in proc.stdout, proc.stdout


def test_an_article_another_import_stored_meanwhile_is_counted_as_there_already(tmp_path: Path, nlp) -> None:
    """Two `reader import` runs of the same folder on one database both said '300 imported':
    an article the other process stored while this one parsed it was counted (and printed) as
    imported here, though nothing was written. The second process is a second connection here,
    storing each article just before this import does."""
    from reader.pipeline import import_targets, parse_many
    from reader.store import Store

    source = tmp_path / "ferry.txt"
    source.write_text("Ferry fares frozen\n\nThe island council agreed to freeze ferry fares until 2028.\n", encoding="utf-8")
    db = tmp_path / "r.db"

    def parsed_first_elsewhere(todo):
        for article, parsed in parse_many(nlp, todo):
            with Store(db) as other:
                assert other.add_article(article, parsed)
            yield article, parsed

    seen: list[str] = []
    with Store(db) as store:
        report = import_targets(store, [str(source)], load_model=lambda: nlp, parser=parsed_first_elsewhere,
                                on_event=lambda kind, item: seen.append(kind))
        assert len(store.article_ids()) == 1
    assert (len(report.imported), len(report.already), seen) == (0, 1, ["already"]), report


async def test_a_note_typed_in_the_reader_is_stored_as_a_merge_would_keep_it(db: Path, india: str, tmp_path: Path) -> None:
    """A note typed or pasted in the reader was stored as it came: direction overrides, control
    characters and 30,000 characters. A backup of the database merged back then said its
    events had 'the uid of an event here that says something else' (the merge cleans what it
    reads), an export read back dropped the note, and a merge refused the long one. The line
    holds at most what a stored value may (MAX_VALUE_CHARS), and the store keeps notes as an
    import or a merge cleans them."""
    import sqlite3

    from textual import events
    from textual.widgets import Input

    from reader.limits import MAX_VALUE_CHARS
    from reader.store import Store
    from reader.tui.app import ReaderApp

    app = ReaderApp(Store(db), annotator="asha", article_id=india)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for text in ("check \u202egnirud\u202c the\x07 date", "x" * (3 * MAX_VALUE_CHARS)):
            await pilot.press("m")
            await pilot.pause()
            line = app.screen.query_one("#note", Input)
            line.value = ""
            line.post_message(events.Paste(text))
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("j")
    notes = [row[0] for row in sqlite3.connect(db).execute(
        "SELECT value FROM sentence_fields WHERE field = 'note' ORDER BY sentence_index")]
    assert notes[0] == "check gnirud the date", notes[0]
    assert notes[1] == "x" * MAX_VALUE_CHARS  # the paste, as much of it as a value holds
    copy = tmp_path / "copy.db"
    assert run_reader("backup", "--db", db, copy).returncode == 0
    merged = run_reader("merge", "--db", db, copy)
    assert merged.returncode == 0 and "uid" not in merged.stderr and "refused" not in merged.stderr, merged.stderr
