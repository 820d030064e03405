"""Markdown: the review as text to paste into a work log, a wiki or a chat message.

Per document: verdict, a table of findings (clause, words at issue, type, severity, legal basis,
suggestion, reviewed decision), positive measures, the provisions cited and notes.
"""

from __future__ import annotations

from ..doctype import doc_type_zh
from .base import Reporter
from .opinion import (
    VERDICT_RULE_ZH,
    category_zh,
    citation,
    citation_full,
    cited_provisions,
    clause_label,
    decision_zh,
    location_meta,
    rule_code,
    severity_counts,
    severity_zh,
    stale_zh,
)
from ..positive import positive_measures


def _cell(s) -> str:
    s = str(s if s is not None else "")
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>").strip() or "—"


def _marked(f) -> str:
    """The clause with the matched words in bold."""
    raw = f.text
    a = f.location.start - f.location.clause_start
    b = f.location.end - f.location.clause_start
    if 0 <= a < b <= len(raw) and raw[a:b].strip():
        return (raw[:a] + "**" + raw[a:b].strip() + "**" + raw[b:]).strip()
    text = raw.strip()
    return text


class MarkdownReporter(Reporter):
    name = "md"
    extension = ".md"
    stream = True

    def render(self, report) -> str:
        out = ["# 性别平等审查报告（男女平等评估）", ""]
        total = sum(len(r.findings) for r in report.documents)
        out.append(f"共审查 {len(report.documents)} 个文件，发现问题 {total} 处。")
        out.append("")
        for r in report.documents:
            if r.error is not None:
                out += [f"## {r.path}", "", f"无法审查：{r.error}", ""]
                continue
            d = r.document
            title = (d.title if d and d.title else "") or r.path
            c = severity_counts(r.findings)
            meta = location_meta(r)
            where = " ".join(x for x in (meta.get("township"), meta.get("village")) if x)
            out += [f"## {title}", ""]
            out.append(f"- 文件：`{r.path}`（{doc_type_zh(r.doc_type)}{'，' + where if where else ''}，{r.clauses} 个条款）")
            out.append(f"- 评估结论：**{r.verdict}**（问题 {len(r.findings)} 处：高 {c['high']}，中 {c['medium']}，低 {c['low']}）")
            out.append(f"- {VERDICT_RULE_ZH}")
            out.append("")
            if r.findings:
                out.append("| 编号 | 条款 | 原文 | 问题类型 | 严重程度 | 法律依据 | 修改建议 | 审查决定 |")
                out.append("|---|---|---|---|---|---|---|---|")
                for f in r.findings:
                    out.append(
                        "| "
                        + " | ".join(
                            _cell(x)
                            for x in (
                                f.id,
                                clause_label(f),
                                _marked(f),
                                f"{category_zh(f)}（{rule_code(f)}）",
                                severity_zh(f),
                                "；".join(citation(lb) for lb in f.legal_basis),
                                f.suggestion,
                                decision_zh(f),
                            )
                        )
                        + " |"
                    )
                out.append("")
                out.append("### 问题说明")
                out.append("")
                for f in r.findings:
                    out.append(f"- **{f.id}** {f.message}".rstrip())
                out.append("")
            else:
                out += ["未发现问题条款。", ""]
            pos = positive_measures(r)
            if pos:
                out += ["### 积极措施", ""]
                out += [f"- {m.name}：{m.clause_label + '：' if m.clause_label else ''}{m.text}" for m in pos]
                out.append("")
            cited = cited_provisions(r.findings)
            if cited:
                out += ["### 引用的法律依据", ""]
                out += [f"- {citation_full(lb)}" for lb in cited]
                out.append("")
            notes = list(d.notes if d else []) + [stale_zh(x) for x in r.stale_decisions]
            if notes:
                out += ["### 说明", ""] + [f"- {n}" for n in notes] + [""]
        return "\n".join(out).rstrip() + "\n"
