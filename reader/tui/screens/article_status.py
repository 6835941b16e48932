"""What the article screen says around the text: its header, the entity legend, the status
bar's content, and the next sentence a search finds. Plain functions of the session and the view, apart from the
screen so that it stays a screen (and each can be read on its own)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.text import Text
from textual.content import Content

from reader.model import SKIPPED, Article, LabelSet
from reader.tui.theme import ENTITY_COLOURS, entity_text, label_text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from reader.model import Change, Entity
    from reader.session import Session
    from reader.tui.widgets.article_view import ArticleView


def change_text(change: Change) -> str:
    """What an undo or redo changed, in words: a label, a note or the unsure mark (whose stored
    value, "1", read as the commitment key)."""
    def note(value: str | None) -> str:
        return f"note “{value[:40]}{'…' if len(value) > 40 else ''}”" if value else "no note"

    if change.field == "unsure":
        before, after = ("unsure" if v else "not unsure" for v in (change.previous, change.label))
    elif change.field == "note":
        before, after = note(change.previous), note(change.label)
    elif change.field:
        before, after = f"{change.field} {change.previous or 'none'}", change.label or "none"
    else:
        before, after = change.previous or "no label", change.label or "no label"
    return f"{before} → {after}"


def article_header(a: Article) -> Text:
    """The title, and a dim line of author, date, site and source."""
    line = Text(a.title or "(untitled)", style="bold")
    details = [part for part in (a.author, a.published, a.site, a.source or a.url) if part]
    if details:
        line.append("\n")
        line.append(" · ".join(details), style="dim")
    return line


def entity_legend(entities: Iterable[Entity], parsed: bool = False) -> Content:
    """The entity types this article has, each in the colour its text is drawn in (before the
    parse, every type's colour; a parsed article without any says so, rather than list them)."""
    present = sorted({e.label for e in entities}, key=lambda t: (t not in ENTITY_COLOURS, t))
    # the hint first: at its end, a wrap at 80 columns split it ("(e" / "toggles)")
    parts: list[tuple[str, str] | str] = [("entities (e toggles): ", "dim")]
    if parsed and not present:
        return Content.assemble(*parts, ("none found in this article", "dim"))
    for label in present or ENTITY_COLOURS:
        parts += [(label, entity_text(label)), "  "]
    return Content.assemble(*parts[:-1])


NOTE_SHOWN = 100  # characters of a note in the status bar: with the counts, three lines at 80 columns


def status_content(session: Session, cursor: int, total: int, label_set: LabelSet, annotator: str,
                   auto_advance: bool) -> Content:
    """The status bar: `sentence i/N`, labelled count, per-label counts, annotator, and what
    this sentence has (its label, else its suggestion; unsure; a note)."""
    parts: list[tuple[str, str] | str] = [f"sentence {cursor + 1}/{total}" if total else "no sentences"]
    parts.append(f" · {session.labelled}/{total} labelled")
    if session.skipped:
        parts.append(f" ({session.skipped} skipped)")
    parts.append(" ·")
    for name in label_set.names:
        parts.append((f" {label_set.mark(name)} {name} {session.counts.get(name, 0)}", label_text(label_set, name)))
    if session.pending:
        parts.append((f" · database busy: {len(session.pending)} pending", "bold"))
    if not auto_advance:
        parts.append(" · auto-advance off")
    parts.append(f" · {annotator}")
    current = session.labels.get(cursor)
    if cursor in session.unsure:
        parts.append((" · unsure", "bold"))
    if current == SKIPPED:
        parts.append(" · this: skipped")
    elif current:
        parts += [" · this: ", (current, label_text(label_set, current))]
    elif session.show_suggestions and cursor in session.suggestions:
        suggestion = session.suggestions[cursor]
        parts += [" · suggested: ", (suggestion.label, label_text(label_set, suggestion.label)), (f" {suggestion.score:.2f}", "dim")]
    elif not session.suggestions and not label_set.is_default:
        parts.append((" · no suggestions until a model is trained on this label set", "dim"))
    note = session.notes.get(cursor)
    if note:  # the bar holds three lines: a long note is cut with an ellipsis (`m` shows it whole)
        parts.append((f" · note: {note if len(note) <= NOTE_SHOWN else note[:NOTE_SHOWN].rstrip() + '…'}", "italic"))
    return Content.assemble(*parts)


@lru_cache(maxsize=8)
def folded(text: str) -> str:
    """`text` in lower case without accents, one character for each of its characters (so an
    offset into one is an offset into the other): "garcia" finds "García" in an article, as
    the library's filter finds the article."""
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        base = ch.lower() if ch.isascii() else "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
        out.append(base[:1] or ch)
    return "".join(out)


def next_match(view: ArticleView, notes: dict[int, str], query: str, new: bool) -> int | None:
    """The sentence a search for `query` goes to: the next one whose text or note holds it
    (case and accents aside), after the cursor (from the cursor's own sentence for a new query,
    so that a note on it is found), wrapping round to the top; None when nothing holds it."""
    here = view.sentences[view.cursor]
    start = here.start if new else here.end
    text, query = folded(view.text), folded(query)
    hits = []
    found = text.find(query, start)
    if found < 0:
        found = text.find(query)  # wrap around to the top
    if found >= 0:
        hits.append(view.sentence_covering(found))
    # notes are searched too: the first note after the cursor that holds the query
    noted = sorted(i for i, note in notes.items() if query in folded(note))
    if noted:
        hits.append(next((i for i in noted if i > view.cursor or (i == view.cursor and new)), noted[0]))
    hits = [i for i in hits if i is not None]
    after = [i for i in hits if i > view.cursor or (i == view.cursor and new)]
    return min(after) if after else (min(hits) if hits else None)


def unparsed_status(failure: str | None, annotator: str) -> Content:
    """The status bar before the sentences are known: parsing, or why the parse stopped."""
    if failure is not None:
        reason = failure.removeprefix("background parse failed: ")
        return Content(f"not parsed: {reason} (open it again to retry) · {annotator}")
    return Content(f"parsing sentences and entities… · {annotator}")


def unparsed_notice(failure: str | None) -> str:
    """What a key that needs the sentences says before they are known."""
    if failure is not None:
        return f"the article is not parsed ({failure}): nothing was labelled"
    return "still parsing the article: nothing was labelled; press it again when the sentences appear"
