"""The sentence encoder's output layer, which `reader train` moves on the user's labels.

The encoder (`reader.suggest.encoder`) reads a sentence into a vector of 384 numbers and its
output layer turns the vector into probabilities of the three labels. The encoder itself is
fixed (fine-tuning it needs PyTorch and minutes per epoch); its output layer is a small linear
model, which a user's labels move as they move the linear suggester (`learned.shift`: the
change fitted on the labels alone, under an L2 penalty). Each stored sentence keeps its vector
(`encoded.vector`), so a moved head re-scores a library without running the encoder again.

`reader.mix` says when it moves and how far; the README's "Suggestions that learn" gives what
it was measured to gain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy

from reader.suggest.learned import ModelError

FILE = "encoder-head.npz"  # a moved head, in a trained model's folder
WIDTH = 384  # the numbers of a sentence's vector (all-MiniLM-L6-v2's), stored in 768 bytes


@dataclass(frozen=True)
class Head:
    """A linear layer over the encoder's vectors: `weights` is labels x dimensions."""

    labels: tuple[str, ...]
    weights: numpy.ndarray
    bias: numpy.ndarray

    def probabilities(self, vector: numpy.ndarray) -> dict[str, float]:
        z = self.weights @ vector.astype("float32") + self.bias
        z = numpy.exp(z - z.max())
        return {label: float(v) for label, v in zip(self.labels, z / z.sum(), strict=True)}

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            numpy.savez(handle, weights=self.weights.astype("float32"), bias=self.bias.astype("float32"),
                        labels=numpy.asarray(self.labels))


def load(path: Path, labels: Sequence[str] | None = None, sha256: str | None = None) -> Head:
    """A head from its file (its labels from the file, or `labels`); ModelError (one line) when
    it is missing, damaged, or not the file `sha256` says."""
    try:
        data = path.read_bytes()
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            raise ModelError(f"{path}: the sentence encoder's head is damaged (checksum)")
        import io

        with numpy.load(io.BytesIO(data), allow_pickle=False) as found:
            weights, bias = found["weights"].astype("float32"), found["bias"].astype("float32")
            names = tuple(str(x) for x in found["labels"]) if "labels" in found else tuple(labels or ())
        if weights.ndim != 2 or weights.shape[0] != len(names) or bias.shape != (len(names),) \
                or not (numpy.isfinite(weights).all() and numpy.isfinite(bias).all()):
            raise ModelError(f"{path}: the sentence encoder's head is damaged")
        return Head(names, weights, bias)
    except ModelError:
        raise
    except (OSError, ValueError, KeyError, EOFError) as exc:
        raise ModelError(f"{path}: the sentence encoder's head cannot be read ({type(exc).__name__})") from None


def moved(base: Head, vectors: numpy.ndarray, labels: Sequence[str], c: float) -> Head:
    """`base` moved by these labelled vectors (`learned.shift`, label-balanced, penalty 1/c)."""
    from scipy.sparse import csr_matrix

    from reader.suggest import learned

    start = learned.Model(base.labels, base.weights, base.bias, {})
    found = learned.shift(start, csr_matrix(vectors.astype("float64")), list(labels), list(base.labels), c, balanced=True)
    return Head(base.labels, found.weights, found.bias)


def to_blob(vector: numpy.ndarray) -> bytes:
    """A vector as stored (`encoded.vector`): float16, little-endian; 768 bytes."""
    return vector.astype("<f2").tobytes()


def from_blob(blob: bytes) -> numpy.ndarray:
    return numpy.frombuffer(blob, dtype="<f2").astype("float32")
