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
