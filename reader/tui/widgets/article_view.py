"""The article as a Line-API ScrollView: word-wrapped once, painted line by line from a cache.

The view only draws. It is given the sentences and entities, and a function that says what
each sentence shows (`reader.session.Mark`); each painted line is cached under what it shows
(the marks of its sentences, whether the cursor is on it, entity colours on or off), as
toolong keys its cache by a line's display state, so nothing is ever invalidated by hand: a
keypress asks Textual to repaint the lines of the sentences it touched, and a line whose
display state did not change comes from the cache. A keypress costs the same in a
5,000-sentence article as in a 40-sentence one. Article text becomes Segments with styles;
it is never parsed as markup.

The gutter (left of the text) is read without colour:

    ▶Cl* text…   cursor arrow, one mark per sentence on the line (at most two), a flag cell

A sentence's mark is its label's letter in capitals (C, L, B), bold. The rules for the layers:
- a suggestion shows only where there is no label, as the label's letter in lower case, dim
  (c, l, b): never confusable with a label, since a label is always a capital;
- the flag cell, after the marks, shows "?" when a sentence on the line is marked unsure and
  otherwise "*" when one has a note (other annotators' labels are not drawn in this view:
  the review screen, `reader review`, shows who said what);
- a skipped sentence's mark is "-".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.model import SKIPPED, Entity, LabelSet, Sentence
from reader.session import NO_MARK, Mark
from reader.tui.theme import entity_class, label_class, view_styles

COLUMN = 76  # a comfortable reading measure, in cells
GUTTER_WIDTH = 5  # cursor arrow, up to two sentence marks, a flag, a space


@dataclass(frozen=True)
class Line:
    """One painted line: the article text [start, end) it shows."""

    start: int
    end: int


def wrap(text: str, width: int) -> list[Line]:
    """Greedy word wrap of every source line; a blank source line stays a blank line.

    Text with no blank line at all (what HTML and web pages give: one paragraph per line) gets
    a blank line between its paragraphs on screen, as the page had; the text is not changed."""
    width = max(8, width)
    spaced = "\n\n" not in text
    lines: list[Line] = []
    offset = 0
    for source in text.split("\n"):
        start, end = offset, offset + len(source)
        offset = end + 1
        if start == end:
            lines.append(Line(start, start))
            continue
        if spaced and lines:
            lines.append(Line(start, start))
        pos = start
        while pos < end:
            cut = _fit(text, pos, end, width)
            lines.append(Line(pos, cut))
            pos = cut
            while pos < end and text[pos] == " ":
                pos += 1
    return lines


def _fit(text: str, pos: int, end: int, width: int) -> int:
    """Where the line starting at pos should end: at a space if one fits, else at width."""
    limit = min(end, pos + width)
    while limit > pos + 1 and cell_len(text[pos:limit]) > width:
        limit -= 1  # wide characters take two cells
    if limit == end:
        return end
    space = text.rfind(" ", pos + 1, limit + 1)
    return space if space > pos else limit


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """The reading column: sentences, labels, entities and the cursor."""

    DEFAULT_CSS = "ArticleView { background: $surface; color: $text; overflow-x: hidden; scrollbar-gutter: stable; }"
    STYLES = view_styles()  # its style classes (reader.tui.theme)

    class SentenceClicked(Message):
        """The user clicked a sentence."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, text: str, label_set: LabelSet, *, marks: Callable[[int], Mark] = lambda i: NO_MARK, id: str | None = None) -> None:
        super().__init__(id=id)
        self.mark_of = marks
        self.text = text.replace("\t", " ")
        self.label_set = label_set
        self.letters = label_set.marks()
        self.sentences: list[Sentence] = []
        self._sentence_starts: list[int] = []
        self.entities: list[Entity] = []
        self._entity_starts: list[int] = []
        self.cursor = 0
        self.show_entities = True
        self.lines: list[Line] = []
        self._line_starts: list[int] = []
        self._wrapped_for = -1
        self._cache: dict[int, tuple[tuple, Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._base_style: Style | None = None
        self._theme_generation = 0  # in every cache key, so a new theme repaints every line
        self._column = COLUMN

    # --- data -----------------------------------------------------------------------------

    def set_parse(self, sentences: list[Sentence], entities: list[Entity]) -> None:
        """Show sentences and entities (the text is shown before they are known)."""
        self.sentences = sentences
        self._sentence_starts = [s.start for s in sentences]
        self.entities = entities
        self._entity_starts = [e.start for e in entities]
        self.cursor = min(self.cursor, max(0, len(sentences) - 1))
        self._cache.clear()
        self.refresh()

    def refresh_sentences(self, indexes: Iterable[int]) -> None:
        """Repaint the lines of these sentences (their marks changed)."""
        for index in indexes:
            self._refresh_sentence(index)

    def move_to(self, index: int) -> None:
        """Put the cursor on a sentence, repaint the two sentences involved, keep it in view."""
        if not self.sentences:
            return
        index = max(0, min(index, len(self.sentences) - 1))
        old, self.cursor = self.cursor, index
        if old != index:
            self._refresh_sentence(old)
        self._refresh_sentence(index)
        self.scroll_to_cursor(arrived=old != index)

    def toggle_entities(self) -> None:
        self.show_entities = not self.show_entities
        self.refresh()

    # --- geometry -------------------------------------------------------------------------

    def sentence_lines(self, index: int) -> tuple[int, int]:
        """First and last painted line of a sentence."""
        sentence = self.sentences[index]
        first = bisect_right(self._line_starts, sentence.start) - 1
        last = bisect_right(self._line_starts, max(sentence.start, sentence.end - 1)) - 1
        return max(0, first), max(0, last)

    def _refresh_sentence(self, index: int) -> None:
        if not self.lines or not (0 <= index < len(self.sentences)):
            return
        first, last = self.sentence_lines(index)
        self.refresh_lines(first, last - first + 1)

    def scroll_to_cursor(self, arrived: bool = False) -> None:
        """Keep the cursor's sentence in view; `arrived`: the cursor just moved to it, so its
        start shows (else a sentence taller than the view keeps the part paged to)."""
        if not self.sentences or not self.lines:
            return
        first, last = self.sentence_lines(self.cursor)
        top, height = self.scroll_offset.y, max(1, self.size.height)
        margin = min(2, height // 4)
        if not arrived and last - first + 1 > height - 2 * margin and first - margin <= top <= last:
            return
        # force: just after the first wrap Textual has not yet noticed the view can scroll
        # (it would ignore the scroll, and a resumed reading position would stay out of view).
        if first - margin < top:
            self.scroll_to(y=max(0, first - margin), animate=False, force=True)
        elif last + margin >= top + height:
            self.scroll_to(y=min(first - margin, last + margin - height + 1), animate=False, force=True)

    def page_height(self) -> int:
        return max(1, self.size.height - 2)

    def page_within(self, direction: int) -> bool:
        """Scroll a page inside the cursor's sentence when it is taller than the view and more
        of it lies that way out of sight (else its end could never be read from the keyboard:
        a page key moved the cursor on); False when there is none, so the cursor moves."""
        if not self.sentences or not self.lines:
            return False
        first, last = self.sentence_lines(self.cursor)
        top, height = self.scroll_offset.y, max(1, self.size.height)
        margin = min(2, height // 4)
        if direction > 0 and last >= top + height:
            target = min(top + self.page_height(), last + margin - height + 1)
        elif direction < 0 and first < top:
            target = max(first - margin, top - self.page_height())
        else:
            return False
        self.scroll_to(y=max(0, target), animate=False, force=True)
        return True

    def sentence_at_line(self, y: int) -> int | None:
        """The first sentence that shows on painted line y."""
        if not self.sentences or not (0 <= y < len(self.lines)):
            return None
        line = self.lines[y]
        i = max(0, bisect_right(self._sentence_starts, line.start) - 1)
        if self.sentences[i].end <= line.start and i + 1 < len(self.sentences):
            i += 1
        return i

    def _content_width(self) -> int:
        """Cells for text: the widget less its scrollbar gutter (kept even when not scrolling)."""
        return self.scrollable_content_region.width

    def _rewrap(self, width: int) -> None:
        self._column = max(20, min(COLUMN, width - GUTTER_WIDTH - 2))
        self.lines = wrap(self.text, self._column)
        self._line_starts = [line.start for line in self.lines]
        self._wrapped_for = width
        self._cache.clear()
        self.virtual_size = Size(width, len(self.lines))

    def on_resize(self, event: events.Resize) -> None:
        """Rewrap for a new width, and on any resize keep the cursor's sentence in view (once
        the new size is laid out: a label key must never act on a sentence out of sight)."""
        if self._content_width() != self._wrapped_for:
            self._rewrap(self._content_width())
        self.call_after_refresh(self.scroll_to_cursor)

    def on_mount(self) -> None:
        # Before the first layout the width is 0: the first render_line wraps instead.
        width = self._content_width()
        if width > 0:
            self._rewrap(width)

    def on_click(self, event: events.Click) -> None:
        index = self.sentence_at_x_y(event.x, event.y + self.scroll_offset.y)
        if index is not None:
            self.post_message(self.SentenceClicked(index))

    def sentence_at_x_y(self, x: int, y: int) -> int | None:
        if not self.sentences or not (0 <= y < len(self.lines)):
            return None
        line = self.lines[y]
        left = self._left()
        cells = max(0, x - left - GUTTER_WIDTH)
        offset = line.start
        while offset < line.end and cell_len(self.text[line.start : offset + 1]) <= cells:
            offset += 1
        i = bisect_right(self._sentence_starts, offset) - 1
        return i if i >= 0 and self.sentences[i].start <= offset <= self.sentences[i].end else self.sentence_at_line(y)

    # --- painting -------------------------------------------------------------------------

    def _left(self) -> int:
        return max(0, (self._wrapped_for - self._column - GUTTER_WIDTH) // 2)

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        if width and width != self._wrapped_for:
            self._rewrap(width)
        index = y + self.scroll_offset.y
        key = self._display_state(index)
        cached = self._cache.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        strip = self._paint(index)
        self._cache[index] = (key, strip)
        return strip

    def style_of(self, name: str) -> Style:
        """A style class as the current theme draws it: what it sets, to add to the view's own
        style; the cursor's highlight whole, blended over the view's background."""
        style = self._styles.get(name)
        if style is None:
            parsed = self.app.stylesheet.parse_style(self.STYLES[name])
            colour, background = parsed.foreground, parsed.background
            if name == "article-view--cursor":
                behind = Color.from_rich_color(self._base().bgcolor)
                style = Style(bgcolor=(behind + background).rich_color, bold=True, underline=True)
            else:  # as Textual's CSS gives a class's own rules (RenderStyles.partial_rich_style)
                style = Style(
                    color=colour.rich_color if colour is not None and colour.a > 0 else None,
                    bgcolor=background.rich_color if background is not None and background.a > 0 else None,
                    bold=parsed.bold,
                    italic=parsed.italic,
                )
            self._styles[name] = style
        return style

    def _base(self) -> Style:
        """The view's own style, from its ancestors' (worked out once, not for every line)."""
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def notify_style_update(self) -> None:
        # A new theme: its colours, and lines painted in them (the base style is in every key).
        drawn = list(self._styles.items())
        self._styles.clear()
        self._base_style = None
        self._theme_generation += 1
        super().notify_style_update()
        # As Textual does for a widget's component classes: what lines were drawn with is
        # resolved again, and the view repaints if any of it changed (a theme that changes only
        # an entity colour, say).
        if any(self.style_of(name) != old for name, old in drawn):
            self.refresh()

    def _display_state(self, y: int) -> tuple:
        """Everything a painted line depends on besides the text it shows: the cache key."""
        if not (0 <= y < len(self.lines)):
            return (self._wrapped_for,)
        on_line = self._sentences_on(self.lines[y])
        return (
            self._wrapped_for,
            self.show_entities,
            self._theme_generation,
            self.cursor if self.cursor in on_line else -1,
            tuple(self.mark_of(i) for i in on_line),
        )

    def _paint(self, y: int) -> Strip:
        width = max(0, self._wrapped_for)
        base = self._base()
        if not (0 <= y < len(self.lines)):
            return Strip.blank(width, base)
        line = self.lines[y]
        segments = [Segment(" " * self._left(), base)]
        segments.extend(self._gutter(line, base))
        segments.extend(self._text_segments(line, base))
        return Strip(segments).adjust_cell_length(width, base)

    def _sentences_on(self, line: Line) -> range:
        if not self.sentences:
            return range(0)
        first = max(0, bisect_right(self._sentence_starts, line.start) - 1)
        last = max(0, bisect_right(self._sentence_starts, max(line.start, line.end - 1)) - 1)
        if line.start == line.end:
            return range(0)
        return range(first, last + 1)

    def _gutter(self, line: Line, base: Style) -> list[Segment]:
        on_line = [i for i in self._sentences_on(line) if self.sentences[i].end > line.start]
        arrow = "▶" if self.cursor in on_line and self.sentences else " "
        segments = [Segment(arrow, base + self.style_of("article-view--cursor") if arrow != " " else base)]
        shown = [self.mark_of(i) for i in on_line]
        marks = [m for m in (self._mark_cell(mark, base) for mark in shown) if m is not None][:2]
        segments.extend(marks)
        segments.append(Segment(" " * (2 - len(marks)), base))
        flag = "…" if any(m.pending for m in shown) else "?" if any(m.unsure for m in shown) else "*" if any(m.note for m in shown) else " "
        segments.append(Segment(flag, base + self.style_of("article-view--flag") if flag != " " else base))
        segments.append(Segment(" ", base))
        return segments

    def _mark_cell(self, mark: Mark, base: Style) -> Segment | None:
        """A sentence's cell in the gutter: its label in capitals, else its suggestion in
        lower case and dim, else nothing."""
        if mark.label == SKIPPED:
            return Segment("-", base + self.style_of("article-view--gutter"))
        if mark.label is not None:
            return Segment(self.letters.get(mark.label, "?"), base + self.style_of("article-view--gutter"))
        if mark.suggestion is not None:
            return Segment(self.letters.get(mark.suggestion, "?").lower(), base + self.style_of("article-view--suggestion"))
        return None

    def _text_segments(self, line: Line, base: Style) -> list[Segment]:
        text = self.text
        cuts = {line.start, line.end}
        for i in self._sentences_on(line):
            s = self.sentences[i]
            cuts.update(p for p in (s.start, s.end) if line.start < p < line.end)
        entities = self._entities_on(line) if self.show_entities else []
        for e in entities:
            cuts.update(p for p in (e.start, e.end) if line.start < p < line.end)
        points = sorted(cuts)
        segments = []
        for a, b in pairwise(points):
            style = base
            sentence = self.sentence_covering(a)
            if sentence is not None:
                label = self.mark_of(sentence).label
                if label is not None and label != SKIPPED:
                    style += self.style_of(label_class(self.label_set, label))
                if sentence == self.cursor:
                    style += self.style_of("article-view--cursor")
            for e in entities:
                if e.start <= a < e.end:
                    style += self.style_of(entity_class(e.label))
                    break
            segments.append(Segment(text[a:b], style))
        return segments

    def sentence_covering(self, offset: int) -> int | None:
        i = bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].end:
            return i
        return None

    def _entities_on(self, line: Line) -> list[Entity]:
        if not self.entities:
            return []
        i = bisect_right(self._entity_starts, line.end)
        found = []
        # Entities are short; looking back a few before the line's end finds all that overlap it.
        j = i - 1
        while j >= 0 and self.entities[j].start >= line.start - 200:
            if self.entities[j].end > line.start:
                found.append(self.entities[j])
            j -= 1
        return found
