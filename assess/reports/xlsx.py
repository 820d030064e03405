"""Excel ledger (台账) of a review run: what township staff track rectification in.

Sheet 1 问题台账: one row per finding (file, 乡镇, 村, clause label, original text, category,
severity, rule code, score, legal basis, suggestion, review decision, and empty 整改状态 / 备注
columns for staff to fill). Sheet 2 文件汇总: one row per document (findings by severity, verdict,
errors, stale decisions). Sheet 3 分类统计: finding counts by category and severity.
Every sheet has a frozen, filterable header, set widths and wrapped text.
"""

from __future__ import annotations

import io

from ..doctype import doc_type_zh
from ..findings import CATEGORIES, SEVERITIES
from .base import Reporter
from .opinion import (
    category_zh,
    citation_full,
    clause_label,
    decision_zh,
    location_meta,
    location_zh,
    rule_code,
    severity_counts,
    severity_zh,
    source_zh,
    stale_zh,
)

FINDING_COLUMNS = [
    ("序号", 6),
    ("文件", 24),
    ("乡镇", 10),
    ("村", 10),
    ("条款序号", 14),
    ("位置", 12),
    ("原文", 48),
    ("问题类型", 16),
    ("严重程度", 8),
    ("规则代码", 9),
    ("来源", 9),
    ("置信度", 8),
    ("问题说明", 40),
    ("法律依据", 44),
    ("修改建议", 40),
    ("审查决定", 18),
    ("问题编号", 9),
    ("指纹", 18),
    ("整改状态", 12),
    ("备注", 20),
]
DOCUMENT_COLUMNS = [
    ("序号", 6),
    ("文件", 30),
    ("乡镇", 10),
    ("村", 10),
    ("文件标题", 30),
    ("文件类型", 16),
    ("条款数", 8),
    ("问题总数", 8),
    ("高", 6),
    ("中", 6),
    ("低", 6),
    ("已审", 6),
    ("评估结论", 16),
    ("错误", 40),
    ("说明", 50),
]

_SEV_FILL = {"high": "F8CBAD", "medium": "FFE699", "low": "BDD7EE"}


def _body_style():
    from openpyxl.styles import Alignment, Border, NamedStyle, Side

    thin = Side(style="thin", color="BFBFBF")
    st = NamedStyle(name="台账正文")
    st.alignment = Alignment(vertical="top", wrap_text=True)
    st.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    return st


def _style_sheet(ws, columns, header_fill="D9E2F3") -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for j, (name, width) in enumerate(columns, 1):
        c = ws.cell(row=1, column=j)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor=header_fill)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
        ws.column_dimensions[get_column_letter(j)].width = width
    # One named style for every body cell: assigning style objects cell by cell is slow in openpyxl.
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row, max_col=len(columns)):
        for c in row:
            c.style = "台账正文"
    ws.freeze_panes = "A2"
    if ws.max_row >= 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    ws.row_dimensions[1].height = 22


def _clean(value):
    """openpyxl refuses control characters in strings."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub(" ", value)
    return value


def render_xlsx(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.add_named_style(_body_style())
    ws = wb.active
    ws.title = "问题台账"
    ws.append([c for c, _ in FINDING_COLUMNS])
    n = 0
    sev_rows: list[tuple[int, str]] = []
    sev_col = [c for c, _ in FINDING_COLUMNS].index("严重程度") + 1
    for r in report.documents:
        if r.error is not None:
            continue
        meta = location_meta(r)
        for f in r.findings:
            n += 1
            ws.append([_clean(v) for v in (
                n,
                r.path,
                meta.get("township", ""),
                meta.get("village", ""),
                clause_label(f),
                location_zh(f),
                f.text.strip(),
                category_zh(f),
                severity_zh(f),
                rule_code(f),
                source_zh(f),
                round(float(f.score), 2),
                f.message,
                "\n".join(citation_full(lb) for lb in f.legal_basis),
                f.suggestion,
                decision_zh(f),
                f.id,
                f.fingerprint,
                "",
                "",
            )])
            sev_rows.append((ws.max_row, f.severity))
    _style_sheet(ws, FINDING_COLUMNS)
    for row_no, sev in sev_rows:
        ws.cell(row=row_no, column=sev_col).fill = PatternFill("solid", fgColor=_SEV_FILL.get(sev, "FFFFFF"))
    status_col = [c for c, _ in FINDING_COLUMNS].index("整改状态") + 1
    if n:
        from openpyxl.utils import get_column_letter

        letter = get_column_letter(status_col)
        dv = DataValidation(type="list", formula1='"未整改,整改中,已整改,不予整改"', allow_blank=True)
        dv.add(f"{letter}2:{letter}{n + 1}")
        ws.add_data_validation(dv)

    ws2 = wb.create_sheet("文件汇总")
    ws2.append([c for c, _ in DOCUMENT_COLUMNS])
    for i, r in enumerate(report.documents, 1):
        meta = location_meta(r)
        c = severity_counts(r.findings)
        notes = list(r.document.notes) if r.document else []
        notes += [stale_zh(d) for d in r.stale_decisions]
        ws2.append([_clean(v) for v in (
            i,
            r.path,
            meta.get("township", ""),
            meta.get("village", ""),
            r.document.title if r.document else "",
            doc_type_zh(r.doc_type) if r.error is None else "",
            r.clauses,
            len(r.findings),
            c["high"],
            c["medium"],
            c["low"],
            sum(1 for f in r.findings if f.decision),
            r.verdict or "无法审查",
            f"{r.error}" if r.error is not None else "",
            "\n".join(notes),
        )])
    _style_sheet(ws2, DOCUMENT_COLUMNS)

    ws3 = wb.create_sheet("分类统计")
    cols = [("问题类型", 24)] + [(f"{s}严重程度", 10) for s in ("高", "中", "低")] + [("合计", 8), ("涉及文件数", 10)]
    ws3.append([c for c, _ in cols])
    present = list(CATEGORIES) + sorted({f.category for r in report.documents for f in r.findings} - set(CATEGORIES))
    for cat in present:
        zh = CATEGORIES.get(cat, cat)
        fs = [(r.path, f) for r in report.documents for f in r.findings if f.category == cat]
        sc = {s: sum(1 for _, f in fs if f.severity == s) for s in SEVERITIES}
        ws3.append([zh, sc["high"], sc["medium"], sc["low"], len(fs), len({p for p, _ in fs})])
    all_f = [f for r in report.documents for f in r.findings]
    ws3.append(["合计"] + [sum(1 for f in all_f if f.severity == s) for s in ("high", "medium", "low")]
               + [len(all_f), sum(1 for r in report.documents if r.findings)])
    _style_sheet(ws3, cols)

    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


class XlsxReporter(Reporter):
    name = "xlsx"
    extension = ".xlsx"
    binary = True

    def render(self, report) -> bytes:
        return render_xlsx(report)
