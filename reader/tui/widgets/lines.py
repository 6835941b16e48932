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

Closing a line on enter has the same race the other way: the line's Submitted message is handled
after the keys typed behind enter were routed, so those keys (a label, a status) went into the
hidden line. So enter is a priority binding too (`submit_line`): the focus goes back at once and
the line submits behind the keys already queued in it, so it submits all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen
    from textual.widget import Widget
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


def submit_line(screen: Screen, back_to: Widget, closes: Callable[[Input], bool] = lambda line: True) -> None:
    """Enter, as a priority binding: if a line that closes on enter has the focus, give the focus
    to `back_to` now and let the line submit once it has taken the keys queued before enter.
    Otherwise enter goes on to the bindings and widgets as usual (SkipAction)."""
    from textual.actions import SkipAction
    from textual.widgets import Input

    line = screen.focused
    if not isinstance(line, Input) or not closes(line):
        raise SkipAction()
    screen.set_focus(back_to)
    line.call_later(line.action_submit)
