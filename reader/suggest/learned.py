"""The learned suggester: a linear classifier over the parse rules' cues and the sentence's words.

The parse rules (`features.analyse` and the cold start's `decide`) are good cues but a poor
decision: fitted to a few articles, they fit those. Here they are features, beside the words
of the sentence, and a multinomial logistic regression (scikit-learn's) decides:

* the rules' named cues with their strengths, the rule that decided the cold start and its
  label, and the general string features `analyse` reads (root lemma, auxiliaries, subject
  type, the lexicon's verb classes);
* lower-case words and word pairs, and verb lemmas with their auxiliaries and negation.

Every feature is hashed (CRC-32, stable across processes) into `DIM` columns, so a model is
a dense `labels x DIM` matrix and a sentence a few hundred column numbers: scoring is a sum,
cheap enough to run at import for every sentence.

A model is a folder holding `model.npz` (weights, labels, the hashing's size) and
`model.json` (what it was trained on and how it scored); `numpy.load` reads it, and nothing
in it is executable (no pickle). The package ships one, fitted by `make model` (scikit-learn's
logistic regression) on the repository's own labelled corpus, with that corpus's features
(`corpus.npz`). `reader train` moves it with the user's labels (`adapt`) two ways and keeps
the one the user's held-out articles prefer: refitted on the corpus's stored features and the
user's labels together (each of the user's labels weighing ten of the corpus's) with the
rules' named cues then corrected on the user's labels; or every weight shifted on the user's
labels alone, which follows a consistent habit after tens of labels. Either way a retrain
parses only the user's articles.

scikit-learn and SciPy are imported only to train; scoring needs numpy alone.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy

from reader.suggest.coldstart import decide
from reader.suggest.features import analyse

DIM = 1 << 18
FORMAT = 1
SHIPPED = Path(__file__).resolve().parent / "shipped"
# The inverse regularisation strength of the shipped model's fit on the corpus.
C = 0.5
# The words, word pairs and parse strings count less than the rules' named cues and decision:
# on articles of kinds the corpus lacks, the cues carry over and the vocabulary does not (on
# GUM's news, scaling the rest to 0.3 took macro-F1 from 0.755 to 0.775; to 0 gave 0.790 but
# learned nothing from a user's words).
WORD_SCALE = 0.3
# Each label weighs the same in the fit, however many sentences it has (commitments are 15 % of
# the corpus, more of a news desk's articles). Measured on the corpus with each kind of source
# held out in turn: mean macro-F1 0.654 -> 0.668, commitment F1 0.478 -> 0.522, better on 9 of 12
# kinds (news articles 0.733 -> 0.782); on GUM's news (never in the corpus) 0.800 -> 0.816.
BALANCED = True
# The sentence's mean context vector (spaCy's `doc.tensor`, the 96 numbers per token that the
# tagger, parser and entity recogniser of en_core_web_sm 3.8 read) as 96 more features, at
# this scale. They carry what the words mean past the words themselves, to sources the corpus
# lacks: with each kind of source held out in turn, Wikinews reports 0.767 -> 0.781 macro-F1
# (commitment F1 0.597 -> 0.634), the mean over the 13 kinds 0.678 -> 0.684; on GUM's news end
# to end 0.805 -> 0.812 (commitment 0.620 -> 0.657). A pipeline whose tensor is not 96 wide adds
# none. (Standardised vectors, the root token's vector, max-pooling: each worse held out.)
TENSOR_SCALE = 0.43
TENSOR_WIDTH = 96
# How a user's labels move the shipped model (`adapt`), two ways; `reader train` keeps the one
# that predicts the user's held-out articles better:
# - REFIT: refitted on the corpus and the user's labels together, each label of the user's
#   weighing USER_WEIGHT corpus sentences, then the named cues alone corrected on the user's
#   labels (label-balanced, L2 penalty 1/CUE_C). Robust: better than the cold start on 22 of
#   the 26 halves of the corpus's kinds (python -m benchmarks.learning), no loss on GUM's;
# - SHIFT: every weight moved on the user's labels alone (L2 penalty 1/SHIFT_C on the change):
#   a consistent habit ("X said that ..." filed as background) is learned within 50 labels, but
#   on labels that follow the corpus's conventions it costs macro-F1 on most kinds.
REFIT, SHIFT = "refit", "shift"
USER_WEIGHT = 10.0
CUE_C = 0.1
SHIFT_C = 1.0

Row = tuple[list[int], list[float]]


class ModelError(ValueError):
    """A model folder that cannot be read; the message is one line."""


def _h(text: str) -> int:
    return zlib.crc32(text.encode("utf-8")) & (DIM - 1)


def _lemma(token: Any) -> str:
    return (token.lemma_ or token.lower_).lower()


def features(sentence: Any, analysis: Any = None, cold: Any = None) -> Row:
    """The hashed features of a parsed sentence (a spaCy `Span` read in its paragraph, or a
    one-sentence `Doc`): column numbers and values, one value per column."""
    span = sentence if hasattr(sentence, "root") else sentence[:]
    found = analysis if analysis is not None else analyse(span)
    decided = cold if cold is not None else decide(found)
    out: dict[int, float] = {}

    def add(name: str, value: float = WORD_SCALE) -> None:
        column = _h(name)
        out[column] = out.get(column, 0.0) + value

    add("BIAS")
    for name, value in found.values.items():
        if value:
            add(f"F:{name}", float(value))  # the rules' cues at full strength
    for name in found.sparse:
        add(f"S:{name}")
    rule = decided.reason.split(":", 1)[0]
    add(f"RULE:{rule}")
    add(f"COLD:{decided.label}", 1.0)
    add(f"RULE:{rule}:{decided.label}")
    words = [t for t in span if not t.is_space]
    lowers = [t.lower_ for t in words]
    for i, word in enumerate(lowers):
        add(f"W:{word}", WORD_SCALE / 2)
        if i + 1 < len(lowers):
            add(f"B:{word} {lowers[i + 1]}", WORD_SCALE / 2)
    if lowers:
        add(f"FIRST:{lowers[0]}")
        add(f"LAST:{lowers[-1]}")
    for t in words:
        if t.pos_ in ("VERB", "AUX"):
            lemma = _lemma(t)
            add(f"VL:{lemma}")
            for c in t.children:
                if c.dep_ in ("aux", "auxpass") or c.dep_ == "neg":
                    add(f"VA:{c.lower_}+{lemma}")
                elif c.dep_ in ("nsubj", "nsubjpass"):
                    add(f"VS:{c.ent_type_ or c.pos_}+{lemma}")
                elif c.dep_ == "xcomp":
                    add(f"VX:{lemma}+{_lemma(c)}")
            add(f"VD:{t.dep_}+{lemma}")
    for column, value in zip(_TENSOR_COLUMNS, _context_vector(span)):
        out[column] = out.get(column, 0.0) + TENSOR_SCALE * float(value)
    n = sum(1 for t in words if t.is_alpha)
    add("LEN", WORD_SCALE * min(n / 30.0, 2.0))
    if n <= 4:
        add("SHORT")
    columns = sorted(out)
    return columns, [out[c] for c in columns]


_TENSOR_COLUMNS = [_h(f"T:{i}") for i in range(TENSOR_WIDTH)]


def _context_vector(span: Any) -> Any:
    """The mean of the span's rows of `doc.tensor` (empty when the pipeline sets none)."""
    tensor = getattr(span.doc, "tensor", None)
    if tensor is None or getattr(tensor, "ndim", 0) != 2 or tensor.shape[1] != TENSOR_WIDTH or len(span) == 0:
        return ()
    return tensor[span.start : span.end].mean(axis=0)


def matrix(rows: Sequence[Row]) -> Any:
    """A SciPy CSR matrix of hashed rows (for training)."""
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for columns, values in rows:
        indices.extend(columns)
        data.extend(values)
        indptr.append(len(indices))
    return csr_matrix((numpy.asarray(data, dtype="float32"), numpy.asarray(indices, dtype="int32"),
                       numpy.asarray(indptr, dtype="int64")), shape=(len(rows), DIM))


@dataclass
class Model:
    """A trained linear model: `weights` is labels x DIM, `bias` one per label."""

    labels: tuple[str, ...]
    weights: numpy.ndarray
    bias: numpy.ndarray
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, row: Row) -> dict[str, float]:
        columns, values = row
        z = self.weights[:, columns] @ numpy.asarray(values, dtype="float32") + self.bias
        z = numpy.exp(z - z.max())
        p = z / z.sum()
        return {label: float(v) for label, v in zip(self.labels, p)}

    def save(self, path: str | Path) -> Path:
        """Write the folder (files first under temporary names, then renamed)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        part = path / "model.npz.part"
        with open(part, "wb") as handle:
            numpy.savez_compressed(handle, weights=self.weights.astype("float32"), bias=self.bias.astype("float32"),
                                   labels=numpy.asarray(self.labels), dim=numpy.asarray([DIM]),
                                   format=numpy.asarray([FORMAT]))
        info = path / "model.json.part"
        info.write_text(json.dumps(self.info, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(part, path / "model.npz")
        os.replace(info, path / "model.json")
        return path


def load(path: str | Path) -> Model:
    """Read a model folder; ModelError (one line) when it is missing or damaged."""
    path = Path(path)
    try:
        with numpy.load(path / "model.npz", allow_pickle=False) as data:
            if int(data["format"][0]) != FORMAT or int(data["dim"][0]) != DIM:
                raise ModelError(f"{path}: a suggestion model of another format")
            labels = tuple(str(x) for x in data["labels"])
            weights, bias = data["weights"], data["bias"]
        if weights.shape != (len(labels), DIM) or bias.shape != (len(labels),) or not numpy.isfinite(weights).all():
            raise ModelError(f"{path}: the suggestion model's weights are damaged")
        try:
            info = json.loads((path / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = {}
        return Model(labels, weights, bias, info if isinstance(info, dict) else {})
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, numpy and OS errors all mean "damaged"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(f"{path}: the suggestion model cannot be read ({reason})") from None


_shipped: Model | None = None


def shipped() -> Model:
    """The model that ships in the package (loaded once per process)."""
    global _shipped
    if _shipped is None:
        _shipped = load(SHIPPED)
    return _shipped


@dataclass
class Corpus:
    """The shipped corpus as features: rows, labels and the document each came from."""

    rows: list[Row]
    labels: list[str]
    groups: list[str]
    kinds: list[str]


def save_corpus(path: str | Path, corpus: Corpus) -> Path:
    path = Path(path)
    X = matrix(corpus.rows)
    part = path / "corpus.npz.part"
    with open(part, "wb") as handle:
        numpy.savez_compressed(handle, indptr=X.indptr, indices=X.indices, data=X.data,
                               labels=numpy.asarray(corpus.labels), groups=numpy.asarray(corpus.groups),
                               kinds=numpy.asarray(corpus.kinds))
    os.replace(part, path / "corpus.npz")
    return path / "corpus.npz"


def load_corpus(path: str | Path = SHIPPED) -> tuple[Any, list[str], list[str], list[str]]:
    """(CSR matrix, labels, groups, kinds) of the corpus shipped beside a model."""
    from scipy.sparse import csr_matrix

    try:
        with numpy.load(Path(path) / "corpus.npz", allow_pickle=False) as data:
            n = len(data["indptr"]) - 1
            X = csr_matrix((data["data"], data["indices"], data["indptr"]), shape=(n, DIM))
            return X, [str(x) for x in data["labels"]], [str(x) for x in data["groups"]], [str(x) for x in data["kinds"]]
    except Exception as exc:  # noqa: BLE001 - any failure: the corpus cannot be used
        raise ModelError(f"{path}: the shipped corpus cannot be read ({type(exc).__name__})") from None


def fit(X: Any, labels: Sequence[str], label_set: Sequence[str], weights: Sequence[float] | None = None,
        c: float = C, info: dict[str, Any] | None = None, balanced: bool = BALANCED, start: Model | None = None) -> Model:
    """Fit a multinomial logistic regression (scikit-learn, L-BFGS) on a CSR matrix; with
    `balanced`, each label's sentences weigh in inverse proportion to how many there are
    (scikit-learn's "balanced" class weights, as sample weights). With `start` (a model of the
    same labels), L-BFGS starts from its weights: the same optimum (to the solver's tolerance),
    reached in a fraction of the iterations when the data are close to what `start` was fitted
    on (a refit of the corpus with 400 user labels: 9 s instead of 40)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.class_weight import compute_sample_weight

    names = [name for name in label_set if name in set(labels)]
    y = numpy.asarray([names.index(label) for label in labels])
    sample = None if weights is None else numpy.asarray(weights, dtype="float64")
    if balanced:
        by_label = compute_sample_weight("balanced", y)
        sample = by_label if sample is None else by_label * sample
    # Fit over the columns that occur (tens of thousands, not DIM): the same solution, far faster.
    used = numpy.unique(X.indices)
    warm = start is not None and len(names) == len(label_set) > 2 and tuple(start.labels) == tuple(label_set)
    fitted = LogisticRegression(C=c, max_iter=400, tol=1e-4, warm_start=warm)
    if warm:
        assert start is not None
        fitted.coef_ = start.weights[:, used].astype("float64")
        fitted.intercept_ = start.bias.astype("float64")
    fitted.fit(X[:, used], y, sample_weight=sample)
    W = numpy.zeros((len(label_set), DIM), dtype="float32")
    b = numpy.full(len(label_set), -30.0, dtype="float32")  # a label never seen is never suggested
    coef, intercept = fitted.coef_, fitted.intercept_
    if len(names) == 2:  # scikit-learn keeps one row for two classes
        coef = numpy.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = numpy.asarray([-intercept[0] / 2, intercept[0] / 2])
    for row, name in enumerate(names):
        W[list(label_set).index(name), used] = coef[row]
        b[list(label_set).index(name)] = intercept[row]
    return Model(tuple(label_set), W, b, dict(info or {}))


def stack(*parts: Any) -> Any:
    from scipy.sparse import vstack

    return vstack(parts, format="csr")


def cue_columns() -> numpy.ndarray:
    """The hashed columns of the rules' named cues, the cold start's verdict, the bias and the
    length: what carries over between articles, unlike the words."""
    from reader.suggest.analysis import FEATURES

    names = [f"F:{n}" for n in FEATURES] + [f"COLD:{label}" for label in ("commitment", "claim", "background")]
    return numpy.asarray(sorted({_h(n) for n in [*names, "BIAS", "SHORT", "LEN"]}))


def adapt(base: Model | None, X: Any, labels: Sequence[str], label_set: Sequence[str],
          corpus: tuple[Any, Sequence[str]] | None = None, how: str = REFIT, info: dict[str, Any] | None = None) -> Model:
    """A model moved by the user's labels (`X`, `labels`) from `base` (the shipped one):

    - `REFIT`: refitted on the corpus `base` was fitted on (`corpus`: its features and labels,
      `load_corpus`) and the user's labels together (`fit`, label-balanced, started from
      `base`), each user label weighing `USER_WEIGHT` corpus sentences; then the named cues
      alone corrected on the user's labels (`shift` over `cue_columns`, label-balanced). Without
      a corpus, only the correction;
    - `SHIFT`: every weight the labels use moved on the labels alone (`shift`, penalty
      1/`SHIFT_C`), as the suggestions followed a user until this release.

    Without a base (a custom label set) this is a plain label-balanced fit of the user's labels."""
    if base is None or tuple(base.labels) != tuple(label_set):
        return fit(X, labels, label_set, info=info)
    if how == SHIFT:
        return shift(base, X, labels, label_set, SHIFT_C, info=info)
    moved = base
    if corpus is not None:
        Xc, yc = corpus
        moved = fit(stack(Xc, X), [*yc, *labels], label_set, weights=[1.0] * Xc.shape[0] + [USER_WEIGHT] * X.shape[0],
                    start=base)
    return shift(moved, X, labels, label_set, CUE_C, columns=cue_columns(), balanced=True, info=info)


def shift(base: Model, X: Any, labels: Sequence[str], label_set: Sequence[str], c: float,
          columns: numpy.ndarray | None = None, balanced: bool = False, info: dict[str, Any] | None = None) -> Model:
    """`base` with its weights (of `columns` only, when given) and bias moved by these labels:
    the change D is fitted on the labels alone (multinomial cross-entropy, each label weighing
    the same with `balanced`, base's scores as fixed offsets) under an L2 penalty of 1/c. SciPy's
    L-BFGS over the columns the labels use: a second or two even at thousands of labels."""
    from scipy.optimize import minimize

    k = len(label_set)
    index = {name: i for i, name in enumerate(label_set)}
    y = numpy.asarray([index[label] for label in labels])
    used = numpy.unique(X.indices)
    if columns is not None:
        used = numpy.intersect1d(used, columns)
    Xu = X[:, used].astype("float64")
    offsets = numpy.asarray(X @ base.weights.astype("float64").T) + base.bias.astype("float64")
    n, m = Xu.shape
    onehot = numpy.zeros((n, k))
    onehot[numpy.arange(n), y] = 1.0
    counts = numpy.bincount(y, minlength=k).astype("float64")
    weight = n / (numpy.count_nonzero(counts) * counts[y]) if balanced else numpy.ones(n)
    penalty = 1.0 / c

    def loss_grad(theta: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        W = theta[: k * m].reshape(k, m)
        Z = offsets + numpy.asarray(Xu @ W.T) + theta[k * m:]
        Z = Z - Z.max(axis=1, keepdims=True)
        lse = numpy.log(numpy.exp(Z).sum(axis=1))
        # the bias moves under the same penalty: a user's labels without one label (no
        # commitment in fifty sentences) must not make that label impossible
        loss = float((weight * (lse - (Z * onehot).sum(axis=1))).sum()) + 0.5 * penalty * float(theta @ theta)
        G = (numpy.exp(Z - lse[:, None]) - onehot) * weight[:, None]
        grad = numpy.concatenate([numpy.asarray(Xu.T @ G).T.ravel(), G.sum(axis=0)]) + penalty * theta
        return loss, grad

    found = minimize(loss_grad, numpy.zeros(k * m + k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    W = base.weights.astype("float64").copy()
    W[:, used] += found.x[: k * m].reshape(k, m)
    return Model(tuple(label_set), W.astype("float32"), (base.bias + found.x[k * m:]).astype("float32"), dict(info or {}))
