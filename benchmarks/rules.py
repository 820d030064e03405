"""Benchmark of the rule engine on the law corpus, and its false-positive proxy.

    .venv/bin/python benchmarks/rules.py [--corpus DIR] [--limit N] [--out docs/evaluation/law-corpus-findings.tsv]

* unpacks ../shared/corpora/laws-cn.tar.xz to a temporary folder (or uses --corpus / $LAWS_CN_DIR;
  skips with a message when absent), loads every .md with assess.documents.load_document, builds
  clause trees and units;
* times RuleSet.detect over all units (CPU time of this process, best of --repeat): MB/s and clauses/s;
* the floor: one compiled `re` alternation of every literal term of the rules' terms/termset
  nodes (match trees, exclusions, document conditions; longest first),
  `findall` over the same unit texts; prints detect time / floor time (target ≤ 3×);
* laws are not discriminatory, so gender findings here are (nearly all) false positives: prints
  units with gender findings / total units and the rules with most findings, and writes every
  finding to the TSV (file, clause label, rule, category, match, clause text) for review.
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assess.documents import load_document  # noqa: E402
from assess.findings import GENDER_CATEGORIES  # noqa: E402
from assess.rules import load_rules  # noqa: E402
from assess.structure import build_tree  # noqa: E402

from lawcorpus import corpus_dir  # noqa: E402  (benchmarks/lawcorpus.py)


def literal_floor(ruleset, texts: list[str], match_only: bool = False) -> tuple[float, int, int]:
    terms = set()
    for r in ruleset.rules:
        nodes = r.match.walk() if match_only else r.nodes()  # match tree, exclusions, document conditions
        for n in nodes:
            if n.kind in ("terms", "termset"):
                terms.update(n.terms)
    if not terms:
        return 0.0, 0, 0
    rx = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    t = time.process_time()
    hits = 0
    for s in texts:
        hits += len(rx.findall(s))
    return time.process_time() - t, hits, len(terms)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=None, help="unpacked laws-cn folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N files")
    ap.add_argument("--rules-dir", default=None)
    ap.add_argument("--out", default=str(ROOT / "docs" / "evaluation" / "law-corpus-findings.tsv"))
    ap.add_argument("--repeat", type=int, default=3, help="timing repetitions (best is reported)")
    args = ap.parse_args(argv)

    folder = corpus_dir(args.corpus)
    if folder is None:
        print("跳过：没有找到法律语料（../shared/corpora/laws-cn.tar.xz 或 --corpus）")
        return 0
    ruleset = load_rules(args.rules_dir, strict=False)
    if ruleset.errors:
        print(f"注意：{len(ruleset.errors)} 个规则加载错误，相关规则已跳过")
    files = sorted(folder.rglob("*.md"))
    if args.limit:
        files = files[: args.limit]

    t0 = time.process_time()
    docs = []
    for p in files:
        try:
            doc = load_document(p)
        except Exception as e:  # noqa: BLE001 - a corpus file that does not load is skipped
            print(f"skip {p}: {e}", file=sys.stderr)
            continue
        tree = build_tree(doc)
        docs.append((p, doc, tree, tree.units()))
    t_load = time.process_time() - t0
    units_total = sum(len(u) for *_, u in docs)
    chars = sum(len(x.text) for *_, us in docs for x in us)
    print(f"规则 {len(ruleset.rules)} 条（{ruleset.version}），文件 {len(docs)} 个，条款 {units_total} 个，"
          f"{chars / 1e6:.2f} M 字（{chars * 3 / 1e6:.1f} MB UTF-8），读入与分条 {t_load:.1f} s")

    best = None
    results = None
    for _ in range(max(1, args.repeat)):
        t = time.process_time()
        out = [(p, doc, ruleset.detect(doc, tree, units)) for p, doc, tree, units in docs]
        dt = time.process_time() - t
        if best is None or dt < best:
            best = dt
        results = out
    mb = chars * 3 / 1e6  # Chinese text: ~3 bytes per character in UTF-8
    print(f"RuleSet.detect：{best:.3f} s，{mb / best:.1f} MB/s，{units_total / best:,.0f} 条款/s")

    texts = [u.text for *_, us in docs for u in us]
    floor = min(literal_floor(ruleset, texts)[0] for _ in range(max(1, args.repeat)))
    _, hits, nterms = literal_floor(ruleset, texts)
    if floor:
        print(f"下限：一个 re 交替式，规则的全部词语（{nterms} 个词，{hits} 处命中）{floor:.3f} s，{mb / floor:.1f} MB/s；"
              f"detect / 下限 = {best / floor:.2f}×（目标 ≤ 3×）")
    floor2 = min(literal_floor(ruleset, texts, True)[0] for _ in range(max(1, args.repeat)))
    _, hits2, nterms2 = literal_floor(ruleset, texts, True)
    if floor2:
        print(f"参考：只用匹配树中的词语（{nterms2} 个词，{hits2} 处命中）{floor2:.3f} s，{mb / floor2:.1f} MB/s；"
              f"detect / 参考 = {best / floor2:.2f}×")

    # false-positive proxy
    per_rule = collections.Counter()
    gender_units = set()
    rows = []
    for p, doc, findings in results:
        rel = str(p.relative_to(folder))
        for f in findings:
            per_rule[f.rule] += 1
            if f.category in GENDER_CATEGORIES:
                gender_units.add((rel, f.location.clause_start))
            rows.append([rel, f.location.clause_label, f.rule, f.category, f.match, f.text.replace("\n", " ").replace("\t", " ")])
    n_findings = len(rows)
    print(f"法律语料上：有性别类发现的条款 {len(gender_units)} / {units_total}"
          f"（{100 * len(gender_units) / max(units_total, 1):.2f}%），发现共 {n_findings} 个")
    if per_rule:
        print("发现最多的规则：" + "，".join(f"{c} {n}" for c, n in per_rule.most_common(15)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["file", "clause", "rule", "category", "match", "text"])
        w.writerows(rows)
    print(f"已写入：{out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
