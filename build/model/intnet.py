"""The integer octo-mlp network of docs/MODEL.md, in numpy: the reference that export and evaluate share.

An `IntNet` holds exactly the integer tensors the ONNX graph holds, so its logits are the runtime's logits
bit for bit. Everything here is integer arithmetic; floats appear only in `prob_table` (computed once at export
time from the logit scale, then stored as integers) and in the bits-per-byte measurements.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

PAD = 256  # the pad symbol for positions before the start of a chunk
WEIGHT_LIMIT = 63  # weights live in [-63, 63]: no u8 x s8 kernel can saturate a pair-sum
FREQ_TOP = 65535  # probTable[0]; at most 2^16 by contract


def exact_matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """uint8 [N, in] @ int8 [in, out] -> int64, exactly. numpy has no fast integer matmul, so this uses float
    BLAS: every partial sum is an integer of magnitude <= in * 255 * 63, which float32 holds exactly below
    2^24 and float64 below 2^53, whatever order the BLAS adds in."""
    bound = x.shape[1] * 255 * 63
    dtype = np.float32 if bound < (1 << 24) else np.float64
    assert bound < (1 << 53)
    return (x.astype(dtype) @ w.astype(dtype)).astype(np.int64)


@dataclasses.dataclass
class IntNet:
    context: int
    embed: np.ndarray  # uint8 [257, E]
    weights: list[np.ndarray]  # int8 [in, out] per hidden layer
    biases: list[np.ndarray]  # int32 [out]
    shifts: list[int]  # s_l: q = trunc(acc / 2^s_l)
    luts: list[np.ndarray]  # uint8 [T] per hidden layer
    w_out: np.ndarray  # int8 [H_L, 256]
    b_out: np.ndarray  # int32 [256]
    out_shift: int
    logit_scale: float  # nats per logit unit; only used to build prob_table
    prob_table: np.ndarray  # int64 [D], non-increasing, >= 1

    @property
    def embed_width(self) -> int:
        return int(self.embed.shape[1])

    @property
    def hidden(self) -> list[int]:
        return [int(w.shape[1]) for w in self.weights]

    @property
    def lut_size(self) -> int:
        return int(self.luts[0].shape[0])

    def parameter_count(self) -> int:
        n = self.embed.size + self.w_out.size + self.b_out.size
        for w, b, lut in zip(self.weights, self.biases, self.luts):
            n += w.size + b.size + lut.size
        return int(n)

    def validate(self) -> None:
        assert self.embed.dtype == np.uint8 and self.embed.shape[0] == 257
        for w, b, lut in zip(self.weights + [self.w_out], self.biases + [self.b_out], self.luts + [None]):
            assert w.dtype == np.int8 and b.dtype == np.int32
            assert int(np.abs(w.astype(np.int32)).max(initial=0)) <= WEIGHT_LIMIT, "weight outside [-63, 63]"
            assert b.shape == (w.shape[1],)
            if lut is not None:
                assert lut.dtype == np.uint8 and lut.shape == (self.lut_size,)
        assert self.weights[0].shape[0] == self.context * self.embed_width
        pt = self.prob_table
        assert pt[0] <= 65536 and pt.min() >= 1 and np.all(np.diff(pt) <= 0)

    def logits(self, context: np.ndarray) -> np.ndarray:
        """context: int [N, K] bytes oldest first, PAD before a chunk's start -> int64 [N, 256] logits."""
        n = context.shape[0]
        x = self.embed[context].reshape(n, -1)
        half = self.lut_size // 2
        for w, b, s, lut in zip(self.weights, self.biases, self.shifts, self.luts):
            acc = exact_matmul(x, w) + b.astype(np.int64)
            # ONNX Div on int32 truncates toward zero (C semantics); an arithmetic shift would floor instead.
            q = np.sign(acc) * (np.abs(acc) >> s)
            x = lut[np.clip(q + half, 0, self.lut_size - 1)]
        return exact_matmul(x, self.w_out) + self.b_out.astype(np.int64)

    def freqs(self, logits: np.ndarray) -> np.ndarray:
        """The runtime's integer logits -> coder frequencies (docs/MODEL.md), vectorised over rows."""
        d = (logits.max(axis=1, keepdims=True) - logits) >> self.out_shift
        return self.prob_table[np.minimum(d, len(self.prob_table) - 1)]

    def save(self, path: str) -> None:
        arrays = {
            "context": np.int64(self.context),
            "embed": self.embed,
            "w_out": self.w_out,
            "b_out": self.b_out,
            "shifts": np.array(self.shifts, dtype=np.int64),
            "out_shift": np.int64(self.out_shift),
            "logit_scale": np.float64(self.logit_scale),
            "prob_table": self.prob_table,
        }
        for i, (w, b, lut) in enumerate(zip(self.weights, self.biases, self.luts)):
            arrays[f"w{i}"], arrays[f"b{i}"], arrays[f"lut{i}"] = w, b, lut
        np.savez(path, **arrays)

    @staticmethod
    def load(path: str) -> "IntNet":
        z = np.load(path)
        layers = int(z["shifts"].shape[0])
        net = IntNet(
            context=int(z["context"]),
            embed=z["embed"],
            weights=[z[f"w{i}"] for i in range(layers)],
            biases=[z[f"b{i}"] for i in range(layers)],
            shifts=[int(s) for s in z["shifts"]],
            luts=[z[f"lut{i}"] for i in range(layers)],
            w_out=z["w_out"],
            b_out=z["b_out"],
            out_shift=int(z["out_shift"]),
            logit_scale=float(z["logit_scale"]),
            prob_table=z["prob_table"].astype(np.int64),
        )
        net.validate()
        return net


def make_prob_table(logit_scale: float, out_shift: int) -> np.ndarray:
    """probTable[d] = max(1, round(65535 * exp(-d * 2^outShift * logitScale))), cut where it reaches 1."""
    step = (1 << out_shift) * logit_scale
    length = int(math.ceil(math.log(2 * FREQ_TOP) / step)) + 1
    table = [max(1, int(round(FREQ_TOP * math.exp(-d * step)))) for d in range(length)]
    while len(table) > 1 and table[-2] == 1:
        table.pop()
    return np.array(table, dtype=np.int64)


def contexts_of(data: np.ndarray, k: int) -> np.ndarray:
    """All K-byte contexts of a chunk (row t predicts data[t]); rows near the start hold PAD."""
    padded = np.concatenate([np.full(k, PAD, dtype=np.int64), data.astype(np.int64)])
    idx = np.arange(len(data))[:, None] + np.arange(k)[None, :]
    return padded[idx]


def chunk_bits(net: IntNet, data: np.ndarray, rows: int = 8192) -> tuple[float, float]:
    """Bits to code one chunk (bytes uint8) with the exact integer net: (freq-table path, float softmax)."""
    freq_bits = 0.0
    soft_bits = 0.0
    padded = np.concatenate([np.full(net.context, PAD, dtype=np.int64), data.astype(np.int64)])
    for start in range(0, len(data), rows):
        sym = data[start : start + rows].astype(np.int64)
        rows_idx = np.arange(len(sym))
        ctx = padded[start + rows_idx[:, None] + np.arange(net.context)[None, :]]
        lg = net.logits(ctx)
        f = net.freqs(lg).astype(np.float64)
        freq_bits += float(-np.log2(f[rows_idx, sym] / f.sum(axis=1)).sum())
        z = lg.astype(np.float64) * net.logit_scale
        z -= z.max(axis=1, keepdims=True)
        logp = z[rows_idx, sym] - np.log(np.exp(z).sum(axis=1))
        soft_bits += float(-logp.sum() / math.log(2))
    return freq_bits, soft_bits
