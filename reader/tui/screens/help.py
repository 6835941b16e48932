"""The help screen: every key of the screen below, generated from its bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_table(screen: Screen, app_bindings: list[Binding]) -> Text:
    """One line per action: its keys and what it does, screen bindings first, then global."""
    rows: dict[str, tuple[list[str], str, str]] = {}
    mapped = screen._bindings.copy()
    if screen.app._keymap:  # the keys the user remapped in config.toml, as they now are
        mapped.apply_keymap(screen.app._keymap)
    bindings = [b for bs in mapped.key_to_bindings.values() for b in bs] + list(app_bindings)
    for binding in bindings:
        if not binding.description:
            continue
        keys, _, _ = rows.setdefault(binding.action, ([], binding.description, binding.id or ""))
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    out = Text()
    for keys, description, binding_id in rows.values():
        out.append(f"{' / '.join(keys):>16}", style="bold")
        out.append(f"  {description:<22}")
        out.append(f"{binding_id}\n", style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    """Every key of the screen it was opened from."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close", id="help.close")]

    def __init__(self, table: Text, labels: tuple[str, ...] = ()) -> None:
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
