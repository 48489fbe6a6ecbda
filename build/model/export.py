"""Export an integer octo-mlp (an .npz written by train.py, or --random-init) to ONNX + manifest, per docs/MODEL.md.

    /usr/bin/python3 build/model/export.py --npz build/model/work/final.npz --meta build/model/work/meta.json \
        --out resources
    /usr/bin/python3 build/model/export.py --random-init --out resources

Also writes reference vectors (random contexts and the numpy reference's logits) to build/model/work/
so check_onnx.mjs can prove onnxruntime-node computes the same integers.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intnet import PAD, IntNet, make_prob_table  # noqa: E402

OPSET = 17


def build_graph(net: IntNet) -> onnx.ModelProto:
    net.validate()
    k, e = net.context, net.embed_width
    t = net.lut_size
    inits = [
        numpy_helper.from_array(net.embed, "embed"),
        numpy_helper.from_array(np.array([-1, k * e], dtype=np.int64), "x0_shape"),
        numpy_helper.from_array(np.array(0, dtype=np.uint8), "zero_u8"),
        numpy_helper.from_array(np.array(0, dtype=np.int8), "zero_s8"),
        numpy_helper.from_array(np.array(t // 2, dtype=np.int32), "half_lut"),
        numpy_helper.from_array(np.array(0, dtype=np.int32), "idx_min"),
        numpy_helper.from_array(np.array(t - 1, dtype=np.int32), "idx_max"),
    ]
    nodes = [
        helper.make_node("Gather", ["embed", "context"], ["x0_3d"], axis=0),
        helper.make_node("Reshape", ["x0_3d", "x0_shape"], ["x0"]),
    ]
    x = "x0"
    for i, (w, b, s, lut) in enumerate(zip(net.weights, net.biases, net.shifts, net.luts)):
        l = i + 1
        inits += [
            numpy_helper.from_array(w, f"W_{l}"),
            numpy_helper.from_array(b, f"b_{l}"),
            numpy_helper.from_array(np.array(1 << s, dtype=np.int32), f"div_{l}"),
            numpy_helper.from_array(lut, f"lut_{l}"),
        ]
        nodes += [
            helper.make_node("MatMulInteger", [x, f"W_{l}", "zero_u8", "zero_s8"], [f"mm_{l}"]),
            helper.make_node("Add", [f"mm_{l}", f"b_{l}"], [f"acc_{l}"]),
            helper.make_node("Div", [f"acc_{l}", f"div_{l}"], [f"q_{l}"]),
            helper.make_node("Add", [f"q_{l}", "half_lut"], [f"qh_{l}"]),
            helper.make_node("Clip", [f"qh_{l}", "idx_min", "idx_max"], [f"idx_{l}"]),
            helper.make_node("Gather", [f"lut_{l}", f"idx_{l}"], [f"x_{l}"], axis=0),
        ]
        x = f"x_{l}"
    inits += [numpy_helper.from_array(net.w_out, "W_out"), numpy_helper.from_array(net.b_out, "b_out")]
    nodes += [
        helper.make_node("MatMulInteger", [x, "W_out", "zero_u8", "zero_s8"], ["mm_out"]),
        helper.make_node("Add", ["mm_out", "b_out"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "octo-mlp",
        [helper.make_tensor_value_info("context", TensorProto.INT64, ["N", k])],
        [helper.make_tensor_value_info("logits", TensorProto.INT32, ["N", 256])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="octozip-build")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def gelu_lut(t: int, z_per_bin: float, act_scale: float) -> np.ndarray:
    """The LUT train.py uses: u = clamp(round((gelu(z) + GELU_MIN_OFFSET) / act_scale), 0, 255)."""
    from math import erf, sqrt

    q = np.arange(t) - t // 2
    # Truncating division puts acc in (-(2^s), 2^s) at q = 0 and [q, q+1)*2^s at q > 0: take each bin's middle.
    z = np.where(q > 0, q + 0.5, np.where(q < 0, q - 0.5, 0.0)) * z_per_bin
    g = np.array([v * 0.5 * (1 + erf(v / sqrt(2))) for v in z])
    return np.clip(np.round((g + 0.17) / act_scale), 0, 255).astype(np.uint8)


def random_net(seed: int, k: int, e: int, hidden: list[int], t: int) -> IntNet:
    """A random but well-scaled net, so downstream code sees realistic logit spreads before training ends."""
    rng = np.random.default_rng(seed)
    act_scale = 1 / 48
    embed = rng.integers(0, 256, size=(257, e), dtype=np.int64).astype(np.uint8)
    weights, biases, shifts, luts = [], [], [], []
    fan_in = k * e
    for h in hidden:
        w = np.clip(np.round(rng.normal(0, 20, size=(fan_in, h))), -63, 63).astype(np.int8)
        acc_sd = 20 * 128 * np.sqrt(fan_in)  # inputs average ~128
        s = int(np.ceil(np.log2(acc_sd / (t // 8))))
        b = (-w.astype(np.int64).sum(axis=0) * 128).astype(np.int32)  # centre the pre-activations
        weights.append(w), biases.append(b), shifts.append(s)
        luts.append(gelu_lut(t, 3.0 / (t // 8), act_scale))
        fan_in = h
    w_out = np.clip(np.round(rng.normal(0, 20, size=(fan_in, 256))), -63, 63).astype(np.int8)
    b_out = np.zeros(256, dtype=np.int32)
    logit_scale = 2.0 / (20 * 64 * np.sqrt(fan_in))
    out_shift = 6
    return IntNet(k, embed, weights, biases, shifts, luts, w_out, b_out, out_shift, float(logit_scale),
                  make_prob_table(float(logit_scale), out_shift))


def write_reference_vectors(net: IntNet, path: str, rows: int = 512, seed: int = 7) -> None:
    """Random contexts (some rows PAD-prefixed as at a chunk start) and the reference logits, as little-endian raw."""
    rng = np.random.default_rng(seed)
    ctx = rng.integers(0, 256, size=(rows, net.context), dtype=np.int64)
    for r in range(0, rows, 8):  # every eighth row starts a chunk r % K bytes ago
        ctx[r, : (r // 8) % (net.context + 1)] = PAD
    ctx[1] = PAD
    ctx[2] = 255
    ctx[3] = 0
    logits = net.logits(ctx)
    assert logits.min() >= -(2**31) and logits.max() < 2**31
    with open(path, "wb") as f:
        f.write(np.array([rows, net.context], dtype="<i4").tobytes())
        f.write(ctx.astype("<i8").tobytes())
        f.write(logits.astype("<i4").tobytes())


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--npz", help="integer net written by train.py")
    ap.add_argument("--random-init", action="store_true", help="export a random net (named octo-mlp-random)")
    ap.add_argument("--meta", help="JSON with name, training and evaluation fields for the manifest")
    ap.add_argument("--out", default="resources", help="directory for model.onnx and model.json")
    ap.add_argument("--context", type=int, default=16)
    ap.add_argument("--embed", type=int, default=16)
    ap.add_argument("--hidden", default="512", help="comma-separated hidden widths (random init only)")
    ap.add_argument("--lut-size", type=int, default=2048)
    ap.add_argument("--vectors", default="build/model/work/reference_vectors.bin")
    args = ap.parse_args()

    if args.random_init:
        net = random_net(1, args.context, args.embed, [int(h) for h in args.hidden.split(",")], args.lut_size)
        meta = {
            "name": "octo-mlp-random",
            "training": {"tokens": 0, "seconds": 0, "sources": [],
                         "excluded": "untrained random weights: no data was used"},
            "evaluation": {"heldOutBitsPerByte": {}},
        }
    else:
        net = IntNet.load(args.npz)
        with open(args.meta) as f:
            meta = json.load(f)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    model = build_graph(net)
    # Atomic: a reader never sees a half-written model next to a manifest naming its hash.
    tmp = onnx_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(tmp, onnx_path)

    manifest = {
        "name": meta["name"],
        "file": "model.onnx",
        "sha256": sha256_of(onnx_path),
        "architecture": {
            "type": "octo-mlp",
            "context": net.context,
            "embed": net.embed_width,
            "hidden": net.hidden,
            "lutSize": net.lut_size,
            "shifts": net.shifts,
            "outShift": net.out_shift,
        },
        "probTable": [int(v) for v in net.prob_table],
        "parameters": net.parameter_count(),
        "training": meta["training"],
        "evaluation": meta["evaluation"],
    }
    for key in meta:
        if key not in manifest:
            manifest[key] = meta[key]
    json_path = os.path.join(args.out, "model.json")
    text = json.dumps(manifest, indent=2)
    # One line for the table, so the manifest stays readable.
    text = text.replace(json.dumps(manifest["probTable"], indent=2).replace("\n", "\n  "),
                        json.dumps(manifest["probTable"]))
    with open(json_path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.replace(json_path + ".tmp", json_path)

    os.makedirs(os.path.dirname(args.vectors) or ".", exist_ok=True)
    write_reference_vectors(net, args.vectors)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes, sha256 {manifest['sha256'][:16]}...), "
          f"{json_path}, {args.vectors}; parameters {manifest['parameters']}")


if __name__ == "__main__":
    main()
