"""A one-line input that gives the focus back on enter or escape before the next key is routed
(see reader.tui.widgets.lines)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from reader.limits import MAX_VALUE_CHARS


class Line(Input):
    """A one-line input (filter, search, note) that closes on escape, and on enter unless it
    `stays_open` (the article's search: enter finds the next match).

    Both keys are priority bindings of the line's own, so they run as the key arrives: the focus
    goes to the screen's widget matching `back_to` (a CSS selector) at once, and the keys typed
    straight after reach that widget instead of the hidden line. What the line does on closing
    runs behind the keys already queued in it: on enter it submits what it holds, all of it; on
    escape it posts `Line.Closed` for the screen to drop what the line had set (a filter)."""

    BINDINGS = [
        Binding("enter", "enter", show=False, priority=True),
        Binding("escape", "escape", show=False, priority=True),
    ]

    class Closed(Message):
        """The line was closed with escape."""

        def __init__(self, line: Line) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, back_to: str, stays_open: bool = False, placeholder: str = "", id: str | None = None,
                 classes: str | None = None) -> None:
        # as much as a stored value may hold (reader.limits): a paste cannot make a note the
        # database would cut or a merge refuse
        super().__init__(placeholder=placeholder, id=id, classes=classes, max_length=MAX_VALUE_CHARS)
        self.back_to = back_to
        self.stays_open = stays_open

    def insert_text_at_cursor(self, text: str) -> None:
        """Insert what fits: Textual's input refuses a paste past `max_length` whole, which
        would read as a paste that did nothing."""
        room = self.max_length - len(self.value) if self.max_length else len(text)
        super().insert_text_at_cursor(text[: max(room, 0)])

    def _give_back(self) -> None:
        self.display = False
        self.screen.set_focus(self.screen.query_one(self.back_to))

    def action_enter(self) -> None:
        if not self.stays_open:
            self._give_back()
        self.call_later(self.action_submit)

    def action_escape(self) -> None:
        self._give_back()
        self.call_later(lambda: self.post_message(self.Closed(self)))


def line_above(screen: Any, before: str, name: str, placeholder: str, *, back_to: str, stays_open: bool = False) -> Line:
    """The screen's line `name`, made and mounted before the widget matching `before` the
    first time it is asked for."""
    found = screen.query(f"#{name}")
    if found:
        return found.first(Line)
    line = Line(placeholder=placeholder, id=name, classes="line", back_to=back_to, stays_open=stays_open)
    screen.mount(line, before=screen.query_one(before))
    return line
