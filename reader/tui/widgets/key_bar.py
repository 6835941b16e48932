"""The key bar: the screen's shown bindings on one line, like Textual's Footer, in one widget.

Textual's Footer composes a widget per key and recomposes them whenever the bindings change,
which doubled the time to the first complete paint of an article (about 70 ms of 130 ms
after start-up, measured with `benchmarks/startup.py`). This bar renders the same hints,
in the theme's footer colours, as one line of text that is repainted, never rebuilt.
Clicking a key presses it.
"""

from __future__ import annotations

from functools import lru_cache

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


@lru_cache(maxsize=None)
def _declared(node_type: type) -> dict[str, int]:
    """Each action's place among the BINDINGS a class and its bases declare."""
    order: dict[str, int] = {}
    for cls in reversed(node_type.__mro__):
        for binding in cls.__dict__.get("BINDINGS", []):
            order.setdefault(binding.action if isinstance(binding, Binding) else binding[1], len(order))
    return order


# Kept when the bar is too narrow for every hint (80 columns): the key that lists all the others.
ALWAYS = frozenset({"app.help"})


class KeyBar(Widget):
    """Key hints for the screen's bindings that have `show=True`: key, then what it does.

    When they do not all fit, hints are left out whole from the end (never cut mid-word), and
    the help key is kept at the end, so a narrow terminal still says where every key is listed."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # cells [start, end) -> key pressed
        self._always: set[str] = set()  # the keys of the hints kept however narrow the bar

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def hints(self) -> list[tuple[str, str, str, bool]]:
        """(key pressed, key shown, description, enabled) for each action shown, in the order
        the screen declares them (a key remapped in the keymap keeps its place)."""
        app = self.app
        active = self.screen.active_bindings
        nodes: dict[int, int] = {}
        shown: dict[str, tuple[tuple[int, int], tuple[str, str, str, bool]]] = {}
        self._always = {binding.key for _node, binding, _enabled, _tooltip in active.values() if binding.id in ALWAYS}
        for node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in shown:
                place = (nodes.setdefault(id(node), len(nodes)), _declared(type(node)).get(binding.action, 1 << 16))
                shown[binding.action] = (place, (binding.key, app.get_key_display(binding), binding.description, enabled))
        hints = [hint for _place, hint in sorted(shown.values(), key=lambda item: item[0])]
        palette = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if palette is not None and palette.binding.action not in shown:
            hints.append((palette.binding.key, app.get_key_display(palette.binding), palette.binding.description, palette.enabled))
        return hints

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        pieces = []
        for key, shown, description, enabled in self.hints():
            piece = Text()
            piece.append(f" {shown} ", key_style if enabled else key_style + description_style)
            if description:
                piece.append(f"{description} ", description_style)
            if not enabled:
                piece.stylize("dim")
            pieces.append((key, piece))
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        self._spans = []
        for key, piece in self._fitting(pieces):
            start = line.cell_len
            line.append_text(piece)
            self._spans.append((start, line.cell_len, key))
        if self.size.width:
            line.rstrip_end(self.size.width)  # the last hint's trailing blank, when it does not fit
        return line

    def _fitting(self, pieces: list[tuple[str, Text]]) -> list[tuple[str, Text]]:
        """The hints that fit the bar's width, in order, the help key kept at the end."""
        width = self.size.width + 1  # each hint ends in a blank, which the last may do without
        if not self.size.width or sum(piece.cell_len for _, piece in pieces) <= width:
            return pieces
        kept = [(key, piece) for key, piece in pieces if key in self._always]
        room = width - sum(piece.cell_len for _, piece in kept)
        fitting = []
        for key, piece in pieces:
            if key in self._always:
                continue
            if piece.cell_len > room:
                break
            fitting.append((key, piece))
            room -= piece.cell_len
        return fitting + kept

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
