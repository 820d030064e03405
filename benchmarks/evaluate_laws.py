"""False alarms of the combined system (rules + classifier) on 3,043 real laws and regulations.

    .venv/bin/python benchmarks/evaluate_laws.py [--corpus DIR] [--threshold T] [--limit N]
        [--out docs/evaluation/law-corpus-model-findings.tsv] [--verdicts OLD.tsv]

Laws are not discriminatory against women, so (nearly) every gender finding on them is a false
alarm; the target is at most 1 flagged clause in 1,000. Unpacks ../shared/corpora/laws-cn.tar.xz
to a temporary folder (or uses --corpus / $LAWS_CN_DIR), builds clause units of every .md file,
runs the rules and `Classifier.combine` exactly as `assess check` does, and prints flagged units /
total units for the rules alone, the classifier alone and both. Every flagged clause goes to the
TSV with an empty `verdict` column for a reviewer (existing verdicts are carried over from
--verdicts by file + clause text). Also prints how the flag rate moves with the threshold.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lawcorpus import corpus_dir  # noqa: E402  (benchmarks/lawcorpus.py)
DEFAULT_OUT = ROOT / "docs" / "evaluation" / "law-corpus-model-findings.tsv"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus")
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--verdicts", default=None, help="TSV whose verdict column is carried over (default: --out)")
    a = ap.parse_args(argv)

    import numpy as np

    from assess.documents import load_document
    from assess.errors import AssessError
    from assess.findings import GENDER_CATEGORIES
    from assess.model import load_classifier, model_text
    from assess.rules import load_rules
    from assess.structure import build_tree

    root = corpus_dir(a.corpus)
    if root is None:
        print("law corpus not found (../shared/corpora/laws-cn.tar.xz); skipped")
        return 0
    files = sorted(root.rglob("*.md"))
    if a.limit:
        files = files[: a.limit]
    rules = load_rules(strict=False)
    clf = load_classifier(threshold=a.threshold)
    t = clf.threshold

    n_units = 0
    probs: list[float] = []
    flagged = []  # (file, finding)
    rule_units = model_units = both_units = 0
    t_model = t_rules = 0.0
    t0 = time.perf_counter()
    for p in files:
        try:
            doc = load_document(p)
        except AssessError:
            continue
        tree = build_tree(doc)
        units = tree.units()
        n_units += len(units)
        s = time.perf_counter()
        rf = rules.detect(doc, tree, units)
        t_rules += time.perf_counter() - s
        s = time.perf_counter()
        scored = clf.scorer.score_many([model_text(doc, u) for u in units])
        fs = clf.combine(doc, tree, units, rf, scored=scored)
        t_model += time.perf_counter() - s
        probs.extend(sc.probability for sc in scored)
        g = [f for f in fs if f.category in GENDER_CATEGORIES]
        spans = {}
        for f in g:
            spans.setdefault((f.location.clause_start, f.location.clause_end), []).append(f)
        for key, lst in spans.items():
            kinds = {f.source for f in lst}
            if kinds == {"model"}:
                model_units += 1
            elif "rule+model" in kinds:
                both_units += 1
            else:
                rule_units += 1
            best = sorted(lst, key=lambda f: (f.source == "model", -f.score))[0]
            flagged.append((str(p.relative_to(root)), best, lst))
    wall = time.perf_counter() - t0
    probs_a = np.array(probs)
    total_flag = rule_units + model_units + both_units
    print(f"{len(files)} files, {n_units} clause units, wall {wall:.1f}s (rules {t_rules:.1f}s, classifier combine {t_model:.1f}s)")
    print(f"threshold {t}: flagged as gender discrimination {total_flag} units = {total_flag / max(1, n_units) * 1000:.3f} per 1,000")
    print(f"  rules only {rule_units}, rules+model agree {both_units}, model only {model_units}")
    for th in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.94, 0.97):
        k = int((probs_a >= th).sum())
        print(f"  classifier probability ≥ {th:.2f} (before the cue gate): {k} units = {k / max(1, n_units) * 1000:.3f} per 1,000")

    old = {}
    src = Path(a.verdicts or a.out)
    if src.is_file():
        with src.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                old[(r.get("file"), r.get("text"))] = (r.get("verdict", ""), r.get("note", ""))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["file", "clause", "source", "rules", "category", "probability", "verdict", "note", "text"])
        for file, f, lst in flagged:
            v, note = old.get((file, f.text), ("", ""))
            rules_hit = ",".join(sorted({x.rule for x in lst if x.rule}))
            w.writerow([file, f.location.clause_label, f.source, rules_hit, f.category,
                        f"{f.model_score:.3f}" if f.model_score is not None else "", v, note, f.text.replace("\t", " ").replace("\n", " ")])
    print(f"wrote {out} ({len(flagged)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
