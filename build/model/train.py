"""Quantization-aware training of the octo-mlp of docs/MODEL.md; writes the integer net as an .npz.

    /usr/bin/python3 build/model/train.py --run build/model/checkpoints/main --seconds 4200 \
        --context 16 --embed 16 --hidden 512
    (same command again resumes from <run>/checkpoint.pt; --export-only writes <run>/final.npz from it)

The forward pass IS the integer network, computed in float32 on integer-valued tensors (every sum stays
below 2^24, so float32 holds it exactly): uint8 embeddings, weights rounded to [-63, 63] with a per-layer
scale, int32 biases, truncating division by 2^s, and the same lookup table the export writes. Gradients pass
the roundings straight through (STE). So the loss printed here is the exported model's loss up to the final
softmax, and evaluate.py measures the exact integer model with numpy.

Batches sample the groups of check_overlap.py by weight (prose is scarce and the benchmark is mostly prose,
so it is weighted up). One thread: the machine is shared and more threads were measured slower anyway.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from intnet import PAD, WEIGHT_LIMIT, IntNet, contexts_of, make_prob_table  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACT_SCALE = 1 / 48  # real value of one uint8 activation step: activations span [0, 5.3]
GELU_OFFSET = 0.17  # -min(gelu): shifts gelu to be non-negative so uint8 with zero point 0 holds it
Z_MAX = 255 * ACT_SCALE  # the LUT spans pre-activations in [-Z_MAX, Z_MAX]; beyond it the output saturates
BIAS_LIMIT = 1 << 22  # keeps every accumulator (and its float32 emulation) exact: < 2^24
GROUP_WEIGHTS = {"prose": 0.35, "dict": 0.12, "docs": 0.25, "code": 0.18, "data": 0.10}


def ste_round(x: torch.Tensor) -> torch.Tensor:
    return x + (torch.round(x) - x).detach()


class OctoMlp(torch.nn.Module):
    def __init__(self, context: int, embed: int, hidden: list[int], lut_size: int):
        super().__init__()
        self.context, self.lut_size = context, lut_size
        self.embed = torch.nn.Parameter(torch.rand(257, embed) * 2.0)
        sizes = [context * embed] + hidden
        self.weights = torch.nn.ParameterList(
            [torch.nn.Parameter(torch.randn(i, o) / math.sqrt(i) / 1.5) for i, o in zip(sizes[:-1], sizes[1:])])
        self.biases = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(o)) for o in hidden])
        self.w_out = torch.nn.Parameter(torch.randn(hidden[-1], 256) / math.sqrt(hidden[-1]) / 1.5)
        self.b_out = torch.nn.Parameter(torch.zeros(256))

    def embed_int(self) -> torch.Tensor:
        return torch.clamp(ste_round(self.embed / ACT_SCALE), 0, 255)

    @staticmethod
    def weight_scale(w: torch.Tensor) -> torch.Tensor:
        return w.detach().abs().max().clamp_min(1e-8) / WEIGHT_LIMIT

    def shift_for(self, w_scale: float) -> int:
        """Smallest s whose T/2 bins of width 2^s (in accumulator units) cover [-Z_MAX, Z_MAX]."""
        unit = ACT_SCALE * w_scale  # real value of one accumulator unit
        return max(0, math.ceil(math.log2(Z_MAX / (self.lut_size // 2 * unit))))

    def lut(self, shift: int, w_scale: float) -> torch.Tensor:
        q = torch.arange(self.lut_size, dtype=torch.float64) - self.lut_size // 2
        # Truncating division: bin q > 0 holds [q, q+1) * 2^s, bin q < 0 holds (q-1, q] * 2^s, bin 0 both sides.
        mid = torch.where(q > 0, q + 0.5, torch.where(q < 0, q - 0.5, torch.zeros_like(q)))
        z = mid * (2.0 ** shift) * ACT_SCALE * w_scale
        return torch.clamp(torch.round((F.gelu(z) + GELU_OFFSET) / ACT_SCALE), 0, 255).float()

    def layer(self, u: torch.Tensor, w: torch.Tensor, b: torch.Tensor):
        sw = self.weight_scale(w)
        wq = torch.clamp(ste_round(w / sw), -WEIGHT_LIMIT, WEIGHT_LIMIT)
        bq = torch.clamp(ste_round(b / (ACT_SCALE * sw)), -BIAS_LIMIT, BIAS_LIMIT)
        return u @ wq + bq, sw

    def forward(self, ctx: torch.Tensor) -> torch.Tensor:
        """ctx int64 [N, K] -> real-valued logits [N, 256] (integer logits times the logit scale)."""
        u = self.embed_int()[ctx].reshape(ctx.shape[0], -1)
        for w, b in zip(self.weights, self.biases):
            acc, sw = self.layer(u, w, b)
            s = self.shift_for(float(sw))
            q = torch.trunc(acc.detach() / (2.0 ** s))
            idx = torch.clamp(q + self.lut_size // 2, 0, self.lut_size - 1).long()
            exact = self.lut(s, float(sw))[idx]
            soft = torch.clamp((F.gelu(acc * (ACT_SCALE * sw)) + GELU_OFFSET) / ACT_SCALE, 0, 255)
            u = soft + (exact - soft).detach()
        logits, sw = self.layer(u, self.w_out, self.b_out)
        return logits * (ACT_SCALE * sw)

    def to_intnet(self, out_shift: int) -> IntNet:
        with torch.no_grad():
            weights, biases, shifts, luts = [], [], [], []
            for w, b in zip(self.weights, self.biases):
                sw = self.weight_scale(w)
                weights.append(torch.clamp(torch.round(w / sw), -WEIGHT_LIMIT, WEIGHT_LIMIT).numpy().astype(np.int8))
                biases.append(torch.clamp(torch.round(b / (ACT_SCALE * sw)), -BIAS_LIMIT, BIAS_LIMIT).numpy().astype(np.int32))
                s = self.shift_for(float(sw))
                shifts.append(s)
                luts.append(self.lut(s, float(sw)).numpy().astype(np.uint8))
            sw = self.weight_scale(self.w_out)
            w_out = torch.clamp(torch.round(self.w_out / sw), -WEIGHT_LIMIT, WEIGHT_LIMIT).numpy().astype(np.int8)
            b_out = torch.clamp(torch.round(self.b_out / (ACT_SCALE * sw)), -BIAS_LIMIT, BIAS_LIMIT).numpy().astype(np.int32)
            logit_scale = float(ACT_SCALE * sw)
            embed = self.embed_int().numpy().astype(np.uint8)
        net = IntNet(self.context, embed, weights, biases, shifts, luts, w_out, b_out, out_shift, logit_scale,
                     make_prob_table(logit_scale, out_shift))
        net.validate()
        return net


class Sampler:
    """Random positions from the training streams, groups drawn by weight; PAD before each file's start."""

    def __init__(self, data_dir: str, context: int, seed: int):
        self.k = context
        self.rng = np.random.default_rng(seed)
        self.streams, self.starts, names = [], [], []
        for group in GROUP_WEIGHTS:
            path = os.path.join(data_dir, f"train_{group}.bin")
            if os.path.exists(path):
                self.streams.append(np.fromfile(path, dtype=np.uint8))
                self.starts.append(np.load(os.path.join(data_dir, f"train_{group}_starts.npy")))
                names.append(group)
        w = np.array([GROUP_WEIGHTS[g] for g in names])
        self.names, self.weights = names, w / w.sum()
        self.bytes = {g: int(len(s)) for g, s in zip(names, self.streams)}

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        counts = self.rng.multinomial(n, self.weights)
        ctxs, targets = [], []
        offs = np.arange(-self.k, 0)
        for stream, starts, c in zip(self.streams, self.starts, counts):
            if c == 0:
                continue
            pos = self.rng.integers(0, len(stream), size=c)
            file_start = starts[np.maximum(np.searchsorted(starts, pos, side="right") - 1, 0)]
            idx = pos[:, None] + offs[None, :]
            ctx = stream[np.maximum(idx, 0)].astype(np.int64)
            ctx[idx < file_start[:, None]] = PAD
            ctxs.append(ctx)
            targets.append(stream[pos].astype(np.int64))
        return torch.from_numpy(np.concatenate(ctxs)), torch.from_numpy(np.concatenate(targets))


def heldout_bpb(model: OctoMlp, data_dir: str, limit: int = 1 << 18) -> dict[str, float]:
    """Quick bpb of the QAT model on the start of each held-out set (evaluate.py measures the exact net)."""
    out = {}
    with torch.no_grad():
        for name in ("docs", "code", "prose"):
            path = os.path.join(data_dir, f"heldout_{name}.bin")
            if not os.path.exists(path):
                continue
            data = np.fromfile(path, dtype=np.uint8)[:limit]
            ctx = torch.from_numpy(contexts_of(data, model.context))
            y = torch.from_numpy(data.astype(np.int64))
            nll = sum(F.cross_entropy(model(ctx[i : i + 8192]), y[i : i + 8192], reduction="sum").item()
                      for i in range(0, len(data), 8192))
            out[name] = nll / len(data) / math.log(2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="directory for checkpoint.pt, log.jsonl, final.npz")
    ap.add_argument("--data", default=os.path.join(REPO, "build/model/work/data"))
    ap.add_argument("--seconds", type=float, default=3600, help="training time budget (the LR schedule spans it)")
    ap.add_argument("--context", type=int, default=16)
    ap.add_argument("--embed", type=int, default=16)
    ap.add_argument("--hidden", default="512")
    ap.add_argument("--lut-size", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--checkpoint-every", type=float, default=180)
    ap.add_argument("--eval-every", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--export-only", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.run, exist_ok=True)
    hidden = [int(h) for h in args.hidden.split(",")]
    model = OctoMlp(args.context, args.embed, hidden, args.lut_size)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    ckpt_path = os.path.join(args.run, "checkpoint.pt")
    state = {"step": 0, "seconds": 0.0, "tokens": 0}
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        state = ckpt["state"]
        print(f"resumed at step {state['step']}, {state['seconds']:.0f} s, {state['tokens']} tokens", flush=True)
    sampler = Sampler(args.data, args.context, args.seed * 1000 + state["step"])
    config = {"context": args.context, "embed": args.embed, "hidden": hidden, "lutSize": args.lut_size,
              "batch": args.batch, "lr": args.lr, "seconds": args.seconds, "groupWeights": GROUP_WEIGHTS,
              "trainBytes": sampler.bytes}
    with open(os.path.join(args.run, "config.json"), "w") as f:
        json.dump(config, f, indent=1)

    def save() -> None:
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": config}, tmp)
        os.replace(tmp, ckpt_path)

    log = open(os.path.join(args.run, "log.jsonl"), "a")
    last_ckpt = last_eval = last_print = time.time()
    window_loss, window_n = 0.0, 0
    while not args.export_only and state["seconds"] < args.seconds:
        t0 = time.time()
        frac = state["seconds"] / args.seconds
        warm = min(1.0, state["step"] / 500)
        lr = args.lr * warm * (0.03 + 0.97 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        ctx, y = sampler.batch(args.batch)
        loss = F.cross_entropy(model(ctx), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        state["step"] += 1
        state["tokens"] += len(y)
        state["seconds"] += time.time() - t0
        window_loss += loss.item()
        window_n += 1
        now = time.time()
        if now - last_print > 60:
            rec = {"step": state["step"], "seconds": round(state["seconds"]), "tokens": state["tokens"],
                   "lr": lr, "train_bpb": window_loss / window_n / math.log(2)}
            if now - last_eval > args.eval_every:
                rec["heldout_bpb"] = heldout_bpb(model, args.data)
                last_eval = time.time()
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            window_loss, window_n, last_print = 0.0, 0, time.time()
        if now - last_ckpt > args.checkpoint_every:
            save()
            last_ckpt = time.time()
    if not args.export_only:
        save()
    final = {"step": state["step"], "seconds": round(state["seconds"]), "tokens": state["tokens"],
             "heldout_bpb": heldout_bpb(model, args.data)}
    print(json.dumps(final), flush=True)
    log.write(json.dumps({"final": final}) + "\n")
    net = model.to_intnet(out_shift=4)  # provisional: evaluate.py measures and picks outShift
    net.save(os.path.join(args.run, "final.npz"))
    with open(os.path.join(args.run, "final.json"), "w") as f:
        json.dump({**final, "config": config}, f, indent=1)
    print(f"wrote {os.path.join(args.run, 'final.npz')}", flush=True)


if __name__ == "__main__":
    main()
