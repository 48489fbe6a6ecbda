"""Assemble the training texts of the code and markup priors, and the held-out texts they are measured on.

    python3 build/packs/assemble.py [--work build/packs/work] [--record-licences]

Every package named in build/packs/packages.json is fetched at its pinned version (`npm pack NAME@VERSION`,
`apt-get download NAME=VERSION`; cached in <work>/dl), unpacked, and its files matching each rule's globs
become candidates for that rule's text. A file is dropped when it
  - is not text (a NUL byte, or more than 1% control bytes) or looks minified (mean line over 200 bytes),
  - is under 200 bytes (man-page `.so` links, stubs) or over 200 KB (one file must not be a whole budget),
  - names curl, sqlite or redis in its path or its content: their trees measure the product,
  - repeats a file already taken (SHA-256 of its bytes, CRLF as LF), or
  - overlaps the benchmark (build/model/check_overlap.py: Canterbury and the curl tree, 64-byte windows and
    10-word shingles).
Each rule takes candidates in a fixed hashed order until its `cap`. The text is ordered as the archiver orders a
solid block, by extension then name, so similar files sit together. Outputs in <work>:
  code.txt, markup.txt         the training texts (then: build/prior/build-prior.ts --prior code --text ...)
  heldout/<kind>.bin           held-out text per kind (c, js, python, perl, markdown, html, json, man, xml)
  report.json                  bytes taken per package and rule, and every drop with its reason
Licences are read from each package (npm: package.json; Debian: usr/share/doc/NAME/copyright); the run fails
if one differs from what packages.json records (--record-licences writes them).
"""
from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "build/model"))
from check_overlap import Fingerprints, tree_dirs  # noqa: E402

MIN_FILE_BYTES = 200
MAX_FILE_BYTES = 200_000
MAX_MEAN_LINE = 200
DEFAULT_CAP = 10**9


def glob_regex(glob: str) -> re.Pattern[str]:
    """A path glob where `**/` spans folders and `*` stays inside one."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        elif glob[i] == "[":
            j = glob.index("]", i)
            out, i = out + glob[i : j + 1], j + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def fetch(pkg: dict, dl: str) -> str:
    """The package unpacked under dl; fetched once."""
    key = f"{pkg['source']}-{pkg['name'].replace('/', '+')}-{pkg['version'].replace(':', '_')}"
    root = os.path.join(dl, key)
    if os.path.isdir(root):
        return root
    tmp = root + ".tmp"
    subprocess.run(["rm", "-rf", tmp], check=True)
    os.makedirs(tmp)
    if pkg["source"] == "npm":
        name = subprocess.run(["npm", "pack", "--silent", f"{pkg['name']}@{pkg['version']}"], cwd=tmp, check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(os.path.join(tmp, name)) as tar:
            # The "data" filter refuses links and paths out of the folder; Pythons before 3.11.4 lack it.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(os.path.join(tmp, "x"), **safe)
        top = os.listdir(os.path.join(tmp, "x"))  # npm tarballs hold one folder (usually `package/`)
        os.rename(os.path.join(tmp, "x", top[0]), os.path.join(tmp, "root"))
    else:
        subprocess.run(["apt-get", "download", "-q", f"{pkg['name']}={pkg['version']}"], cwd=tmp, check=True,
                       capture_output=True)
        deb = next(f for f in os.listdir(tmp) if f.endswith(".deb"))
        subprocess.run(["dpkg-deb", "-x", deb, "root"], cwd=tmp, check=True)
    os.rename(os.path.join(tmp, "root"), root + ".root")
    subprocess.run(["rm", "-rf", tmp], check=True)
    os.rename(root + ".root", root)
    return root


def read_licence(pkg: dict, root: str) -> str:
    if pkg["source"] == "npm":
        meta = json.load(open(os.path.join(root, "package.json")))
        lic = meta.get("license") or meta.get("licenses")
        if isinstance(lic, dict):
            lic = lic.get("type")
        if isinstance(lic, list):
            lic = " OR ".join(x.get("type", "?") if isinstance(x, dict) else str(x) for x in lic)
        return str(lic)
    doc = os.path.join(root, "usr/share/doc", pkg["name"])
    path = os.path.join(doc, "copyright")
    if os.path.islink(doc) and not os.path.exists(path):
        return f"see Debian package {os.readlink(doc)}'s copyright (this .deb links its doc folder there)"
    if not os.path.exists(path):
        return "unknown (no copyright file in the package)"
    text = open(path, encoding="utf-8", errors="replace").read()
    if text.startswith("Format:"):  # machine-readable (DEP-5): its License: fields name the licences
        seen = list(dict.fromkeys(m.group(1).strip() for m in re.finditer(r"^License:\s*(\S.*)$", text, re.MULTILINE)))
        return ", ".join(seen[:6]) + (f" (+{len(seen) - 6} more)" if len(seen) > 6 else "")
    found = [name for name in ("GPL", "LGPL", "BSD", "MIT", "Artistic", "Apache", "public domain", "PSF", "Python Software Foundation")
             if name.lower() in text.lower()]
    return f"free-form copyright file naming: {', '.join(found)}" if found else "free-form copyright file"


def load(path: str) -> bytes | None:
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except OSError:
            return None
    return data.replace(b"\r\n", b"\n")


def text_problem(data: bytes, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    if len(data) < MIN_FILE_BYTES:
        return "too small"
    if len(data) > max_bytes:
        return "too large"
    if b"\0" in data:
        return "binary (NUL)"
    control = sum(data.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13, 27)) + data.count(b"\x7f")
    if control * 100 > len(data):
        return "binary (control bytes)"
    if len(data) / (data.count(b"\n") + 1) > MAX_MEAN_LINE:
        return "minified (long lines)"
    return None


def sort_key(rel: str) -> tuple[str, str, str]:
    """Extension then name, as the archiver orders a solid block (a man page's section counts as its extension)."""
    name = os.path.basename(rel[:-3] if rel.endswith(".gz") else rel)
    ext = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    return (ext, name.lower(), rel)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(HERE, "work"))
    ap.add_argument("--packages", default=os.path.join(HERE, "packages.json"))
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(REPO), "shared/corpus/canterbury"))
    ap.add_argument("--tree", action="append", default=None,
                    help="a product tree (folder or .tar.xz) to keep out; default: the curl tree of the shared corpus")
    ap.add_argument("--record-licences", action="store_true")
    args = ap.parse_args()
    trees = args.tree or [os.path.join(os.path.dirname(REPO), "shared/corpus/trees/curl.tar.xz")]
    manifest = json.load(open(args.packages))
    name_exclude = re.compile(manifest["exclude"], re.IGNORECASE)
    # names and text naming curl (curl_easy, libcurl; not 'curly'), sqlite or redis (not 'redistribute')
    exclude = re.compile(manifest["exclude"].encode(), re.IGNORECASE)
    dl = os.path.join(args.work, "dl")
    os.makedirs(dl, exist_ok=True)
    with tree_dirs(trees) as dirs:
        fp = Fingerprints(args.corpus, *dirs)
    print(f"benchmark fingerprints: {len(fp.files)} files, {len(fp.shingles)} shingles, {len(fp.windows)} windows")

    seen_hashes: set[str] = set()
    taken: dict[str, list[tuple[tuple[str, str, str], bytes]]] = collections.defaultdict(list)
    report: dict = {"packages": [], "drops": collections.Counter(), "dropped": []}
    licence_errors = []
    for pkg in manifest["packages"]:
        if name_exclude.search(pkg["name"]):
            print(f"FAIL: package {pkg['name']} is excluded by name", file=sys.stderr)
            return 1
        root = fetch(pkg, dl)
        licence = read_licence(pkg, root)
        if args.record_licences:
            pkg["licence"] = licence
        elif pkg.get("licence") != licence:
            licence_errors.append(f"{pkg['name']}: packages.json says {pkg.get('licence')!r}, the package says {licence!r}")
        files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
        for rule in pkg["rules"]:
            pats = [glob_regex(g) for g in rule["globs"]]
            skip = set(rule.get("exclude", []))
            cands = [f for f in files if any(p.match(f) for p in pats) and f not in skip]
            cands.sort(key=lambda f: hashlib.sha256(f"{pkg['name']}/{f}".encode()).digest())
            cap, got, nfiles = rule.get("cap", DEFAULT_CAP), 0, 0
            for rel in cands:
                data = load(os.path.join(root, rel))
                if data is None:
                    continue
                why = text_problem(data, rule.get("maxFile", MAX_FILE_BYTES))
                if why is None and (name_exclude.search(rel) or exclude.search(data)):
                    why = "names an excluded product (curl, sqlite, redis)"
                digest = hashlib.sha256(data).hexdigest()
                if why is None and digest in seen_hashes:
                    why = "duplicate"
                if why is None and got + len(data) > cap:
                    continue
                if why is None:
                    why = fp.reason(data)
                    if why:
                        report["dropped"].append(f"{pkg['name']}/{rel}\t{why}")
                        why = "overlaps the benchmark"
                if why:
                    report["drops"][why] += 1
                    continue
                seen_hashes.add(digest)
                taken[(pkg["split"], rule["text"])].append((sort_key(f"{pkg['name']}/{rel}"), data))
                got += len(data)
                nfiles += 1
            report["packages"].append({"package": f"{pkg['source']}:{pkg['name']}@{pkg['version']}", "split": pkg["split"],
                                       "text": rule["text"], "files": nfiles, "bytes": got, "licence": licence})
            print(f"{pkg['split']:8} {rule['text']:8} {pkg['name']}@{pkg['version']}: {nfiles} files, {got} bytes ({licence})")
    if args.record_licences:
        with open(args.packages + ".tmp", "w") as f:
            f.write(json.dumps(manifest, indent=1) + "\n")
        os.replace(args.packages + ".tmp", args.packages)
        print(f"recorded licences in {args.packages}")
    elif licence_errors:
        print("FAIL: licences differ from packages.json (check them, then --record-licences):\n  " + "\n  ".join(licence_errors), file=sys.stderr)
        return 1

    os.makedirs(os.path.join(args.work, "heldout"), exist_ok=True)
    sizes = {}
    for (split, text), items in sorted(taken.items()):
        items.sort(key=lambda item: item[0])
        out = os.path.join(args.work, f"{text}.txt" if split == "train" else f"heldout/{text}.bin")
        blob = b"".join(data for _, data in items)
        with open(out + ".tmp", "wb") as f:
            f.write(blob)
        os.replace(out + ".tmp", out)
        sizes[os.path.relpath(out, args.work)] = {"files": len(items), "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
    report["outputs"] = sizes
    report["drops"] = dict(report["drops"])
    with open(os.path.join(args.work, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({"outputs": sizes, "drops": report["drops"]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
