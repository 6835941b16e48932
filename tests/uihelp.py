"""Shared pieces for the UI tests: a parsed database of the sample articles, built once."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from reader import nlp
from reader.pipeline import import_targets, sample_dir
from reader.store import Store

ROOT = Path(__file__).resolve().parents[1]
INDIA = "india-canada-security-talks.txt"
_TEMPLATE: Path | None = None


def parsed_samples(folder: Path) -> Path:
    """A copy of a database holding the parsed sample articles, with fixed import times."""
    global _TEMPLATE
    if _TEMPLATE is None or not _TEMPLATE.exists():
        _TEMPLATE = folder.parent / "template-samples.db"
        with Store(_TEMPLATE) as store:
            import_targets(store, [str(sample_dir())], load_model=nlp.load)
        conn = sqlite3.connect(_TEMPLATE)
        # Fixed times so that screenshots do not change from day to day.
        conn.execute("UPDATE articles SET imported_at = '2026-02-09T10:00:00.000Z'")
        # ...and sources that do not depend on where the checkout lives.
        conn.execute("UPDATE articles SET source = 'sample_articles/' || replace(source, rtrim(source, replace(source, '/', '')), '')")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    target = folder / "reader.db"
    shutil.copy(_TEMPLATE, target)
    return target


def article_id_of(db: Path, filename: str) -> str:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT id FROM articles WHERE source LIKE ?", (f"%{filename}",)).fetchone()
        return row[0]
    finally:
        conn.close()


def screen_text(app) -> str:
    """Everything the screen shows now, as plain text lines (what a person would read)."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - Textual has no public API for this
    return "\n".join(strip.text for strip in strips)
