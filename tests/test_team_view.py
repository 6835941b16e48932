"""Issue 17, items 19, 21 and 23: what a team's lead sees after a merge (stats, list, the
library header and the review gutter), what a team database's exports say, and a theme kept."""

from __future__ import annotations

from pathlib import Path

from reader.store import Store
from reader.tui.app import ReaderApp
from tests.conftest import run_reader

SIZE = (110, 36)


# --- 23: the chosen theme is saved and restored; `theme` in config.toml is accepted ------------


async def test_theme_chosen_in_the_palette_is_restored_at_the_next_start(db: Path, tmp_path: Path) -> None:
    saved = tmp_path / "state" / "theme"
    first = ReaderApp(Store(db), annotator="tester", theme_file=saved)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert first.theme != "textual-light"
        first.theme = "textual-light"  # what the palette's "Change theme" does
        await pilot.pause()
    from reader import config

    assert config.saved_theme(saved) == "textual-light"
    second = ReaderApp(Store(db), annotator="tester", theme=config.saved_theme(saved), theme_file=saved)
    async with second.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert second.theme == "textual-light"


def test_config_theme_is_accepted_and_a_wrong_one_refused(db: Path, tmp_path: Path) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('theme = "textual-light"\n', encoding="utf-8")
    proc = run_reader("--db", db, "--config", conf, "list")
    assert proc.returncode == 0, proc.stderr
    from reader import config

    assert config.load(conf).theme == "textual-light"
    conf.write_text("theme = 3\n", encoding="utf-8")
    proc = run_reader("--db", db, "--config", conf, "list")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "theme must be a theme name" in proc.stderr
