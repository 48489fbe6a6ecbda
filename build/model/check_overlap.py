"""Keep the benchmark corpus out of training, split train / held-out, and fail if any overlap survives.

    /usr/bin/python3 build/model/check_overlap.py [--work build/model/work] [--corpus ../shared/corpus]
    /usr/bin/python3 build/model/check_overlap.py --verify-only   # just the final check on what exists
    /usr/bin/python3 build/model/check_overlap.py --verify-only --only prior_text.bin   # one stream
    python3 build/model/check_overlap.py --files build/packs/work/code.txt build/packs/work/markup.txt \
        --tree ../shared/corpus/trees/curl.tar.xz   # any files, against the corpus and product trees

--tree adds a product tree (a folder or a .tar.xz, unpacked to a temporary folder) to the fingerprints: the
code and markup priors (build/packs) must not learn the curl tree, which measures the product.

Reads <work>/raw/docs.{bin,jsonl} from assemble_corpus.py. A document (a piece of at most ~16 KB of one
source file) is dropped when it
  - names a benchmark work or file (Alice's Adventures in Wonderland, As You Like It, Paradise Lost, the
    Canterbury corpus, alice29.txt ...), or
  - shares a normalized 10-word shingle (lower case, runs of [a-z0-9]) with any benchmark file, or
  - shares a 64-byte substring (line ends normalized to LF) with any benchmark file; windows that are
    mostly runs (zero fill in the fax image, rows of dashes) are not fingerprints and are ignored.
Every drop is logged to <work>/data/dropped.tsv. Then the written training and held-out files are read back
and checked again as whole streams; any surviving match exits non-zero, so nothing trains on them.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHINGLE_WORDS = 10
WINDOW_BYTES = 64
MIN_WINDOW_CHANGES = 32  # a fingerprint window must change byte at least this often (not a run or fill)
TITLES = re.compile(
    rb"alice'?s adventures|adventures in wonderland|alice in wonderland|as you like it|paradise lost|"
    rb"canterbury corpus|alice29|asyoulik|plrabn12|lcet10|kennedy\.xls|grammar\.lsp|\bptt5\b",
    re.IGNORECASE,
)
EXCLUSION_METHOD = (
    "check_overlap.py: every training and held-out document (a <=16 KB piece of a source file) naming a "
    "benchmark work or file, or sharing a normalized 10-word shingle or an informative 64-byte substring with "
    "any file of the benchmark corpus (Canterbury: alice29, asyoulik, plrabn12, lcet10, cp.html, fields.c, "
    "grammar.lsp, xargs.1, kennedy.xls, ptt5, sum) was dropped; then the written streams were re-checked whole "
    "and the pipeline fails on any match"
)
BOUNDARY_BYTES = 2048  # bytes each side of a seam between pieces that the seam check looks at
HELD_OUT_BYTES = 1 << 20  # per held-out set: enough for a stable bpb, small enough to evaluate in seconds
HELD_OUT_SETS = ("docs", "code", "prose")

FILTER_MASK = np.uint64((1 << 24) - 1)
B = np.uint64(0x100000001B3)
B_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))


def window_hashes(values: np.ndarray, w: int) -> np.ndarray:
    """Polynomial hashes (mod 2^64) of every length-w window of values, vectorized: sum v[j] * B^(i+w-1-j)."""
    n = len(values)
    if n < w:
        return np.zeros(0, dtype=np.uint64)
    v = values.astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        pow_b = np.cumprod(np.full(n, B, dtype=np.uint64)) * B_INV  # B^i
        pow_inv = np.cumprod(np.full(n, B_INV, dtype=np.uint64)) * B  # B^-i
        prefix = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(v * pow_inv, dtype=np.uint64)])
        return (prefix[w:] - prefix[:-w]) * pow_b[w - 1 :]


def byte_windows(data: bytes, chunk: int = 4 << 20) -> np.ndarray:
    out = []
    for start in range(0, max(1, len(data) - WINDOW_BYTES + 1), chunk):
        part = np.frombuffer(data[start : start + chunk + WINDOW_BYTES - 1], dtype=np.uint8)
        out.append(window_hashes(part, WINDOW_BYTES))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.uint64)


def informative(data: bytes) -> np.ndarray:
    """Mask of windows that change byte at least MIN_WINDOW_CHANGES times."""
    a = np.frombuffer(data, dtype=np.uint8)
    changes = np.concatenate([[0], np.cumsum(a[1:] != a[:-1])])
    return (changes[WINDOW_BYTES - 1 :] - changes[: len(a) - WINDOW_BYTES + 1]) >= MIN_WINDOW_CHANGES


P = np.uint64(1000003)
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[ord("A") : ord("Z") + 1] += 32
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[ord("0") : ord("9") + 1] = True


def shingles(data: bytes) -> np.ndarray:
    """Hashes of every 10-word window, words being runs of [a-z0-9] after lower-casing; numpy throughout
    (a Python loop over words took ~20 minutes for this corpus)."""
    a = _LOWER[np.frombuffer(data, dtype=np.uint8)]
    m = _WORD_BYTE[a]
    if not m.any():
        return np.zeros(0, dtype=np.uint64)
    pos = np.arange(len(a))
    starts = m & ~np.concatenate([[False], m[:-1]])
    word_start = np.maximum.accumulate(np.where(starts, pos, 0))
    rel = (pos - word_start)[m]
    chars = a[m].astype(np.uint64) + np.uint64(1)
    with np.errstate(over="ignore"):
        pow_p = np.cumprod(np.full(int(rel.max()) + 1, P, dtype=np.uint64))
        contrib = chars * pow_p[rel]
        first = np.flatnonzero(rel == 0)
        words = np.add.reduceat(contrib, first)
    return window_hashes(words, SHINGLE_WORDS)


def normalize(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n")


@contextlib.contextmanager
def tree_dirs(trees: list[str]):
    """The given product trees as folders: a .tar.xz is unpacked into a temporary folder for the duration."""
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for i, tree in enumerate(trees):
            if os.path.isdir(tree):
                dirs.append(tree)
                continue
            out = os.path.join(tmp, str(i))
            os.makedirs(out)
            subprocess.run(["tar", "-xJf", tree, "-C", out], check=True)
            dirs.append(out)
        yield dirs


class Fingerprints:
    def __init__(self, corpus_dir: str, *tree_dirs: str):
        self.files = []
        shingle_sets, window_sets = [], []
        for dirpath, _, names in itertools.chain.from_iterable(os.walk(d) for d in (corpus_dir, *tree_dirs)):
            for name in sorted(names):
                path = os.path.join(dirpath, name)
                if name.endswith((".sha256", ".md")) and dirpath == corpus_dir:
                    continue  # the corpus's own README and checksums are not benchmark works
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                data = normalize(open(path, "rb").read())
                self.files.append(path)
                shingle_sets.append(shingles(data))
                w = byte_windows(data)
                window_sets.append(w[informative(data)])
        self.shingles = np.unique(np.concatenate(shingle_sets))
        self.windows = np.unique(np.concatenate(window_sets))

    @staticmethod
    def _hits(sorted_set: np.ndarray, values: np.ndarray) -> np.ndarray:
        hit = np.zeros(len(values), dtype=bool)
        if len(values) == 0:
            return hit
        # A one-byte-per-slot filter on the low 24 bits answers most queries with one memory access; only
        # its few positives pay for a binary search (which alone took 20 minutes over this corpus).
        cand = np.flatnonzero(Fingerprints._filter(sorted_set)[values & FILTER_MASK])
        if len(cand):
            v = values[cand]
            idx = np.minimum(np.searchsorted(sorted_set, v), len(sorted_set) - 1)
            hit[cand] = sorted_set[idx] == v
        return hit

    _filters: dict[int, np.ndarray] = {}

    @staticmethod
    def _filter(sorted_set: np.ndarray) -> np.ndarray:
        key = id(sorted_set)
        if key not in Fingerprints._filters:
            f = np.zeros(int(FILTER_MASK) + 1, dtype=bool)
            f[sorted_set & FILTER_MASK] = True
            Fingerprints._filters[key] = f
        return Fingerprints._filters[key]

    def reason(self, data: bytes) -> str | None:
        data = normalize(data)
        m = TITLES.search(data)
        if m:
            return f"names a benchmark work: {m.group(0).decode('latin-1')!r}"
        w = byte_windows(data)
        hit = np.flatnonzero(self._hits(self.windows, w))
        if len(hit):
            return f"64-byte overlap: {data[hit[0]:hit[0] + WINDOW_BYTES][:48].decode('latin-1')!r}"
        s = shingles(data)
        hit = np.flatnonzero(self._hits(self.shingles, s))
        if len(hit):
            return f"10-word shingle overlap ({len(hit)} shingles)"
        return None


def split_of(doc: dict, taken: dict[str, int]) -> str:
    """Held-out by source file for docs and code; by piece for prose (a handful of sources make it up)."""
    group = doc["group"]
    if group not in HELD_OUT_SETS or taken[group] >= HELD_OUT_BYTES:
        return "train"
    key = doc["source"] if group != "prose" else f"{doc['source']}@{doc['offset']}"
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "little") % 1000
    return "heldout" if bucket < (20 if group == "prose" else 8) else "train"


def verify(fp: Fingerprints, data_dir: str, only: list[str] | None = None) -> int:
    """Read every written stream (or just `only`) back whole and re-check it; the number of files that still overlap."""
    names = [n for n in sorted(os.listdir(data_dir)) if n.endswith(".bin") and (not only or n in only)]
    return verify_files(fp, [os.path.join(data_dir, n) for n in names])


def verify_files(fp: Fingerprints, paths: list[str]) -> int:
    bad = 0
    for path in paths:
        name = os.path.basename(path)
        data = open(path, "rb").read()
        found = []
        for start in range(0, len(data), 8 << 20):  # pieces overlap by a window so no match is cut
            r = fp.reason(data[start : start + (8 << 20) + 4096])
            if r:
                found.append(r)
        if found:
            bad += 1
            print(f"FAIL {name}: {found[0]}", file=sys.stderr)
        else:
            print(f"clean {name}: {len(data)} bytes")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(REPO, "build/model/work"))
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(REPO), "shared/corpus"))
    ap.add_argument("--verify-only", action="store_true")
    ap.add_argument("--only", action="append", help="with --verify-only: check just this file of <work>/data (repeatable)")
    ap.add_argument("--reuse-drops", help="a dropped.tsv from an earlier run over the SAME work/raw: take its "
                    "per-piece verdicts instead of recomputing them (seams and the final check still run)")
    ap.add_argument("--tree", action="append", default=[], help="a product tree to keep out too (folder or .tar.xz)")
    ap.add_argument("--files", nargs="+", help="just check these files whole, against --corpus and every --tree")
    args = ap.parse_args()
    with tree_dirs(args.tree) as dirs:
        fp = Fingerprints(args.corpus, *dirs)
    print(f"benchmark fingerprints: {len(fp.files)} files, {len(fp.shingles)} shingles, {len(fp.windows)} windows")
    if args.files:
        return 1 if verify_files(fp, args.files) else 0
    data_dir = os.path.join(args.work, "data")
    if args.verify_only:
        return 1 if verify(fp, data_dir, args.only) else 0

    os.makedirs(data_dir, exist_ok=True)
    raw = open(os.path.join(args.work, "raw/docs.bin"), "rb").read()
    docs = [json.loads(line) for line in open(os.path.join(args.work, "raw/docs.jsonl"))]
    streams: dict[str, bytearray] = collections.defaultdict(bytearray)
    starts: dict[str, list[int]] = collections.defaultdict(list)
    taken = collections.Counter()
    dropped = collections.Counter()
    kept = collections.Counter()
    heldout_sources: set[str] = set()
    previous = None
    if args.reuse_drops:
        previous = {}
        for line in open(args.reuse_drops).read().splitlines()[1:]:
            source, offset, _, reason = line.split("\t")
            if not reason.startswith("across a piece boundary"):
                previous[(source, int(offset))] = reason
    with open(os.path.join(data_dir, "dropped.tsv"), "w") as log:
        log.write("source\toffset\tlength\treason\n")
        for doc in docs:
            piece = raw[doc["offset"] : doc["offset"] + doc["length"]]
            key = (doc["source"], doc["offset"])
            why = previous.get(key) if previous is not None else fp.reason(piece)
            group = doc["group"]
            split = "heldout" if doc["source"] in heldout_sources and group != "prose" else split_of(doc, taken)
            name = f"heldout_{group}" if split == "heldout" else f"train_{group}"
            if not why and streams[name]:
                # Pieces are checked alone, so a quotation cut by a piece boundary (or joined by dropping the
                # piece between) is only visible across the seam: check the seam as it will be written.
                seam = bytes(streams[name][-BOUNDARY_BYTES:]) + piece[:BOUNDARY_BYTES]
                seam_why = fp.reason(seam)
                if seam_why:
                    why = f"across a piece boundary: {seam_why}"
            if why:
                dropped[doc["group"]] += len(piece)
                log.write(f"{doc['source']}\t{doc['offset']}\t{len(piece)}\t{why}\n")
                continue
            if split == "heldout":
                heldout_sources.add(doc["source"])
                taken[group] += len(piece)
            # A held-out prose piece is its own chunk; otherwise pad only where a file starts.
            if doc["first"] or split == "heldout" and group == "prose":
                starts[name].append(len(streams[name]))
            streams[name] += piece
            kept[name] += len(piece)
    for name, stream in streams.items():
        with open(os.path.join(data_dir, name + ".bin"), "wb") as f:
            f.write(stream)
        np.save(os.path.join(data_dir, name + "_starts.npy"), np.array(starts[name], dtype=np.int64))
    summary = {"kept": dict(kept), "droppedBytes": dict(dropped),
               "benchmarkFiles": [os.path.relpath(p, args.corpus) for p in fp.files]}
    with open(os.path.join(data_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary, indent=1))
    bad = verify(fp, data_dir)
    if bad:
        print(f"FAIL: {bad} written files still overlap the benchmark corpus", file=sys.stderr)
        return 1
    print("OK: no training or held-out file overlaps the benchmark corpus")
    return 0


if __name__ == "__main__":
    sys.exit(main())
