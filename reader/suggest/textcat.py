"""A spaCy text classifier that learns the user's labels on top of the cold start's features.

The model, `reader.SentenceCat.v1`, is a linear classifier over two kinds of input read off
the parse of each sentence (`reader.suggest.features`):

* dense: the cold-start rules' named features and its three probabilities, which carry what
  LABELS.md says in general (and are label-independent, so a custom label set uses them too);
* sparse, hashed: lemmas, root lemma, aux+root, subject entity type and agentivity,
  dependency triples and fired rules, which let it learn the user's own usage.

Its scores go through a softmax (the gradient spaCy's textcat passes back, scores minus
truth, is then exactly that of cross-entropy), so `doc.cats` sums to 1.

The pipeline it lives in is the base model (so a saved one still parses) plus this "textcat";
training updates only the textcat, with a fixed seed, fixed epochs and spaCy's own loop.
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
from spacy.strings import hash_string
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Linear, Model, SparseLinear_v2

from reader.suggest.coldstart import LABELS as COLD_LABELS
from reader.suggest.coldstart import decide
from reader.suggest.features import FEATURES, analyse

ARCHITECTURE = "reader.SentenceCat.v1"
PIPE = "textcat"
N_DENSE = len(FEATURES) + 2 * len(COLD_LABELS) + 1
_LOG_PRIOR = len(FEATURES) + len(COLD_LABELS)  # where the cold start's log-probabilities sit
_USER_DATA = "reader.suggest.features"
DEFAULTS = {"epochs": 12, "batch_size": 16, "learn_rate": 0.005, "l2": 1e-4, "seed": 0, "sparse_scale": 1.0, "balance": 1.0}

def doc_features(doc: Doc) -> tuple[list[int], list[float]]:
    """(hashed sparse keys, dense vector) of a one-sentence doc.

    Kept in doc.user_data, which spaCy's update carries over when it copies the examples,
    so training analyses each sentence once, not once per epoch."""
    cached = doc.user_data.get(_USER_DATA)
    if cached is None:
        found = analyse(doc[:])
        cold = decide(found)
        keys = sorted({hash_string(name) for name in found.sparse})
        probs = [cold.probs[label] for label in COLD_LABELS]
        dense = found.dense() + probs + [math.log(max(p, 1e-3)) for p in probs] + [1.0]
        cached = (keys, dense)
        doc.user_data[_USER_DATA] = cached
    return cached


@spacy.registry.architectures(ARCHITECTURE)
def build_sentence_cat(
    length: int = 2**16, nO: int | None = None, prior: list[str] | None = None, sparse_scale: float = 1.0
) -> Model[list[Doc], Any]:
    """Linear over hashed sparse features plus dense linguistic ones, then softmax.

    `prior` names the output labels in order; an output named like a cold-start label starts
    with the cold start's log-probability as its score, so the untrained model is the cold
    start and training learns corrections to it. Other labels start from zero."""
    sparse = SparseLinear_v2(nO=nO, length=length)
    dense = Linear(nO=nO, nI=N_DENSE)
    return Model(
        "reader_sentence_cat",
        _forward,
        init=_init,
        layers=[sparse, dense],
        dims={"nO": nO},
        attrs={"prior": list(prior or []), "sparse_scale": sparse_scale},
    )


def _inputs(model: Model, docs: list[Doc]) -> tuple[tuple[Any, Any, Any], Any]:
    keys: list[int] = []
    lengths: list[int] = []
    dense: list[list[float]] = []
    for doc in docs:
        k, d = doc_features(doc)
        keys.extend(k)
        lengths.append(len(k))
        dense.append(d)
    ops = model.ops
    # Each sentence's bag of features has unit length, so long sentences do not shout.
    scale = model.attrs["sparse_scale"]
    values = numpy.concatenate([numpy.full(n, scale / math.sqrt(n), dtype="float32") for n in lengths if n] or [numpy.zeros(0, "float32")])
    sparse_in = (
        numpy.asarray(keys, dtype="uint64"),
        ops.asarray1f(values),
        ops.asarray1i(numpy.asarray(lengths, dtype="int32")),
    )
    return sparse_in, ops.asarray2f(numpy.asarray(dense, dtype="float32").reshape(len(docs), N_DENSE))


def _forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[Any, Callable]:
    sparse, dense = model.layers
    sparse_in, dense_in = _inputs(model, docs)
    scores_s, back_s = sparse(sparse_in, is_train)
    scores_d, back_d = dense(dense_in, is_train)
    probs = model.ops.softmax(scores_s + scores_d)

    def backprop(d_probs: Any) -> list[Doc]:
        # spaCy's textcat passes (probs - truth): the cross-entropy gradient of the logits.
        # Each row is weighted by its gold label's class weight, read back from the truth.
        weights = model.attrs.get("class_weights")
        if weights:
            truth = probs - d_probs
            row = (truth * model.ops.asarray1f(numpy.asarray(weights, dtype="float32"))).sum(axis=1, keepdims=True)
            d_probs = d_probs * row
        back_s(d_probs)
        back_d(d_probs)
        return docs

    return probs, backprop


def _init(model: Model, X: list[Doc] | None = None, Y: Any = None) -> Model:
    if Y is not None:
        model.set_dim("nO", Y.shape[1])
    n_out = model.get_dim("nO")
    for layer in model.layers:
        if not layer.has_dim("nO") or layer.get_dim("nO") is None:
            layer.set_dim("nO", n_out)
        layer.initialize()
    dense = model.layers[1]
    weights = numpy.zeros((n_out, N_DENSE), dtype="float32")
    for i, label in enumerate(model.attrs["prior"][:n_out]):
        if label in COLD_LABELS:
            weights[i, _LOG_PRIOR + COLD_LABELS.index(label)] = 1.0
    dense.set_param("W", dense.ops.asarray2f(weights))
    return model


# ---- training ---------------------------------------------------------------------------

def _as_doc(sentence: Doc | Span) -> Doc:
    return sentence.as_doc() if isinstance(sentence, Span) else sentence


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
    epochs: int = DEFAULTS["epochs"],
    batch_size: int = DEFAULTS["batch_size"],
    learn_rate: float = DEFAULTS["learn_rate"],
    l2: float = DEFAULTS["l2"],
    seed: int = DEFAULTS["seed"],
    balance: float = DEFAULTS["balance"],
    sparse_scale: float = DEFAULTS["sparse_scale"],
) -> Language:
    """Train a "textcat" on (parsed sentence, label) pairs; return the pipeline holding it.

    `base` is the pipeline to extend (a loaded `Language`, whose old textcat is replaced, or a
    name/path to load); by default the app's model with its lemmatizer. Only the textcat is
    updated. Deterministic for a given seed.
    """
    pairs = list(examples)
    labels = list(labels)
    docs = [_as_doc(sentence) for sentence, _ in pairs]
    golds = [label for _, label in pairs]
    check_labels(golds, labels, [doc.text for doc in docs])
    nlp = base if isinstance(base, Language) else load_base(base)
    if PIPE in nlp.pipe_names:
        nlp.remove_pipe(PIPE)
    fix_random_seed(seed)
    model = {"@architectures": ARCHITECTURE, "prior": labels, "sparse_scale": sparse_scale}
    nlp.add_pipe(PIPE, config={"model": model, "threshold": 0.0})
    for doc in docs:
        doc_features(doc)  # into user_data before spaCy copies the docs
    gold = [Example.from_dict(doc, {"cats": {label: float(label == g) for label in labels}}) for doc, g in zip(docs, golds)]
    frozen = [name for name in nlp.pipe_names if name != PIPE]
    with nlp.select_pipes(disable=frozen):
        # What nlp.initialize does for one component; nlp.initialize itself would also re-run
        # the base model's vocabulary set-up (which needs spacy-lookups-data) on a trained model.
        nlp.get_pipe(PIPE).initialize(lambda: gold, nlp=nlp, labels=labels)
        textcat = nlp.get_pipe(PIPE)
        counts = Counter(golds)
        # Rare labels weigh more (the balanced weight to the power `balance`), so 40
        # commitments among 700 sentences are not simply learnt away.
        textcat.model.attrs["class_weights"] = [
            (len(golds) / (len(counts) * counts[label])) ** balance if counts[label] else 1.0 for label in textcat.labels
        ]
        optimizer = nlp.create_optimizer()
        optimizer.learn_rate = learn_rate
        optimizer.L2 = l2
        order = random.Random(seed)
        for _ in range(epochs):
            batch_order = list(gold)
            order.shuffle(batch_order)
            for batch in minibatch(batch_order, size=batch_size):
                nlp.update(batch, sgd=optimizer, drop=0.0)
    return nlp


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
    """Probabilities per label for already parsed sentences (no re-parse)."""
    textcat = nlp.get_pipe(PIPE)
    docs = [_as_doc(sentence) for sentence in sentences]
    out = []
    for doc in textcat.pipe(docs):
        out.append(dict(doc.cats))
    return out


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
    scores an article it was trained on; the result is aligned with `examples`.
    `train_fraction` < 1 trains each fold on a seeded random share of its training labels
    (for a learning curve).
    """
    if len(examples) != len(groups):
        raise ValueError("cross_validate needs one group (article id) per example")
    names = sorted(set(groups))
    if len(names) < 2:
        raise ValueError("cross-validation needs examples from at least two articles")
    folds = max(2, min(folds, len(names)))
    fold_of = {name: i % folds for i, name in enumerate(names)}
    nlp = base if isinstance(base, Language) else load_base(base)
    held: list[dict[str, float] | None] = [None] * len(examples)
    for fold in range(folds):
        train_idx = [i for i, g in enumerate(groups) if fold_of[g] != fold]
        if train_fraction < 1.0:
            keep = max(2, round(len(train_idx) * train_fraction))
            train_idx = sorted(random.Random(options.get("seed", 0) + fold).sample(train_idx, keep))
        test_idx = [i for i, g in enumerate(groups) if fold_of[g] == fold]
        if not test_idx:
            continue
        nlp = train([examples[i] for i in train_idx], labels, base=nlp, **options)
        for i, probs in zip(test_idx, predict(nlp, [examples[i][0] for i in test_idx])):
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
