"""Colours for entity types and labels, and the cursor. Every colour has a non-colour twin
(the gutter mark, the cursor arrow), so nothing depends on colour alone."""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style

from reader.model import LabelSet

CURSOR = Style(bold=True, underline=True, bgcolor="#3b4261")
GUTTER = Style(bold=True, color="#c0caf5")
SUGGESTION = Style(dim=True, italic=True)

ENTITY_COLOURS = {
    "PERSON": "#7dcfff",
    "NORP": "#bb9af7",
    "ORG": "#ff9e64",
    "GPE": "#9ece6a",
    "LOC": "#73daca",
    "FAC": "#73daca",
    "DATE": "#e0af68",
    "TIME": "#e0af68",
    "MONEY": "#f7768e",
    "PERCENT": "#f7768e",
    "EVENT": "#2ac3de",
    "LAW": "#c0caf5",
}
# The entity types the legend names, in reading order.
LEGEND = ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "MONEY")
LABEL_COLOURS = ("#1f4d3a", "#4d3a1f", "#27345c", "#4d1f3d", "#1f464d", "#3d4d1f", "#4d2a1f", "#2f1f4d", "#3a3a3a")
LABEL_TEXT = ("#9ece6a", "#e0af68", "#7aa2f7", "#f7768e", "#73daca", "#c3e88d", "#ff9e64", "#bb9af7", "#c0caf5")


@lru_cache(maxsize=64)
def entity_style(label: str) -> Style:
    return Style(color=ENTITY_COLOURS.get(label, "#a9b1d6"), bold=label in ("PERSON", "ORG", "GPE"))


def _position(label_set: LabelSet, label: str) -> int | None:
    try:
        return label_set.names.index(label)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def label_style(label_set: LabelSet, label: str) -> Style:
    """A background tint per label; an unknown label (from another label set) is grey."""
    i = _position(label_set, label)
    return Style(bgcolor="#3a3a3a" if i is None else LABEL_COLOURS[i % len(LABEL_COLOURS)])


@lru_cache(maxsize=64)
def label_text_style(label_set: LabelSet, label: str) -> Style:
    i = _position(label_set, label)
    return Style(color="#a9b1d6") if i is None else Style(color=LABEL_TEXT[i % len(LABEL_TEXT)], bold=True)
