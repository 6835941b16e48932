"""The review screen: settle what annotators labelled differently, one sentence at a time.

It draws a `reader.team.review.Review` (the queue, the votes, the decisions, undo); every
key is an action on that object, then a redraw. Article text is data: it goes on screen in
`Content` objects built from plain strings, never as markup.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from reader.model import LabelSet
from reader.store import StoreError
from reader.team.review import Review
from reader.tui.messages import DatabaseChanged
from reader.tui.theme import label_text
from reader.tui.widgets.key_bar import KeyBar

DECIDE_KEYS = [
    Binding(str(n), f"decide({n - 1})", f"label {n}", id=f"review.label-{n}", show=n <= 3) for n in range(1, 10)
]


class ReviewScreen(Screen[None]):
    """One sentence at a time: its context, each annotator's label, the suggestion, the decision."""

    DEFAULT_CSS = """
    ReviewScreen #review-header { height: auto; padding: 0 2; background: $panel; }
    ReviewScreen #review-scroll { height: 1fr; background: $surface; }
    ReviewScreen #review-context { height: auto; padding: 1 2 0 2; }
    ReviewScreen #review-body { padding: 0 2 1 2; }
    ReviewScreen .review-line { height: auto; }
    ReviewScreen .review-gutter { width: auto; }
    ReviewScreen .review-sentence { width: 1fr; }
    """

    BINDINGS = [
        Binding("j,down", "move(1)", "next", id="review.next", show=False),
        Binding("k,up", "move(-1)", "previous", id="review.previous", show=False),
        Binding("g,home", "edge(0)", "first", id="review.first", show=False),
        Binding("G,end", "edge(1)", "last", id="review.last", show=False),
        *DECIDE_KEYS,
        Binding("0,x", "withdraw", "withdraw", id="review.clear"),
        Binding("u", "undo", "undo", id="review.undo"),
        Binding("ctrl+r,U", "redo", "redo", id="review.redo", show=False),
        Binding("n", "undecided", "next undecided", id="review.next-undecided"),
        Binding("a", "toggle_every", "all / disagreements", id="review.every"),
        Binding("q,escape", "back", "library", id="review.back"),
    ]

    def __init__(self, article_ids: list[str] | None = None, *, every: bool = False) -> None:
        super().__init__()
        self.label_set: LabelSet = self.app.label_set
        self.review = Review(self.app.store, self.app.annotator, self.label_set, article_ids, every=every)
        self.review.load()
        self._name_label_keys()

    def _name_label_keys(self) -> None:
        """Describe keys 1-9 by the labels they set; keys past the last label do nothing."""
        for n in range(1, 10):
            key = str(n)
            bindings = self._bindings.key_to_bindings.get(key, [])
            if n <= len(self.label_set.names):
                self._bindings.key_to_bindings[key] = [replace(b, description=self.label_set.names[n - 1], show=True) for b in bindings]
            else:
                self._bindings.key_to_bindings.pop(key, None)

    def compose(self) -> ComposeResult:
        yield Static(self.header_text(), id="review-header")
        with VerticalScroll(id="review-scroll"):
            with Vertical(id="review-context"):
                yield from self._context_lines()
            yield Static(self.body_text(), id="review-body")
        with Horizontal(id="status-bar"):
            yield Static(self.status_text(), id="status")
        yield KeyBar()

    # --- what is drawn --------------------------------------------------------------------

    def header_text(self) -> Content:
        item = self.review.current
        context = self.review.context()
        parts: list[tuple[str, str] | str] = [("Review", "bold")]
        if item is not None and context is not None:
            parts += [" · ", (context.title or "(untitled)", "bold"),
                      (f"\nsentence {item.index + 1} of article {item.article_id[:12]}", "dim")]
        return Content.assemble(*parts)

    def _label(self, name: str) -> tuple[str, str]:
        mark = self.label_set.mark(name) if name in self.label_set.names else "?"
        return (f"{mark} {name}", label_text(self.label_set, name))

    def _gutter(self, team: list[str], article_id: str, index: int) -> list[tuple[str, str]]:
        """A sentence's gutter: each annotator's mark in the order of `team` (- skipped, · none,
        as the article view's gutter), then the reviewer's decision after a bar."""
        votes = self.review.votes_at(article_id, index)
        skipped = self.review.skipped_at(article_id, index)
        cells: list[tuple[str, str]] = []
        for name in team:
            label = votes.get(name)
            if label:
                cells.append((self.label_set.mark(label), label_text(self.label_set, label)))
            else:
                cells.append(("-", "") if name in skipped else ("·", "dim"))
        decision = self.review.decisions.get((article_id, index))
        if decision is not None and decision[1] in self.label_set.names:
            cells += [("│", "dim"), (self.label_set.mark(decision[1]), label_text(self.label_set, decision[1]))]
        else:
            cells.append(("│ ", "dim"))
        return cells

    def _context_lines(self) -> list[Horizontal]:
        """The sentences around the one under review, each beside its gutter: a sentence that
        wraps keeps its indent (the gutter and the text are two columns)."""
        review = self.review
        item = review.current
        if item is None:
            return []
        context = review.context()
        team = review.team(item.article_id)
        first = item.index - len(context.before)
        lines = [(first + k, ("  ", ""), Content.assemble((sentence, "dim"))) for k, sentence in enumerate(context.before)]
        lines.append((item.index, ("▶ ", "bold"), Content.assemble((context.sentence, "bold underline"))))
        lines += [(item.index + 1 + k, ("  ", ""), Content.assemble((sentence, "dim"))) for k, sentence in enumerate(context.after)]
        heading = Static(Content(f"{' '.join(team)}: each one's label, in this order").stylize("dim"))
        return [Horizontal(heading, classes="review-line")] + [
            Horizontal(Static(Content.assemble(*self._gutter(team, item.article_id, index), marker), classes="review-gutter"),
                       Static(text, classes="review-sentence"), classes="review-line" + (" review-current" if index == item.index else ""))
            for index, marker, text in lines
        ]

    def body_text(self) -> Content:
        """What each annotator said, the suggestion and the decision (the context is above)."""
        review = self.review
        item = review.current
        if item is None:
            other = "every sentence labelled by two or more annotators" if not review.every else "only the disagreements"
            return Content.assemble((f"No {review.noun}s to review", "bold"), (f"\n\n(a shows {other})", "dim"))
        parts: list[tuple[str, str] | str] = []
        parts.append("\n")
        skipped = review.skipped_at(*item.key)
        width = max(len(name) for name in [*item.votes, *skipped, "suggested", "decision"])
        for annotator, label in sorted(item.votes.items()):
            parts += [f"  {annotator:<{width}}  ", self._label(label), "\n"]
        for annotator in sorted(skipped):  # done, but no vote: it counts in no agreement
            parts += [f"  {annotator:<{width}}  ", ("- skipped", "dim"), "\n"]
        suggestion = review.suggestion()
        if suggestion is not None:
            parts += [(f"  {'suggested':<{width}}  ", "dim"), self._label(suggestion.label), (f" {suggestion.score:.2f}\n", "dim")]
        parts.append((f"\n  {'decision':<{width}}  ", "bold"))
        decision = review.decision()
        if decision is None:
            keys = " · ".join(f"{n} {name}" for n, name in enumerate(self.label_set.names, 1))
            parts.append((f"none yet ({keys})", "dim"))
        else:
            reviewer, label = decision
            parts += [self._label(label), (f" (by {reviewer})", "dim")]
        return Content.assemble(*parts)

    def status_text(self) -> Content:
        """`disagreement i/N`, how many are decided, and the reviewer."""
        review = self.review
        parts = [review.status()]
        if review.items:
            parts.append(f" · {review.decided}/{len(review.items)} decided")
        if review.every:
            parts.append(" · every multiply-labelled sentence")
        parts.append(f" · reviewer {review.reviewer}")
        return Content("".join(parts))

    def redraw(self) -> None:
        self.query_one("#review-header", Static).update(self.header_text())
        context = self.query_one("#review-context", Vertical)
        with self.app.batch_update():
            context.remove_children()
            context.mount_all(self._context_lines())
        self.query_one("#review-body", Static).update(self.body_text())
        self.query_one("#status", Static).update(self.status_text())
        self.call_after_refresh(self._keep_in_view)

    def on_mount(self) -> None:
        self.call_after_refresh(self._keep_in_view)

    def _keep_in_view(self) -> None:
        """Scroll to the votes and the decision, then to the sentence under review if that went
        above the top: at 80x24 the context alone can fill the screen, and from the top of it
        the lead decided without seeing who said what."""
        scroll = self.query_one("#review-scroll", VerticalScroll)
        scroll.scroll_to_widget(self.query_one("#review-body"), animate=False, top=False)
        for current in self.query(".review-current"):
            scroll.scroll_to_widget(current, animate=False, top=False)

    # --- actions --------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.review.move(step)
        self.redraw()

    def action_edge(self, end: int) -> None:
        self.review.go(0 if not end else len(self.review.items) - 1)
        self.redraw()

    def action_decide(self, position: int) -> None:
        if position < len(self.label_set.names):
            self._decide(self.label_set.names[position])

    def action_withdraw(self) -> None:
        self._decide(None)

    def _decide(self, label: str | None) -> None:
        review = self.review
        if review.current is None:
            return
        last = review.position == len(review.items) - 1
        try:
            review.decide(label)
        except StoreError as exc:
            self.notify(f"not saved: {exc}", severity="error", timeout=8)
            return
        if label is not None and last:
            self.notify(f"that was the last one: {review.decided}/{len(review.items)} decided", timeout=3)
        self.redraw()

    def action_undo(self) -> None:
        self._replay("undo")

    def action_redo(self) -> None:
        self._replay("redo")

    def _replay(self, action: str) -> None:
        step = self.review.undo if action == "undo" else self.review.redo
        try:
            done = step()
        except StoreError as exc:
            self.notify(f"not {action}ne: {exc}", severity="error", timeout=8)
            return
        if done is None:
            self.notify(f"no decision to {action}", severity="warning", timeout=2)
            return
        _, change = done
        verb = {"undo": "undid", "redo": "redid"}[action]
        self.notify(f"{verb} the decision on sentence {change.sentence_index + 1}: {change.previous or 'none'} → {change.label or 'none'}", timeout=3)
        self.redraw()

    def action_undecided(self) -> None:
        if not self.review.next_undecided():
            self.notify(f"every {self.review.noun} is decided", timeout=2)
        self.redraw()

    def action_toggle_every(self) -> None:
        self.review.toggle_every()
        self.redraw()

    def action_back(self) -> None:
        self.app.go_back()

    def on_database_changed(self, message: DatabaseChanged) -> None:
        """Another window or process wrote labels or decisions: show them."""
        if self.review.refresh():
            self.redraw()
