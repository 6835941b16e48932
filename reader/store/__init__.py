"""The only package that speaks SQL, behind one front object, `Store`.

One module per concern: `db` (connection, retries, errors, backup), `schema` (tables and
forward migrations), `articles`, `labels` (the one write path, undo, positions) and `dataset`
(exports, stats, restoring exports). Current labels live in `annotations`, but every change
is first an append-only row in `annotation_events` written in the same transaction, so the
history (and undo across restarts) is derived from the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reader.store.commitments import Commitments
from reader.store.dataset import Dataset
from reader.store.db import StoreError, default_path, now
from reader.store.files import guard_export, is_reader_database
from reader.store.schema import APP_ID, SCHEMA_VERSION
from reader.store.merge import Merge
from reader.store.team import Team
from reader.store.tokens import Tokens

if TYPE_CHECKING:
    from reader.records import ModelInfo

__all__ = ["APP_ID", "ModelInfo", "SCHEMA_VERSION", "Store", "StoreError", "default_path", "guard_export", "is_reader_database", "now"]


class Store(Dataset, Commitments, Team, Merge, Tokens):
    """An open reader database: articles, labels, suggestions, commitments, datasets, team work,
    the tokens of `reader serve`."""


def __getattr__(name: str) -> Any:
    """`ModelInfo`, from reader.records when first asked for: opening an article never needs it."""
    if name == "ModelInfo":
        from reader.records import ModelInfo

        return ModelInfo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
