"""Issue 17, item 24 ("Looks"): what each screen keeps at 80×24, the register's columns, dialogs,
entity colours, the status bar's note, toasts, and the command line's output.

The pictures at 80×24 are pinned by the snapshot tests at the end (update them with
`pytest tests/test_looks_24.py --snapshot-update` after an intended change, and look at them).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_reader

ROOT = Path(__file__).resolve().parents[1]
SMALL = (80, 24)


# --- the command line ---------------------------------------------------------------------------


def test_train_help_shows_a_percent_sign_not_two() -> None:
    proc = run_reader("train", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "%%" not in proc.stdout and "100 % of the labels" in " ".join(proc.stdout.split())


def piped_env() -> dict[str, str]:
    env = cli_env()
    env.pop("COLUMNS", None)  # rich takes its width from COLUMNS; piped, there is no terminal to ask
    env.pop("LINES", None)
    return env


def test_piped_tables_keep_each_row_on_one_line(db: Path) -> None:
    """`reader stats | less` wrapped the per-article table at 80 columns: a title ran over two
    lines and a script reading the rows saw half-rows."""
    title = "Brennmoor health board pledges measles catch-up drive after outbreak"
    proc = run_reader("stats", "--db", db, "--annotator", "tester", env=piped_env())
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if title in line]
    assert len(rows) == 1, proc.stdout
    assert any(len(line) > 80 for line in proc.stdout.splitlines())
    assert "22" in rows[0]  # its sentences, on the same line as its title


def test_piped_agreement_keeps_each_row_on_one_line(db: Path) -> None:
    """`reader agreement` printed through a pipe: one line per annotator pair, however wide."""
    from reader.model import LabelSet
    from reader.session import Session
    from reader.store import Store
    from tests.uihelp import INDIA, article_id_of

    article = article_id_of(db, INDIA)
    long_a, long_b = "annotator-with-a-rather-long-name-from-the-night-desk", "annotator-with-an-even-longer-name-from-the-sports-desk"
    with Store(db) as store:
        for who, labels in ((long_a, ["commitment", "claim", "background"]), (long_b, ["commitment", "background", "background"])):
            session = Session(store, article, who, LabelSet())
            session.load()
            for index, label in enumerate(labels):
                session.label(index, label)
    proc = run_reader("agreement", "--db", db, env=piped_env())
    assert proc.returncode == 0, proc.stderr
    pair = [line for line in proc.stdout.splitlines() if long_a in line and long_b in line]
    assert pair, proc.stdout


def test_folder_import_progress_counts_the_files_first(tmp_path: Path) -> None:
    """In a terminal, importing a folder showed `0/?` until the end: the total is the number of
    articles the folder holds, counted before the first is read."""
    folder = tmp_path / "desk"
    folder.mkdir()
    for n in range(6):
        (folder / f"story-{n}.txt").write_text(f"Story {n}\n\nThe council agreed on {n} new benches for the park.\n")
    (folder / "notes.bin").write_bytes(b"\x00\x01")  # not an article: not counted
    leader, follower = pty.openpty()
    env = {**cli_env(), "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    proc = subprocess.Popen([sys.executable, "-m", "reader", "import", str(folder), "--db", str(tmp_path / "r.db")],
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, seen.decode(errors="replace")
    text = seen.decode("utf-8", "replace")
    assert "importing" in text and "0/6" in text, text
    assert "/?" not in text


# --- entity colours -----------------------------------------------------------------------------


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two colours."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        def channel(c: int) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_each_entity_type_has_a_colour_of_its_own_in_both_themes(db: Path, india: str) -> None:
    """Dark: DATE, FAC, LOC and TIME were one orange, ORG and GPE another colour; light: DATE and
    ORG. Every type (and the types without a colour of their own) is drawn distinctly, readable on
    the reading column's background."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.theme import ENTITY_COLOURS, entity_class
    from reader.tui.widgets.article_view import ArticleView

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SMALL) as pilot:
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            await pilot.pause()
            view = app.screen.query_one(ArticleView)
            background = view.rich_style.bgcolor.get_truecolor()
            colours = {}
            for label in [*ENTITY_COLOURS, "CARDINAL"]:
                colour = view.style_of(entity_class(label)).color
                colours[label] = tuple(colour.get_truecolor())
                assert contrast(colours[label], tuple(background)) >= 3, (theme, label, colours[label], background)
            labels = list(colours)
            for i, a in enumerate(labels):
                for b in labels[i + 1:]:
                    distance = sum((x - y) ** 2 for x, y in zip(colours[a], colours[b], strict=True)) ** 0.5
                    assert distance >= 40, f"{theme}: {a} and {b} look alike ({colours[a]} vs {colours[b]})"


# --- the article screen at 80×24 ----------------------------------------------------------------


def status_lines(app) -> str:
    """The status bar as drawn (the lines between the reading column and the key bar), joined."""
    from textual.widgets import Static

    from tests.uihelp import screen_text

    bar = app.screen.query_one("#status-bar")
    lines = screen_text(app).splitlines()[bar.region.y:bar.region.bottom]
    assert app.screen.query_one("#status", Static).region.height == len(lines)
    return " ".join(" ".join(line.split()) for line in lines)


async def test_at_80_columns_the_status_bar_keeps_the_label_and_the_whole_note(db: Path, india: str) -> None:
    """At 80×24 the status bar lost what this sentence has (its label or suggestion), and a note
    was cut to its first word."""
    from reader.store import Store
    from reader.tui.app import ReaderApp

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    note = "check the date against the ministry's own release before trusting it"
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("1", "k")
        await pilot.pause()
        assert "this: commitment" in status_lines(app)
        await pilot.press("j")
        await pilot.pause()
        assert "suggested: " in status_lines(app)
        await pilot.press("k", "m")
        await pilot.press(*[{" ": "space", "'": "apostrophe"}.get(ch, ch) for ch in note], "enter")
        await pilot.pause()
        shown = status_lines(app)
        assert f"note: {note}" in shown and "this: commitment" in shown, shown


async def test_at_80_columns_the_key_bar_keeps_the_help_key(db: Path, india: str) -> None:
    """The key bar was cut at the right edge, where "? help" was: it leaves out whole hints and
    keeps the one that lists the others, on the article, library and register screens."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.key_bar import KeyBar

    for kwargs in ({"article_id": india}, {}, {"start": "commitments"}):
        app = ReaderApp(Store(db), annotator="tester", **kwargs)
        async with app.run_test(size=SMALL) as pilot:
            await pilot.pause()
            await pilot.pause()
            bar = app.screen.query_one(KeyBar)
            drawn = bar.render().plain
            assert " ? help " in drawn, (kwargs, drawn)
            assert "…" not in drawn
            await pilot.click(KeyBar, offset=(drawn.rindex("?") + 1, 0))  # clicking it still opens help
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"


# --- the register's columns ---------------------------------------------------------------------


def table_lines(app) -> list[str]:
    """The register's rows as drawn: the lines of the table below its heading."""
    from textual.widgets import DataTable

    from tests.uihelp import screen_text

    table = app.screen.query_one(DataTable)
    return screen_text(app).splitlines()[table.region.y:table.region.bottom]


async def test_the_register_columns_follow_the_terminal_and_status_words_are_never_cut(db: Path) -> None:
    """The register's columns were fixed: at 80 columns the status read `op`/`ke`/`br`, at 200 the
    actor was still cut at 24 cells, and a resize laid nothing out again."""
    from reader.model import STATUSES
    from reader.store import Store
    from reader.tui.app import ReaderApp

    whole = "We (Premier Halina Vosk of Veldra)"  # the quoted "We" as written, and whom it stands for
    app = ReaderApp(Store(db), annotator="tester", start="commitments")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for size in (SMALL, (200, 30), SMALL, (120, 30)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            lines = table_lines(app)
            heading, rows = lines[0].split(), [line for line in lines[1:] if line.strip()]
            assert "status" in heading and len(rows) >= 5, lines
            for row in rows:
                assert any(f" {status} " in f"{row} " for status in STATUSES), f"{size}: a status is cut: {row!r}"
                assert len(row) == size[0]
            assert ("article" in heading) == (size[0] > 100), (size, heading)
            assert (whole in "\n".join(rows)) == (size[0] >= 200), (size, rows)


async def test_the_library_keeps_its_progress_columns_at_80_columns(db: Path) -> None:
    """At 80 columns the library lost its progress columns off the right edge: the source goes
    instead, and comes back when the terminal widens."""
    from reader.store import Store
    from reader.tui.app import ReaderApp

    app = ReaderApp(Store(db), annotator="tester")
    async with app.run_test(size=SMALL) as pilot:
        for width in (80, 140, 80):
            await pilot.resize_terminal(width, 24)
            await pilot.pause()
            await pilot.pause()
            lines = table_lines(app)
            heading, rows = lines[0].split(), [line for line in lines[1:] if line.strip()]
            assert heading[-4:] == ["sentences", "labelled", "suggested", "progress"], heading
            assert ("source" in heading) == (width > 80), heading
            assert len(rows) == 4 and all(row.rstrip().endswith("0%") for row in rows), rows


# --- help and dialogs at 80×24 ------------------------------------------------------------------


async def test_at_80_columns_help_shows_every_key_name_whole(db: Path, india: str) -> None:
    """At 80 columns help's two side-by-side lists cut key names and descriptions ("g / h…
    first s…"): it shows one list there, each entry whole (and two lists where they fit)."""
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from tests.uihelp import screen_text

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert type(help_screen).__name__ == "HelpScreen"
        seen: set[str] = set()
        for _ in range(4):  # page through the whole list
            shown = [" ".join(line.strip("█▁▂▃▄▅▆▇ ").split()) for line in screen_text(app).splitlines()]
            assert not any("…" in line for line in shown), shown
            for keys, description, binding_id in help_screen.entries:
                if any(line.endswith(f" {binding_id}") for line in shown):
                    assert f"{keys} {description} {binding_id}" in shown, (keys, description, shown)
                    seen.add(binding_id)
            await pilot.press("pagedown")
            await pilot.pause()
        assert seen == {binding_id for _, _, binding_id in help_screen.entries}


async def test_dialog_text_wraps_inside_the_dialog(db: Path) -> None:
    """The delete dialog's question ran past the dialog's edge and was cut ("importing the same
    text again brings them back" was never seen): dialog text wraps, at 80 columns too."""
    from textual.widgets import Label

    from reader.store import Store
    from reader.tui.app import ReaderApp
    from reader.tui.screens.dialogs import ConfirmDialog
    from tests.uihelp import screen_text

    app = ReaderApp(Store(db), annotator="tester")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        label = app.screen.query_one(Label)
        dialog = app.screen.query_one(".dialog")
        assert label.region.right <= dialog.content_region.right
        words = " ".join(" ".join(line.strip("█▀▄ ").split()) for line in screen_text(app).splitlines())
        assert "importing the same text again brings them back." in words, words
        assert "Veldra and Ostmark sign Tamsel River water-sharing accord after dry summer?" in words, words


async def test_toasts_do_not_cover_the_counts(db: Path, india: str) -> None:
    """A toast sat over the status bar's right half, where the counts are."""
    from textual.widgets._toast import Toast

    from reader.store import Store
    from reader.tui.app import ReaderApp

    app = ReaderApp(Store(db), annotator="tester", article_id=india)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("u")  # "nothing to undo"
        app.notify("a second, longer notice that takes more than one line of the toast's width to say", timeout=30)
        await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 2
        status = app.screen.query_one("#status-bar").region
        for toast in toasts:
            assert toast.region.height and not toast.region.overlaps(status), (toast.region, status)


# --- review -------------------------------------------------------------------------------------


async def test_review_context_lines_keep_their_indent_when_they_wrap(tmp_path: Path) -> None:
    """In review, a context sentence too long for the line wrapped back to the left edge, under
    the gutter of votes: its continuation lines start where its text starts."""
    from reader.model import Article, Parsed, Sentence
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from tests.uihelp import screen_text

    sentences = ("The ferry company said on Tuesday that the harbour crossing would run every half hour from the first week of May until the end of the tourist season.",
                 "Councillors promised to repaint the waiting room, mend the broken benches on the quay and publish the new timetable in the library and at the town hall.",
                 "The crossing was first opened by a fishing cooperative in the years after the war, when the old bridge upstream had been closed to lorries and buses.")
    text = " ".join(sentences)
    spans, pos = [], 0
    for sentence in sentences:
        spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    article = Article(text, title="Harbour crossing", source="desk/crossing.txt")
    db = tmp_path / "team.db"
    with Store(db) as store:
        store.add_article(article, Parsed(tuple(Sentence(i, a, b) for i, (a, b) in enumerate(spans)), (), "test", "1"))
        for index in range(3):
            store.set_label(article.id, index, "background", "alice")
            store.set_label(article.id, index, "commitment" if index == 1 else "background", "bob")
    app = ReaderApp(Store(db), annotator="lead", review=())
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        starts = {}
        for sentence in sentences:
            first_words = " ".join(sentence.split()[:3])
            row = next(n for n, line in enumerate(lines) if first_words in line)
            column = lines[row].index(first_words)
            starts[sentence] = column
            # the line after the first holds the rest of this sentence, from the same column
            follow = lines[row + 1]
            assert follow[:column].strip("│ ") == "" and follow[column] != " ", (column, lines[row], follow)
            assert follow.split()[0] in sentence.split()
        assert len(set(starts.values())) == 1, starts  # every sentence starts in one column


# --- what each screen keeps at 80×24, pinned ----------------------------------------------------
# The article: its header, the legend, the reading column, a status bar that wraps to keep this
# sentence's label or suggestion, and the key bar ending in "? help". The library: title and the
# progress columns (source and date go). The register: actor, action, when and whole status words
# (article and date go). Help: one list, every key name whole.


def small_app(tmp_path: Path, **kwargs):
    from reader.store import Store
    from reader.tui.app import ReaderApp
    from tests.uihelp import parsed_samples

    return ReaderApp(Store(parsed_samples(tmp_path)), annotator="tester", **kwargs)


def india_of(app) -> str:
    from tests.uihelp import INDIA, article_id_of

    return article_id_of(app.store.path, INDIA)


def test_article_screen_at_80x24(snap_compare, tmp_path: Path) -> None:
    app = small_app(tmp_path)
    app.start_article = india_of(app)
    assert snap_compare(app, press=["1", "2", "3", "j", "1"], terminal_size=SMALL)


def test_library_screen_at_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(small_app(tmp_path), terminal_size=SMALL)


def test_commitments_screen_at_80x24(snap_compare, tmp_path: Path, monkeypatch) -> None:
    import datetime as dt

    from reader import tracker

    monkeypatch.setattr(tracker, "today", lambda: dt.date(2026, 2, 15))
    assert snap_compare(small_app(tmp_path, start="commitments"), terminal_size=SMALL)


def test_help_screen_at_80x24(snap_compare, tmp_path: Path) -> None:
    app = small_app(tmp_path)
    app.start_article = india_of(app)
    assert snap_compare(app, press=["question_mark"], terminal_size=SMALL)


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_the_register_at_80x24_and_widened_in_a_real_terminal(db: Path, tmp_path: Path) -> None:
    """In tmux at 80×24 the register shows whole status words and the help key; widened to 160
    columns it lays its columns out again (the article and date come back)."""
    from tests.test_terminal import Terminal

    (tmp_path / "none.toml").write_text("")
    command = " ".join(shlex.quote(p) for p in [sys.executable, "-m", "reader", "commitments", "--db", str(db), "--annotator", "e2e", "--config", str(tmp_path / "none.toml")])
    term = Terminal(f"reader-looks-{os.getpid()}", command + "; echo READER-EXITED-$?; sleep 30", width=80, height=24)
    try:
        term.wait_for(r"actor\s+action\s+when\s+status\s*\n")
        rows = [line for line in term.screen().splitlines() if re.match(r" [cC]  ", line)]
        assert len(rows) >= 10 and all(re.search(r"\s(open|kept|broken|unclear)\s*(▂▂|▇▇|▆▆|▅▅|▄▄|▃▃)?$", row) for row in rows), term.screen()
        assert term.screen().rstrip().splitlines()[-1].rstrip().endswith("? help")
        subprocess.run(["tmux", "resize-window", "-t", term.name, "-x", "160", "-y", "24"], check=True)
        term.wait_for(r"status\s+article\s+date")
        term.send("q")
        term.wait_for("READER-EXITED-0")
    finally:
        term.close()
