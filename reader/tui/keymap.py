"""Checking the config's [keymap] against the bindings it remaps.

Textual applies a keymap by binding id; two ids given the same key on one screen clash, and
Textual then drops bindings without a word (a label key can end up with no key at all, and
`?` lists neither). The app says so once, naming the ids (ReaderApp._check_keymap).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.binding import Binding


def _ids(bindings: Sequence[object]) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding) and b.id]


def _owners(app_bindings: Sequence[object]) -> list[tuple[str, list[Binding]]]:
    """(where, its bindings) for each screen and dialog; the app's own apply on every one."""
    from reader.tui.screens import commitments, dialogs, help, library, review
    from reader.tui.screens.article import ArticleScreen

    app = _ids(app_bindings)
    screens = {
        "the article screen": ArticleScreen, "the library": library.LibraryScreen, "the help screen": help.HelpScreen,
        "the commitments screen": commitments.CommitmentsScreen, "the review screen": review.ReviewScreen,
        "the add dialog": dialogs.AddDialog, "the confirm dialog": dialogs.ConfirmDialog, "the correct dialog": dialogs.CorrectDialog,
    }
    return [(where, [*app, *_ids(owner.BINDINGS)]) for where, owner in screens.items()]


def known_ids(app_bindings: Sequence[object] = ()) -> set[str]:
    """Every binding id of the app and of every screen and dialog, for checking a keymap."""
    return {b.id for _where, bindings in _owners(app_bindings) for b in bindings if b.id}


def _keys(spec: str) -> set[str]:
    return {key.strip() for key in spec.split(",") if key.strip()}


def clashes(keymap: Mapping[str, str], app_bindings: Sequence[object] = ()) -> list[str]:
    """One phrase per key the keymap gives to two or more binding ids on one screen ("'a' and
    'b' share the key '1' on the article screen"); `app_bindings` (the app's own) count on
    every screen. Keys ids share by default (enter for accept and for its stand-in while
    suggestions are hidden) are not clashes."""
    found: dict[tuple[frozenset[str], str], list[str]] = {}
    owners = _owners(app_bindings)
    for where, bindings in owners:
        default: dict[str, set[str]] = {}
        for b in bindings:
            default.setdefault(b.id or "", set()).update(_keys(b.key))
        holders: dict[str, set[str]] = {}
        for binding_id, keys in default.items():
            for key in _keys(keymap[binding_id]) if binding_id in keymap else keys:
                holders.setdefault(key, set()).add(binding_id)
        for key, ids in holders.items():
            remapped = {i for i in ids if i in keymap}
            if len(ids) > 1 and remapped and not all(key in default[i] for i in ids):
                found.setdefault((frozenset(ids), key), []).append(where)
    everywhere = len(owners)
    phrases = []
    for (ids, key), places in sorted(found.items(), key=lambda item: (sorted(item[0][0]), item[0][1])):
        names = sorted(ids)
        listed = ", ".join(repr(n) for n in names[:-1]) + f" and {names[-1]!r}"
        on = "every screen" if len(places) == everywhere else ", ".join(places)
        phrases.append(f"{listed} share the key {key!r} on {on}")
    return phrases
