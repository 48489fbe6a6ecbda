"""Measure the EXACT integer model (numpy reference, the runtime's arithmetic) and pick outShift.

    /usr/bin/python3 build/model/evaluate.py --run build/model/checkpoints/main [--benchmark ../shared/corpus]

Reads <run>/final.npz (from train.py). For every held-out set (docs, code, prose) it measures bits per byte
two ways: the coder's path of docs/MODEL.md (integer logits -> max-subtract -> >> outShift -> probTable,
bits = -log2(freq / sum freq)) and the float softmax of the same integer logits. It keeps the largest outShift
(the shortest table) whose frequency path costs less than --max-loss bpb over the softmax, writes
<run>/model.npz with it, and <run>/meta.json with the manifest's name, training and evaluation fields.

--benchmark also reports the model alone (no context mixing, 1 MiB chunks each starting from PAD) on the
benchmark corpus files, labelled as such: measuring on them is allowed, training on them is not.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from assemble_corpus import SOURCE_DESCRIPTIONS  # noqa: E402
from check_overlap import EXCLUSION_METHOD  # noqa: E402
from intnet import PAD, IntNet, make_prob_table  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_SHIFTS = range(2, 9)
CHUNK_BYTES = 1 << 20  # the balanced preset's chunk size: each chunk's first contexts hold PAD


def set_bits(net: IntNet, data: np.ndarray, starts: np.ndarray, tables: dict[int, np.ndarray],
             rows: int = 16384) -> tuple[dict[int, float], float]:
    """Bits for one stream whose chunks begin at `starts`: per outShift (frequency path) and for the softmax."""
    k = net.context
    bounds = list(starts) + [len(data)]
    freq_bits = {s: 0.0 for s in tables}
    soft_bits = 0.0
    for c0, c1 in zip(bounds[:-1], bounds[1:]):
        chunk = data[c0:c1].astype(np.int64)
        padded = np.concatenate([np.full(k, PAD, dtype=np.int64), chunk])
        for r0 in range(0, len(chunk), rows):
            sym = chunk[r0 : r0 + rows]
            i = np.arange(len(sym))
            ctx = padded[r0 + i[:, None] + np.arange(k)[None, :]]
            logits = net.logits(ctx)
            d = logits.max(axis=1, keepdims=True) - logits
            for s, table in tables.items():
                f = table[np.minimum(d >> s, len(table) - 1)].astype(np.float64)
                freq_bits[s] += float(-np.log2(f[i, sym] / f.sum(axis=1)).sum())
            z = -d.astype(np.float64) * net.logit_scale
            soft_bits += float(-(z[i, sym] - np.log(np.exp(z).sum(axis=1))).sum() / math.log(2))
    return freq_bits, soft_bits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", default=os.path.join(REPO, "build/model/work/data"))
    ap.add_argument("--benchmark", help="benchmark corpus directory: also report the model alone on its files")
    ap.add_argument("--max-loss", type=float, default=0.005, help="bpb the frequency table may lose to softmax")
    ap.add_argument("--name", default="octo-mlp-v1")
    args = ap.parse_args()
    net = IntNet.load(os.path.join(args.run, "final.npz"))
    tables = {s: make_prob_table(net.logit_scale, s) for s in OUT_SHIFTS}

    sets = {}
    for name in ("docs", "code", "prose"):
        data = np.fromfile(os.path.join(args.data, f"heldout_{name}.bin"), dtype=np.uint8)
        # Each held-out document is its own chunk (pieces of one file stay together), cut at 1 MiB like the codec.
        starts = np.load(os.path.join(args.data, f"heldout_{name}_starts.npy"))
        cuts = sorted(set(int(x) for x in starts) | set(range(0, len(data), CHUNK_BYTES)))
        freq, soft = set_bits(net, data, np.array(cuts), tables)
        sets[name] = {"bytes": int(len(data)), "freq": {s: b / len(data) for s, b in freq.items()},
                      "softmax": soft / len(data)}
        print(f"{name}: {len(data)} bytes, softmax {soft / len(data):.4f} bpb, "
              + ", ".join(f"outShift {s}: {b / len(data):.4f}" for s, b in freq.items()), flush=True)

    def loss(s: int) -> float:
        return max(v["freq"][s] - v["softmax"] for v in sets.values())

    ok = [s for s in OUT_SHIFTS if loss(s) < args.max_loss]
    out_shift = max(ok) if ok else min(OUT_SHIFTS, key=loss)
    net.out_shift = out_shift
    net.prob_table = tables[out_shift]
    net.validate()
    net.save(os.path.join(args.run, "model.npz"))
    print(f"outShift {out_shift}: table of {len(net.prob_table)} entries, worst held-out loss vs softmax "
          f"{loss(out_shift):.4f} bpb", flush=True)

    evaluation = {
        "method": "exact integer model (numpy reference = ORT logits), coder frequency path of docs/MODEL.md; "
                  "each held-out document coded as its own chunk(s) of at most 1 MiB starting from PAD",
        "heldOutBitsPerByte": {n: round(v["freq"][out_shift], 4) for n, v in sets.items()},
        "heldOutBytes": {n: v["bytes"] for n, v in sets.items()},
        "softmaxBitsPerByte": {n: round(v["softmax"], 4) for n, v in sets.items()},
        "freqTableLossBitsPerByte": round(loss(out_shift), 4),
    }
    if args.benchmark:
        bench = {}
        total_bits = total_bytes = 0.0
        root = os.path.join(args.benchmark, "canterbury")
        for name in sorted(os.listdir(root)):
            data = np.fromfile(os.path.join(root, name), dtype=np.uint8)
            freq, _ = set_bits(net, data, np.arange(0, len(data), CHUNK_BYTES), {out_shift: net.prob_table})
            bench[name] = round(freq[out_shift] / len(data), 4)
            total_bits += freq[out_shift]
            total_bytes += len(data)
            print(f"benchmark {name}: {bench[name]:.4f} bpb (model alone)", flush=True)
        bench["whole corpus"] = round(total_bits / total_bytes, 4)
        evaluation["benchmarkModelAloneBitsPerByte"] = {
            "note": "measured only; never trained on. The model alone, no context mixing, 1 MiB chunks.", **bench}

    train = json.load(open(os.path.join(args.run, "final.json")))
    summary = json.load(open(os.path.join(args.data, "summary.json")))
    meta = {
        "name": args.name,
        "training": {
            "tokens": train["tokens"],
            "seconds": train["seconds"],
            "steps": train["step"],
            "sources": SOURCE_DESCRIPTIONS,
            "trainBytes": train["config"]["trainBytes"],
            "groupWeights": train["config"]["groupWeights"],
            "excluded": EXCLUSION_METHOD,
            "droppedBytes": summary["droppedBytes"],
        },
        "evaluation": evaluation,
    }
    with open(os.path.join(args.run, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(evaluation, indent=1))


if __name__ == "__main__":
    main()
