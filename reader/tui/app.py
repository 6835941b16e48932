"""The reader application: the library underneath, articles pushed on top of it."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from reader.jobs import Job
from reader.model import LabelSet
from reader.store import StoreError
from reader.tui.messages import ArticleParsed, DatabaseChanged, WorkFailed
from reader.tui.screens.article import ArticleScreen

# How often the app looks for what other windows and processes committed (a cheap PRAGMA).
WATCH_SECONDS = 0.5


def _library() -> Screen:
    # Imported when first shown: its table widget is not needed to open an article.
    from reader.tui.screens.library import LibraryScreen

    return LibraryScreen()


class ReaderApp(App[None]):
    """Read articles and label their sentences."""

    CSS_PATH = "reader.tcss"
    TITLE = "reader"
    BINDINGS = [
        Binding("question_mark", "help", "help", id="app.help"),
        Binding("ctrl+q", "quit", "quit", id="app.quit", show=False, priority=True),
    ]

    def __init__(self, store: Any, *, labels: LabelSet | None = None, annotator: str = "anonymous", article_id: str | None = None, model: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.label_set = labels or LabelSet()
        self.annotator = annotator
        self.model = model
        self.start_article = article_id
        self._parse_job: Job | None = None
        self._job_lock = threading.Lock()
        self._data_version: int | None = None

    def on_mount(self) -> None:
        self._data_version = self.store.data_version()
        self.set_interval(WATCH_SECONDS, self._watch_database)
        # An article named on the command line opens alone; the library is built only when
        # the user goes back to it, so start-up does not pay for a table of every article.
        if self.start_article and self.store.has_article(self.start_article):
            self.open_article(self.start_article)
        else:
            self.push_screen(_library())

    def notify(self, message: object, *, title: str = "", severity: str = "information", timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry article titles, file names, search text and what web servers
        answered: never markup, and never a control character or escape sequence."""
        from reader.sanitize import clean_text

        super().notify(clean_text(str(message)), title=clean_text(str(title)), severity=severity, timeout=timeout, markup=False)

    # --- background work ------------------------------------------------------------------

    def parse(self, first: list[str]) -> None:
        """Parse these articles in a background process, then any other not parsed yet."""
        from reader.tui import workers

        workers.parse(self, first)

    def adopt_job(self, job: Job) -> None:
        """Keep one parse process at a time: a new one replaces (stops) the one running."""
        with self._job_lock:
            if self._parse_job is not None:
                self._parse_job.cancel()
            self._parse_job = job

    def on_article_parsed(self, message: ArticleParsed) -> None:
        if self.screen_stack:  # none while the app is closing
            self.screen.post_message(ArticleParsed(message.article_id))

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place a background failure reaches the user: one notification."""
        self.notify(message.reason, severity="error", timeout=10)

    def _watch_database(self) -> None:
        """Tell the screen when another window or process has committed something."""
        try:
            version = self.store.data_version()
        except StoreError:  # a database gone bad is reported by the next action that needs it
            return
        if version != self._data_version and self.screen_stack:
            self._data_version = version
            self.screen.post_message(DatabaseChanged())

    def open_article(self, article_id: str) -> None:
        if self.store.has_article(article_id):
            self.push_screen(ArticleScreen(article_id))

    def leave_article(self) -> None:
        """Back to the library, its cursor on the article just left."""
        screen = self.screen
        if not isinstance(screen, ArticleScreen):
            return
        if len(self.screen_stack) > 2:  # the default screen, the library, this article
            self.pop_screen()
        else:
            self.switch_screen(_library())
        library = self.screen
        self.call_after_refresh(lambda: library.show_article(screen.article_id))

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen, key_table

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(key_table(self.screen, self.BINDINGS), self.label_set.names))

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies): say which key does, in plain words."""
        self.notify("press ctrl+q to quit", title="Do you want to quit?")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every action of the current screen, plus the system ones."""
        yield from super().get_system_commands(screen)
        seen = set()
        for bindings in screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.description and binding.action not in seen:
                    seen.add(binding.action)
                    yield SystemCommand(
                        binding.description.capitalize(),
                        f"key: {self.get_key_display(binding)}",
                        lambda action=binding.action: screen.run_action(action),
                    )

    def on_unmount(self) -> None:
        with self._job_lock:
            if self._parse_job is not None:
                self._parse_job.cancel()
        for screen in self.screen_stack:
            if isinstance(screen, ArticleScreen):
                screen.save_position()


def run(store: Any, *, labels: LabelSet, annotator: str, article_id: str | None, model: str | None, keymap: dict[str, str] | None = None) -> None:
    app = ReaderApp(store, labels=labels, annotator=annotator, article_id=article_id, model=model)
    if keymap:
        app.set_keymap(keymap)
    app.run()
