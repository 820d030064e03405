"""Human-readable catalogue of the rules: `assess rules list` and `assess rules show CODE`."""

from __future__ import annotations

from ..findings import CATEGORIES, SEVERITY_ZH
from . import RuleSet
from ..util import ljust_display as _pad
from .selftest import parse_example

STATUS_ZH = {"stable": "正式", "preview": "预览", "deprecated": "已停用"}


def list_rules(ruleset: RuleSet, *, include_all: bool = False) -> str:
    """One line per rule: code, severity, category, name (and status if not stable)."""
    rules = ruleset.all_rules if include_all else ruleset.rules
    lines = [f"{_pad('代码', 6)}  {_pad('严重', 4)}  {_pad('类别', 20)}  名称"]
    for r in sorted(rules, key=lambda r: r.code):
        status = "" if r.status == "stable" else f"（{STATUS_ZH.get(r.status, r.status)}）"
        lines.append(f"{_pad(r.code, 6)}  {_pad(SEVERITY_ZH[r.severity], 4)}  {_pad(CATEGORIES[r.category], 20)}  {r.name}{status}")
    by_cat: dict[str, int] = {}
    for r in rules:
        by_cat[r.category] = by_cat.get(r.category, 0) + 1
    counts = "，".join(f"{CATEGORIES[c]} {n}" for c, n in sorted(by_cat.items(), key=lambda kv: list(CATEGORIES).index(kv[0])))
    lines.append(f"共 {len(rules)} 条规则（{counts}）；规则版本 {ruleset.version}")
    return "\n".join(lines)


def rules_as_dicts(ruleset: RuleSet) -> list[dict]:
    return [rule_dict(r) for r in sorted(ruleset.rules, key=lambda r: r.code)]


def rule_dict(r) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "category": r.category,
        "category_zh": CATEGORIES[r.category],
        "severity": r.severity,
        "score": r.score,
        "status": r.status,
        "scope": r.scope,
        "message": r.message,
        "suggestion": r.suggestion,
        "legal_basis": [{"key": b.key, "law": b.law, "article": b.article, "summary": b.summary} for b in r.legal_basis],
        "examples": {
            "match": list(r.examples.match),
            "no_match": list(r.examples.no_match),
            "todo_match": list(r.examples.todo_match),
            "todo_no_match": list(r.examples.todo_no_match),
        },
        "source": r.location,
    }


def _fragments_used(rule) -> list[str]:
    from .schema import FRAGMENT_REF

    names = [m for n in rule.nodes() if n.kind == "regex" and n.written for m in FRAGMENT_REF.findall(n.written)]
    return list(dict.fromkeys(names))


def show_rule(ruleset: RuleSet, code: str) -> str | None:
    """Everything about one rule, or None if the code is unknown."""
    r = ruleset.get(code)
    if r is None:
        return None
    out = [
        f"{r.code}  {r.name}",
        f"类别：{CATEGORIES[r.category]}（{r.category}）   严重程度：{SEVERITY_ZH[r.severity]}（{r.severity}）   "
        f"基础分：{r.score}   状态：{STATUS_ZH.get(r.status, r.status)}   范围：{'全文' if r.scope == 'document' else '条款'}",
        f"定义位置：{r.location}",
        "",
        "问题说明：",
        f"  {r.message}",
        "",
        "修改建议：",
        f"  {r.suggestion}",
        "",
        "法律依据：",
    ]
    for b in r.legal_basis:
        out.append(f"  《{b.law}》{b.article}（{b.key}）")
        out.append(f"    {b.summary}")
    out += ["", "匹配条件：", r.match.describe(1)]
    if r.exclude:
        out.append("排除条件（任一命中即不报告）：")
        for n in r.exclude:
            out.append(n.describe(1))
    if r.document is not None:
        out.append("全文条件：")
        if r.document.has is not None:
            out.append("  全文须含：")
            out.append(r.document.has.describe(2))
        if r.document.lacks is not None:
            out.append("  全文不含：")
            out.append(r.document.lacks.describe(2))
    used = _fragments_used(r)
    if used:
        out.append("正则片段（rules/terms/*.yaml 的 fragments，{{名称}} 处代入）：")
        for name in used:
            body = ruleset.fragments.get(name, "")
            out.append(f"  {name}：{body[:80]}{'…' if len(body) > 80 else ''}（{len(body)} 字符）")
    if r.context is not None and (r.context.boost or r.context.damp):
        out.append(f"上下文（焦点前后 {r.context.window} 字）：")
        if r.context.boost:
            out.append(f"  加分 +{r.context.boost.by}：{'、'.join(r.context.boost.terms)}")
        if r.context.damp:
            out.append(f"  减分 -{r.context.damp.by}：{'、'.join(r.context.damp.terms)}")
    labels = {"match": "应命中的例句", "no_match": "不应命中的例句", "todo_match": "待办：暂未命中", "todo_no_match": "待办：暂误报"}
    for kind, title in labels.items():
        items = getattr(r.examples, kind)
        if not items:
            continue
        out += ["", f"{title}："]
        for raw in items:
            text, span, _ = parse_example(raw)
            shown = f"{text[:span[0]]}【{text[span[0]:span[1]]}】{text[span[1]:]}" if span else text
            out.append(f"  - {shown}")
    return "\n".join(out)
