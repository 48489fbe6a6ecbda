#!/usr/bin/env bash
# The whole model pipeline, one stage per line: assemble -> overlap filter -> train -> evaluate -> export -> check.
#   build/model/run.sh [training seconds]      (from the repository root; resumes training if interrupted)
# Needs Debian's python3 with torch, onnx and numpy (/usr/bin/python3), node with the repo's node_modules,
# and the Debian packages listed in build/model/README.md. One CPU thread throughout.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
SECONDS_BUDGET="${1:-2900}"
RUN=build/model/checkpoints/main
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

$PY build/model/assemble_corpus.py
$PY build/model/check_overlap.py            # exits non-zero if anything overlaps the benchmark corpus
$PY build/model/train.py --run "$RUN" --seconds "$SECONDS_BUDGET" --context 16 --embed 16 --hidden 512 --batch 512
$PY build/model/evaluate.py --run "$RUN" --benchmark ../shared/corpus
$PY build/model/check_overlap.py --verify-only   # again, right before the model ships
$PY build/model/export.py --npz "$RUN/model.npz" --meta "$RUN/meta.json" --out resources
node build/model/check_onnx.mjs resources/model.onnx build/model/work/reference_vectors.bin
