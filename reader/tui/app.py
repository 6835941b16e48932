"""The reader application: the library underneath, articles pushed on top of it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from reader.model import LabelSet
from reader.store import StoreError
from reader.tui import terminal
from reader.tui.messages import ArticleParsed, DatabaseChanged, ModelTrained, Notice, RefineWanted, SuggestionsUpdated, WorkFailed
from reader.tui.screens.article import ArticleScreen

if TYPE_CHECKING:
    from reader.jobs import Job  # the workers import it when they start one, after the first paint

# How often the app looks for what other windows and processes committed (a cheap PRAGMA).
WATCH_SECONDS = 0.5
# How long start-up work waits after the first frame, so the frame reaches the terminal first.
FIRST_FRAME_GRACE = 0.1
# The longest keys wait (reader.tui.app.ReaderApp.on_event), for the key before them or a new
# screen: past it they go on anyway, where they would have gone before.
HOLD_KEYS_SECONDS = 3.0


def _library() -> Screen:
    # Imported when first shown: its table widget is not needed to open an article.
    from reader.tui.screens.library import LibraryScreen

    return LibraryScreen()


class ReaderApp(App[None]):
    """Read articles and label their sentences."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    refining = True  # the sentence encoder refines the suggestions in the background (reader.refine)
    BINDINGS = [
        Binding("question_mark", "help", "help", id="app.help"),
        Binding("ctrl+q", "quit", "quit", id="app.quit", show=False, priority=True),
    ]

    def __init__(self, store: Any, *, labels: LabelSet | None = None, annotator: str = "anonymous", article_id: str | None = None, model: str | None = None, retrain_every: int = 25, start: str | None = None, review: tuple[str, ...] | None = None, theme: str | None = None, theme_file: Path | None = None) -> None:
        super().__init__()
        self.start_theme = theme  # the saved choice, else config.toml's `theme`
        if theme in self.available_themes:
            # Before the app runs: set once it has (on mount), Textual parses and applies all the
            # CSS a second time for it, about 13 ms more before the first paint.
            self.theme = theme
        self.theme_file = theme_file  # where a theme chosen here is kept for the next start
        self.start_review = review  # open the review screen first: () for every article
        self.store = store
        self.label_set = labels or LabelSet()
        self.annotator = annotator
        self.model = model
        self.start_article = article_id
        self.start = start  # "commitments" opens that screen over the library
        self._jobs: dict[str, Job] = {}
        self._job_lock = threading.Lock()
        self.retrain_every = retrain_every
        self.labels_since_training = 0
        self._data_version: int | None = None
        self._drawn = False  # the first frame is on screen (Textual's Ready)
        self._after_first_frame: list[Callable[[], object]] = []
        self._held_keys: list[events.Key] = []  # keys that wait (on_event)
        self._waits: set[object] = set()  # what they wait for: the key before, a new screen
        self._holds = self._keys = self._changes = 0

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The entity colours of the theme in use (reader.tui.theme), unless the theme sets them."""
        from reader.tui.theme import entity_variables

        return entity_variables(self.current_theme.dark)

    async def on_event(self, event: events.Event) -> None:
        """One key at a time: a key that arrives while the one before is still being handled, or
        while the screen changes, waits, and the waiting keys go on in the order they came.

        Textual routes each key to the focused widget as it arrives, and a widget handles it
        later, in its own queue, as a screen is pushed or popped later: keys typed fast (a
        quick typist, a paste, an SSH link that delivers a burst) reached the wrong place.
        "enter 3" on the commitments screen set the row's status to "broken" instead of
        labelling the article enter opened; a label typed straight after enter in the library
        was lost; "q j" from an article moved the library's cursor before it was put back on
        the article just left. So a key is routed only when the one before has gone all the
        way through (`_after_handled`), and the keys that change screen are priority bindings
        (they run as the key is routed), after which the keys behind them wait for the new
        screen to take the focus (`_screen_changed`)."""
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._waits or self._held_keys:  # behind the keys already waiting, in the order they came
            self._held_keys.append(event)
            return
        await self._route(event)

    async def _route(self, event: events.Key) -> None:
        """Route a key (Textual's own App.on_event), and wait until it has been handled."""
        self._keys += 1
        key = ("key", self._keys)
        self._wait(key)
        target = self.focused or self.screen
        await super().on_event(event)
        self._after_handled(target, lambda: self._done(key))

    async def _route_held(self, every: bool = False) -> None:
        """Route the first waiting key (or, after too long a wait, every one at once)."""
        while self._held_keys and not self._waits:
            event = self._held_keys.pop(0)
            if every:
                await super().on_event(event)
            else:
                await self._route(event)

    def _after_handled(self, target: Any, callback: Callable[[], object]) -> None:
        """Run `callback` once what was routed to `target` has been handled: a key goes to the
        focused widget's queue and bubbles up through each ancestor's queue to the app's
        bindings, so the callback follows the same way, behind it in each queue."""
        hops = [node for node in target.ancestors_with_self if node.is_running]

        def hop(i: int) -> None:
            if i + 1 < len(hops):
                hops[i + 1].call_later(hop, i + 1)
            else:
                callback()

        if hops:
            hops[0].call_later(hop, 0)
        else:
            callback()

    def _wait(self, reason: object) -> None:
        if not self._waits:
            self._holds += 1
            hold = self._holds
            self.set_timer(HOLD_KEYS_SECONDS, lambda: self._release_keys(hold))
        self._waits.add(reason)

    def _done(self, reason: object) -> None:
        if reason in self._waits:
            self._waits.discard(reason)
            if not self._waits and self._held_keys:
                self.call_next(self._route_held)  # before any message queued meanwhile

    def _screen_changed(self, screen: Screen) -> None:
        """The keys behind the key that changed screen wait for the new screen instead: that
        key's way back to the app may have closed with the old screen."""
        self._waits = {reason for reason in self._waits if not (isinstance(reason, tuple) and reason[0] == "key")}
        self._changes += 1
        change = ("screen", self._changes)
        self._wait(change)
        # behind the new screen's mount and resume (which give it the focus), then one refresh
        screen.call_later(self.call_after_refresh, self._done, change)

    def _release_keys(self, hold: int) -> None:
        """A wait outlasted HOLD_KEYS_SECONDS: send every waiting key on at once."""
        if hold != self._holds:
            return
        self._waits.clear()
        if self._held_keys:
            self.call_next(self._route_held, True)

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self._start_theme()
        self._data_version = self.store.data_version()
        self.set_interval(WATCH_SECONDS, self._watch_database)
        terminal.watch(self)  # leave when the terminal hangs up
        if self._keymap:
            self.call_after_refresh(self._check_keymap)
        self.after_first_frame(self._catch_up_suggestions)
        # An article named on the command line opens alone; the library is built only when
        # the user goes back to it, so start-up does not pay for a table of every article.
        if self.start_review is not None:
            self.open_review(list(self.start_review) or None)
        elif self.start_article and self.store.has_article(self.start_article):
            self.open_article(self.start_article)
        elif self.start == "commitments":
            self.open_commitments()  # the library is built only if the user goes back to it
        else:
            self.push_screen(_library())

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run start-up work that the first frame does not need once it is on screen.

        `call_after_refresh` is not enough at start-up: the first screen is mounted inside the
        app's start-up batch, where a refresh is laid out but not drawn, so its callbacks ran
        before anything was on screen (a parse job was started, the suggestions were checked)."""
        self.call_after_refresh(callback) if self._drawn else self._after_first_frame.append(callback)

    def on_ready(self) -> None:
        """Textual's Ready, handled once the start-up batch is over, just before the first frame
        is drawn. What waited for it runs a moment later: Textual's writer thread sends the
        frame to the terminal only when it gets the interpreter lock, and work started at once
        kept the frame off the screen for some 20 ms."""
        self._drawn = True
        self.call_after_refresh(self._draw_skipped_frame)
        waiting, self._after_first_frame = self._after_first_frame, []

        def run_waiting() -> None:
            for callback in waiting:
                callback()

        if waiting:
            self.set_timer(FIRST_FRAME_GRACE, run_waiting)

    def _draw_skipped_frame(self) -> None:
        """The first screen's frame, if no refresh after the start-up batch drew it (a resize
        of the terminal usually does)."""
        if getattr(self.screen, "frame_skipped", False):
            self.screen.refresh()

    def _catch_up_suggestions(self) -> None:
        """Articles without suggestions (merged from another database, or stored before
        suggestions existed) get them in the background, not only when opened."""
        try:
            missing = self.store.unsuggested(self.label_set.key)
        except StoreError:
            return
        if missing:
            self.suggest(missing[:1])  # the job goes on to every other article that needs them
        elif self.refining and self.label_set.is_default and self.store.encoder_behind():
            self.refine()  # (after suggesting, the job refines what it stored)

    def _start_theme(self) -> None:
        """Say so when the saved (or configured) theme is unknown; save each theme chosen from now on."""
        if self.start_theme and self.start_theme not in self.available_themes:
            self.notify(f"unknown theme {self.start_theme!r}; themes: {', '.join(sorted(self.available_themes))}", severity="warning", timeout=10)
        self._kept_theme = self.theme
        if self.theme_file is not None:
            self.theme_changed_signal.subscribe(self, self._save_theme)

    def _save_theme(self, theme: Any) -> None:
        from reader import config

        if theme.name != self._kept_theme and self.theme_file is not None:
            self._kept_theme = theme.name
            config.save_theme(theme.name, self.theme_file)

    def notify(self, message: object, *, title: str = "", severity: str = "information", timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry article titles, file names, search text and what web servers
        answered: never markup, and never a control character or escape sequence."""
        from reader.sanitize import clean_text

        super().notify(clean_text(str(message)), title=clean_text(str(title)), severity=severity, timeout=timeout, markup=False)

    def _check_keymap(self) -> None:
        """Say once which binding ids of the config's [keymap] mean nothing to reader, and
        which it gives one key on one screen (Textual would drop bindings without a word)."""
        from reader.tui.keymap import clashes, known_ids

        unknown = sorted(set(self._keymap) - known_ids(self.BINDINGS))
        if unknown:
            self.notify(f"config.toml [keymap]: unknown binding id {', '.join(repr(u) for u in unknown)} (? lists the ids)", severity="warning", timeout=10)
        shared = clashes(self._keymap, self.BINDINGS)
        if shared:
            self.notify(f"config.toml [keymap]: {'; '.join(shared)}: give each its own key (? lists the ids)", severity="warning", timeout=10)

    # --- background work ------------------------------------------------------------------

    def parse(self, first: list[str]) -> None:
        """Parse these articles in a background process, then any other not parsed yet."""
        from reader.tui import workers

        workers.start(self, "parse", first)

    def suggest(self, first: list[str]) -> None:
        """Compute suggestions for these articles (stored before suggestions existed, or before
        the current model) in a background process."""
        from reader.tui import workers

        if not self.running("train"):  # training refreshes them when it is done
            workers.start(self, "suggest", first)

    def refine(self) -> None:
        """Refine the suggestions with the sentence encoder where it has not read the sentences."""
        from reader.tui import workers

        if self.refining and self.label_set.is_default and not self.running("refine"):
            workers.start(self, "refine", [])

    def labelled(self, article_id: str) -> None:
        """Count a label given here; every `retrain_every` of them, retrain in the background."""
        from reader.tui import workers

        self.labels_since_training += 1
        if self.retrain_every and self.labels_since_training >= self.retrain_every and not self.running("train"):
            self.labels_since_training = 0
            from reader.learn import MIN_LABELS

            if self.store.could_train(self.label_set.names, MIN_LABELS):  # else the job would only say so, after loading spaCy
                workers.start(self, "train", [article_id])

    def running(self, task: str) -> bool:
        with self._job_lock:
            job = self._jobs.get(task)
            return job is not None and job.running

    def adopt_job(self, task: str, job: Job) -> None:
        """Keep one process of each kind at a time: a new one replaces (stops) the one running."""
        with self._job_lock:
            old = self._jobs.get(task)
            if old is not None:
                old.cancel()
            self._jobs[task] = job

    def on_refine_wanted(self, message: RefineWanted) -> None:
        self.refine()

    def on_suggestions_updated(self, message: SuggestionsUpdated) -> None:
        if self.screen_stack:
            self.screen.post_message(SuggestionsUpdated(message.article_id))

    def on_model_trained(self, message: ModelTrained) -> None:
        r = message.report
        if r.kept:
            self.notify(f"new suggestion model kept: held-out macro-F1 {r.macro_f1:.2f} against {r.baseline_macro_f1:.2f} for the {r.baseline}; refreshing suggestions", timeout=6)
        else:
            self.notify(f"retrained: held-out macro-F1 {r.macro_f1:.2f}, not better than the {r.baseline} ({r.baseline_macro_f1:.2f}), which stays", timeout=6)

    def on_notice(self, message: Notice) -> None:
        if message.task == "refine":  # the sentence encoder cannot be read: said once, not after every job
            self.refining = False
        self.notify(message.text, timeout=6)

    def on_article_parsed(self, message: ArticleParsed) -> None:
        if self.screen_stack:  # none while the app is closing
            self.screen.post_message(ArticleParsed(message.article_id))

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place a background failure reaches the user: one notification (and a screen
        waiting for a parse stops saying it is parsing)."""
        self.notify(message.reason, severity="error", timeout=10)
        if message.task == "parse" and self.screen_stack:
            from reader.tui.messages import ParseFailed

            self.screen.post_message(ParseFailed(message.reason))

    def _watch_database(self) -> None:
        """Tell the screen when another window or process has committed something."""
        try:
            version = self.store.data_version()
        except StoreError:  # a database gone bad is reported by the next action that needs it
            return
        if version != self._data_version and self.screen_stack:
            self._data_version = version
            self.screen.post_message(DatabaseChanged())

    def open_article(self, article_id: str, at: int | None = None) -> None:
        """Open an article (at a sentence, from the commitments screen)."""
        if self.store.has_article(article_id):
            self.push_screen(ArticleScreen(article_id, at=at))

    def open_commitments(self) -> None:
        from reader.tui.screens.commitments import CommitmentsScreen

        if not isinstance(self.screen, CommitmentsScreen):
            self.push_screen(CommitmentsScreen())

    def go_back(self) -> None:
        """Back to the screen this one was opened from, or to the library when it was the first
        (the library is built only then)."""
        if len(self.screen_stack) > 2:  # the default screen, the one underneath, this one
            self.pop_screen()
        else:
            self.switch_screen(_library())

    def extract(self) -> None:
        """Read the commitment sentences the extractor has not read yet, in the background."""
        from reader.tui import workers

        if not self.running("extract"):
            workers.start(self, "extract", [])

    def leave_article(self) -> None:
        """Back where the article was opened from (the library, its cursor on the article just
        left, or the commitments screen)."""
        screen = self.screen
        if not isinstance(screen, ArticleScreen):
            return
        if screen.new_commitments:
            self.extract()
        self.go_back()
        library = self.screen
        if hasattr(library, "show_article"):
            self.call_after_refresh(lambda: library.show_article(screen.article_id))

    def open_review(self, article_ids: list[str] | None = None) -> None:
        """The review screen over these articles (None: all)."""
        from reader.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(article_ids))

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen, key_entries

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(key_entries(self.screen, self.BINDINGS), self.label_set.names))

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies): say which key does, in plain words."""
        self.notify("press ctrl+q to quit", title="Do you want to quit?")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every action of the current screen, plus the system ones."""
        from textual.actions import parse

        yield from super().get_system_commands(screen)
        seen = set()
        for bindings in screen._bindings.key_to_bindings.values():
            for binding in bindings:
                # one entry per thing to do: of two bindings of one key (enter: accept, or say
                # that hidden suggestions accept nothing) only the one the screen allows now
                _, name, parameters = parse(binding.action)
                if binding.description and binding.action not in seen and screen.check_action(name, parameters):
                    seen.add(binding.action)
                    yield SystemCommand(
                        binding.description.capitalize(),
                        f"key: {self.get_key_display(binding)}",
                        lambda action=binding.action: screen.run_action(action),
                    )

    def on_unmount(self) -> None:
        with self._job_lock:
            for job in self._jobs.values():
                job.cancel()
        for screen in self.screen_stack:
            if isinstance(screen, ArticleScreen):
                screen.save_position()


def run(store: Any, *, labels: LabelSet, annotator: str, article_id: str | None, model: str | None, keymap: dict[str, str] | None = None, retrain_every: int = 25, start: str | None = None, review: tuple[str, ...] | None = None, theme: str | None = None) -> None:
    from reader import config

    app = ReaderApp(store, labels=labels, annotator=annotator, article_id=article_id, model=model, retrain_every=retrain_every, start=start, review=review,
                    theme=config.saved_theme() or theme, theme_file=config.theme_path())
    if keymap:
        app.set_keymap(keymap)
    app.run()
    if app.return_code:  # the terminal hung up (reader.tui.terminal)
        raise SystemExit(app.return_code)
