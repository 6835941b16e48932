"""Opening a one-line input (filter, search, note) so that the keys typed straight after its key
reach it.

Textual routes each key to the widget that has the focus when the key arrives, and
`Widget.focus()` only schedules the change: keys typed fast after "/" (a paste, a quick typist, a
slow SSH link delivering a burst) went to the screen behind, where "q" quits and "1"-"3" label a
sentence. So the keys that open a line are priority bindings (they run as the key arrives, before
the next key is routed) and the focus moves at once, through `Screen.set_focus`.

A priority binding is skipped for a key the focused Input takes as text, except "/": Textual knows
no character for the key name "slash" (`textual.keys.key_to_character`), so with a line open "/"
still reaches the binding, which passes it on to the line (`typed_slash`), behind the keys
already queued there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widgets import Input


def open_line(screen: Screen, box: Input, value: str | None = None) -> None:
    """Show `box` and give it the focus now."""
    if value is not None:
        box.value = value
    box.display = True
    screen.set_focus(box)


def typed_slash(screen: Screen) -> bool:
    """If a line has the focus, pass "/" on to it and say so."""
    from textual import events
    from textual.widgets import Input

    focused = screen.focused
    if isinstance(focused, Input):
        focused.post_message(events.Key("slash", "/"))
        return True
    return False
