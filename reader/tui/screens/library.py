"""The library: every stored article with its progress; open, filter, add, delete."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from reader.model import ArticleSummary
from reader.store import StoreError
from reader.tui.messages import ArticlesImported, DatabaseChanged
from reader.tui.screens.dialogs import AddDialog, ConfirmDialog
from reader.tui.theme import label_text_style
from reader.tui.widgets.key_bar import KeyBar

BAR = 10


def progress_bar(done: int, total: int) -> Text:
    if total == 0:
        return Text("parsing…", style="dim")
    filled = round(BAR * done / total)
    bar = Text("█" * filled, style="green")
    bar.append("░" * (BAR - filled), style="dim")
    bar.append(f" {100 * done // total:3d}%")
    return bar


def short_source(source: str | None) -> str:
    """A file's name, or a URL as it is: the column is narrow and the folder rarely matters."""
    if not source:
        return ""
    if "://" in source or source.startswith("<"):
        return source
    return source.replace("\\", "/").rsplit("/", 1)[-1]


class LibraryScreen(Screen[None]):
    """The stored articles in a table."""

    BINDINGS = [
        Binding("enter", "open", "open", id="library.open", show=True),
        Binding("slash", "filter", "filter", id="library.filter"),
        Binding("a", "add", "add", id="library.add"),
        Binding("d", "delete", "delete", id="library.delete"),
        Binding("q", "quit_app", "quit", id="library.quit"),
        Binding("escape", "clear_filter", "clear filter", id="library.clear-filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.store = self.app.store
        self.rows: list[ArticleSummary] = []
        self.filter = ""
        self._just_mounted = False

    def compose(self) -> ComposeResult:
        yield Static(id="library-header")
        yield Input(placeholder="filter by title or source (escape clears)", id="filter")
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("title", key="title", width=34)
        table.add_column("source", key="source", width=20)
        table.add_column("date", key="date", width=10)
        table.add_column("sentences", key="sentences")
        table.add_column("labelled", key="labelled")
        table.add_column("progress", key="progress", width=BAR + 5)
        self.query_one("#filter", Input).display = False
        self.reload()
        self._just_mounted = True
        table.focus()
        if not self.rows:
            self.import_samples()
        elif self.store.unparsed():
            self.parse_pending()

    def on_screen_resume(self) -> None:
        if self._just_mounted:  # on_mount has just filled the table
            self._just_mounted = False
            return
        self.reload()

    def reload(self) -> None:
        """Re-read the articles and counts from the database and redraw the table."""
        self.rows = self.store.summaries()
        table = self.query_one(DataTable)
        selected = self.selected_id()
        table.clear()
        needle = self.filter.lower()
        for r in self.rows:
            if needle and needle not in r.title.lower() and needle not in (r.source or "").lower():
                continue
            table.add_row(
                Text(r.title or "(untitled)", overflow="ellipsis", no_wrap=True),
                Text(short_source(r.source), overflow="ellipsis", no_wrap=True),
                Text(r.published or r.imported_at[:10]),
                Text(str(r.sentences) if r.sentences else "…", justify="right"),
                Text(str(r.labelled), justify="right"),
                progress_bar(r.labelled, r.sentences),
                key=r.id,
            )
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        self.query_one("#library-header", Static).update(self.header_text())

    def header_text(self) -> Text:
        counts = self.store.label_counts()
        total = sum(r.sentences for r in self.rows)
        labelled = sum(r.labelled for r in self.rows)
        text = Text(f"{len(self.rows)} articles · {labelled}/{total} sentences labelled ·", style="bold")
        for name in self.app.label_set.names:
            text.append(f" {name} {counts.get(name, 0)}", style=label_text_style(self.app.label_set, name))
        others = sum(n for name, n in counts.items() if name not in self.app.label_set.names)
        if others:
            text.append(f" · other labels {others}", style="dim")
        text.append(f" · {self.app.annotator}", style="dim")
        return text

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # an empty or just-cleared table has no cell under the cursor
            return None

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_article(event.row_key.value)

    def action_open(self) -> None:
        article_id = self.selected_id()
        if article_id:
            self.app.open_article(article_id)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter = ""
        self.reload()
        self.query_one(DataTable).focus()

    def action_quit_app(self) -> None:
        self.app.exit()

    def action_add(self) -> None:
        def added(target: str | None) -> None:
            if target:
                self.import_in_background([target])

        self.app.push_screen(AddDialog(), added)

    def action_delete(self) -> None:
        article_id = self.selected_id()
        if article_id is None:
            return
        title = next((r.title for r in self.rows if r.id == article_id), article_id)
        question = Text("Delete ")
        question.append(title, style="bold")
        question.append("?\nIts labels stay in the event log.")

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    self.store.delete_article(article_id, self.app.annotator)
                except StoreError as exc:
                    self.notify(f"not deleted: {exc}", severity="error", timeout=8)
                    return
                self.notify(f"deleted {title}", timeout=3)
                self.reload()

        self.app.push_screen(ConfirmDialog(question), answered)

    # --- background work ------------------------------------------------------------------

    def import_samples(self) -> None:
        from reader.pipeline import sample_dir

        folder = sample_dir()
        if folder is not None:
            self.notify("first run: importing the sample articles", timeout=3)
            self.import_in_background([str(folder)])

    def import_in_background(self, targets: list[str]) -> None:
        """Store the texts at once (no spaCy), show them, then parse them in the background."""
        from reader.tui import workers

        workers.import_texts(self, targets)

    def on_articles_imported(self, message: ArticlesImported) -> None:
        for failure in message.failed:
            self.notify(Text(failure), severity="error", timeout=6)
        if message.already and not message.imported:
            self.notify(Text("already in the library, nothing added"), timeout=3)
        self.reload()

    def parse_pending(self) -> None:
        self.app.parse([])

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.reload()
