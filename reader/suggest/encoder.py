"""The sentence encoder that refines the suggestions: all-MiniLM-L6-v2 (a six-layer
sentence-transformers encoder, Apache-2.0) fine-tuned on the repository's corpus to tell
commitment, claim and background, shipped as an int8 ONNX file with its WordPiece tokenizer
(`encoder/`, built by `make encoder`) and run by ONNX Runtime on the CPU.

The linear model (`learned`) decides at import, cheaply, from the parse; the encoder reads
the sentence's words in context of each other, which is what carries to sources the corpus
lacks. Its probabilities are mixed with the linear model's (`Suggestion.refined`: a weighted
mean of log-probabilities, the encoder's share `weight` in `encoder.json`, a half), measured
on kinds of source neither was trained on (`benchmarks.encoder_mix`): Wikinews reports 0.780 ->
0.808 macro-F1, statements 0.771 -> 0.823. A model trained on the user's labels gets the share
its held-out labels prefer (`reader.mix`).

It costs what spaCy's parse costs when spaCy reads sentences one by one, and 2.6 times what it
costs reading paragraphs as import does (`make bench`, refine), so it never runs at import or in
the reader's process: a background job (`reader.refine`) scores the stored sentences once and
re-mixes their suggestions; `reader export --suggestions` and `reader refresh` finish what
it has not done. onnxruntime and tokenizers are imported here only.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

from reader.suggest.head import WIDTH, Head, from_blob, load as load_head, to_blob
from reader.suggest.learned import ModelError

ENCODER = Path(__file__).resolve().parent / "encoder"
FORMAT = 1


@dataclass
class Encoder:
    """A loaded encoder: `probabilities` of its labels for a list of sentences."""

    id: str
    labels: tuple[str, ...]
    weight: float
    session: Any
    tokenizer: Any
    head: Head  # its output layer, which `reader train` moves on the user's labels

    def encode(self, texts: list[str]) -> list[tuple[dict[str, float], numpy.ndarray]]:
        """For each text, in order: the encoder's probabilities over `labels` and the sentence's
        vector (what `head` reads; rounded as stored, `head.to_blob`). One sentence per run: the
        int8 model scales its activations over the whole batch, so a batch would make a
        sentence's scores depend on its neighbours; alone, they are the same every time (and no
        slower on a CPU: nothing is padded)."""
        out = []
        for text in texts:
            encoded = self.tokenizer.encode(" ".join(text.split()))
            ids = numpy.asarray([encoded.ids], dtype="int64")
            mask = numpy.asarray([encoded.attention_mask], dtype="int64")
            logits, vector = (o[0] for o in self.session.run(None, {"input_ids": ids, "attention_mask": mask})[:2])
            z = numpy.exp(logits - logits.max())
            out.append(({label: float(v) for label, v in zip(self.labels, z / z.sum())}, from_blob(to_blob(vector))))
        return out

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        """The encoder's probabilities over `labels` for each text, in order (`encode`)."""
        return [p for p, _ in self.encode(texts)]

def load(folder: str | Path = ENCODER, threads: int = 1) -> Encoder:
    """Read an encoder folder; ModelError (one line) when it is missing or damaged."""
    folder = Path(folder)
    try:
        info = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        if not isinstance(info, dict) or info.get("format") != FORMAT:
            raise ModelError(f"{folder}: a sentence encoder of another format")
        model = (folder / "model.onnx").read_bytes()
        if hashlib.sha256(model).hexdigest() != info.get("sha256"):
            raise ModelError(f"{folder}: the sentence encoder's weights are damaged (checksum)")
        # ONNX Runtime's own builds record usage events for Microsoft from the moment it is
        # imported (a device id and an event store under ~/.cache/Microsoft): reader runs
        # offline and writes nothing the user did not ask for, so that is turned off first.
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its warnings would reach the user's terminal
        session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(int(info["max_tokens"]))
        labels = tuple(str(x) for x in info["labels"])
        weight = float(info["weight"])
        if not labels or not 0.0 <= weight <= 1.0 or len(session.get_outputs()) < 2:
            raise ModelError(f"{folder}: the sentence encoder's description is damaged")
        head = load_head(folder / "head.npz", labels, info.get("head_sha256"))
        width = session.get_outputs()[1].shape[-1]  # a number, or a name where the graph leaves it open
        if head.weights.shape[1] != (width if isinstance(width, int) else WIDTH):
            raise ModelError(f"{folder}: the sentence encoder's head does not fit its vectors")
        return Encoder(str(info["id"]), labels, weight, session, tokenizer, head)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - OS, JSON, ONNX Runtime and tokenizer errors all mean "damaged"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelError(f"{folder}: the sentence encoder cannot be read ({reason[:200]})") from None


def shipped_id() -> str | None:
    """The shipped encoder's id, read from its description alone (None when unreadable): what a
    command checks before it pays for loading the model."""
    try:
        info = json.loads((ENCODER / "encoder.json").read_text(encoding="utf-8"))
        return str(info["id"]) if isinstance(info, dict) and "id" in info else None
    except (OSError, ValueError):
        return None


_shipped: Encoder | None = None


def shipped() -> Encoder:
    """The encoder that ships in the package (loaded once per process)."""
    global _shipped
    if _shipped is None:
        _shipped = load(ENCODER)
    return _shipped
