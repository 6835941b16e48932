"""Learning from the user's labels: the training set, cross-validated training, the register
of models kept beside the database, and refreshing stored suggestions.

Runs where spaCy may load: `reader train` and the background job the reader starts after
every N labels, never the UI's process. A model is kept only if it beats the current
suggester on labels neither was trained on; the folder of models is reader.models_folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader import mix
from reader.blas import one_blas_thread
from reader.model import LabelSet, Suggestion
from reader.models_folder import discard, models_dir, prune, save
from reader.resolve import resolve
from reader.store import ModelInfo, Store, now

MIN_LABELS = 20  # fewer labelled sentences cannot say anything held out
MIN_PER_LABEL = 2
FOLDS = 6
CURVE = (0.25, 0.5, 0.75, 1.0)
Progress = Callable[[str, int, int], None]


class LearnError(ValueError):
    """Training cannot run on these labels; the message is one line."""


@dataclass(frozen=True)
class Example:
    """A labelled sentence to learn from."""

    article_id: str
    index: int
    label: str


@dataclass
class Scores:
    """Held-out precision, recall and F1 per label, and macro-F1, on some examples."""

    per_label: dict[str, dict[str, float]]
    macro: float
    accuracy: float
    count: int

    def as_dict(self) -> dict[str, Any]:
        return {"macro_f1": round(self.macro, 4), "accuracy": round(self.accuracy, 4), "sentences": self.count,
                "per_label": {k: {m: round(v, 4) for m, v in d.items()} for k, d in self.per_label.items()}}


def score(golds: list[str], predicted: list[str | None], labels: Iterable[str]) -> Scores:
    per_label = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(golds, predicted))
        fp = sum(p == label != g for g, p in zip(golds, predicted))
        fn = sum(g == label != p for g, p in zip(golds, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1, "support": golds.count(label)}
    present = [label for label in per_label if per_label[label]["support"]]
    macro = sum(per_label[label]["f1"] for label in present) / len(present) if present else 0.0
    accuracy = sum(g == p for g, p in zip(golds, predicted)) / len(golds) if golds else 0.0
    return Scores(per_label, macro, accuracy, len(golds))


@dataclass
class Report:
    """What a training run measured and did."""

    model_id: str
    examples: int
    articles: int
    held_out: Scores
    baseline: Scores
    baseline_name: str
    kept: bool
    path: Path | None
    seconds: float
    curve: list[tuple[float, float]] = field(default_factory=list)
    compared: Scores | None = None  # held_out on the labels the baseline was scored on (what kept it or not)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_id, "kept": self.kept, "path": str(self.path) if self.path else None,
            "labels": self.examples, "articles": self.articles, "seconds": round(self.seconds, 2),
            "held_out": self.held_out.as_dict(), "baseline": {"name": self.baseline_name, **self.baseline.as_dict()},
            "curve": [{"share": share, "macro_f1": round(macro, 4)} for share, macro in self.curve],
        }


def training_labels(store: Store, label_set: LabelSet, annotators: Iterable[str] = ()) -> list[Example]:
    """One label per sentence (resolved as `reader export --resolve reviewed` does) among the
    labels of this label set: a label of another set on the same sentence (another annotator
    labelling with the default set) is not a vote here."""
    wanted = set(annotators)
    names = set(label_set.names)
    out = []
    for art in store.dataset():
        for index, given in art.labels.items():
            votes = [a for a in given if (not wanted or a.annotator in wanted) and a.label in names]
            review = art.reviews.get(index)
            resolved = resolve(votes, "reviewed", review if review is not None and review.label in names else None)
            if resolved is not None and resolved.label in names:
                out.append(Example(art.id, index, resolved.label))
    return out


def _check(examples: list[Example], label_set: LabelSet) -> None:
    counts = Counter(e.label for e in examples)
    if len(examples) < MIN_LABELS:
        raise LearnError(f"too few labels to train: {len(examples)} labelled sentences (need at least {MIN_LABELS})")
    if len(counts) < 2:
        raise LearnError(f"all {len(examples)} labelled sentences are {next(iter(counts))!r}: training needs at least two labels")
    rare = [label for label in label_set.names if 0 < counts[label] < MIN_PER_LABEL]
    if rare:
        raise LearnError(f"label {rare[0]!r} has only {counts[rare[0]]} example: label a few more first")


def parse_sentences(nlp: Any, store: Store, article_ids: Iterable[str]) -> Iterator[tuple[str, dict[int, Any]]]:
    """Each article's stored sentences as spaCy spans, parsed as at import."""
    from reader.nlp import sentence_spans
    from reader.suggest.component import NAME

    # A kept model's own component is not needed to parse: it scores the spans afterwards.
    with nlp.select_pipes(disable=[name for name in (NAME,) if name in nlp.pipe_names]):
        for article_id in article_ids:
            article = store.article(article_id)
            if article is None:
                continue
            yield article_id, sentence_spans(nlp, article.text, store.sentences(article_id))


def _base(label_set: LabelSet) -> Any:
    """The model a user's labels move: the shipped one for the default label set (None for a
    custom set, or when it cannot be read: then the user's labels train alone)."""
    if not label_set.is_default:
        return None
    from reader.suggest import learned

    try:
        return learned.shipped()
    except learned.ModelError:
        return None


def _corpus(base: Any) -> tuple[Any, list[str]] | None:
    """The shipped corpus's features and labels, which a retrain refits with the user's labels
    (None without a base, or when it cannot be read: then the user's labels correct the base)."""
    if base is None:
        return None
    from reader.suggest import learned

    try:
        X, labels, _, _ = learned.load_corpus()
    except learned.ModelError:
        return None
    return X, labels


def fit(rows: list[Any], golds: list[str], names: list[str], base: Any, corpus: tuple[Any, list[str]] | None = None,
        how: str = "refit") -> Any:
    """The learned suggester moved from `base` (the shipped model) by the user's labels, refitted
    with `corpus` or shifted (`learned.adapt`, `how`). Without a base, a model of the user's
    labels alone."""
    from reader.suggest import learned

    return learned.adapt(base, learned.matrix(rows), golds, names, corpus, how)


def cross_validate(rows: list[Any], golds: list[str], groups: list[str], names: list[str],
                   base: Any, folds: int = FOLDS, share: float = 1.0, seed: int = 0,
                   corpus: tuple[Any, list[str]] | None = None, how: str = "refit") -> list[dict[str, float]]:
    """Held-out probabilities for each of the user's labels: folds of whole articles, each
    scored by the base moved by the user's other folds (a seeded `share` of them, for a
    learning curve)."""
    import random

    held: list[dict[str, float]] = [{} for _ in rows]
    for fold, (train_idx, test_idx) in enumerate(mix.article_folds(groups, folds)):
        if share < 1.0:
            train_idx = sorted(random.Random(seed + fold).sample(train_idx, max(2, round(len(train_idx) * share))))
        if not test_idx or len({golds[i] for i in train_idx}) < 2 and base is None:
            continue
        model = fit([rows[i] for i in train_idx], [golds[i] for i in train_idx], names, base, corpus, how)
        for i in test_idx:
            held[i] = model.probabilities(rows[i])
    return held


def choose(rows: list[Any], golds: list[str], groups: list[str], names: list[str], base: Any,
           corpus: tuple[Any, list[str]] | None, folds: int = FOLDS) -> tuple[str, list[dict[str, float]]]:
    """Which way of moving the base (`learned.REFIT` or `learned.SHIFT`) predicts the user's
    held-out articles better (macro-F1, cross-validated by article), with its held-out
    probabilities. Refitting with the corpus is the robust default; shifting every weight wins
    for a user whose labels depart from the corpus's consistently. Without a base: one way."""
    from reader.suggest import learned

    held = cross_validate(rows, golds, groups, names, base, folds, corpus=corpus, how=learned.REFIT)
    if base is None:
        return learned.REFIT, held
    other = cross_validate(rows, golds, groups, names, base, folds, corpus=corpus, how=learned.SHIFT)
    refit = score(golds, [_best(p) for p in held], names).macro
    shifted = score(golds, [_best(p) for p in other], names).macro
    return (learned.SHIFT, other) if shifted > refit else (learned.REFIT, held)


def _best(probs: dict[str, float]) -> str | None:
    return max(probs, key=probs.get) if probs else None


@one_blas_thread
def train(
    store: Store,
    label_set: LabelSet,
    *,
    annotators: Iterable[str] = (),
    model: str | None = None,
    folds: int = FOLDS,
    curve: bool = False,
    output: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Cross-validate the learned suggester on the stored labels (moving the shipped model, for the
    default label set) against the current suggester on the same held-out labels, fit it on all and
    keep it if better. `output` gets a copy, kept or not; the newest two kept models stay on disk."""
    from reader.suggest import component, learned

    started = time.monotonic()
    tell = progress or (lambda stage, done, total: None)
    examples = training_labels(store, label_set, annotators)
    _check(examples, label_set)
    articles = sorted({e.article_id for e in examples})
    if len(articles) < 2:
        raise LearnError("training needs labels in at least two articles, so that it can be scored on one it did not see")
    nlp = component.load_base(model)
    spans: dict[tuple[str, int], Any] = {}
    for n, (article_id, found) in enumerate(parse_sentences(nlp, store, articles), 1):
        spans.update({(article_id, i): span for i, span in found.items()})
        tell("parsing", n, len(articles))
    examples = _without_conflicts([e for e in examples if (e.article_id, e.index) in spans], spans)
    rows = [learned.features(spans[(e.article_id, e.index)]) for e in examples]
    groups = [e.article_id for e in examples]
    golds = [e.label for e in examples]
    names = list(label_set.names)
    base = _base(label_set)
    corpus = _corpus(base)
    tell("cross-validating", 0, folds)
    how, held = choose(rows, golds, groups, names, base, corpus, folds)
    # the suggestions shown are refined by the sentence encoder: its share for this model is the
    # one the held-out labels prefer, and both sides of the comparison below are refined
    found = mix.encode([spans[(e.article_id, e.index)].text for e in examples], store, [(e.article_id, e.index) for e in examples]) if base is not None else None
    share, move = None, None
    if found is not None:
        choice = mix.choose(held, found, golds, groups, folds, lambda p: score(golds, p, names).macro)
        share, move, held = choice.share, choice.move, choice.probs
    predicted = [_best(p) for p in held]
    held_out = score(golds, predicted, names)
    baseline_name, baseline_pred, mask = _baseline(store, label_set, examples, rows, spans, found)
    chosen = [i for i, keep in enumerate(mask) if keep]
    base_scores = score([golds[i] for i in chosen], [baseline_pred[i] for i in chosen], names)
    mine = score([golds[i] for i in chosen], [predicted[i] for i in chosen], names)
    kept = mine.macro > base_scores.macro
    points: list[tuple[float, float]] = []
    if curve:
        for share in CURVE:
            part = held if share == 1.0 else cross_validate(rows, golds, groups, names, base, folds, share, corpus=corpus, how=how)
            points.append((share, score(golds, [_best(p) for p in part], names).macro))
            tell("learning curve", len(points), len(CURVE))
    tell("training", 0, 1)
    final = component.pipeline(nlp, fit(rows, golds, names, base, corpus, how))
    head = mix.fit_head(found, golds, move) if found is not None else None
    model_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{os.getpid() % 10000:04d}"
    scores = {"held_out": held_out.as_dict(), "baseline": {"name": baseline_name, **base_scores.as_dict()},
              "compared_on": len(chosen), "candidate_on_same": mine.as_dict(), "from_shipped_model": base is not None,
              "moved_by": how if base is not None else None, **mix.recorded(found, share, move)}
    folder, in_use = models_dir(store.path), False
    try:
        path = save(final, folder, model_id, [(e.article_id, e.index) for e in examples], label_set,
                    lambda into: mix.save_head(head, into))
        store.add_model(ModelInfo(model_id, label_set.key, path.name, now(), len(examples), scores, kept))
        in_use = kept
        if output is not None:
            shutil.copytree(path, output)
    finally:  # not better, or stopped before the database knew of it: nothing of it stays
        if not in_use:
            discard(folder, model_id)
    prune(store, label_set)
    return Report(model_id, len(examples), len(articles), held_out, base_scores, baseline_name, kept,
                  path if kept else None, time.monotonic() - started, points, mine)


def _without_conflicts(examples: list[Example], spans: dict[tuple[str, int], Any]) -> list[Example]:
    """Leave out sentences whose identical text carries different labels elsewhere (a repeated
    photo credit labelled two ways): they cannot teach either label."""
    by_text: dict[str, set[str]] = {}
    for e in examples:
        by_text.setdefault(" ".join(spans[(e.article_id, e.index)].text.split()), set()).add(e.label)
    return [e for e in examples if len(by_text[" ".join(spans[(e.article_id, e.index)].text.split())]) == 1]


def _baseline(store: Store, label_set: LabelSet, examples: list[Example], rows: list[Any],
              spans: dict[tuple[str, int], Any], found: mix.Found | None = None,
              ) -> tuple[str, list[str | None], list[bool]]:
    """The current suggester's predictions on the examples it was not trained on: the kept
    model if there is one, else the shipped cold start (default labels), else always the most
    frequent label; refined by the encoder (`found`) at the share and with the head each was given."""
    encoded = mix.held_out_encoded(found, len(examples), None)
    shipped_share = found.weight if found is not None else 0.0
    from reader.suggest import component

    current = store.current_model(label_set.key)
    if current is not None:
        loaded = load_model(store, current)
        if loaded is not None:
            seen = _trained_on(store, current)
            mask = [(e.article_id, e.index) not in seen for e in examples]
            if sum(mask) >= MIN_LABELS:
                model = component.model_of(loaded)
                share = current.scores.get("encoder_weight") or 0.0
                encoded = mix.held_out_encoded(found, len(examples), mix.head_of(store, current))
                return f"model {current.id}", [_best(mix.mixed(model.probabilities(r), e, share)) for r, e in zip(rows, encoded, strict=True)], mask
    if label_set.is_default:
        from reader.suggest import cold_start_suggester

        one = cold_start_suggester()
        return "cold start", [_best(mix.mixed(one(spans[(e.article_id, e.index)]).scores, c, shipped_share))
                              for e, c in zip(examples, encoded, strict=True)], [True] * len(examples)
    common = Counter(e.label for e in examples).most_common(1)[0][0]
    return f"always {common!r}", [common] * len(examples), [True] * len(examples)


class _Everything(frozenset):
    """What a model whose record of its training sentences is missing or broken was trained on,
    as far as we can tell: anything, so it is never scored on a sentence as if held out."""

    def __contains__(self, item: object) -> bool:
        return True


def _trained_on(store: Store, info: ModelInfo) -> frozenset[tuple[str, int]]:
    try:
        data = json.loads((models_dir(store.path) / info.path / "reader-training.json").read_text(encoding="utf-8"))
        return frozenset((a, i) for a, i in data["examples"])
    except (OSError, ValueError, KeyError, TypeError):
        return _Everything()


def load_model(store: Store, info: ModelInfo) -> Any | None:
    """A kept model, or None when its directory is missing or damaged (its moved encoder head too)."""
    from reader.suggest import component

    try:
        loaded = component.load(models_dir(store.path) / info.path)
        component.model_of(loaded)  # the weights are read here: damaged ones fail now
        mix.head_of(store, info)
        return loaded
    except Exception:  # noqa: BLE001 - any failure to load means: use the cold start instead
        return None


class Suggester:
    """Suggestions for stored articles under one label set: the kept model, else the shipped cold
    start (default labels), else nothing.

    `warning` says, in one line, when a kept model or the shipped one could not be loaded."""

    def __init__(self, store: Store, label_set: LabelSet, model: str | None = None) -> None:
        from reader.suggest import component

        self.store = store
        self.label_set = label_set
        self.warning: str | None = None
        self.info = store.current_model(label_set.key)
        self.pipeline = None
        # the encoder's share in this model's suggestions (None: the shipped share, for the cold start)
        self.head: Any = None  # the kept model's moved encoder head, as the store applies it
        if self.info is not None:
            self.pipeline = load_model(store, self.info)
            if self.pipeline is None:
                self.warning = f"model {self.info.id} could not be loaded; using the cold-start suggester"
                self.info = None
            else:
                moved = mix.head_of(store, self.info)
                self.head = mix.scorer(moved) if moved is not None else None
        self.nlp = self.pipeline
        self.cold: Any = None
        if self.nlp is None and label_set.is_default:
            from reader.suggest import cold_start_suggester

            self.nlp = component.load_base(model)
            self.cold = cold_start_suggester(warn=self._warn)

    def _warn(self, message: str) -> None:
        self.warning = f"{self.warning}; {message}" if self.warning else message

    @property
    def source(self) -> str | None:
        if self.info is not None:
            return f"model:{self.info.id}"
        return "cold-start" if self.label_set.is_default else None

    def suggest(self, article_id: str) -> dict[int, Suggestion]:
        """Fresh suggestions for every sentence of a stored article (nothing for a custom label
        set that has no model yet)."""
        if self.nlp is None:
            return {}
        spans = dict(parse_sentences(self.nlp, self.store, [article_id])).get(article_id, {})
        indexes = sorted(spans)
        if self.pipeline is not None:
            from reader.suggest import component, learned

            model = component.model_of(self.pipeline)
            out = {}
            for i in indexes:
                p = model.probabilities(learned.features(spans[i]))
                label = max(p, key=p.get)
                out[i] = Suggestion(label, p[label], p, self.source or "")
            return out
        return {i: self.cold(spans[i]) for i in indexes}

    def refresh(self, article_ids: Iterable[str]) -> Iterator[str]:
        """Store fresh suggestions for these articles; yield each id once committed."""
        for article_id in article_ids:
            found = self.suggest(article_id)
            if found:
                share = (self.info.scores.get("encoder_weight") or 0.0) if self.info is not None else None
                self.store.save_suggestions(article_id, self.label_set.key, found, share, self.head)
                yield article_id
