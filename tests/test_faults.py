"""Database faults: damaged files, read-only files and folders, a full disk, and `reader backup`.

Each fault is one stderr line and exit code 2, and the database file keeps every byte. Root
ignores file modes, so the read-only cases run reader without CAP_DAC_OVERRIDE
(conftest.file_modes_bind) or make the file immutable, and skip when neither can be done.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

from conftest import dump_database, file_modes_bind, run_reader
from reader.store import Store, StoreError
from tests.uihelp import INDIA, article_id_of, parsed_samples, screen_text

NEW_ARTICLE = "Port talks resume\n\nThe two unions agreed on Monday to return to talks. Management welcomed the move.\n"
COMMANDS = {"list": ["list"], "import": ["import", "{new}"], "export": ["export", "-o", "{out}"]}


def siblings(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir())


def run_command(name: str, db: Path, tmp_path: Path, prefix: list[str] | None = None):
    new = tmp_path / "new.txt"
    new.write_text(NEW_ARTICLE)
    args = [a.replace("{new}", str(new)).replace("{out}", str(tmp_path / "out.jsonl")) for a in COMMANDS[name]]
    return run_reader(*args, "--db", str(db), prefix=prefix or ())


def assert_one_line(proc, code: int, needle: str) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: ") and needle in lines[0], proc.stderr
    return lines[0]


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """The parsed sample articles in a folder of their own, no -wal or -shm beside them."""
    folder = tmp_path / "library"
    folder.mkdir()
    return parsed_samples(folder)


# --- damaged databases -------------------------------------------------------------------------


def header_then_garbage(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + random.Random(7).randbytes(8192 - 16))


def page_overwritten_in_the_middle(db: Path) -> None:
    """A real reader database with one page of its articles table, in the middle, overwritten."""
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    try:
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'articles' AND pagetype = 'leaf' ORDER BY pageno")]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find the articles' pages with")
    finally:
        conn.close()
    assert len(pages) >= 3
    data = bytearray(db.read_bytes())
    page = pages[len(pages) // 2]
    data[(page - 1) * page_size : page * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [header_then_garbage, page_overwritten_in_the_middle], ids=["header-then-garbage", "page-overwritten"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_damaged_database_is_one_line_and_untouched(damage, command: str, samples: Path, tmp_path: Path) -> None:
    # Regression (page-overwritten, import): the import did not touch the damaged page and
    # wrote its article into the damaged file.
    damage(samples)
    before, files = samples.read_bytes(), siblings(samples)
    proc = run_command(command, samples, tmp_path)
    assert_one_line(proc, 2, "damaged")
    assert samples.read_bytes() == before
    assert siblings(samples) == files  # no -wal or -shm left behind either
    assert not (tmp_path / "out.jsonl").exists() and proc.stdout == ""


# --- read-only database files and folders ---------------------------------------------------


@contextmanager
def read_only(path: Path, how: str):
    """Make a file or folder read-only for reader; yield the command prefix to run it with."""
    if how == "mode":
        prefix = file_modes_bind()
        if prefix is None:
            pytest.skip("running as root without setpriv: a mode 0444/0555 does not stop root")
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield prefix
        finally:
            path.chmod(mode)
    elif how == "immutable":
        if os.geteuid() != 0 or shutil.which("chattr") is None:
            pytest.skip("chattr +i needs root and chattr")
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("this file system does not support chattr +i")
        try:
            yield []
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    elif how == "read-only mount":
        if os.geteuid() != 0 or subprocess.run(["mount", "--bind", "-o", "ro", str(path), str(path)], capture_output=True).returncode:
            pytest.skip("a read-only bind mount needs root and mount permission")
        try:
            yield []
        finally:
            subprocess.run(["umount", str(path)], check=True)


def check_reading_still_works(db: Path, tmp_path: Path, prefix: list[str]) -> None:
    listed = run_reader("list", "--db", str(db), prefix=prefix)
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == 1 + 4
    exported = run_reader("export", "--all", "--db", str(db), prefix=prefix)
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) > 50


@pytest.mark.parametrize("how", ["mode", "immutable"])
def test_read_only_database_file(how: str, samples: Path, tmp_path: Path) -> None:
    before = samples.read_bytes()
    with read_only(samples, how) as prefix:
        line = assert_one_line(run_command("import", samples, tmp_path, prefix), 2, "read-only")
        assert str(samples) in line
        check_reading_still_works(samples, tmp_path, prefix)
        assert samples.read_bytes() == before


@pytest.mark.parametrize("how", ["mode", "immutable", "read-only mount"])
def test_read_only_folder(how: str, samples: Path, tmp_path: Path) -> None:
    # Regression: "cannot use the database ...: unable to open database file" did not say why.
    before, files = samples.read_bytes(), siblings(samples)
    with read_only(samples.parent, how) as prefix:
        # on a read-only mount the file itself is read-only too
        assert_one_line(run_command("import", samples, tmp_path, prefix), 2, "read-only" if how == "read-only mount" else "read-only folder")
        check_reading_still_works(samples, tmp_path, prefix)
        new = tmp_path / "new.txt"
        new.write_text("A new article. It cannot be stored here.")
        assert_one_line(run_reader("import", str(new), "--db", str(samples.parent / "new.db"), prefix=prefix), 2, "read-only")
        # reading commands never create a database, wherever it would go
        assert_one_line(run_reader("list", "--db", str(samples.parent / "new.db"), prefix=prefix), 2, "no database at")
    assert samples.read_bytes() == before and siblings(samples) == files


# --- a full disk ----------------------------------------------------------------------------


def fill_up(store: Store, article_id: str, annotator: str = "filler") -> int:
    """Cap the database at its current size, then label until that is too small; return the
    number of labels that fitted."""
    conn = store.db.conn
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    count = len(store.sentences(article_id))
    for n in range(10_000):
        try:
            store.set_label(article_id, n % count, ("commitment", "claim", "background")[n % 3], f"{annotator}{n // count}")
        except StoreError as exc:
            assert "disk is full" in str(exc)
            return n  # the labels that fitted before this one
    raise AssertionError("the capped database never filled up")


def labels_and_events(db: Path) -> tuple[list, list]:
    dump = dump_database(db)
    return dump["annotations"], dump["annotation_events"]


def test_full_disk_in_the_store_loses_nothing_and_half_writes_nothing(samples: Path) -> None:
    india = article_id_of(samples, INDIA)
    with Store(samples) as store:
        fitted = fill_up(store, india)
        assert fitted > 10
        before = labels_and_events(samples)
        assert len(before[1]) == fitted  # every change that returned is in the log, and only those
        with pytest.raises(StoreError, match="disk is full"):
            store.set_label(india, 0, "claim", "tester")
        assert labels_and_events(samples) == before  # no event without its label, or the reverse
        # space again: the same write goes through
        store.db.conn.execute("PRAGMA max_page_count = 1000000")
        assert store.set_label(india, 0, "claim", "tester") is not None
    conn = sqlite3.connect(samples)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM annotation_events").fetchone()[0] == fitted + 1
    conn.close()


async def test_full_disk_label_key_shows_an_error_and_no_label(samples: Path) -> None:
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_view import ArticleView

    india = article_id_of(samples, INDIA)
    store = Store(samples)
    fill_up(store, india)
    app = ReaderApp(store, annotator="tester", article_id=india)
    async with app.run_test(size=(110, 36), notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ArticleView)
        for _ in range(len(view.sentences)):
            cursor, shown, status, stored = view.cursor, dict(screen.session.labels), screen.status_text().plain, labels_and_events(samples)
            await pilot.press("1")
            await pilot.pause()
            errors = [n.message for n in app._notifications if n.severity == "error"]  # noqa: SLF001
            if errors:
                break
            assert screen.session.labels[cursor] == "commitment"  # it fitted: shown, and stored
        else:
            raise AssertionError("no label key ever hit the full disk")
        assert errors[0].startswith("not saved: the disk is full")
        assert "not saved" in screen_text(app)  # the toast is on screen
        # the label that was not saved is not shown, counted or moved past, and not stored
        assert (view.cursor, dict(screen.session.labels), screen.status_text().plain) == (cursor, shown, status)
        assert labels_and_events(samples) == stored
    store.close()


@pytest.fixture
def tiny_file_system(tmp_path: Path):
    """A 1 MiB tmpfs (room for the samples and one more article with its suggestions); skipped
    where mounting is not allowed."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("mount -t tmpfs is not permitted here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill_file_system(folder: Path, leave_kib: int) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                stats = os.statvfs(folder)
                room = stats.f_bavail * stats.f_frsize - leave_kib * 1024
                if room <= 0:
                    break
                handle.write(b"\0" * min(room, 64 * 1024))
                handle.flush()
        except OSError:
            pass
    return filler


@pytest.mark.parametrize("leave_kib", [0, 48], ids=["no-room-at-all", "some-room"])
def test_full_file_system_import_through_the_cli(leave_kib: int, samples: Path, tiny_file_system: Path, tmp_path: Path) -> None:
    # Regression (no-room-at-all): "cannot use the database ...: disk I/O error" did not say the disk was full.
    db = tiny_file_system / "reader.db"
    shutil.copy(samples, db)
    content = dump_database(db)
    article = tmp_path / "long.txt"
    rng = random.Random(5)
    words = "the council said on monday that its new plan would be published next week after a long review".split()
    article.write_text("\n\n".join(" ".join(rng.choice(words) for _ in range(60)).capitalize() + "." for _ in range(150)))
    filler = fill_file_system(tiny_file_system, leave_kib)
    before = db.read_bytes()
    proc = run_reader("import", str(article), "--db", str(db))
    assert_one_line(proc, 2, "the disk is full")
    assert db.read_bytes() == before
    filler.unlink()  # room again: the same import goes through, and nothing else changed
    again = run_reader("import", str(article), "--db", str(db))
    assert again.returncode == 0, again.stderr
    after = dump_database(db)
    assert len(after["articles"]) == len(content["articles"]) + 1
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# --- reader backup ----------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import pathlib, sys
    from reader.store import Store
    db, stop = sys.argv[1], pathlib.Path(sys.argv[2])
    labels = ["commitment", "claim", "background", None]
    with Store(db) as store:
        ids, n = store.article_ids(), 0
        while not stop.exists():
            store.set_label(ids[n % len(ids)], n % 15, labels[(n // 7) % 4], "writer")
            n += 1
    print(n)
    """
)


def event_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM annotation_events").fetchone()[0]
    finally:
        conn.close()


def assert_consistent_copy(copy: Path) -> int:
    """integrity_check passes, and the labels are exactly what the event log says they are."""
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # a file of its own
        latest: dict[tuple, str | None] = {}
        for article, index, annotator, label in conn.execute(
            "SELECT article_id, sentence_index, annotator, label FROM annotation_events ORDER BY id"
        ):
            latest[(article, index, annotator)] = label
        labels = {tuple(r[:3]): r[3] for r in conn.execute("SELECT article_id, sentence_index, annotator, label FROM annotations")}
        assert labels == {key: label for key, label in latest.items() if label is not None}
        return conn.execute("SELECT count(*) FROM annotation_events").fetchone()[0]
    finally:
        conn.close()


def test_backup_of_a_database_being_written(samples: Path, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(samples), str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while event_count(samples) < 50:  # the writer is under way
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        counts = []
        for n in range(3):
            before = event_count(samples)
            proc = run_reader("backup", str(tmp_path / f"copy-{n}.db"), "--db", str(samples))
            after = event_count(samples)
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr.strip() == f"backed up {samples} to {tmp_path / f'copy-{n}.db'}"
            copied = assert_consistent_copy(tmp_path / f"copy-{n}.db")
            assert before <= copied <= after
            counts.append(copied)
        assert counts == sorted(counts) and counts[-1] > counts[0]  # the writer kept writing meanwhile
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0 and "locked" not in err, err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("target", ["itself", "symlink to it", "its folder", "its -wal", "its -shm"])
def test_backup_onto_the_database_itself_is_refused(target: str, samples: Path) -> None:
    # Regression ("its folder", "its -wal"): the copy was renamed over the live database or
    # over its write-ahead log, where committed labels may still be waiting.
    folder = samples.parent
    if target == "symlink to it":
        (folder.parent / "link.db").symlink_to(samples)
    path = {
        "itself": samples, "symlink to it": folder.parent / "link.db", "its folder": folder,
        "its -wal": folder / "reader.db-wal", "its -shm": folder / "reader.db-shm",
    }[target]
    before, inode, files = samples.read_bytes(), samples.stat().st_ino, siblings(samples)
    assert_one_line(run_reader("backup", str(path), "--db", str(samples)), 2, "another file than the database")
    assert (samples.read_bytes(), samples.stat().st_ino, siblings(samples)) == (before, inode, files)


@pytest.mark.parametrize("target", ["missing folder", "read-only folder", "fifo"])
def test_backup_to_an_unwritable_target(target: str, samples: Path, tmp_path: Path) -> None:
    # Regression (fifo): the copy replaced the FIFO (as root, `reader backup /dev/full`
    # replaced the device node with a database).
    out = tmp_path / "out"
    out.mkdir()
    path = out / "copy.db"
    if target == "missing folder":
        path = out / "no" / "such" / "copy.db"
    elif target == "fifo":
        os.mkfifo(path)
    with read_only(out, "mode") if target == "read-only folder" else nullcontext([]) as prefix:
        line = assert_one_line(run_reader("backup", str(path), "--db", str(samples), prefix=prefix), 2, "backup")
    assert "cannot write the backup" in line or "not a regular file" in line
    assert sorted(p.name for p in out.iterdir()) == (["copy.db"] if target == "fifo" else [])
    if target == "fifo":
        assert path.is_fifo()

