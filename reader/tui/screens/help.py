"""The help screen: every key of the screen below, generated from its bindings."""

from __future__ import annotations

from itertools import zip_longest

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_entries(screen: Screen, app_bindings: list[Binding]) -> list[tuple[str, str, str]]:
    """One entry per action: its keys, what it does and its id (to remap it), screen bindings
    first, then global."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    mapped = screen._bindings.copy()
    if screen.app._keymap:  # the keys the user remapped in config.toml, as they now are
        mapped.apply_keymap(screen.app._keymap)
    bindings = [b for bs in mapped.key_to_bindings.values() for b in bs] + list(app_bindings)
    for binding in bindings:
        if not binding.description or not binding.id:  # Textual's own (focus, copy) need no help
            continue
        keys, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.id or ""))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" / ".join(keys), description, binding_id) for keys, description, binding_id in rows.values()]


def key_table(entries: list[tuple[str, str, str]], halves: int = 2) -> Table:
    """The entries in `halves` side-by-side lists (two, so that a long list fits a wide
    terminal; one in a narrow one, so that no key name or description is cut)."""
    size = (len(entries) + halves - 1) // halves
    table = Table.grid(padding=(0, 1))
    for _ in range(halves):
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim", no_wrap=True)
    for row in zip_longest(*(entries[n * size:(n + 1) * size] for n in range(halves))):
        cells: list[Text] = []
        for entry in row:
            keys, description, binding_id = entry or ("", "", "")
            cells += [Text(keys), Text(description), Text(binding_id + "   ")]
        table.add_row(*cells)
    return table


def fitting_table(entries: list[tuple[str, str, str]], width: int, console: Console) -> Table:
    """Two lists side by side when they fit `width` cells whole, else one."""
    table = key_table(entries, 2)
    if Measurement.get(console, console.options.update_width(10_000), table).maximum <= width:
        return table
    return key_table(entries, 1)


class HelpScreen(ModalScreen[None]):
    """Every key of the screen it was opened from."""

    CSS_PATH = "dialogs.tcss"  # shared with the dialogs (reader/tui/screens/dialogs.py)

    # The keys that move in the article move in its help too (a pager's keys: j/k, space, g/G).
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close", id="help.close"),
                Binding("j", "scroll('down')", "down", id="help.down", show=False),
                Binding("k", "scroll('up')", "up", id="help.up", show=False),
                Binding("space", "scroll('page_down')", "page down", id="help.page-down", show=False),
                Binding("g", "scroll('home')", "top", id="help.top", show=False),
                Binding("G", "scroll('end')", "end", id="help.end", show=False)]

    def __init__(self, entries: list[tuple[str, str, str]], labels: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.entries = entries
        self.labels = labels

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(self._table(), id="help-keys")
            yield Static(Text("escape closes this help · j/k, space, g/G scroll it · ctrl+p opens the command palette\nremap a key by its id in config.toml: [keymap] \"article.next\" = \"j,down,right\"", style="dim"))
            definitions = label_definitions(self.labels)
            if definitions.plain:
                yield Static(Text("The labels", style="bold underline"))
                yield Static(definitions)

    def _table(self) -> Table:
        # the dialog's width (dialogs.tcss: 100%, at most 124) less its border, padding and scrollbar
        return fitting_table(self.entries, min(self.app.size.width, 124) - 2 - 4 - 2, self.app.console)

    def on_resize(self) -> None:
        self.query_one("#help-keys", Static).update(self._table())

    def action_scroll(self, where: str) -> None:
        getattr(self.query_one("#help", VerticalScroll), f"scroll_{where}")(animate=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


def label_definitions(labels: tuple[str, ...]) -> Text:
    """What each label of the set means (the default labels have definitions; others do not)."""
    from reader.definitions import DEFINITIONS, HARD_CASES

    out = Text()
    known = [name for name in labels if name in DEFINITIONS]
    for name in known:
        out.append(f"{name}", style="bold")
        out.append(f"  {DEFINITIONS[name]}\n\n")
    if known:
        for case in HARD_CASES:
            out.append(f"· {case}\n", style="dim")
    return out
