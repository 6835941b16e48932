"""A one-line input that closes on enter before the next key is routed (see reader.tui.widgets.lines)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class Line(Input):
    """A one-line input that closes on enter: the focus goes to the screen's widget matching
    `back_to` (a CSS selector) before the next key is routed, and the line submits what it holds
    once it has taken the keys typed before enter. Without `back_to` it stays open and only
    submits (the article's search: enter finds the next match)."""

    BINDINGS = [Binding("enter", "enter", show=False, priority=True)]

    def __init__(self, *, back_to: str | None, placeholder: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes=classes)
        self.back_to = back_to

    def action_enter(self) -> None:
        if self.back_to is not None:
            self.screen.set_focus(self.screen.query_one(self.back_to))
        self.call_later(self.action_submit)  # behind the keys already queued here
