"""Terminal output: per document a compact list of findings, then one summary line."""

from __future__ import annotations

import click

from ..doctype import doc_type_zh
from ..findings import CATEGORIES, SEVERITY_ZH
from .base import Reporter
from .opinion import decision_zh, rule_code, stale_zh

_COLOURS = {"high": "red", "medium": "yellow", "low": "cyan"}


def _context(f, width: int = 12) -> str:
    """The matched span with a little of the clause around it, span marked 【】."""
    text = f.text
    a = max(0, f.location.start - f.location.clause_start)
    b = max(a, f.location.end - f.location.clause_start)
    left = text[max(0, a - width) : a]
    right = text[b : b + width]
    return ("…" if a > width else "") + left + "【" + text[a:b] + "】" + right + ("…" if b + width < len(text) else "")


class TextReporter(Reporter):
    name = "text"
    extension = ".txt"
    stream = True

    def render(self, report) -> str:
        colour = bool(self.options.get("colour"))

        def style(s, **kw):
            return click.style(s, **kw) if colour else s

        lines = []
        total = {"high": 0, "medium": 0, "low": 0}
        docs_with = 0
        for r in report.documents:
            if r.error is not None:
                lines.append(style(f"✗ {r.error}", fg="red"))
                continue
            head = f"{r.path}  （{doc_type_zh(r.doc_type)}，{r.clauses} 个条款，{len(r.findings)} 处问题，结论：{r.verdict}）"
            lines.append(style(head, bold=True))
            for note in r.document.notes if r.document else []:
                lines.append(f"  注：{note}")
            if r.findings:
                docs_with += 1
            for f in r.findings:
                total[f.severity] += 1
                sev = style(f"[{SEVERITY_ZH[f.severity]}]", fg=_COLOURS[f.severity], bold=True)
                src = rule_code(f)
                reviewed = f"（{decision_zh(f)}）" if f.decision else ""
                lines.append(f"  {f.location.clause_label}  {sev} {CATEGORIES.get(f.category, f.category)} {src}{reviewed}")
                lines.append(f"      {_context(f)}")
                lines.append(f"      {f.message.splitlines()[0] if f.message else ''}")
            for d in r.stale_decisions:
                lines.append(f"  注：{stale_zh(d)}")
        n_err = len(report.errors)
        summary = (
            f"共审查 {len(report.documents)} 个文件，{docs_with} 个有问题；"
            f"高 {total['high']} 处，中 {total['medium']} 处，低 {total['low']} 处"
            + (f"；{n_err} 个文件无法审查" if n_err else "")
        )
        lines.append(style(summary, bold=True))
        return "\n".join(lines) + "\n"
