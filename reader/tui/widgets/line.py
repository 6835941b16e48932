"""A one-line input that closes on enter before the next key is routed (see reader.tui.widgets.lines)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class Line(Input):
    """A one-line input that closes on enter: the focus goes to the screen's widget matching
    `back_to` (a CSS selector) before the next key is routed."""

    BINDINGS = [Binding("enter", "close", show=False, priority=True)]

    def __init__(self, *, back_to: str, placeholder: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes=classes)
        self.back_to = back_to

    def action_close(self) -> None:
        self.screen.set_focus(self.screen.query_one(self.back_to))
        self.call_later(self.action_submit)  # behind the keys already queued here
