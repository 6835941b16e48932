"""Give a built sentence encoder its second output and its head, which `reader train` moves on
the user's labels (`reader.suggest.head`):

    python tools/encoder_head.py reader/suggest/encoder    # in the build's venv (needs onnx)

- `model.onnx` gets the pooled sentence vector (the mean of the last layer over the tokens,
  what the output layer reads) as a second output, beside the logits; the logits are unchanged;
- `head.npz` holds that output layer's weights and bias as the int8 file computes them
  (dequantised), so a head moved by the user's labels starts from the shipped one exactly;
- `encoder.json` gets both files' checksums.

`tools/encoder_build.py` runs it on every build; run alone, it finishes an encoder built before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy
import onnx
from onnx import TensorProto, helper, numpy_helper

# the pooled vector and the output layer's parts, as torch.onnx names them for the build's
# Classifier (mean pooling, then `out`), and quantize_dynamic after it
POOLED = "/Div_output_0"
WEIGHT, SCALE, ZERO, BIAS = "out.weight_Transposed_quantized", "out.weight_Transposed_scale", "out.weight_Transposed_zero_point", "out.bias"


def finish(folder: Path) -> None:
    path = folder / "model.onnx"
    model = onnx.load(str(path))
    graph = model.graph
    if [o.name for o in graph.output] == ["logits"]:
        graph.output.append(helper.make_tensor_value_info(POOLED, TensorProto.FLOAT, None))
        onnx.save(model, str(path))
    parts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    weights = (parts[WEIGHT].astype("float32") - parts[ZERO].astype("float32")) * parts[SCALE].astype("float32")
    with (folder / "head.npz").open("wb") as handle:
        numpy.savez(handle, weights=weights.T.astype("float32"), bias=parts[BIAS].astype("float32"))
    info = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    info["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    info["head_sha256"] = hashlib.sha256((folder / "head.npz").read_bytes()).hexdigest()
    info["outputs"] = "logits; the pooled sentence vector (384), which head.npz (the output layer, dequantised) reads"
    (folder / "encoder.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    finish(parser.parse_args(argv).folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
