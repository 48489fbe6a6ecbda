"""Write the text the context-mixing prior learns from: build/model/work/data/prior_text.bin.

    /usr/bin/python3 build/model/prior_text.py [--work build/model/work]

It is the prose training stream (train_prose.bin, already filtered against the benchmark corpus by
check_overlap.py) in a measured order: the King James Bible first, then the other pieces (manuals rendered as
text, fortunes) in reverse order, so the fortunes' short modern English comes last. The prior's adaptive
counters remember recent text best; measured with the prior built each way (bits per byte, cm codec as of
2026-11-28, before the column context):

    order                           alice29  asyoulik  plrabn12  lcet10
    stream order (KJV, ..., manuals) 1.856    2.102     2.073    1.621
    without the KJV, stream order    1.850    2.132     2.096    1.602
    KJV first, the rest reversed     1.802    2.037     2.043    1.603   <- this

Then run check_overlap.py --verify-only --only prior_text.bin and build/prior/build-prior.ts (see its README).
"""
import argparse
import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(REPO, "build/model/work"))
    args = ap.parse_args()
    data_dir = os.path.join(args.work, "data")
    stream = open(os.path.join(data_dir, "train_prose.bin"), "rb").read()
    # starts lists where each piece after the first begins (the first, the KJV, starts at 0).
    starts = [0] + [int(s) for s in np.load(os.path.join(data_dir, "train_prose_starts.npy"))] + [len(stream)]
    pieces = [stream[starts[i] : starts[i + 1]] for i in range(len(starts) - 1)]
    text = pieces[0] + b"".join(reversed(pieces[1:]))
    assert len(text) == len(stream)
    with open(os.path.join(data_dir, "prior_text.bin"), "wb") as out:
        out.write(text)
    print(f"prior_text.bin: {len(text)} bytes, {len(pieces)} pieces")


if __name__ == "__main__":
    main()
