"""What background work tells the screens: typed messages, posted from worker threads.

Workers never touch widgets; they post one of these and the screen (or, for failures, the
app's single handler) acts on it in the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from reader.jobs import Trained  # a worker imports it when training ends, long after the first paint


class ArticleParsed(Message, bubble=False):
    """The background parse of an article is stored (the app hands it to the screen on top)."""

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id


class ArticlesImported(Message):
    """Articles were stored (not parsed yet), or an import reported what it could not read."""

    def __init__(self, imported: int, already: int, failed: list[str], first: str | None = None) -> None:
        super().__init__()
        self.imported = imported
        self.already = already
        self.failed = failed
        self.first = first  # the id of the first article added (or found already there)


class DatabaseChanged(Message, bubble=False):
    """Another window or process committed to the database (the app tells the screen on top)."""


class WorkFailed(Message):
    """Background work failed; the app shows the one-line reason once (and hands a failed
    parse to the screen on top as `ParseFailed`)."""

    def __init__(self, reason: str, task: str = "") -> None:
        super().__init__()
        self.reason = reason
        self.task = task


class ParseFailed(Message, bubble=False):
    """The background parse stopped with an error: a screen waiting for it says so for good."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SuggestionsUpdated(Message, bubble=False):
    """An article's stored suggestions were replaced (the app tells the screen on top)."""

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article_id = article_id


class RefineWanted(Message, bubble=False):
    """A background job stored sentences or suggestions: the sentence encoder should refine them."""


class ModelTrained(Message):
    """A background training finished: its held-out scores and whether the model was kept."""

    def __init__(self, report: Trained) -> None:
        super().__init__()
        self.report = report


class Notice(Message):
    """Something background work wants the user to know (not an error)."""

    def __init__(self, text: str, task: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.task = task  # the background job that said it
