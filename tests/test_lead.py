"""What a team lead met running the whole flow (assign, label, merge, agreement, review,
train, export) as a newcomer: each test holds the input that found it.

The real CLI in subprocesses, real SQLite files, the reader through Pilot."""

from __future__ import annotations

from pathlib import Path

from reader.model import LabelSet
from reader.store import Store
from tests.conftest import one_line, run_reader


def test_train_with_the_lead_s_own_name_says_whose_labels_it_counted(db: Path) -> None:
    """`reader --annotator lead train` (the lead's name, as given to every command) learned from
    lead's labels only and said "too few labels to train: 0 labelled sentences" on a database
    whose annotators had labelled dozens: it read as if the merge had lost them."""
    with Store(db) as store:
        for article_id in store.article_ids():
            for index, suggestion in sorted(store.suggestions(article_id, LabelSet().key).items())[:8]:
                store.set_label(article_id, index, suggestion.label, "asha")
    line = one_line(run_reader("--annotator", "lead", "train", "--db", str(db)), 2, "too few labels to train")
    assert "only the labels of lead" in line and "--annotator" in line, line
