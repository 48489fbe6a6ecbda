"""Assemble the raw training corpus from text already on this machine (Debian packages, npm packages).

    /usr/bin/python3 build/model/assemble_corpus.py [--work build/model/work]

Writes <work>/raw/docs.bin (documents back to back) and <work>/raw/docs.jsonl (one line per document:
source, group, offset, length, whether it starts a file, whether it was converted to CRLF). Nothing here
looks at the benchmark corpus; check_overlap.py filters these documents against it before anything trains.

Groups: prose (the KJV, fortunes, essays, manuals rendered as plain text), dict (dictionaries: GCIDE, WordNet,
FOLDOC, Jargon File, Devil's Dictionary, V.E.R.A.), docs (manuals, READMEs, changelogs, man pages as raw
roff, HTML, reStructuredText, POD, info), code (Python, C headers, JavaScript/TypeScript, Perl), data (CSV,
JSON, XML/SVG, logs, config files). Large files are cut into pieces at line ends so the overlap check can
drop one piece (a fortune quoting Shakespeare) without losing the whole file.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys

MAX_FILE_BYTES = 2 << 20  # longer files are truncated: a few huge files must not dominate a group
PIECE_BYTES = 16 << 10  # documents are cut into pieces of about this size for the overlap check
CRLF_FRACTION = 0.15  # CRLF unseen in training costs 0.4-0.6 bpb on CRLF files (measured)

# Byte budgets per group, before the overlap filter. Training samples groups by weight, not by size.
BUDGETS = {"prose": 400 << 20, "dict": 400 << 20, "docs": 160 << 20, "code": 160 << 20, "data": 40 << 20}

# What the manifest lists as training sources (all reachable on this machine; none from the benchmark corpus).
SOURCE_DESCRIPTIONS = [
    "Debian bible-kjv-text: the King James Bible (plain text via `bible`)",
    "Debian dictd dictionaries: dict-gcide, dict-wn (WordNet), dict-foldoc, dict-jargon, dict-devil, dict-vera",
    "Debian fortunes, fortune-anarchism, fortunes-bofh-excuses, fortunes-debian-hints",
    "Debian manuals rendered to plain text: debian-handbook (en-US), debian-reference-en, developers-reference, "
    "debian-history",
    "/usr/share/doc of installed Debian packages: READMEs, changelogs, copyright, HTML, Markdown, reST "
    "(incl. python3-doc, linux-doc, debian-policy, debian-faq, maint-guide, gnu-standards)",
    "man pages as raw roff (/usr/share/man, English), GNU info manuals, Perl POD (perl-doc)",
    "source code: Python 3.11 stdlib and dist-packages, C headers (/usr/include), Perl modules, "
    "JavaScript/TypeScript/CSS/Markdown from the repository's npm node_modules",
    "data: CSV/TSV files on this machine, XML/SVG from /usr/share, JSON from node_modules, /var/log logs, "
    "/etc config files",
    "15% of text files converted to CRLF line ends",
]

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def is_text(data: bytes) -> bool:
    head = data[:8192]
    if not head or b"\0" in head:
        return False
    bad = sum(1 for b in head if b < 9 or (13 < b < 32 and b != 27))
    return bad < len(head) // 100 + 1


def read_maybe_gz(path: str) -> bytes | None:
    try:
        if path.endswith(".gz") or path.endswith(".dz"):
            with gzip.open(path, "rb") as f:
                return f.read(MAX_FILE_BYTES if not path.endswith(".dz") else 64 << 20)
        with open(path, "rb") as f:
            return f.read(MAX_FILE_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None


def walk(root: str, pattern: str, exclude: str | None = None) -> list[str]:
    rx = re.compile(pattern)
    ex = re.compile(exclude) if exclude else None
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not rx.search(path) or (ex and ex.search(path)):
                continue
            out.append(path)
    return out


def bible_text() -> bytes:
    """The KJV from bible-kjv via its own reader, as plain paragraphs (one chapter each), without references."""
    try:
        raw = subprocess.run(["bible", "-f", "Ge1:1-Re22:21"], capture_output=True, check=True, timeout=600).stdout
    except (OSError, subprocess.SubprocessError):
        return b""
    chapters: list[list[str]] = []
    last = None
    for line in raw.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(\S+?)(\d+):(\d+) (.*)$", line)
        if m:
            key = (m.group(1), m.group(2))
            if key != last:
                chapters.append([])
                last = key
            chapters[-1].append(m.group(4))
        elif chapters and line.strip():
            chapters[-1][-1] += " " + line.strip()
    return "\n\n".join(" ".join(ch) for ch in chapters).encode() + b"\n"


def wrap(text: bytes, width: int = 72) -> bytes:
    import textwrap

    paras = text.decode("utf-8", "replace").split("\n\n")
    return "\n\n".join(textwrap.fill(p, width) for p in paras).encode()


def html_text(path: str) -> bytes | None:
    """Readable text of an HTML manual page: what a user's saved article or exported notes look like."""
    import html

    data = read_maybe_gz(path)
    if not data:
        return None
    text = data.decode("utf-8", "replace")
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", text)
    text = re.sub(r"(?i)<(p|div|h\d|li|pre|tr|br|dt|dd|table)\b[^>]*>", "\n\n", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return wrap("\n\n".join(p for p in paras if p).encode())


def sources() -> dict[str, list[tuple[str, callable]]]:
    """group -> [(source name, loader returning bytes or None)], in a fixed order."""
    def file_loader(path):
        return lambda: read_maybe_gz(path)

    groups: dict[str, list] = {"prose": [], "dict": [], "docs": [], "code": [], "data": []}
    groups["prose"].append(("bible-kjv-text (KJV, via `bible`)", lambda: wrap(bible_text())))
    for name in ["gcide", "devil", "foldoc", "jargon", "wn", "vera"]:
        path = f"/usr/share/dictd/{name}.dict.dz"
        if os.path.exists(path):
            groups["dict"].append((path, file_loader(path)))
    for path in walk("/usr/share/games/fortunes", r"/[a-z-]+$", r"\.(dat|u8)$"):
        groups["prose"].append((path, file_loader(path)))

    manuals = walk("/usr/share/doc/debian-handbook/html/en-US", r"\.html$")
    manuals += walk("/usr/share/doc/debian-reference-en", r"\.en\.html$")
    manuals += walk("/usr/share/doc/developers-reference", r"\.html$")
    manuals += walk("/usr/share/doc/debian-history", r"\.html$")
    for path in manuals:
        groups["prose"].append((path + " (as text)", (lambda p: lambda: html_text(p))(path)))

    docs = []
    docs += walk("/usr/share/doc", r"\.(txt|md|rst|html?|gz|README|NEWS)$|/(README|NEWS|AUTHORS|TODO|FAQ|copyright)[^/]*$",
                 r"(\.(png|svg|jpg|gif|js|css|xpm)(\.gz)?$|/debian-handbook/html/(?!en-US)|/linux-doc[^/]*/html/)")
    docs += walk("/usr/share/man", r"\.\d\w*(\.gz)?$", r"/man/[a-z][a-z](_[A-Z][A-Z])?(\.[^/]*)?/")
    docs += walk("/usr/share/info", r"\.info(-\d+)?(\.gz)?$")
    docs += walk("/usr/share/perl", r"\.pod$")
    groups["docs"] = [(p, file_loader(p)) for p in docs]

    code = []
    code += walk("/usr/lib/python3.11", r"\.py$", r"/(test|tests|idlelib|lib2to3)/")
    code += walk("/usr/lib/python3/dist-packages", r"\.py$", r"/(tests?)/")
    code += walk("/usr/include", r"\.(h|hpp)$")
    code += walk("/usr/share/perl", r"\.pm$")
    code += walk(os.path.join(REPO, "node_modules"), r"\.(js|mjs|cjs|ts|svelte|css|md)$", r"\.min\.|\.map$|/dist/.*\.d\.ts$")
    groups["code"] = [(p, file_loader(p)) for p in code]

    data = []
    for root in ["/usr", "/opt", "/root/.pyenv", "/var/lib"]:
        data += walk(root, r"\.(csv|tsv)$")
    data += walk("/usr/share", r"\.(xml|svg)$", r"/(doc/linux-doc|debian-handbook)")
    data += walk(os.path.join(REPO, "node_modules"), r"\.json$")
    data += walk("/var/log", r"\.log(\.\d+)?(\.gz)?$|/(syslog|messages)$")
    data += walk("/etc", r"\.(conf|cfg|ini|json|yaml|yml|xml)$")
    data += walk("/usr/share/doc/linux-doc/Documentation", r"\.svg(\.gz)?$")
    groups["data"] = [(p, file_loader(p)) for p in data]
    return groups


def pieces(data: bytes) -> list[bytes]:
    """Cut at line ends into pieces of about PIECE_BYTES (a fortune file splits at its % separators)."""
    out = []
    start = 0
    while start < len(data):
        end = min(len(data), start + PIECE_BYTES)
        if end < len(data):
            nl = data.rfind(b"\n", start + PIECE_BYTES // 2, end)
            end = nl + 1 if nl >= 0 else end
        out.append(data[start:end])
        start = end
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(REPO, "build/model/work"))
    ap.add_argument("--seed", type=int, default=20261128)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out_dir = os.path.join(args.work, "raw")
    os.makedirs(out_dir, exist_ok=True)
    seen: set[bytes] = set()
    stats: dict[str, list[int]] = {}
    with open(os.path.join(out_dir, "docs.bin.tmp"), "wb") as fbin, open(os.path.join(out_dir, "docs.jsonl.tmp"), "w") as fidx:
        offset = 0
        for group, items in sources().items():
            items = list(items)
            if group not in ("prose", "dict"):  # prose is scarce: take all of it; elsewhere sample within the budget
                rng.shuffle(items)
            used = 0
            files = 0
            for source, load in items:
                if used >= BUDGETS[group]:
                    break
                data = load()
                if not data or len(data) < 64 or not is_text(data):
                    continue
                digest = hashlib.sha1(data).digest()
                if digest in seen:  # identical copyright files, duplicated headers...
                    continue
                seen.add(digest)
                crlf = b"\r\n" not in data and rng.random() < CRLF_FRACTION
                if crlf:
                    data = data.replace(b"\n", b"\r\n")
                for i, piece in enumerate(pieces(data)):
                    fbin.write(piece)
                    fidx.write(json.dumps({"source": source, "group": group, "offset": offset, "length": len(piece),
                                           "first": i == 0, "crlf": crlf}) + "\n")
                    offset += len(piece)
                used += len(data)
                files += 1
            stats[group] = [files, used]
            print(f"{group}: {files} files, {used / 1e6:.1f} MB", flush=True)
    os.replace(os.path.join(out_dir, "docs.bin.tmp"), os.path.join(out_dir, "docs.bin"))
    os.replace(os.path.join(out_dir, "docs.jsonl.tmp"), os.path.join(out_dir, "docs.jsonl"))
    with open(os.path.join(out_dir, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
