"""The start-up floor: the least a Textual app can do to show an article's text.

    python benchmarks/floor_app.py ARTICLE.txt

The text in one Static (as Text, never markup) on Textual's default, scrolling screen.
Run as a script (not `-m benchmarks...`) so that nothing but Textual and Rich is imported.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(Text(self.text))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        Floor(source.read()).run()
