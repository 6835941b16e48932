"""What runs on a Dask worker: the spaCy pipeline, loaded once per worker process, and the
parse of a batch of articles by the import's own function. See `reader.cluster`."""

from __future__ import annotations

import threading
from typing import Any

from distributed import WorkerPlugin

from reader.model import Article, Parsed

_pipelines: dict[str | None, Any] = {}
_failures: dict[str | None, str] = {}
_notes: dict[str | None, str] = {}
_lock = threading.Lock()


def _pipeline(model: str | None) -> Any:
    """The worker's spaCy pipeline, loaded once per process (the plugin loads it on joining)."""
    with _lock:
        if model not in _pipelines:
            from reader import nlp

            _pipelines[model] = nlp.load(model)
        return _pipelines[model]


class LoadPipeline(WorkerPlugin):
    """Load the pipeline when a worker starts or joins the cluster (a restarted one too).

    A failure is kept, not raised, so the worker logs no traceback; `pipeline_status` reads
    it back and the client says it in one line."""

    name = "reader-pipeline"

    def __init__(self, model: str | None) -> None:
        self.model = model

    def setup(self, worker: Any) -> None:
        try:
            _pipeline(self.model)
        except Exception as exc:  # noqa: BLE001 - reported to the client by `pipeline_status`
            _failures[self.model] = str(exc) or type(exc).__name__
            return
        try:  # the suggestion model too (kept per process)
            from reader.suggest import learned

            learned.shipped()
        except Exception as exc:  # noqa: BLE001 - the parse rules alone, said once by the client
            _notes[self.model] = f"{exc}; suggestions come from the parse rules alone"


def pipeline_status(model: str | None) -> tuple[str | None, str | None]:
    """Why this worker's pipeline did not load (None when it did), and a note to pass on (the
    suggestion model could not be read)."""
    return _failures.get(model), _notes.get(model)


def parse_batch(model: str | None, articles: list[Article], refine: bool = False) -> list[Parsed]:
    """Parse a batch exactly as a plain import does (with `refine`, as `reader suggest` does), and
    return the parses in order (without the suggestion model when it could not be read: the
    client said so once, not every batch)."""
    nlp_object = _pipeline(model)
    from reader.pipeline import parse_many

    return [parsed for _, parsed in parse_many(nlp_object, articles, rules_only=model in _notes, refine=refine)]
