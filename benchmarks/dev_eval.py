"""Measure the rules on the held-out development set of real clauses.

    .venv/bin/python benchmarks/dev_eval.py [--tsv ../shared/examples/real-clauses-dev.tsv] [--show-text]

The file has columns id, label, category, text, source; label is `disc` (discriminatory),
`ok` (not) or `any` (either reading is defensible; not scored). Each line's text is run through
the rules on its own (`RuleSet.check_text`). Per line the outcome is printed (TP/FN for `disc`,
FP/TN for `ok`, `-` for `any`) with the rules that fired; the clause text only with --show-text.

This set is for MEASURING only: never copy its clauses into rules, examples or training data.
A `disc` line counts as found when a finding of a gender category fires (for a line whose
category is `unlawful_non_gender`, a finding of that category); an `ok` line is a false positive
when a gender finding fires.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assess.findings import GENDER_CATEGORIES  # noqa: E402
from assess.rules import load_rules  # noqa: E402

DEV_TSV = ROOT.parent / "shared" / "examples" / "real-clauses-dev.tsv"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tsv", default=str(DEV_TSV))
    ap.add_argument("--rules-dir", default=None)
    ap.add_argument("--show-text", action="store_true", help="also print each clause (for the lead's review)")
    ap.add_argument("--quiet", "-q", action="store_true", help="only the summary")
    args = ap.parse_args(argv)
    path = Path(args.tsv)
    if not path.exists():
        print(f"跳过：没有找到 {path}")
        return 0
    ruleset = load_rules(args.rules_dir, strict=False)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))

    counts = collections.Counter()
    per_cat = collections.defaultdict(lambda: [0, 0])  # category -> [found, total] for disc lines
    cat_agree = [0, 0]
    fp_rules = collections.Counter()
    for row in rows:
        label = (row.get("label") or "").strip()
        cat = (row.get("category") or "").strip()
        findings = ruleset.check_text(row.get("text") or "")
        if cat == "unlawful_non_gender":
            relevant = [f for f in findings if f.category == "unlawful_non_gender"]
        else:
            relevant = [f for f in findings if f.category in GENDER_CATEGORIES]
        fired = ",".join(sorted({f.rule for f in findings})) or "-"
        if label == "disc":
            outcome = "TP" if relevant else "FN"
            per_cat[cat][1] += 1
            if relevant:
                per_cat[cat][0] += 1
                cat_agree[1] += 1
                if any(f.category == cat for f in relevant):
                    cat_agree[0] += 1
        elif label == "ok":
            gender = [f for f in findings if f.category in GENDER_CATEGORIES]
            outcome = "FP" if gender else "TN"
            for f in gender:
                fp_rules[f.rule] += 1
        else:
            outcome = "-"
        counts[outcome] += 1
        if not args.quiet:
            line = f"{row.get('id', '?')}\t{label}\t{cat}\t{outcome}\t{fired}"
            if args.show_text:
                line += "\t" + (row.get("text") or "").replace("\n", " ")
            print(line)

    tp, fn, fp, tn = counts["TP"], counts["FN"], counts["FP"], counts["TN"]
    recall = tp / (tp + fn) if tp + fn else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    print(f"规则 {len(ruleset.rules)} 条（{ruleset.version}），{len(rows)} 行：disc {tp + fn}，ok {fp + tn}，any {counts['-']}")
    print(f"召回 {tp}/{tp + fn} = {recall:.2f}；误报（ok 行有性别类发现）{fp}/{fp + tn}；精确率 {precision:.2f}")
    if cat_agree[1]:
        print(f"已找到的 disc 行中类别一致 {cat_agree[0]}/{cat_agree[1]}")
    print("按类别召回：" + "，".join(f"{c} {f}/{t}" for c, (f, t) in sorted(per_cat.items())))
    if fp_rules:
        print("误报规则：" + "，".join(f"{c} {n}" for c, n in fp_rules.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
