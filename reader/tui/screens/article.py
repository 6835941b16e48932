"""The article screen: read, move the sentence cursor, label from the keyboard."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.actions import SkipAction
from textual.binding import Binding
from textual.content import Content
from textual.containers import Horizontal
from textual.widgets import Static

from reader.model import COMMITMENT, SKIPPED, Article, LabelSet
from reader.session import Outcome, Pending, Session
from reader.store import StoreError
from reader.tui.messages import ArticleParsed, DatabaseChanged, ParseFailed, SuggestionsUpdated
from reader.tui.widgets.article_view import ArticleView
from reader.tui.screens import article_status as status
from reader.tui.screens.article_status import article_header, change_text, entity_legend, next_match, status_content
from reader.tui.screens.first_frame import FirstFrameOnce
from reader.tui.widgets.key_bar import KeyBar
from reader.tui.widgets.lines import open_line, typed_slash

if TYPE_CHECKING:
    from textual.widgets import Input

    from reader.tui.widgets.line import Line

LABEL_KEYS = [
    Binding(str(n), f"label({n - 1})", f"label {n}", id=f"article.label-{n}", show=n <= 3) for n in range(1, 10)
]


class ArticleScreen(FirstFrameOnce):
    """One article: header, reading column, status bar and key bar."""

    BINDINGS = [
        Binding("j,down", "move(1)", "next", id="article.next", show=False),
        Binding("k,up", "move(-1)", "previous", id="article.previous", show=False),
        Binding("g,home", "first", "first sentence", id="article.first", show=False),
        Binding("G,end", "last", "last sentence", id="article.last", show=False),
        Binding("space,pagedown", "page(1)", "page down", id="article.page-down", show=False),
        Binding("pageup", "page(-1)", "page up", id="article.page-up", show=False),
        *LABEL_KEYS,
        Binding("enter", "accept", "accept", id="article.accept"),
        # with suggestions hidden, enter only says so (and "accept" leaves the key bar)
        Binding("enter", "accept_hidden", "accept", show=False),
        Binding("0,x", "clear", "clear", id="article.clear"),
        Binding("s", "skip", "skip", id="article.skip"),
        # "m" and "/" open a line: priority, so the keys typed after them reach it (widgets.lines)
        Binding("m", "note", "note", id="article.note", show=False, priority=True),
        Binding("i", "unsure", "unsure", id="article.unsure", show=False),
        Binding("u", "undo", "undo", id="article.undo"),
        Binding("ctrl+r,U", "redo", "redo", id="article.redo", show=False),
        Binding("n", "unlabelled(1)", "next unlabelled", id="article.next-unlabelled"),
        Binding("N", "unlabelled(-1)", "previous unlabelled", id="article.previous-unlabelled", show=False),
        Binding("l", "least_confident", "least sure", id="article.least-confident"),
        Binding("S", "toggle_suggestions", "suggestions", id="article.suggestions", show=False),
        Binding("slash", "search", "search", id="article.search", priority=True),
        Binding("e", "toggle_entities", "entities", id="article.entities"),
        # priority: the keys typed behind a key that changes screen wait for it (ReaderApp.on_event)
        Binding("c", "commitments", "commitments", id="article.commitments", show=False, priority=True),
        Binding("A", "toggle_advance", "auto-advance", id="article.auto-advance", show=False),
        Binding("q,escape", "back", "library", id="article.back", priority=True),
    ]

    def __init__(self, article_id: str, at: int | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.start_at = at  # a sentence to open at (else where this annotator left off)
        self.new_commitments = False  # labelled here, for the tracker to read when we leave
        self.label_set: LabelSet = self.app.label_set
        self.annotator: str = self.app.annotator
        self.session = Session(self.app.store, article_id, self.annotator, self.label_set)
        self.article: Article = self.session.article
        self.auto_advance = True
        self._search: str = ""
        self.parse_failure: str | None = None  # why the background parse stopped, once it has
        self._name_label_keys()

    @property
    def parsed(self) -> bool:
        return self.session.parsed

    def _name_label_keys(self) -> None:
        """Describe keys 1-9 by the labels they set; keys past the last label do nothing."""
        for n in range(1, 10):
            key = str(n)
            bindings = self._bindings.key_to_bindings.get(key, [])
            if n <= len(self.label_set.names):
                self._bindings.key_to_bindings[key] = [
                    replace(b, description=self.label_set.names[n - 1], show=True) for b in bindings
                ]
            else:
                self._bindings.key_to_bindings.pop(key, None)

    def compose(self) -> ComposeResult:
        # A parsed article arrives complete, status bar included, so the first frame is whole.
        view = ArticleView(self.article.text, self.label_set, marks=self.session.mark, id="article-view")
        if self.session.load():
            self._show_parse(view)
        yield Static(self._header(), id="article-header")
        yield Static(self._legend(), id="legend")
        yield view
        with Horizontal(id="status-bar"):
            yield Static(self.status_text(view), id="status")
        yield KeyBar()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    def on_mount(self) -> None:
        self.view.focus()
        # Labels typed while another process holds the write lock wait here, shown as pending,
        # and are written in order as soon as it frees (the screen never waits for it).
        self.set_interval(0.25, self._flush_pending)
        if self.parsed:
            # A reading position far down: in view once the first layout has wrapped the text.
            self.call_after_refresh(self.view.scroll_to_cursor)
            self.app.after_first_frame(self._catch_up_suggestions)
        else:
            # After the text is on screen, so the first frame never waits for the job to start.
            self.app.after_first_frame(lambda: self.app.parse([self.article_id]))

    def _show_parse(self, view: ArticleView) -> None:
        """Sentences, entities and the reading position into the view."""
        view.set_parse(self.session.sentences, self.session.entities)
        view.cursor = self.session.position() if self.start_at is None else min(self.start_at, max(0, len(self.session.sentences) - 1))

    def _catch_up_suggestions(self) -> None:
        if self.session.needs_suggestions():
            self.app.suggest([self.article_id])

    def on_suggestions_updated(self, message: SuggestionsUpdated) -> None:
        if message.article_id == self.article_id:
            self.on_database_changed(DatabaseChanged())

    def on_article_parsed(self, message: ArticleParsed) -> None:
        """The background parse of this article is stored: show it."""
        if message.article_id != self.article_id or self.parsed or not self.session.load():
            return
        self._arrived()

    def on_parse_failed(self, message: ParseFailed) -> None:
        """The background parse stopped: say so in the status bar for good, not "parsing…"."""
        if not self.parsed:  # else this article's parse came in, and another one's failed
            self.parse_failure = message.reason
            self._update_status()

    def _arrived(self) -> None:
        """The parse came in the background: sentences, entities (and the legend of their types)."""
        self._show_parse(self.view)
        self.query_one("#legend", Static).update(self._legend())
        self.view.scroll_to_cursor()
        self._update_status()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        """Another window or process wrote: show its labels (ours are re-read from the database)."""
        if not self.parsed and self.session.load():
            self._arrived()
        changed = self.session.refresh()
        if changed:
            self.view.refresh_sentences(changed)
        self._update_status()

    # --- header and status ----------------------------------------------------------------

    def _header(self) -> Text:
        return article_header(self.article)

    def _legend(self) -> Content:
        return entity_legend(self.session.entities, self.parsed)

    def status_text(self, view: ArticleView | None = None) -> Content:
        """The status bar (`article_status.status_content`)."""
        view = view if view is not None else self.view
        if not self.parsed:
            return status.unparsed_status(self.parse_failure, self.annotator)
        return status_content(self.session, view.cursor, len(view.sentences), self.label_set, self.annotator, self.auto_advance)

    def _update_status(self) -> None:
        self.query_one("#status", Static).update(self.status_text())

    # --- actions --------------------------------------------------------------------------

    def _go(self, index: int) -> None:
        self.view.move_to(index)
        self._update_status()

    def action_move(self, step: int) -> None:
        self._go(self.view.cursor + step)

    def action_first(self) -> None:
        self._go(0)

    def action_last(self) -> None:
        self._go(len(self.view.sentences) - 1)

    def action_page(self, direction: int) -> None:
        view = self.view
        if not view.sentences or view.page_within(direction):
            return
        first, _ = view.sentence_lines(view.cursor)
        target_line = max(0, min(len(view.lines) - 1, first + direction * view.page_height()))
        index = view.sentence_at_line(target_line)
        if index is not None:
            if index == view.cursor:
                index += direction
            self._go(index)

    def action_label(self, position: int) -> None:
        if position >= len(self.label_set.names):
            return
        self._change(self.label_set.names[position])

    def action_clear(self) -> None:
        self._change(None)

    def action_skip(self) -> None:
        """Skip the sentence (not worth a label); it counts as done and leaves datasets out."""
        self._change(SKIPPED)

    def action_unsure(self) -> None:
        self._apply(lambda index: self.session.toggle_unsure(index))

    def action_note(self) -> None:
        """Type a short note for this sentence (enter saves, an empty note removes it)."""
        if self._still_parsing() or not self.view.sentences:
            return
        box = self._line("note", "a note on this sentence (enter saves, empty removes, escape cancels)")
        open_line(self, box, self.session.notes.get(self.view.cursor, ""))

    def _apply(self, action: Callable[[int], Outcome | None]) -> None:
        """Run a session action on the cursor's sentence, then redraw what it changed."""
        if self._still_parsing() or not self.view.sentences:
            return
        try:
            outcome = action(self.view.cursor)
        except StoreError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return
        if outcome is not None:
            self.view.refresh_sentences(outcome.changed)
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter accepts a suggestion only while suggestions are shown: a hidden one is never
        recorded as "on screen" (see action_accept_hidden)."""
        if action == "accept":
            return self.session.show_suggestions
        if action == "accept_hidden":
            return not self.session.show_suggestions
        return True

    def action_accept_hidden(self) -> None:
        self.notify("suggestions are hidden: enter accepts nothing (S shows them again)", severity="warning", timeout=3)

    def action_accept(self) -> None:
        """Take the suggestion as the label (and move on, as a digit does)."""
        if self._still_parsing():
            return
        index = self.view.cursor
        if index in self.session.labels:  # already settled: enter just moves on
            self._go(index + 1)
            return
        if index not in self.session.suggestions:
            self.notify("no suggestion for this sentence", severity="warning", timeout=2)
            return
        self._change(self.session.suggestions[index].label, accept=True)

    def _still_parsing(self) -> bool:
        """A key that needs the sentences, pressed before they are known: say so, never silently."""
        if self.view.sentences or self.parsed:
            return False
        self.notify(status.unparsed_notice(self.parse_failure), severity="warning", timeout=3)
        return True

    def _change(self, label: str | None, *, accept: bool = False) -> None:
        view = self.view
        if self._still_parsing() or not view.sentences:
            return
        index = view.cursor
        # Committed to SQLite before the screen shows it (a crash never loses a shown label),
        # or, while another process holds the write lock, shown as pending until written.
        try:
            outcome = self.session.change(index, label, accept=accept)
        except StoreError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return
        if isinstance(outcome, Pending):
            view.refresh_sentences(frozenset({index}))
            if accept:
                label = outcome.label
        elif outcome is not None:
            view.refresh_sentences(outcome.changed)
            if outcome.change.label not in (None, SKIPPED):
                self.app.labelled(self.article_id)
            if outcome.change.label == COMMITMENT:
                self.new_commitments = True
        if label is not None and self.auto_advance and index + 1 < len(view.sentences):
            view.move_to(index + 1)
        self._update_status()

    def _flush_pending(self) -> None:
        """Write what waits for the database, in order, as far as it lets us now."""
        if not self.session.pending:
            return
        waiting = {p.index for p in self.session.pending}
        try:
            outcomes = self.session.flush()
        except StoreError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return
        changed = set(waiting)
        for outcome in outcomes:
            changed |= outcome.changed
            if outcome.change.label not in (None, SKIPPED):
                self.app.labelled(self.article_id)
            if outcome.change.label == COMMITMENT:
                self.new_commitments = True
        self.view.refresh_sentences(frozenset(changed))
        self._update_status()

    def _waiting(self, what: str) -> bool:
        """Refuse what would act on the history while changes still wait to be written."""
        if not self.session.pending:
            return False
        self.notify(f"{len(self.session.pending)} label{'s wait' if len(self.session.pending) != 1 else ' waits'} for the database (another program is writing to it): "
                    f"{what} once they are saved", severity="warning", timeout=3)
        return True

    def action_undo(self) -> None:
        if not self._waiting("undo"):
            self._replay("undo")

    def action_redo(self) -> None:
        if not self._waiting("redo"):
            self._replay("redo")

    def _replay(self, action: str) -> None:
        """Undo or redo through the event log, then show the sentence it changed."""
        step = self.session.undo if action == "undo" else self.session.redo
        try:
            outcome = step()
        except StoreError as exc:
            self.notify(f"not {action}ne: {exc}", severity="error", timeout=8)
            return
        if outcome is None:
            self.notify(f"nothing to {action}", severity="warning", timeout=2)
            return
        change = outcome.change
        self.view.refresh_sentences(outcome.changed)
        self._go(change.sentence_index)
        done = {"undo": "undid", "redo": "redid"}[action]
        self.notify(f"{done} sentence {change.sentence_index + 1}: {change_text(change)}", timeout=3, markup=False)

    def action_unlabelled(self, step: int) -> None:
        view = self.view
        i = view.cursor + step
        while 0 <= i < len(view.sentences):
            if i not in self.session.labels:
                self._go(i)
                return
            i += step
        self.notify("no unlabelled sentence " + ("after" if step > 0 else "before") + " this one", timeout=2)

    def action_least_confident(self) -> None:
        """Go to the next unlabelled sentence the suggestions are least sure about."""
        index = self.session.least_confident(self.view.cursor)
        if index is None:
            self.notify("every sentence is labelled", timeout=2)
            return
        self._go(index)

    def action_toggle_suggestions(self) -> None:
        self.view.refresh_sentences(self.session.toggle_suggestions())
        self.refresh_bindings()  # "accept" leaves the key bar while suggestions are hidden
        self._update_status()

    def action_toggle_entities(self) -> None:
        self.view.toggle_entities()
        self.query_one("#legend", Static).display = self.view.show_entities

    def action_commitments(self) -> None:
        """The commitment register of the whole library."""
        self.save_position()
        if self.new_commitments:
            self.app.extract()
            self.new_commitments = False
        self.app.open_commitments()

    def action_toggle_advance(self) -> None:
        self.auto_advance = not self.auto_advance
        self._update_status()

    def action_search(self) -> None:
        if not typed_slash(self):
            open_line(self, self._line("search", "search this article and its notes (enter: next match, escape: close)"))

    def _line(self, name: str, placeholder: str) -> Input:
        """The search or note line, made when first asked for: start-up does not pay for it. The
        note closes on enter; enter in the search finds the next match and it stays open."""
        from reader.tui.widgets.line import line_above

        return line_above(self, "#status-bar", name, placeholder, back_to="#article-view", stays_open=name == "search")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.search_next(event)
        elif event.input.id == "note":  # the line has closed itself (widgets.line)
            self._apply(lambda index: self.session.set_note(index, event.value))

    def search_next(self, event: Input.Submitted) -> None:
        """Go to the next sentence containing the query; enter again goes on from there."""
        query = event.value.strip().lower()
        view = self.view
        if not query or not view.sentences:
            return
        new = query != self._search  # decided before the query is stored
        self._search = query
        index = next_match(view, self.session.notes, query, new)
        if index is None:
            self.notify(Text(f"not found: {event.value}"), severity="warning", timeout=2)
            return
        self._go(index)

    def on_article_view_sentence_clicked(self, message: ArticleView.SentenceClicked) -> None:
        self._go(message.index)

    def on_line_closed(self, message: Line.Closed) -> None:
        self._search = "" if message.line.id == "search" else self._search

    def action_back(self) -> None:
        if not self.view.has_focus:
            raise SkipAction()  # escape in the search or note line closes the line
        if self._waiting("leave the article"):
            return
        self.save_position()
        self.app.leave_article()

    def save_position(self) -> None:
        if self.parsed and self.view.sentences:  # a reading position is a convenience, not a label
            with contextlib.suppress(StoreError):
                self.session.save_position(self.view.cursor)
