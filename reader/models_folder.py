"""The folder of trained models beside the database (`reader.db.models/`): where it is, writing a
model into it, pruning old ones, and leaving nothing there that nobody asked for.

A model directory is written under a temporary name and renamed into place before the database
learns of it, so killing training at any moment leaves the previous model in use and no half
model visible; a training that keeps no model (not better, cancelled, failed) removes what it
wrote, and the folder too when that leaves it empty.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from reader.model import LabelSet
from reader.store import Store


def models_dir(db: Path) -> Path:
    """Where trained models live: a folder beside the database, named after it."""
    return db.with_name(db.name + ".models")


def save(nlp: Any, folder: Path, model_id: str, examples: Iterable[tuple[str, int]], label_set: LabelSet,
         more: Callable[[Path], None] | None = None) -> Path:
    """Write the pipeline (and what `more` writes into its folder: a moved encoder head) under a
    temporary name, then rename it into place."""
    from reader.suggest import component

    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(folder)
    temp = folder / f".part-{model_id}"
    try:
        component.save(nlp, temp)
        (temp / "reader-training.json").write_text(
            json.dumps({"label_set": list(label_set.names), "examples": [list(e) for e in examples]}),
            encoding="utf-8",
        )
        if more is not None:
            more(temp)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)  # a full disk must not keep the half it wrote
        raise
    final = folder / model_id
    os.replace(temp, final)
    return final


# A half-written model older than this was left by a training that was killed; a younger one may
# be another training's save under way (`reader train` beside a background retrain): a save
# takes seconds.
STALE_AFTER = 3600.0


def remove_stale_parts(folder: Path, older_than: float = STALE_AFTER) -> None:
    """Remove the `.part-` folders that killed trainings left, not one another training is writing."""
    now = time.time()
    for part in folder.glob(".part-*"):
        with suppress(OSError):
            if now - part.stat().st_mtime > older_than:
                shutil.rmtree(part, ignore_errors=True)


def discard(folder: Path, model_id: str) -> None:
    """Remove a model that is not kept, whole or half written (a retrain not better, or cancelled
    as the reader quits), and the folder with it when nothing else is in it: never a folder
    holding a kept model (nor a symlink or mount point the user put there)."""
    for leftover in (folder / model_id, folder / f".part-{model_id}"):
        shutil.rmtree(leftover, ignore_errors=True)
    with suppress(OSError):
        folder.rmdir()  # only ever an empty one


def prune(store: Store, label_set: LabelSet, keep: int = 2) -> None:
    """Remove the directories of kept models older than the newest `keep` (their scores stay)."""
    folder = models_dir(store.path)
    for info in [m for m in store.models(label_set.key) if m.kept][:-keep]:
        shutil.rmtree(folder / info.path, ignore_errors=True)
