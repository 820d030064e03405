"""Counts and consistency checks of the training corpus (corpus/data/*.jsonl).

    python corpus/stats.py            # Markdown tables for corpus/README.md
    python corpus/stats.py --dupes    # cross-label near duplicates (char-3gram Jaccard ≥ 0.85)

tests/test_corpus.py imports `load`, `schema_problems` and `near_duplicates` from here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from assess.doctype import DOC_TYPES  # noqa: E402
from assess.findings import CATEGORIES, GENDER_CATEGORIES, normalise_clause  # noqa: E402

LABELS = ("disc", "ok")
ORIGINS = ("handwritten", "templated")
FIELDS = {"id": str, "text": str, "label": str, "category": str, "doc_type": str, "hard_negative": bool, "group": str, "origin": str}
NEAR = 0.85


def load(data_dir: Path = HERE / "data") -> list[dict]:
    rows = []
    for p in sorted(Path(data_dir).glob("*.jsonl")):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                r = json.loads(line)
                r["_file"] = f"{p.name}:{n}"
                rows.append(r)
    return rows


def schema_problems(rows: list[dict]) -> list[str]:
    out = []
    cats = set(CATEGORIES) | {"none"}
    for r in rows:
        where = f"{r.get('_file')} {r.get('id')}"
        for k, t in FIELDS.items():
            if not isinstance(r.get(k), t):
                out.append(f"{where}: field {k} missing or not {t.__name__}")
        extra = set(r) - set(FIELDS) - {"_file"}
        if extra:
            out.append(f"{where}: unknown fields {sorted(extra)}")
        if r.get("label") not in LABELS:
            out.append(f"{where}: label {r.get('label')!r}")
        if r.get("category") not in cats:
            out.append(f"{where}: category {r.get('category')!r}")
        if r.get("label") == "disc" and r.get("category") not in GENDER_CATEGORIES:
            out.append(f"{where}: disc clause with non-gender category {r.get('category')!r}")
        if r.get("label") == "disc" and r.get("hard_negative"):
            out.append(f"{where}: hard_negative on a disc clause")
        if r.get("doc_type") not in DOC_TYPES:
            out.append(f"{where}: doc_type {r.get('doc_type')!r}")
        if r.get("origin") not in ORIGINS:
            out.append(f"{where}: origin {r.get('origin')!r}")
        if isinstance(r.get("text"), str) and len(r["text"].strip()) < 4:
            out.append(f"{where}: text too short")
    return out


def _grams(text: str) -> set[str]:
    t = normalise_clause(text)
    return {t[i : i + 3] for i in range(len(t) - 2)} or {t}


def near_duplicates(rows: list[dict], threshold: float = NEAR) -> list[tuple[float, dict, dict]]:
    """Cross-label pairs (disc, ok) whose normalised char-3gram Jaccard is ≥ threshold, worst first."""
    import numpy as np
    from scipy.sparse import csr_matrix

    disc = [r for r in rows if r["label"] == "disc"]
    ok = [r for r in rows if r["label"] == "ok"]
    vocab: dict[str, int] = {}

    def matrix(rs):
        indptr, indices = [0], []
        for r in rs:
            for g in _grams(r["text"]):
                indices.append(vocab.setdefault(g, len(vocab)))
            indptr.append(len(indices))
        return indptr, indices

    dp, di = matrix(disc)
    op, oi = matrix(ok)
    n = len(vocab)
    D = csr_matrix((np.ones(len(di)), di, dp), shape=(len(disc), n))
    O = csr_matrix((np.ones(len(oi)), oi, op), shape=(len(ok), n))
    inter = (D @ O.T).toarray()
    sd = np.asarray(D.sum(axis=1)).ravel()
    so = np.asarray(O.sum(axis=1)).ravel()
    jac = inter / (sd[:, None] + so[None, :] - inter)
    out = [(float(jac[i, j]), disc[i], ok[j]) for i, j in zip(*np.nonzero(jac >= threshold))]
    out.sort(key=lambda x: -x[0])
    return out


def tables(rows: list[dict]) -> str:
    lines = []
    n = len(rows)
    disc = sum(r["label"] == "disc" for r in rows)
    ok = n - disc
    hard = sum(r["label"] == "ok" and r["hard_negative"] for r in rows)
    tpl = sum(r["origin"] == "templated" for r in rows)
    groups = len({r["group"] for r in rows})
    lines.append(f"Total {n} clauses: {disc} disc, {ok} ok ({hard} hard negatives = {hard / max(1, ok):.0%} of ok), "
                 f"{tpl} templated ({tpl / max(1, n):.0%}), {groups} groups.\n")
    lines.append("| category | 中文 | disc | ok (hard) | total |")
    lines.append("|---|---|---:|---:|---:|")
    for c in list(CATEGORIES) + ["none"]:
        d = sum(r["category"] == c and r["label"] == "disc" for r in rows)
        o = sum(r["category"] == c and r["label"] == "ok" for r in rows)
        h = sum(r["category"] == c and r["label"] == "ok" and r["hard_negative"] for r in rows)
        lines.append(f"| {c} | {CATEGORIES.get(c, '无（一般条款）')} | {d} | {o} ({h}) | {d + o} |")
    lines.append("")
    lines.append("| doc_type | disc | ok | total |")
    lines.append("|---|---:|---:|---:|")
    for t in DOC_TYPES:
        d = sum(r["doc_type"] == t and r["label"] == "disc" for r in rows)
        o = sum(r["doc_type"] == t and r["label"] == "ok" for r in rows)
        lines.append(f"| {t} | {d} | {o} | {d + o} |")
    lines.append("")
    lines.append("| file | clauses | disc | ok | hard | templated |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    by_file = Counter(r["_file"].split(":")[0] for r in rows)
    for f in sorted(by_file):
        rs = [r for r in rows if r["_file"].startswith(f + ":")]
        lines.append(f"| {f} | {len(rs)} | {sum(r['label'] == 'disc' for r in rs)} | {sum(r['label'] == 'ok' for r in rs)} | "
                     f"{sum(r['hard_negative'] for r in rs)} | {sum(r['origin'] == 'templated' for r in rs)} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dupes", action="store_true", help="list cross-label near duplicates")
    ap.add_argument("--threshold", type=float, default=NEAR)
    a = ap.parse_args(argv)
    rows = load()
    if a.dupes:
        pairs = near_duplicates(rows, a.threshold)
        for j, d, o in pairs:
            print(f"{j:.3f}\t{d['id']}\t{o['id']}\t{d['text']}\t{o['text']}")
        print(f"{len(pairs)} cross-label pairs with Jaccard ≥ {a.threshold}", file=sys.stderr)
        return 1 if pairs else 0
    print(tables(rows), end="")
    probs = schema_problems(rows)
    for p in probs:
        print("schema:", p, file=sys.stderr)
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
