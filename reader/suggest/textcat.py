"""A spaCy text classifier that learns the user's labels as a correction to the cold start.

The model, `reader.SentenceCat.v1`, scores each sentence as

    logits = log p_cold(label) + W · x + b,       probabilities = softmax(logits)

where p_cold is the cold start's suggestion (for an output named like one of its labels; zero
for any other label) and x holds features read off the parse (`reader.suggest.features`):

* dense: the cold start's named rules (label-independent, so a custom label set uses them
  too), its log-probabilities, the sentence's length;
* sparse, a small vocabulary kept in the model: which rule decided the cold start, the root's
  lemma, tag and auxiliaries, its subject's entity type and agentivity, modals, and the
  lexicon's verbs and nouns of commitment, saying and demanding; only strings seen at least
  `min_count` times in the training labels.

W and b start at zero, so an untrained model is the cold start, and training penalises them
(L2) toward zero: a correction has to earn its place. The penalty and the class balancing are
chosen by an inner cross-validation, grouped by article, on the training labels only, among
candidates that include "no correction at all"; so with too few labels, or labels the cold
start already gets right, the model stays the cold start instead of getting worse.

Training is a convex fit in numpy (L-BFGS over the weighted cross-entropy), deterministic,
over features computed once per sentence. The pipeline it lives in is the base model (so a
saved one still parses) plus this "textcat".
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from thinc.api import Model

from reader.suggest.coldstart import LABELS as COLD_LABELS
from reader.suggest.coldstart import decide
from reader.suggest.features import FEATURES, analyse

ARCHITECTURE = "reader.SentenceCat.v1"
PIPE = "textcat"
N_DENSE = len(FEATURES) + len(COLD_LABELS) + 1
_USER_DATA = "reader.suggest.features"
# Candidate penalties (per example, on the mean weighted log-loss) and class balancings that
# the inner cross-validation chooses from; "no correction" is always a candidate too.
L2_GRID = (1.0, 0.3, 0.1, 0.03, 0.01)
BALANCE_GRID = (0.0, 0.5, 1.0)
# A correction must beat the cold start's inner cross-validated macro-F1 by this much to be kept.
DEFAULTS = {"min_count": 3, "inner_folds": 4, "max_iter": 300, "seed": 0, "margin": 0.01}


# ---- features ------------------------------------------------------------------------------

def sentence_features(sentence: Doc | Span) -> tuple[list[str], list[float], list[float]]:
    """(sparse strings, dense vector, cold-start log-probabilities) of one sentence.

    A `Span` inside its paragraph's Doc is read with its context (an open quotation, the
    sentence before); a `Doc` is taken as one sentence."""
    span = sentence if isinstance(sentence, Span) else sentence[:]
    found = analyse(span)
    cold = decide(found)
    logp = [math.log(max(cold.probs[label], 1e-3)) for label in COLD_LABELS]
    words = sum(1 for t in span if t.is_alpha)
    dense = found.dense() + logp + [min(words / 40.0, 1.5)]
    sparse = found.sparse + [f"RULE:{cold.reason.split(':', 1)[0]}"]
    return sparse, dense, logp


def doc_features(doc: Doc) -> tuple[list[str], list[float], list[float]]:
    """The features of a one-sentence doc, cached in doc.user_data (where `_as_doc` leaves
    those of a Span read in its paragraph)."""
    cached = doc.user_data.get(_USER_DATA)
    if cached is None:
        cached = sentence_features(doc)
        doc.user_data[_USER_DATA] = cached
    return cached


def _as_doc(sentence: Doc | Span) -> Doc:
    if not isinstance(sentence, Span):
        return sentence
    doc = sentence.as_doc()
    doc.user_data[_USER_DATA] = sentence_features(sentence)  # before the paragraph is gone
    return doc


# ---- the model -----------------------------------------------------------------------------

@spacy.registry.architectures(ARCHITECTURE)
def build_sentence_cat(nO: int | None = None, prior: list[str] | None = None, length: int | None = None,
                       sparse_scale: float | None = None) -> Model[list[Doc], Any]:
    """Cold-start log-probabilities plus a linear correction over dense and sparse features.

    `prior` names the output labels in order. (`length` and `sparse_scale` are accepted so
    that a config written by the first version of this model still resolves.)"""
    return Model(
        "reader_sentence_cat",
        _forward,
        init=_init,
        dims={"nO": nO, "nI": None},
        params={"W": None, "b": None},
        attrs={"prior": list(prior or []), "vocab": [], "selection": {}},
    )


def _prior_columns(labels: Sequence[str]) -> list[int | None]:
    return [COLD_LABELS.index(label) if label in COLD_LABELS else None for label in labels]


def _matrices(labels: Sequence[str], vocab: Sequence[str], feats: Sequence[tuple]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(X: n × (dense + vocab), P: n × labels of prior logits) for features of n sentences."""
    index = {name: i for i, name in enumerate(vocab)}
    X = numpy.zeros((len(feats), N_DENSE + len(vocab)), dtype="float64")
    P = numpy.zeros((len(feats), len(labels)), dtype="float64")
    columns = _prior_columns(labels)
    for row, (sparse, dense, logp) in enumerate(feats):
        X[row, :N_DENSE] = dense
        for name in sparse:
            i = index.get(name)
            if i is not None:
                X[row, N_DENSE + i] = 1.0
        for j, c in enumerate(columns):
            if c is not None:
                P[row, j] = logp[c]
    return X, P


def _forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Any, Callable]:
    X, P = _matrices(model.attrs["prior"][: model.get_dim("nO")], model.attrs["vocab"], [doc_features(d) for d in docs])
    W = numpy.asarray(model.get_param("W"), dtype="float64")
    b = numpy.asarray(model.get_param("b"), dtype="float64")
    probs = _softmax(P + X @ W.T + b)

    def backprop(d_probs: Any) -> list[Doc]:
        # spaCy's textcat passes (probs - truth): the cross-entropy gradient of the logits.
        d = numpy.asarray(d_probs, dtype="float64")
        model.inc_grad("W", model.ops.asarray2f((d.T @ X).astype("float32")))
        model.inc_grad("b", model.ops.asarray1f(d.sum(axis=0).astype("float32")))
        return docs

    return model.ops.asarray2f(probs.astype("float32")), backprop


def _init(model: Model, X: list[Doc] | None = None, Y: Any = None) -> Model:
    if Y is not None:
        model.set_dim("nO", Y.shape[1])
    n_out = model.get_dim("nO")
    model.set_dim("nI", N_DENSE + len(model.attrs["vocab"]))
    model.set_param("W", model.ops.alloc2f(n_out, model.get_dim("nI")))
    model.set_param("b", model.ops.alloc1f(n_out))
    return model


def _softmax(Z: numpy.ndarray) -> numpy.ndarray:
    Z = Z - Z.max(axis=1, keepdims=True)
    E = numpy.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


# ---- fitting -------------------------------------------------------------------------------

def _fit(X: numpy.ndarray, P: numpy.ndarray, y: numpy.ndarray, weights: numpy.ndarray, l2: float,
         start: numpy.ndarray | None = None, max_iter: int = DEFAULTS["max_iter"]) -> numpy.ndarray:
    """Minimise the weighted mean cross-entropy of softmax(P + X Wᵀ + b) plus l2/2 (|W|² +
    |b|²/10) with SciPy's L-BFGS; returns theta = [W.ravel(), b]. Deterministic."""
    n, d = X.shape
    k = P.shape[1]
    onehot = numpy.zeros((n, k))
    onehot[numpy.arange(n), y] = 1.0
    w = weights / weights.sum()
    penalty = numpy.full(k * d + k, l2)
    penalty[k * d:] = l2 * 0.1

    def loss_grad(theta: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        W = theta[: k * d].reshape(k, d)
        Z = P + X @ W.T + theta[k * d:]
        Z = Z - Z.max(axis=1, keepdims=True)
        lse = numpy.log(numpy.exp(Z).sum(axis=1))
        loss = float(w @ (lse - (Z * onehot).sum(axis=1))) + 0.5 * float(penalty @ (theta * theta))
        G = (numpy.exp(Z - lse[:, None]) - onehot) * w[:, None]
        grad = numpy.concatenate([(G.T @ X).ravel(), G.sum(axis=0)]) + penalty * theta
        return loss, grad

    from scipy.optimize import minimize  # the maintained L-BFGS, imported only to train

    x0 = numpy.zeros(k * d + k) if start is None else start.copy()
    found = minimize(loss_grad, x0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": 1e-6})
    return found.x


def _class_weights(y: numpy.ndarray, k: int, balance: float) -> numpy.ndarray:
    """Each example weighs (n / (k · count of its label)) ** balance: rare labels count more."""
    counts = numpy.bincount(y, minlength=k).astype("float64")
    per_label = numpy.where(counts > 0, (len(y) / (k * numpy.maximum(counts, 1))) ** balance, 1.0)
    return per_label[y]


def macro_f1(gold: Sequence[int], predicted: Sequence[int], k: int) -> float:
    """Macro-F1 over the labels that occur in gold."""
    gold = numpy.asarray(gold)
    predicted = numpy.asarray(predicted)
    scores = []
    for label in range(k):
        if not (gold == label).any():
            continue
        tp = float(((gold == label) & (predicted == label)).sum())
        fp = float(((gold != label) & (predicted == label)).sum())
        fn = float(((gold == label) & (predicted != label)).sum())
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _folds_of(groups: Sequence[str] | None, n: int, folds: int) -> list[int]:
    """Fold number per example: whole groups (articles) dealt out in sorted order; without
    groups, contiguous blocks (labels usually arrive article by article)."""
    if groups is not None and len(set(groups)) >= 2:
        names = sorted(set(groups))
        folds = min(folds, len(names))
        fold_of = {name: i % folds for i, name in enumerate(names)}
        return [fold_of[g] for g in groups]
    return [min(i * folds // max(n, 1), folds - 1) for i in range(n)]


def _select(X: numpy.ndarray, P: numpy.ndarray, y: numpy.ndarray, fold: list[int], l2s: Sequence[float],
            balances: Sequence[float], margin: float = DEFAULTS["margin"]) -> dict[str, Any]:
    """Choose (l2, balance) by macro-F1 of the pooled inner held-out predictions; the cold
    start alone ("no correction") is the first candidate and wins unless a correction beats it
    by `margin`, then stronger penalties win ties over weaker ones."""
    k = P.shape[1]
    prior_f1 = macro_f1(y, P.argmax(axis=1), k)
    best = {"l2": None, "balance": None, "inner_macro_f1": prior_f1, "prior_macro_f1": prior_f1}
    fold = numpy.asarray(fold)
    if len(set(fold.tolist())) < 2:
        return best
    for balance in balances:
        predicted = {l2: numpy.zeros(len(y), dtype=int) for l2 in l2s}
        for f in sorted(set(fold.tolist())):
            train, test = fold != f, fold == f
            if len(set(y[train].tolist())) < 2:
                for l2 in l2s:
                    predicted[l2][test] = P[test].argmax(axis=1)
                continue
            theta = None
            weights = _class_weights(y[train], k, balance)
            for l2 in sorted(l2s, reverse=True):  # warm start down the penalty path
                theta = _fit(X[train], P[train], y[train], weights, l2, start=theta)
                d = X.shape[1]
                W, b = theta[: k * d].reshape(k, d), theta[k * d:]
                predicted[l2][test] = (P[test] + X[test] @ W.T + b).argmax(axis=1)
        for l2 in sorted(l2s, reverse=True):
            score = macro_f1(y, predicted[l2], k)
            if score > best["inner_macro_f1"] + 1e-9 and score >= prior_f1 + margin:
                best.update({"l2": l2, "balance": balance, "inner_macro_f1": score})
    return best


# ---- training ---------------------------------------------------------------------------

def check_labels(golds: Sequence[str], labels: Sequence[str], texts: Sequence[str] | None = None) -> None:
    """Raise ValueError (one line) when these labels cannot train a classifier."""
    if len(set(labels)) != len(labels):
        raise ValueError(f"the label set repeats a label: {', '.join(labels)}")
    if len(labels) < 2:
        raise ValueError("training needs a label set of at least two labels")
    unknown = sorted(set(golds) - set(labels))
    if unknown:
        raise ValueError(f"labels not in the label set ({', '.join(labels)}): {', '.join(unknown)}")
    used = Counter(golds)
    if len(used) < 2:
        raise ValueError(f"training needs sentences of at least two different labels; got {len(golds)} labelled, all {next(iter(used), 'none')!s}")
    if texts is not None:
        seen: dict[str, str] = {}
        clashes = 0
        for text, gold in zip(texts, golds):
            key = " ".join(text.split())
            if seen.setdefault(key, gold) != gold:
                clashes += 1
        if clashes:
            raise ValueError(f"{clashes} sentence(s) carry conflicting labels (the same text labelled differently); resolve them before training")


def train(
    examples: Iterable[tuple[Doc | Span, str]],
    labels: Sequence[str],
    *,
    base: Language | str | None = None,
    groups: Sequence[str] | None = None,
    l2: float | None = None,
    balance: float | None = None,
    epochs: int | None = None,
    min_count: int = DEFAULTS["min_count"],
    inner_folds: int = DEFAULTS["inner_folds"],
    margin: float = DEFAULTS["margin"],
    seed: int = DEFAULTS["seed"],
) -> Language:
    """Train a "textcat" on (parsed sentence, label) pairs; return the pipeline holding it.

    `base` is the pipeline to extend (a loaded `Language`, whose old textcat is replaced, or a
    name/path to load); by default the app's model with its lemmatizer. Give sentences as
    Spans inside their paragraph's Doc to let the features read the sentence before.
    `groups` (the article of each example) makes the inner cross-validation that chooses `l2`
    and `balance` hold whole articles out; either can be fixed instead (l2=inf: no
    correction). `epochs=0` keeps the cold start untouched. Deterministic (`seed` is kept
    for callers that pass one; nothing here is random).
    """
    del seed
    pairs = list(examples)
    labels = list(labels)
    docs = [_as_doc(sentence) for sentence, _ in pairs]
    golds = [label for _, label in pairs]
    check_labels(golds, labels, [doc.text for doc in docs])
    if groups is not None and len(groups) != len(pairs):
        raise ValueError("train needs one group (article id) per example")
    nlp = base if isinstance(base, Language) else load_base(base)
    if PIPE in nlp.pipe_names:
        nlp.remove_pipe(PIPE)
    nlp.add_pipe(PIPE, config={"model": {"@architectures": ARCHITECTURE, "prior": labels}, "threshold": 0.0})
    feats = [doc_features(doc) for doc in docs]
    counts = Counter(name for sparse, _, _ in feats for name in set(sparse))
    textcat = nlp.get_pipe(PIPE)
    model = textcat.model
    model.attrs["vocab"] = sorted(name for name, c in counts.items() if c >= min_count)
    gold = [Example.from_dict(doc, {"cats": {label: float(label == g) for label in labels}}) for doc, g in zip(docs, golds)]
    frozen = [name for name in nlp.pipe_names if name != PIPE]
    with nlp.select_pipes(disable=frozen):
        # What nlp.initialize does for one component; nlp.initialize itself would also re-run
        # the base model's vocabulary set-up (which needs spacy-lookups-data) on a trained model.
        textcat.initialize(lambda: gold, nlp=nlp, labels=labels)
    if epochs == 0 or (l2 is not None and math.isinf(l2)):
        model.attrs["selection"] = {"l2": None, "balance": None}
        return nlp
    order = list(textcat.labels)
    X, P = _matrices(order, model.attrs["vocab"], feats)
    y = numpy.asarray([order.index(g) for g in golds])
    if l2 is None or balance is None:
        chosen = _select(X, P, y, _folds_of(groups, len(y), inner_folds),
                         L2_GRID if l2 is None else (l2,), BALANCE_GRID if balance is None else (balance,), margin)
    else:
        chosen = {"l2": l2, "balance": balance}
    model.attrs["selection"] = chosen
    if chosen["l2"] is None:
        return nlp  # the inner cross-validation found no correction that helps: the cold start
    theta = _fit(X, P, y, _class_weights(y, len(order), chosen["balance"]), chosen["l2"])
    k, d = len(order), X.shape[1]
    model.set_param("W", model.ops.asarray2f(theta[: k * d].reshape(k, d).astype("float32")))
    model.set_param("b", model.ops.asarray1f(theta[k * d:].astype("float32")))
    return nlp


def selection(nlp: Language) -> dict[str, Any]:
    """What training chose: l2 and balance (None, None: no correction, the cold start) and the
    inner cross-validated macro-F1 of that choice and of the cold start alone."""
    return dict(nlp.get_pipe(PIPE).model.attrs.get("selection") or {})


def load_base(name: str | None = None) -> Language:
    """The app's spaCy model with every component (the lemmatizer included)."""
    from reader import nlp as reader_nlp

    names = reader_nlp.model_candidates(name)
    for candidate in names:
        try:
            return spacy.load(candidate)
        except OSError:
            continue
    raise reader_nlp.ModelUnavailable(f"no spaCy model among {', '.join(names)} loads")


def predict(nlp: Language, sentences: Iterable[Doc | Span]) -> list[dict[str, float]]:
    """Probabilities per label for already parsed sentences (no re-parse). Spans are read in
    their paragraph, as in training."""
    textcat = nlp.get_pipe(PIPE)
    docs = [_as_doc(sentence) for sentence in sentences]
    return [{label: float(p) for label, p in doc.cats.items()} for doc in textcat.pipe(docs)]


def cross_validate(
    examples: Sequence[tuple[Doc | Span, str]],
    groups: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 6,
    base: Language | str | None = None,
    train_fraction: float = 1.0,
    **options: Any,
) -> list[dict[str, float]]:
    """Held-out probabilities for every example, folds made of whole groups (articles).

    Groups are dealt to folds in sorted order (group i to fold i % folds), so a fold never
    scores an article it was trained on, and the inner choice of regularisation sees only that
    fold's training articles; the result is aligned with `examples`. `train_fraction` < 1
    trains each fold on a seeded random share of its training labels (for a learning curve).
    """
    if len(examples) != len(groups):
        raise ValueError("cross_validate needs one group (article id) per example")
    names = sorted(set(groups))
    if len(names) < 2:
        raise ValueError("cross-validation needs examples from at least two articles")
    folds = max(2, min(folds, len(names)))
    fold_of = {name: i % folds for i, name in enumerate(names)}
    nlp = base if isinstance(base, Language) else load_base(base)
    docs = [(_as_doc(sentence), label) for sentence, label in examples]  # features once, not per fold
    held: list[dict[str, float] | None] = [None] * len(examples)
    for fold in range(folds):
        train_idx = [i for i, g in enumerate(groups) if fold_of[g] != fold]
        if train_fraction < 1.0:
            keep = max(2, round(len(train_idx) * train_fraction))
            train_idx = sorted(random.Random(options.get("seed", 0) + fold).sample(train_idx, keep))
        test_idx = [i for i, g in enumerate(groups) if fold_of[g] == fold]
        if not test_idx:
            continue
        nlp = train([docs[i] for i in train_idx], labels, base=nlp, groups=[groups[i] for i in train_idx], **options)
        for i, probs in zip(test_idx, predict(nlp, [docs[i][0] for i in test_idx])):
            held[i] = probs
    return [p or {} for p in held]


def save(nlp: Language, path: str | Path) -> Path:
    """Write the pipeline (base components + textcat) as an ordinary spaCy directory."""
    path = Path(path)
    nlp.to_disk(path)
    return path


def load(path: str | Path) -> Language:
    """Load a saved pipeline; importing this module has registered the architecture."""
    return spacy.load(path)
