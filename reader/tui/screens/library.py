"""The library: every stored article with its progress; open, filter, add, delete."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from reader.records import ArticleSummary
from reader.store import StoreError
from reader.tui.messages import ArticleParsed, ArticlesImported, DatabaseChanged, ParseFailed
from reader.tui.screens.dialogs import AddDialog, ConfirmDialog
from reader.tui.screens.library_header import Shown, header_text, share_of
from reader.tui.widgets.columns import Column, fit
from reader.tui.widgets.key_bar import KeyBar
from reader.tui.widgets.line import Line
from reader.tui.widgets.lines import open_line, typed_slash
from reader.tui.widgets.rows import PAGE, window_start

BAR = 10


def progress_bar(done: int, total: int, not_parsed: bool = False) -> Text:
    """The share of an article's sentences done; "parsing…" until it has sentences, or "not
    parsed" once a background parse has failed (opening the article says why and retries)."""
    if total == 0:
        return Text("not parsed", style="red") if not_parsed else Text("parsing…", style="dim")
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


SORTS = ("newest", "most unsure", "least done", "title")
# Every column; "published" only when some article has a date. The title takes the room the
# others leave; in a narrow terminal (80 columns) the date and then the source go, so that the
# title and the progress columns stay whole (at 60 the count of suggestions too).
COLUMNS = (Column("title", "title", 24, share=1), Column("source", "source", 16, drop=2),
           Column("date", "published", 10, drop=3), Column("sentences", "sentences", 9),
           Column("labelled", "labelled", 8), Column("suggested", "suggested", 9, drop=1), Column("progress", "progress", BAR + 5))


class LibraryScreen(Screen[None]):
    """The stored articles in a table, with this annotator's progress and open suggestions."""

    CSS_PATH = "library.tcss"  # read when the library is first shown, not for an article's first paint

    BINDINGS = [
        # The keys that open another screen are priority bindings: they run as the key arrives,
        # so the keys typed behind them wait for that screen (ReaderApp.on_event).
        Binding("enter", "open", "open", id="library.open", show=True, priority=True),
        Binding("j", "move(1)", "down", id="library.down", show=False),
        Binding("k", "move(-1)", "up", id="library.up", show=False),
        Binding("g", "edge(0)", "first", id="library.first", show=False),
        Binding("G", "edge(1)", "last", id="library.last", show=False),
        Binding("slash", "filter", "filter", id="library.filter", priority=True),  # widgets.lines
        Binding("s", "sort", "sort", id="library.sort"),
        Binding("c", "commitments", "commitments", id="library.commitments", priority=True),
        Binding("a", "add", "add", id="library.add", priority=True),
        Binding("d", "delete", "delete", id="library.delete", priority=True),
        # Not in the key bar (the library's snapshot stays as it is); `?` lists them.
        Binding("r", "review", "review disagreements", id="library.review", show=False, priority=True),
        Binding("m", "toggle_assigned", "assigned / all articles", id="library.assigned", show=False),
        Binding("q", "quit_app", "quit", id="library.quit"),
        Binding("escape", "clear_filter", "clear filter", id="library.clear-filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.store = self.app.store
        self.rows: list[ArticleSummary] = []  # the window of the library the table holds
        self.first = 0  # where that window starts among the articles shown
        self.shown = 0  # how many articles the filter (and assignments) show
        self.dated = False  # some article has a published date: the table has that column
        self._listed: list[ArticleSummary] | None = None  # every article shown, for the sorts done in Python
        self._found_for: str | None = None
        self.filter = ""
        self.sort = SORTS[0]
        self._found: set[str] | None = None  # articles whose text holds the filter
        self._just_mounted = False
        self._parse_failed = False  # the last background parse failed: unparsed rows say so
        self.assigned: set[str] = set()  # the articles assigned to this annotator (reader assign)
        self.all_articles = False  # with assignments, show every article (assigned first), not only those
        self.share: tuple[int, int, int] | None = None  # with assignments: (labelled, skipped, sentences) of them

    def compose(self) -> ComposeResult:
        yield Static(id="library-header")
        yield Line(placeholder="filter by title, source or words in the text (escape clears)", id="filter", back_to="DataTable")
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.query_one("#filter", Input).display = False
        self.reload()
        self._just_mounted = True
        table.focus()
        if not self.rows and not self.filter and not self.store.ever_had_articles():
            self.import_samples()
        elif self.store.unparsed():
            self.parse_pending()

    def _columns(self, dated: bool) -> list[tuple[str, str, int]]:
        return fit([c for c in COLUMNS if dated or c.key != "date"], self.app.size.width)

    def _lay_out(self, dated: bool) -> bool:
        """(Re)build the columns when the set of columns changes (say so: the rows must be
        filled again); else only fit their widths."""
        table = self.query_one(DataTable)
        wanted = self._columns(dated)
        have = [(str(key.value), c.label.plain) for key, c in table.columns.items()]
        if have != [(key, heading) for key, heading, _ in wanted]:
            table.clear(columns=True)
            for key, heading, width in wanted:
                table.add_column(heading, key=key, width=width)
            return True
        changed = False
        for key, _heading, width in wanted:
            column = table.columns[ColumnKey(key)]
            if column.width != width:
                column.width = width
                changed = True
        if changed:
            table.refresh()
        return False

    def on_resize(self) -> None:
        # The widths follow the terminal; when a column comes or goes, the window is drawn again.
        if self._lay_out(self.dated):
            self._draw()
        self.query_one("#library-header", Static).update(self.header_text())  # the library's count comes or goes

    def on_screen_resume(self) -> None:
        if self._just_mounted:  # on_mount has just filled the table
            self._just_mounted = False
            return
        self.reload()

    def show_article(self, article_id: str | None) -> None:
        """Put the cursor on an article (the one just left, when coming back) when the table's
        window holds it."""
        table = self.query_one(DataTable)
        if article_id in table.rows:
            table.move_cursor(row=table.get_row_index(article_id), scroll=True)

    def _ordered(self, rows: list[ArticleSummary]) -> list[ArticleSummary]:
        if self.assigned:  # this annotator's assignments first; only those unless `m` asked for all
            mine = [r for r in self._sorted(rows) if r.id in self.assigned]
            return mine + [r for r in self._sorted(rows) if r.id not in self.assigned] if self.all_articles else mine
        return self._sorted(rows)

    def _sorted(self, rows: list[ArticleSummary]) -> list[ArticleSummary]:
        if self.sort == "most unsure":
            return sorted(rows, key=lambda r: (-r.doubt if r.suggested else 1.0, r.title.lower()))
        if self.sort == "least done":
            return sorted(rows, key=lambda r: (r.done / r.sentences if r.sentences else 1.0, r.title.lower()))
        if self.sort == "title":
            return sorted(rows, key=lambda r: r.title.lower())
        return rows  # newest import first, as the store gives them

    def reload(self) -> None:
        """Re-read the articles shown and their counts, and redraw the table's window of them.

        The library in its own order (newest import first), filtered or not, is read a page at
        a time from the store; the other sorts and an annotator's assignments read every
        article's summary and order them here."""
        store, annotator = self.store, self.app.annotator
        assigned = store.assigned_to(annotator)
        self.assigned = {a for a in assigned if store.has_article(a)} if assigned else set()
        selected = self.selected_id()
        self.dated = store.any_published()
        self._lay_out(self.dated)
        if self.sort == SORTS[0] and not self.assigned:
            self._listed = None
            self.share = None
            self.shown = store.library_count(self.filter)
        else:
            if self.filter and len(self.filter) >= 3 and self._found_for != self.filter:
                self._found, self._found_for = store.search(self.filter), self.filter
            needle = self.filter.lower()
            summaries = store.summaries(annotator, self.app.label_set.key)
            self.share = share_of(summaries, self.assigned) if self.assigned else None
            self._listed = [
                r for r in self._ordered(summaries)
                if not needle or needle in r.title.lower() or needle in (r.source or "").lower() or r.id in (self._found or ())
            ]
            self.shown = len(self._listed)
        self.first = max(0, min(self.first, self.shown - PAGE))
        self.first -= self.first % 2
        self._draw()
        self.show_article(selected)
        self.query_one("#library-header", Static).update(self.header_text())

    def _page(self, offset: int) -> list[ArticleSummary]:
        if self._listed is not None:
            return self._listed[offset : offset + PAGE]
        return self.store.library_page(self.app.annotator, self.app.label_set.key, self.filter, offset, PAGE)

    def _draw(self) -> None:
        """Fill the table with the window that starts at self.first."""
        self.rows = self._page(self.first)
        table = self.query_one(DataTable)
        table.clear()
        for r in self.rows:
            cells, key = self._cells(r)
            table.add_row(*cells, key=key)

    def _go(self, position: int) -> None:
        """Put the cursor on the article at this position among those shown, moving the window
        when the position is outside it or near its edge (with more articles beyond)."""
        table = self.query_one(DataTable)
        if not self.shown:
            return
        position = max(0, min(self.shown - 1, position))
        start = window_start(position, self.first, len(self.rows), self.shown)
        if start is not None:
            self.first = start
            self._draw()
        table.move_cursor(row=position - self.first, scroll=True)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The table's own keys (arrows, page down, the mouse) move the window too. Where the
        # cursor is now counts, not where the message says: the window may have moved since.
        row = self.query_one(DataTable).cursor_row
        if window_start(self.first + row, self.first, len(self.rows), self.shown) is not None:
            self._go(self.first + row)

    def _cells(self, r: ArticleSummary) -> tuple[list[Text], str]:
        """The row's cells for the columns the table has now."""
        cells = {
            "title": Text(r.title or "(untitled)", overflow="ellipsis", no_wrap=True),
            "source": Text(short_source(r.source), overflow="ellipsis", no_wrap=True),
            "date": Text(r.published or "", overflow="ellipsis", no_wrap=True),
            "sentences": Text(str(r.sentences) if r.sentences else "…", justify="right"),
            "labelled": Text(str(r.labelled), justify="right"),
            "suggested": Text(str(r.suggested) if r.suggested else "", justify="right"),
            "progress": progress_bar(r.done, r.sentences, self._parse_failed),
        }
        return [cells[str(key.value)] for key in self.query_one(DataTable).columns], r.id

    def header_text(self) -> Content:
        """Counts for the annotator running the app (reader.tui.screens.library_header)."""
        shown = Shown(self.app.annotator, self.app.label_set, self.shown, self.filter, bool(self.assigned), self.all_articles,
                      self.share, None if self.sort == SORTS[0] else self.sort)
        return header_text(self.store, shown, self.app.size.width - 2)  # library.tcss: a cell of padding each side

    def selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # an empty or just-cleared table has no cell under the cursor
            return None

    def action_move(self, step: int) -> None:
        self._go(self.first + self.query_one(DataTable).cursor_row + step)

    def action_edge(self, end: int) -> None:
        self._go((self.shown - 1) * end)

    def action_commitments(self) -> None:
        self.app.open_commitments()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()
        self.notify(f"sorted: {self.sort}", timeout=2)

    @on(DataTable.RowSelected)
    def row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_article(event.row_key.value)

    def action_open(self) -> None:
        if not self.query_one(DataTable).has_focus:
            raise SkipAction()  # enter in the filter line
        article_id = self.selected_id()
        if article_id:
            self.app.open_article(article_id)

    def action_filter(self) -> None:
        if not typed_slash(self):
            open_line(self, self.query_one("#filter", Input))

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter = event.value.strip()
        self._found, self._found_for = None, None
        self.first = 0
        self.reload()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def on_line_closed(self, message: Line.Closed) -> None:
        self.action_clear_filter()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter = ""
        self._found, self._found_for = None, None
        self.first = 0
        self.reload()
        self.query_one(DataTable).focus()

    def action_review(self) -> None:
        """Settle what annotators labelled differently, in every article."""
        self.app.open_review()

    def action_toggle_assigned(self) -> None:
        if not self.assigned:
            self.notify("no articles are assigned to you (reader assign)", timeout=3)
            return
        self.all_articles = not self.all_articles
        self.reload()

    def action_quit_app(self) -> None:
        self.app.exit()

    def action_add(self) -> None:
        from reader.serve import in_session

        if in_session():  # a path or URL typed in a browser would be read by the server
            self.notify("In a browser, articles are added on the server: reader import FILE|URL", severity="warning", timeout=8)
            return

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
        question.append("?\nIts labels stay in the event log: importing the same text again brings them back.")

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
        self.go_to(message.first)

    def go_to(self, article_id: str | None) -> None:
        """Put the cursor on an article among those shown (the one just added: `enter` opens it)."""
        ids = [r.id for r in self._listed] if self._listed is not None else None
        if ids is not None and article_id in ids:
            self._go(ids.index(article_id))
        elif ids is None and article_id and not self.filter:  # newest import first: at the top
            self._go(0)
            self.show_article(article_id)

    def parse_pending(self) -> None:
        self.app.parse([])

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.reload()

    def on_parse_failed(self, message: ParseFailed) -> None:
        self._parse_failed = True  # the unparsed rows stop saying "parsing…" until a parse succeeds
        self.reload()

    def on_article_parsed(self, message: ArticleParsed) -> None:
        self._parse_failed = False
        self.reload()  # its sentence count and progress, at once (not at the next look at the database)
