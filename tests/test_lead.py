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


async def test_review_at_80x24_keeps_the_votes_and_the_decision_in_view(db: Path) -> None:
    """At 80x24 the review screen stayed scrolled to its top: with the long sentences of the
    measles sample around the one under review, the line "decision none yet (1 commitment ...)"
    and then the annotators' votes themselves were below the fold, so the lead decided blind."""
    from reader.tui.app import ReaderApp
    from tests.uihelp import article_id_of, screen_text

    measles = article_id_of(db, "brennmoor-measles-campaign.txt")
    with Store(db) as store:
        for index in range(5):
            store.set_label(measles, index, "commitment", "bo")
            store.set_label(measles, index, "claim", "chen")
    app = ReaderApp(Store(db), annotator="lead", review=())
    async with app.run_test(size=(80, 24)) as pilot:
        for step in range(5):
            await pilot.pause()
            shown = screen_text(app)
            assert f"disagreement {step + 1}/5" in shown, shown
            lines = shown.splitlines()
            assert any("▶" in line for line in lines), shown  # the sentence under review
            assert any(line.split()[:3] == ["chen", "L", "claim"] for line in lines), shown
            assert any(line.split()[:3] == ["decision", "none", "yet"] for line in lines), shown
            await pilot.press("j")
