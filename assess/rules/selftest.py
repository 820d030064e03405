"""Rules that test themselves: run every rule's examples, lint the packs.

* a `match` example must give exactly one finding of its rule, whose span is the `<m>…</m>` span
  (offsets in the example with the markers removed);
* a `no_match` example must give no finding of its rule;
* `todo_match` / `todo_no_match` are known gaps: reported, never failing (and reported when they
  start passing, so they can be promoted);
* lint (LanguageTool / semgrep style): ≥2 match and ≥2 no_match examples (failure, README
  contract); at least one no_match example uses a trigger word of the rule; every positive leaf
  of the match tree is hit by at least one match example; no unbounded repetition (warnings).

    python -m assess.rules.selftest [--select CR,EM003] [--rules-dir rules] [-q]

Exit status 1 when any example or load check fails.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

from . import RuleSet, load_rules
from .engine import Scope
from .loader import format_errors
from .prefilter import rule_anchors
from .schema import Rule, has_unbounded_repeat

MARK = re.compile(r"<m>(.*?)</m>", re.S)
KINDS = ("match", "no_match", "todo_match", "todo_no_match")


@dataclass
class Case:
    rule: str
    kind: str
    index: int  # 1-based within its kind
    raw: str
    text: str
    span: tuple[int, int] | None
    location: str  # file:line of the example
    problem: str | None = None  # marker problem (match examples)

    @property
    def id(self) -> str:
        return f"{self.rule}:{self.kind}:{self.index}"


@dataclass
class Outcome:
    case: Case
    ok: bool
    actual: list[tuple[int, int, str]] = field(default_factory=list)  # spans of this rule's findings
    detail: str = ""

    @property
    def todo(self) -> bool:
        return self.case.kind.startswith("todo_")


def parse_example(raw: str) -> tuple[str, tuple[int, int] | None, str | None]:
    """(text without markers, marked span or None, problem or None)."""
    marks = list(MARK.finditer(raw))
    text = MARK.sub(lambda m: m.group(1), raw)
    if "<m>" in text or "</m>" in text:
        return text.replace("<m>", "").replace("</m>", ""), None, "<m> 与 </m> 不成对"
    if not marks:
        return text, None, None
    if len(marks) > 1:
        return text, None, "一个例句只能标一处 <m>…</m>"
    m = marks[0]
    start = m.start()
    return text, (start, start + len(m.group(1))), None


def collect(ruleset: RuleSet) -> list[Case]:
    cases = []
    for rule in ruleset.rules:
        ex = rule.examples
        for kind in KINDS:
            for i, raw in enumerate(getattr(ex, kind), 1):
                text, span, problem = parse_example(raw)
                if kind in ("match", "todo_match") and span is None and problem is None:
                    problem = "match 例句必须用 <m>…</m> 标出应报告的词句"
                if kind in ("no_match", "todo_no_match") and span is not None:
                    problem = "no_match 例句不应含 <m>…</m>"
                line = ex.lines.get((kind, i - 1), rule.line)
                cases.append(Case(rule.code, kind, i, raw, text, span, f"{rule.file}:{line}", problem))
    return cases


def run_case(ruleset: RuleSet, case: Case) -> Outcome:
    if case.problem:
        return Outcome(case, False, detail=case.problem)
    findings = ruleset.check_text(case.text, codes={case.rule})
    actual = [(f.location.start, f.location.end, f.match) for f in findings]
    if case.kind in ("match", "todo_match"):
        ok = len(actual) == 1 and actual[0][:2] == case.span
    else:
        ok = not actual
    detail = ""
    if not ok:
        detail = _explain(ruleset, case, findings)
    return Outcome(case, ok, actual, detail)


def _explain(ruleset: RuleSet, case: Case, findings) -> str:
    """Why an example failed: the clause split, and for a miss, exclusions / score."""
    from ..documents import from_text
    from ..structure import build_tree

    doc = from_text(case.text)
    units = build_tree(doc).units()
    lines = [f"  条款：{len(units)} 个"]
    for u in units:
        lines.append(f"    [{u.start},{u.end}) {u.label}：{u.text}")
    for f in findings:
        m = "；".join(f"{x['node']}=“{x['text']}”" for x in f.explanation.get("matched", []))
        lines.append(f"  命中 [{f.location.start},{f.location.end}) “{f.match}” 得分 {f.score}：{m}")
    if case.kind in ("match", "todo_match") and not findings:
        dbg = ruleset.detect(doc, units=units, codes={case.rule}, debug=True)
        if not dbg:
            lines.append("  匹配树没有命中")
        for f in dbg:
            ex = f.explanation
            if ex.get("excluded_by"):
                e = ex["excluded_by"]
                lines.append(f"  被排除：{e['node']} 命中“{e['text']}”")
            elif f.score < 0.5:
                lines.append(f"  得分 {f.score} < 0.5（基础 {ex['base_score']}，加分词 {ex['context']['boost']}，减分词 {ex['context']['damp']}）")
    return "\n".join(lines)


# ---------------------------------------------------------------- lint


def lint(ruleset: RuleSet) -> tuple[list[str], list[str]]:
    """(failures, warnings) of the pack-level checks."""
    failures: list[str] = []
    warnings: list[str] = []
    ev = ruleset.engine.ev
    pf = ruleset.engine.pf
    for rule in ruleset.rules:
        ex = rule.examples
        where = f"{rule.code} ({rule.location})"
        if len(ex.match) < 2:
            failures.append(f"{where}: match 例句只有 {len(ex.match)} 条，至少需要 2 条")
        if len(ex.no_match) < 2:
            failures.append(f"{where}: no_match 例句只有 {len(ex.no_match)} 条，至少需要 2 条")
        anchors = rule_anchors(rule.match)
        if anchors and ex.no_match and not any(any(a in t for a in anchors) for t in ex.no_match):
            warnings.append(f"{where}: 没有一条 no_match 例句使用本规则的触发词（应至少有一条保护性写法的反例）")
        texts = [parse_example(t)[0] for t in ex.match]
        for leaf in _coverable_leaves(rule):
            hit = False
            for t in texts:
                sc = Scope(t, 0, True, pf)
                if ev.eval(leaf, sc, lambda sc=sc: sc):
                    hit = True
                    break
            if not hit:
                warnings.append(f"{where}: 匹配树的 {leaf.label()}（第 {leaf.line} 行）没有被任何 match 例句命中")
        for node in rule.nodes():
            if node.kind == "regex" and has_unbounded_repeat(node.pattern):
                warnings.append(f"{where}: 正则含无上限的重复（*、+ 或 {{n,}}），请改为有上限的 {{0,N}}：{node.written or node.pattern}（第 {node.line} 行）")
    return failures, warnings


def _coverable_leaves(rule: Rule):
    """Positive leaves of the match tree (under `any` every alternative should be exercised)."""
    return list(rule.match.leaves(positive_only=True))


# ---------------------------------------------------------------- runner


@dataclass
class Report:
    outcomes: list[Outcome]
    lint_failures: list[str]
    warnings: list[str]
    load_errors: list

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok and not o.todo]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.lint_failures and not self.load_errors

    def summary(self) -> str:
        n = len(self.outcomes)
        todo = [o for o in self.outcomes if o.todo]
        todo_pass = [o for o in todo if o.ok]
        rules = len({o.case.rule for o in self.outcomes})
        return (
            f"{rules} 条规则，{n} 个例句：通过 {n - len(self.failures) - len(todo)}，失败 {len(self.failures)}，"
            f"待办 {len(todo)}（其中 {len(todo_pass)} 个已能通过）；检查失败 {len(self.lint_failures)}，"
            f"警告 {len(self.warnings)}，加载错误 {len(self.load_errors)}"
        )


def run(ruleset: RuleSet) -> Report:
    outcomes = [run_case(ruleset, c) for c in collect(ruleset)]
    lf, warns = lint(ruleset)
    return Report(outcomes, lf, warns, list(ruleset.errors))


def format_outcome(o: Outcome) -> str:
    c = o.case
    exp = f"[{c.span[0]},{c.span[1]}) “{c.text[c.span[0]:c.span[1]]}”" if c.span else "无"
    if c.kind in ("no_match", "todo_no_match"):
        exp = "无命中"
    act = "；".join(f"[{a},{b}) “{t}”" for a, b, t in o.actual) or "无命中"
    head = f"{'TODO ' if o.todo else 'FAIL '}{c.id}  {c.location}"
    out = [head, f"  例句：{c.text}", f"  期望：{exp}", f"  实际：{act}"]
    if o.detail:
        out.append(o.detail)
    return "\n".join(out)


def render(report: Report, *, verbose: bool = False, show_warnings: bool = True) -> str:
    lines = []
    if report.load_errors:
        lines.append("加载错误（这些规则被跳过）：")
        lines.append(format_errors(report.load_errors))
    for o in report.failures:
        lines.append(format_outcome(o))
    if verbose:
        for o in report.outcomes:
            if o.todo:
                lines.append(format_outcome(o) + ("\n  （已能通过，可改为正式例句）" if o.ok else ""))
    else:
        passing = [o.case.id for o in report.outcomes if o.todo and o.ok]
        if passing:
            lines.append("待办例句已能通过（可改为正式例句）：" + "、".join(passing))
    for f in report.lint_failures:
        lines.append(f"FAIL {f}")
    if show_warnings:
        for w in report.warnings:
            lines.append(f"WARN {w}")
    lines.append(report.summary())
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assess.rules.selftest", description="运行每条规则的例句并检查规则包")
    ap.add_argument("--rules-dir", default=None)
    ap.add_argument("--select", default=None, help="规则代码或前缀，逗号分隔")
    ap.add_argument("--ignore", default=None)
    ap.add_argument("-v", "--verbose", action="store_true", help="也列出待办例句")
    ap.add_argument("-q", "--quiet", action="store_true", help="不列出警告")
    args = ap.parse_args(argv)
    ruleset = load_rules(args.rules_dir, select=args.select or (), ignore=args.ignore or (), strict=False)
    report = run(ruleset)
    print(render(report, verbose=args.verbose, show_warnings=not args.quiet))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
