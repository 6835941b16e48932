"""Colours as the theme gives them: nothing here is a hex code, so light and dark themes reach
every part. The article view's style classes (`view_styles`) and the bars and headers are
`Content` styles naming theme variables. Every colour has a non-colour twin (the gutter mark,
the cursor arrow), so nothing depends on colour alone."""

from __future__ import annotations

from reader.model import LabelSet

# Entity types, each with a hue of its own: the theme's six named colours cannot give twelve types
# a colour each (in textual-dark accent and warning are the same orange, so DATE, FAC, LOC and
# TIME were drawn alike). Each type is a theme variable, `$entity-<type>`, which a theme may set;
# a theme that does not gets this hue, light on a dark background and dark on a light one.
ENTITY_HUES = {
    "PERSON": 210, "ORG": 30, "GPE": 120, "NORP": 270, "LOC": 180, "FAC": 60,
    "DATE": 330, "TIME": 300, "MONEY": 0, "PERCENT": 90, "EVENT": 240, "LAW": 150,
}
ENTITY_COLOURS = {label: f"$entity-{label.lower()}" for label in ENTITY_HUES}
BOLD_ENTITIES = frozenset({"PERSON", "ORG", "GPE"})
# Label i of the set: a tint behind its sentences, and a colour for its name in bars.
LABEL_TINTS = ("$success-muted", "$warning-muted", "$primary-muted", "$error-muted", "$accent-muted",
               "$secondary-muted", "$success-muted", "$warning-muted", "$primary-muted")
LABEL_TEXT = ("$text-success", "$text-warning", "$text-primary", "$text-error", "$text-accent",
              "$text-secondary", "$text-success", "$text-warning", "$text-primary")
SUGGESTION = "$text-muted italic"


def entity_variables(dark: bool) -> dict[str, str]:
    """The default `$entity-<type>` variables for a dark or a light theme."""
    from textual.color import Color

    saturation, lightness = (0.65, 0.72) if dark else (0.8, 0.27)
    return {f"entity-{label.lower()}": Color.from_hsl(hue / 360, saturation, lightness).hex for label, hue in ENTITY_HUES.items()}


def entity_class(label: str) -> str:
    return f"article-view--entity-{label.lower()}" if label in ENTITY_COLOURS else "article-view--entity-other"


def label_class(label_set: LabelSet, label: str) -> str:
    """The view's class for a label's tint; a label outside the set gets the neutral one."""
    try:
        return f"article-view--label-{label_set.names.index(label) + 1}"
    except ValueError:
        return "article-view--label-other"


def label_text(label_set: LabelSet, label: str) -> str:
    """A `Content` style for a label's name in the status bar and headers."""
    try:
        return LABEL_TEXT[label_set.names.index(label) % len(LABEL_TEXT)] + " bold"
    except ValueError:
        return "$text-muted"


def entity_text(label: str) -> str:
    """A `Content` style for an entity type's name, as its text is drawn."""
    return ENTITY_COLOURS.get(label, "$foreground-muted") + (" bold" if label in BOLD_ENTITIES else "")


def view_styles() -> dict[str, str]:
    """The article view's style classes, each a `Content` style naming theme variables (the text
    the bars draw names with), resolved through the app's stylesheet as lines are drawn.

    They were CSS component classes: Textual resolved all ~30 on each of the three restyles
    before the first paint, and their rules took longer to parse than the rest of the app's CSS."""
    styles = {
        # the cursor's translucent highlight is blended over the view's background as it is drawn
        "article-view--cursor": "on $foreground 18% bold underline",
        # "auto" colours ($text, $text-muted) cannot be resolved part-way, so marks name the
        # theme's foreground itself
        "article-view--gutter": "$foreground bold",
        "article-view--suggestion": "$foreground-muted italic",
        "article-view--flag": "$text-warning bold",
        "article-view--label-other": "on $surface-lighten-2",
        "article-view--entity-other": entity_text(""),
    }
    styles |= {f"article-view--label-{n}": f"on {tint}" for n, tint in enumerate(LABEL_TINTS, 1)}
    styles |= {entity_class(label): entity_text(label) for label in ENTITY_COLOURS}
    return styles
