"""Several reader processes on one database at once: every write lands, none sees "locked"."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.uihelp import parsed_samples

LABELLER = textwrap.dedent(
    """
    import sys
    from reader.store import Store
    db, annotator, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    labels = ["commitment", "claim", "background", None]
    with Store(db) as store:
        ids = store.article_ids()
        for n in range(rounds):
            article = ids[n % len(ids)]
            store.set_label(article, n % 20, labels[n % 4], annotator)
            if n % 7 == 6:
                store.undo(article, annotator)
    print("ok")
    """
)


def labels_and_events(db: Path) -> tuple[list, list]:
    conn = sqlite3.connect(db)
    try:
        labels = conn.execute(
            "SELECT article_id, sentence_index, annotator, label FROM annotations ORDER BY 1, 2, 3"
        ).fetchall()
        events = conn.execute(
            "SELECT annotator, action, count(*) FROM annotation_events GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        return labels, events
    finally:
        conn.close()


def test_processes_labelling_importing_and_exporting_at_once(tmp_path: Path) -> None:
    rounds = 150
    names = ("ann", "bob", "cy")
    # The same work one process after another gives the expected end state.
    alone = tmp_path / "alone"
    alone.mkdir()
    baseline = parsed_samples(alone)
    for name in names:
        subprocess.run([sys.executable, "-c", LABELLER, str(baseline), name, str(rounds)], check=True, capture_output=True)

    together = tmp_path / "together"
    together.mkdir()
    db = parsed_samples(together)
    extra = tmp_path / "extra"
    extra.mkdir()
    for n in range(12):
        (extra / f"note-{n}.txt").write_text(f"Council note {n}\n\nThe council agreed to publish report {n} on Friday. Officials said it was late.\n")
    labellers = [
        subprocess.Popen([sys.executable, "-c", LABELLER, str(db), name, str(rounds)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in names
    ]
    importer = subprocess.Popen([sys.executable, "-m", "reader", "import", str(extra), "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    exporter = subprocess.Popen([sys.executable, "-m", "reader", "export", "--all", "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for process in [*labellers, importer, exporter]:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "locked" not in err.lower() and "Traceback" not in err
        if process is exporter:
            assert all(json.loads(line)["text"] for line in out.splitlines())
    assert labels_and_events(db) == labels_and_events(baseline)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4 + 12
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
