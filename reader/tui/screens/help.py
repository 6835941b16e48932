"""The help screen: every key of the screen below, generated from its bindings."""

from __future__ import annotations

from itertools import zip_longest

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_table(screen: Screen, app_bindings: list[Binding]) -> Table:
    """One entry per action: its keys, what it does and its id (to remap it), screen bindings
    first, then global, in two columns so that a long list still fits a terminal."""
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
    entries = list(rows.values())
    half = (len(entries) + 1) // 2
    table = Table.grid(padding=(0, 1))
    for _ in range(2):
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(style="dim", no_wrap=True)
    for left, right in zip_longest(entries[:half], entries[half:]):
        cells: list[Text] = []
        for entry in (left, right):
            keys, description, binding_id = entry or ([], "", "")
            cells += [Text(" / ".join(keys)), Text(description), Text(binding_id + "   ")]
        table.add_row(*cells)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key of the screen it was opened from."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close", id="help.close")]

    def __init__(self, table: Table, labels: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.table = table
        self.labels = labels

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(Text("Keys", style="bold underline"))
            yield Static(self.table)
            yield Static(Text("escape closes this help · ctrl+p opens the command palette\nremap a key by its id in config.toml: [keymap] \"article.next\" = \"j,down,right\"", style="dim"))
            definitions = label_definitions(self.labels)
            if definitions.plain:
                yield Static(Text("The labels", style="bold underline"))
                yield Static(definitions)


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

    def action_dismiss(self) -> None:
        self.dismiss(None)
