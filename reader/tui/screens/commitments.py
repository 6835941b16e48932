"""The commitments screen: who promised what, by when, across the whole library.

It draws `reader.tracker.Register` (filter, sort, group by actor) and writes corrections,
statuses and notes through `reader.tracker`, so each is an event with its own undo.
Commitments someone labelled show "C"; unlabelled ones only suggested show a dim "c".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from reader import tracker
from reader.model import STATUSES
from reader.records import Tracked
from reader.store import StoreError
from reader.tracker import Register
from reader.tui.messages import DatabaseChanged
from reader.tui.screens.dialogs import CorrectDialog
from reader.tui.widgets.columns import Column, fit
from reader.tui.widgets.key_bar import KeyBar
from reader.tui.widgets.line import Line
from reader.tui.widgets.lines import open_line, typed_slash
from reader.tui.widgets.rows import PAGE, window_start

LINES = {
    "filter": "filter by actor, action, time, article or sentence (enter keeps it, escape clears)",
    "note": "a short note on this commitment (enter saves, empty removes)",
}
# The register's columns follow the terminal's width (reader.tui.widgets.columns): the status word
# is never cut; in a narrow terminal (80 columns) the date and then the article go first.
COLUMNS = [
    Column("origin", "", 1), Column("actor", "actor", 14, share=3), Column("action", "action", 20, share=8),
    Column("when", "when", 12, share=2), Column("status", "status", max(len(s) for s in STATUSES)),
    Column("article", "article", 14, share=2, drop=1), Column("date", "date", 10, drop=2),
]
STATUS_KEYS = [
    Binding(str(n), f"status({n - 1})", status, id=f"commitments.status-{status}") for n, status in enumerate(STATUSES, 1)
]


class CommitmentsScreen(Screen[None]):
    """Every commitment of the library in one table."""

    CSS_PATH = "commitments.tcss"

    BINDINGS = [
        # The keys that open another screen are priority bindings: they run as the key arrives,
        # so the keys typed behind them wait for that screen (ReaderApp.on_event).
        Binding("enter", "open", "open article", id="commitments.open", show=False, priority=True),
        Binding("j", "move(1)", "down", id="commitments.down", show=False),
        Binding("k", "move(-1)", "up", id="commitments.up", show=False),
        Binding("g", "edge(0)", "first", id="commitments.first", show=False),
        Binding("G", "edge(1)", "last", id="commitments.last", show=False),
        # priority, and the lines composed hidden: the keys typed after "/" or "m" reach the line
        # (reader.tui.widgets.lines)
        Binding("slash", "filter", "filter", id="commitments.filter", priority=True),
        Binding("s", "sort", "sort", id="commitments.sort"),
        Binding("a", "group", "group by actor", id="commitments.group"),
        Binding("o", "view('overdue')", "overdue", id="commitments.overdue"),
        Binding("d", "view('due')", "due soon", id="commitments.due"),
        Binding("e", "correct", "correct", id="commitments.correct", priority=True),
        *STATUS_KEYS,
        Binding("m", "note", "note", id="commitments.note", show=False, priority=True),
        Binding("u", "undo", "undo", id="commitments.undo"),
        Binding("ctrl+r,U", "redo", "redo", id="commitments.redo", show=False),
        Binding("q", "back", "back", id="commitments.back", priority=True),  # quits when the register was opened first
        Binding("escape", "escape", "clear filter / back", id="commitments.escape", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.register = Register(self.app.store)
        self.shown: Sequence[Tracked] = []  # read a page at a time (tracker.Rows)
        self.first = 0  # where the table's window of the rows shown starts (widgets.rows)
        self._just_mounted = False

    def compose(self) -> ComposeResult:
        yield Static(id="commitments-header")
        yield DataTable(id="commitments", cursor_type="row", zebra_stripes=True)
        # hidden until "/" or "m" opens one; made now, so the focus can move to it at once
        for name, placeholder in LINES.items():
            line = Line(placeholder=placeholder, id=f"commitments-{name}", classes="line", back_to="DataTable")
            line.display = False
            yield line
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._lay_out()
        self.reload()
        self._just_mounted = True
        table.focus()
        if self.app.store.needing_extraction():
            self.app.extract()

    def _lay_out(self) -> bool:
        """Fit the columns to the terminal's width; say whether they changed (then the rows must
        be drawn again)."""
        table = self.query_one(DataTable)
        wanted = fit(COLUMNS, self.app.size.width)
        if [(str(key.value), c.label.plain, c.width) for key, c in table.columns.items()] == wanted:
            return False
        table.clear(columns=True)
        for key, heading, size in wanted:
            table.add_column(heading, key=key, width=size)
        return True

    def on_resize(self) -> None:
        if self._lay_out():
            self.draw()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self._just_mounted:  # on_mount has just filled the table
            self._just_mounted = False
            return
        self.reload()

    def reload(self) -> None:
        """Read the register again after a change (here or elsewhere): a commitment the change
        took out of the rows shown leaves the cursor on the one that took its place."""
        self.register.reload()
        self.draw(keep_place=True)

    def draw(self, keep_place: bool = False) -> None:
        """Show the register's rows as they are now, the cursor kept on its commitment when it
        is still shown (and in the window); else, with `keep_place`, on the row now in its
        place (a status set in the overdue view, where the next key is meant for the next
        commitment), otherwise on the first."""
        table = self.query_one(DataTable)
        selected = self.selected()
        place = self.first + table.cursor_row if selected else 0
        self.shown = self.register.rows()
        row = f"{selected.article_id}:{selected.sentence_index}" if selected else None
        self.first = min(self.first, max(0, len(self.shown) - 1))
        self.first -= self.first % 2
        self._fill()
        if row in table.rows:
            table.move_cursor(row=table.get_row_index(row))
        elif keep_place and selected is not None:
            self._go(place)
        self.query_one("#commitments-header", Static).update(self.header())

    def _fill(self) -> None:
        """The table holds a window of the rows shown, never all of them (widgets.rows)."""
        table = self.query_one(DataTable)
        table.clear()
        for cells, key in self._rows(self.first, self.first + PAGE):
            table.add_row(*cells, key=key)

    def _go(self, position: int) -> None:
        """The cursor to this row of those shown, moving the window when it must."""
        if not self.shown:
            return
        table = self.query_one(DataTable)
        position = max(0, min(len(self.shown) - 1, position))
        start = window_start(position, self.first, table.row_count, len(self.shown))
        if start is not None:
            self.first = start
            self._fill()
        table.move_cursor(row=position - self.first, scroll=True)

    def _rows(self, start: int, end: int) -> Iterator[tuple[list[Text], str]]:
        keys = [str(key.value) for key in self.query_one(DataTable).columns]
        counts = self.register.groups() if self.register.grouped else {}
        previous_actor = self.register.group_of(self.shown[start - 1]) if self.register.grouped and start else None
        for c in self.shown[start:end]:
            actor = c.value("actor") or ""
            if c.extracted.get("actor_resolved") and "actor" not in c.corrected:
                actor = f"{actor} ({c.extracted['actor_resolved']})" if actor else c.extracted["actor_resolved"]
            if self.register.grouped:
                group = self.register.group_of(c)
                # the count first: a long name is cut at the column's edge, the count stays
                actor = f"{counts[group]} · {actor or '(no actor named)'}" if group != previous_actor else ""
                previous_actor = group
            if not c.extracted:
                actor = actor or "(reading…)"
            when = c.value("when") or ""
            if c.when_iso:
                when = f"{when} → {c.when_iso}" if when else c.when_iso
            cells = {
                "origin": Text("C", style="bold") if c.origin == "labelled" else Text("c", style="dim italic"),
                "actor": Text(actor, overflow="ellipsis", no_wrap=True, style="bold" if "actor" in c.corrected else ""),
                "action": Text(c.value("action") or "", overflow="ellipsis", no_wrap=True),
                "when": Text(when, overflow="ellipsis", no_wrap=True),
                "status": Text(c.status, style="bold" if c.status != "open" else "dim"),
                "article": Text(c.article_title or "(untitled)", overflow="ellipsis", no_wrap=True),
                "date": Text(c.article_date or ""),
            }
            yield [cells[key] for key in keys], f"{c.article_id}:{c.sentence_index}"

    def header(self) -> Text:
        items = self.register.items
        labelled = self.register.labelled()
        text = Text(f"{len(items)} commitment{'' if len(items) == 1 else 's'} ({labelled} labelled, {len(items) - labelled} suggested)", style="bold")
        counts = self.register.counts()
        text.append(f" · {counts['overdue']} overdue · {counts['due']} due in {self.register.due_days} days")
        view = {"overdue": "overdue", "due": f"due in {self.register.due_days} days"}.get(self.register.view)
        if self.register.filter or view:
            text.append(f" · {len(self.shown)} shown")
            if view:
                text.append(f": {view}")
            if self.register.filter:
                text.append(f" for “{self.register.filter}”")
        text.append(f" · {'grouped by actor' if self.register.grouped else 'sorted by ' + self.register.sort}", style="dim")
        names = self.app.label_set.names
        if "commitment" not in names:  # a label set of one's own: say why the register stays empty
            text.append(f"\nthe register lists sentences labelled commitment, a label your label set ({', '.join(names)}) "
                        "does not have", style="dim")
        if self.shown:
            c = self.selected() or self.shown[0]
            # what the table's cells cut first, above the sentence so the header's height never
            # hides it: the date the time resolves to, and the note
            detail = [f"when: {c.value('when') or ''} → {c.when_iso}"] if c.when_iso else []
            detail += [f"note: {c.note}"] if c.note else []
            if detail:
                text.append("\n")
                text.append(" · ".join(detail), style="bold")
            text.append("\n")
            text.append(c.text, style="italic")
        return text

    def selected(self) -> Tracked | None:
        table = self.query_one(DataTable)
        if not self.shown or not table.row_count:
            return None
        row = min(self.first + table.cursor_row, len(self.shown) - 1)
        return self.shown[row]

    @on(DataTable.RowHighlighted)
    def highlighted(self) -> None:
        # the table's own keys (arrows, page down, the mouse) move the window too
        table = self.query_one(DataTable)
        if window_start(self.first + table.cursor_row, self.first, table.row_count, len(self.shown)) is not None:
            self._go(self.first + table.cursor_row)
        self.query_one("#commitments-header", Static).update(self.header())

    # --- actions --------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self._go(self.first + self.query_one(DataTable).cursor_row + step)

    def action_edge(self, end: int) -> None:
        self._go((len(self.shown) - 1) * end)  # the last of every row shown, not of the table's window

    def action_open(self) -> None:
        if not self.query_one(DataTable).has_focus:
            raise SkipAction()  # enter in a line
        self.row_selected()

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        c = self.selected()
        if c is not None:
            self.app.open_article(c.article_id, at=c.sentence_index)

    def action_filter(self) -> None:
        if not typed_slash(self):
            open_line(self, self.query_one("#commitments-filter", Input), self.register.filter)

    @on(Input.Changed, "#commitments-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.register.filter = event.value.strip()
        self.draw()

    @on(Input.Submitted)
    def line_done(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.query_one(DataTable).focus()
        if event.input.id == "commitments-note":
            c = self.selected()
            if c is not None:
                self._write(lambda: tracker.set_note(self.app.store, c, event.value, self.app.annotator))

    def action_sort(self) -> None:
        self.register.grouped = False
        self.register.next_sort()
        self.draw()

    def action_group(self) -> None:
        self.register.grouped = not self.register.grouped
        self.draw()

    def action_view(self, view: str) -> None:
        """Only the overdue commitments, or those due soon; the same key again shows all."""
        self.register.toggle_view(view)
        self.draw()

    def action_status(self, position: int) -> None:
        c = self.selected()
        if c is not None:
            self._write(lambda: tracker.set_status(self.app.store, c, STATUSES[position], self.app.annotator))

    def action_note(self) -> None:
        c = self.selected()
        if c is None:
            return
        open_line(self, self.query_one("#commitments-note", Input), c.note or "")

    def action_correct(self) -> None:
        c = self.selected()
        if c is None:
            return

        def corrected(values: dict[str, str] | None) -> None:
            if not values:
                return
            for part, value in values.items():
                if value != (c.value(part) or ""):
                    self._write(lambda part=part, value=value: tracker.correct(self.app.store, c, part, value, self.app.annotator))

        self.app.push_screen(CorrectDialog({part: c.value(part) or "" for part in ("actor", "action", "when")}), corrected)

    def action_undo(self) -> None:
        self._step("undo")

    def action_redo(self) -> None:
        self._step("redo")

    def _step(self, action: str) -> None:
        change = self._write(lambda: (tracker.undo if action == "undo" else tracker.redo)(self.app.store, self.app.annotator))
        if change is None:
            self.notify(f"nothing to {action} here", severity="warning", timeout=2)
        else:
            part = (change.field or "").removeprefix("commitment.")
            done = {"undo": "undid", "redo": "redid"}[action]
            blank = {"status": "open", "note": "no note"}.get(part, "as extracted")  # what no value means
            self.notify(f"{done} {part}: {change.previous or blank} → {change.label or blank}", timeout=3, markup=False)
            # the cursor goes to what changed when the window holds it, as `draw` keeps it (a
            # search of every row shown would read the whole register on a keypress)
            table, row = self.query_one(DataTable), f"{change.article_id}:{change.sentence_index}"
            if row in table.rows:
                table.move_cursor(row=table.get_row_index(row))

    def _write(self, action):
        try:
            change = action()
        except (StoreError, ValueError) as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return None
        self.reload()
        return change

    def action_escape(self) -> None:
        """Clear the filter, else go back (escape in a line closes it: `on_line_closed`)."""
        if not self.query_one(DataTable).has_focus:
            raise SkipAction()
        if self.register.filter:
            self.query_one("#commitments-filter").display = False
            self._clear_filter()
            return
        self.app.go_back()

    def on_line_closed(self, message: Line.Closed) -> None:
        if message.line.id == "commitments-filter":
            self._clear_filter()

    def _clear_filter(self) -> None:
        self.register.filter = ""
        self.draw()

    def action_back(self) -> None:
        """Back to where the register was opened from; opened first (`reader commitments`),
        `q` quits as it does in the library, and escape goes to the library."""
        if len(self.app.screen_stack) <= 2 and self.app.start == "commitments":
            self.app.exit()
        else:
            self.app.go_back()

