"""Property: export, import into an empty database, export again gives the same records.

Hypothesis builds small labelled databases: articles of random words, punctuation and line
breaks, parsed by the real spaCy model (loaded once for the module), labelled (some labels
accepted from a suggestion, some sentences skipped) and given notes and unsure marks by one to
three annotators at random valid times. Both export units go through reader's own code paths:
`reader.export.export` out and `reader.pipeline.import_targets` (the restore path) back in.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reader import nlp
from reader.pipeline import parse_many
from reader.export import Selection, export
from reader.sanitize import clean_field, clean_text
from reader.pipeline import import_targets
from reader.model import DEFAULT_LABELS, NOTE, SKIPPED, UNSURE, Article, Suggestion
from reader.store import Store

WORDS = [
    "The", "council", "said", "agreed", "pledged", "Mr.", "Dr.", "U.S.", "on", "Monday", "Ana", "Ferro",
    "report", "[Reuters]", "[/]", "2026", "“Yes”", "(AP)", "e-mail", "Zürich", "…", "4.5%", "No.", "Tessaly",
]
PUNCTUATION = [".", ",", "?", "!", ";", ":", '"', "'", "—"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "  "]
ANNOTATORS = ["asha", "ben", "cai"]
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)

token = st.tuples(st.sampled_from(WORDS + PUNCTUATION), st.sampled_from(SEPARATORS)).map("".join)
texts = st.lists(token, min_size=1, max_size=40).map("".join).map(clean_text).filter(bool)
stamps = st.integers(0, 30 * 365 * 24 * 3600 * 1000).map(
    lambda ms: (EPOCH + timedelta(milliseconds=ms)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
)
# (sentence number, annotator, label, created, updated, accepted from a suggestion); sentence
# numbers wrap around an article
labels = st.lists(
    st.tuples(st.integers(0, 50), st.sampled_from(ANNOTATORS), st.sampled_from((*DEFAULT_LABELS, SKIPPED)), stamps, stamps,
              st.booleans()),
    min_size=1,
    max_size=12,
)
# (sentence number, annotator, field, value, time)
remarks = st.lists(
    st.tuples(st.integers(0, 50), st.sampled_from(ANNOTATORS), st.sampled_from((NOTE, UNSURE)),
              st.sampled_from(["check", "[b]odd[/b] one", "Zürich?"]), stamps),
    max_size=4,
)
articles = st.lists(
    st.tuples(texts, st.none() | st.lists(token, min_size=1, max_size=5).map("".join), labels, remarks),
    min_size=1,
    max_size=4,
    unique_by=lambda a: a[0],
)


@pytest.fixture(scope="module")
def model():
    return nlp.load()


def build(db: Path, spec: list, model) -> None:
    """A database holding the articles, parsed, with every label at its given times."""
    items = [Article(text=text, title=clean_field(title), source=f"fuzz/[bold]{n}.txt") for n, (text, title, *_) in enumerate(spec)]
    with Store(db) as store:
        for (article, parsed), (_, _, marks, notes) in zip(parse_many(model, items), spec, strict=True):
            store.add_article(article, parsed)
            for number, annotator, label, created, updated, accepted in marks:
                index = number % len(parsed.sentences)
                shown = Suggestion(label, 0.61, {label: 0.61}, "cold-start") if accepted else None
                if store.set_label(article.id, index, label, annotator, provenance="suggestion" if accepted else None, suggested=shown):
                    created, updated = sorted((created, updated))
                    store.db.conn.execute(
                        "UPDATE annotations SET created = ?, updated = ? WHERE article_id = ? AND sentence_index = ? AND annotator = ?",
                        (created, updated, article.id, index, annotator),
                    )
                    store.db.conn.commit()
            for number, annotator, field, value, stamp in notes:
                index = number % len(parsed.sentences)
                if store.set_field(article.id, index, field, "1" if field == UNSURE else value, annotator):
                    store.db.conn.execute(
                        """UPDATE sentence_fields SET updated = ? WHERE article_id = ? AND sentence_index = ? AND annotator = ?
                           AND field = ?""",
                        (stamp, article.id, index, annotator, field),
                    )
                    store.db.conn.commit()


def export_lines(db: Path, unit: str, out: Path, everything: bool = False) -> list[str]:
    selection = Selection(label_names=DEFAULT_LABELS, include_unlabelled=everything, suggestions=everything)
    with Store(db) as store:
        export(store.dataset(suggestions="commitment,claim,background" if everything else None), fmt="jsonl", unit=unit,
               selection=selection, output=str(out))
    return out.read_text(encoding="utf-8").splitlines()


def restore(exported: Path, db: Path) -> None:
    def no_parse():
        raise AssertionError("a reader export carries its sentences: nothing is parsed")

    with Store(db) as store:
        report = import_targets(store, [str(exported)], load_model=no_parse)
    assert not report.failed, report.failed
    assert report.restored and not report.imported


@pytest.mark.parametrize(("unit", "everything"), [("sentence", False), ("sentence", True), ("article", False), ("article", True)])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(spec=articles)
def test_export_import_export_gives_the_same_records(model, unit: str, everything: bool, spec: list) -> None:
    """`everything`: with --all and --suggestions, so unlabelled sentences (their notes, marks
    and skips) and the stored suggestions are in the file too."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        build(work / "original.db", spec, model)
        first = export_lines(work / "original.db", unit, work / "first.jsonl", everything)
        assume(first)  # a sentence export of nothing but skips holds no record
        restore(work / "first.jsonl", work / "restored.db")
        again = export_lines(work / "restored.db", unit, work / "again.jsonl", everything)
        # the same records; the order of articles follows import times, which differ
        assert sorted(again) == sorted(first)
        assert len(set(first)) == len(first)
        # and a second import of the same export adds nothing
        before = sqlite3.connect(work / "restored.db").execute("SELECT count(*) FROM annotation_events").fetchone()[0]
        restore(work / "first.jsonl", work / "restored.db")
        after = sqlite3.connect(work / "restored.db").execute("SELECT count(*) FROM annotation_events").fetchone()[0]
        assert after == before
        for line in first:
            record = json.loads(line)
            assert record["source"].startswith("fuzz/[bold]")
