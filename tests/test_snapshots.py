"""What the user sees, pinned: the library, an article with labels, and the help screen.

Update after an intended change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

from reader.store import Store
from reader.tui.app import ReaderApp
from tests.uihelp import INDIA, article_id_of, parsed_samples

SIZE = (110, 36)


def app_for(tmp_path: Path, open_india: bool) -> ReaderApp:
    db = parsed_samples(tmp_path)
    article = article_id_of(db, INDIA) if open_india else None
    return ReaderApp(Store(db), annotator="tester", article_id=article)


def test_library_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(tmp_path, False), terminal_size=SIZE)


def test_article_screen_with_labels(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(tmp_path, True), press=["1", "2", "3", "j", "1"], terminal_size=SIZE)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(app_for(tmp_path, True), press=["question_mark"], terminal_size=SIZE)
