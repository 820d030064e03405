"""Benchmark of the classifier at inference (numpy scorer + rjieba).

    .venv/bin/python benchmarks/classifier.py [--laws N] [--repeat R]

Measures, and prints as a table:
* model load: `load_classifier()` in a fresh interpreter (import + artifact + corpus-hash check),
  wall time and the memory it allocates (tracemalloc; numpy arrays included), and whether
  scikit-learn / spaCy / scipy got imported (they must not be);
* scoring throughput (clauses/s, best of R) on the corpus clauses and on the clause units of N law
  files from ../shared/corpora/laws-cn.tar.xz (real, longer clauses);
* share of total `assess check` time: `Reviewer.review` over the examples/ and the N law files,
  summing the per-stage timings the pipeline records (read, structure, rules, model);
* CLI start-up: `assess --version` wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

LOAD_CODE = r"""
import json, sys, time, tracemalloc
tracemalloc.start()
t = time.perf_counter()
from assess.model import load_classifier
clf = load_classifier()
wall = time.perf_counter() - t
cur, peak = tracemalloc.get_traced_memory()
clf.predict("出嫁女不再参加分配。")
heavy = [m for m in ("sklearn", "spacy", "scipy", "jieba", "torch") if m in sys.modules]
print(json.dumps({"load_s": wall, "mem_mb": cur / 2**20, "peak_mb": peak / 2**20, "heavy_imports": heavy}))
"""


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laws", type=int, default=150, help="law files for throughput and check-time share")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)

    py = sys.executable
    loads = [json.loads(subprocess.run([py, "-c", LOAD_CODE], capture_output=True, text=True, cwd=ROOT, check=True).stdout)
             for _ in range(a.repeat)]
    load = min(loads, key=lambda d: d["load_s"])
    cli = min(best_of(lambda: subprocess.run([str(ROOT / ".venv" / "bin" / "assess"), "--version"], capture_output=True, check=True), 1)
              for _ in range(a.repeat))

    from assess.model import load_classifier
    from assess.model.train import load_corpus

    clf = load_classifier(check_corpus=False)
    corpus = load_corpus().texts
    clf.scorer.score_many(corpus[:10])  # warm the segmenter
    t_corpus = best_of(lambda: clf.scorer.score_many(corpus), a.repeat)

    from assess.documents import load_document
    from assess.pipeline import Options, Reviewer
    from assess.structure import build_tree

    docs = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".docx", ".pdf", ".txt"))
    law_units: list[str] = []
    try:
        from evaluate_laws import corpus_dir

        root = corpus_dir(None)
    except Exception:  # noqa: BLE001
        root = None
    if root is not None and a.laws:
        files = sorted(root.rglob("*.md"))
        step = max(1, len(files) // a.laws)
        laws = files[::step][: a.laws]
        docs += laws
        for p in laws:
            law_units.extend(u.text for u in build_tree(load_document(p)).units())
    t_laws = best_of(lambda: clf.scorer.score_many(law_units), a.repeat) if law_units else None

    from assess.rules import load_rules

    reviewer = Reviewer(Options())
    reviewer._rules = load_rules(strict=False)  # a rule pack being edited must not stop the benchmark
    reviewer._model = clf
    stages: dict[str, float] = {}
    clauses = 0
    for p in docs:
        r = reviewer.review(p)
        clauses += r.clauses
        for k, v in r.timings.items():
            stages[k] = stages.get(k, 0.0) + v
    total = sum(stages.values())

    rows = [
        ("model load (fresh process)", f"{load['load_s'] * 1000:.0f} ms"),
        ("model memory (tracemalloc, after load / peak)", f"{load['mem_mb']:.1f} MB / {load['peak_mb']:.1f} MB"),
        ("heavy imports at inference", ", ".join(load["heavy_imports"]) or "none"),
        ("features / columns", f"{len(clf.scorer.features)}"),
        (f"scoring, corpus clauses ({len(corpus)}, avg {sum(map(len, corpus)) / len(corpus):.0f} chars)", f"{len(corpus) / t_corpus:,.0f} clauses/s"),
    ]
    if t_laws:
        rows.append((f"scoring, law clause units ({len(law_units)}, avg {sum(map(len, law_units)) / len(law_units):.0f} chars)",
                     f"{len(law_units) / t_laws:,.0f} clauses/s"))
    rows.append((f"assess check stages over {len(docs)} documents, {clauses} clauses",
                 ", ".join(f"{k} {v:.2f}s" for k, v in stages.items())))
    rows.append(("classifier share of check time", f"{stages.get('model', 0.0) / total:.0%}" if total else "-"))
    rows.append(("CLI start-up (assess --version)", f"{cli * 1000:.0f} ms"))
    w = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
