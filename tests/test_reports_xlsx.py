"""Excel ledger: one row per finding, one per document, counts by category; usable sheets."""

from __future__ import annotations

import io

import openpyxl
import pytest

from assess.findings import CATEGORIES
from assess.pipeline import DocumentResult
from assess.errors import InputError
from assess.reports.xlsx import DOCUMENT_COLUMNS, FINDING_COLUMNS, render_xlsx
from test_reports_fixtures import docx_result, make_report, txt_result


@pytest.fixture
def book(tmp_path):
    _, r1 = docx_result(tmp_path)
    _, r2 = txt_result(tmp_path)
    bad = DocumentResult(path=str(tmp_path / "坏文件.docx"), error=InputError("Word 文档已损坏", code="E103"))
    report = make_report(r1, r2, bad)
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    return report, wb


def rows(ws):
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_sheets_and_headers(book):
    report, wb = book
    assert wb.sheetnames == ["问题台账", "文件汇总", "分类统计"]
    ws = wb["问题台账"]
    header = [c.value for c in ws[1]]
    assert header == [c for c, _ in FINDING_COLUMNS]
    for k in ("文件", "乡镇", "村", "条款序号", "原文", "问题类型", "严重程度", "规则代码", "置信度", "法律依据", "修改建议", "整改状态", "备注"):
        assert k in header
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width > 0
        assert sheet.cell(row=2, column=2).alignment.wrap_text


def test_one_row_per_finding(book):
    report, wb = book
    data = rows(wb["问题台账"])
    findings = [(r, f) for r in report.documents for f in r.findings]
    assert len(data) == len(findings) == 9
    col = {name: i for i, (name, _) in enumerate(FINDING_COLUMNS)}
    for row, (r, f) in zip(data, findings):
        assert row[col["文件"]] == r.path
        assert row[col["原文"]] == f.text.strip()
        assert row[col["规则代码"]] == f.rule
        assert row[col["问题类型"]] == CATEGORIES[f.category]
        assert row[col["置信度"]] == pytest.approx(f.score, abs=0.01)
        assert f.legal_basis[0].law in row[col["法律依据"]]
        assert row[col["修改建议"]] == f.suggestion
        assert row[col["整改状态"]] is None and row[col["备注"]] is None
    # township / village from location_meta, empty when unknown
    txt_rows = [row for row in data if row[col["文件"]].endswith("章程.txt")]
    assert {(row[col["乡镇"]], row[col["村"]]) for row in txt_rows} == {("城关镇", "东村")}
    docx_rows = [row for row in data if row[col["文件"]].endswith(".docx")]
    assert {(row[col["乡镇"]] or "", row[col["村"]] or "") for row in docx_rows} == {("", "")}
    # reviewed decision shown, not hidden
    assert sum(1 for row in data if row[col["审查决定"]] and "误报" in row[col["审查决定"]]) == 1


def test_document_sheet(book):
    report, wb = book
    data = rows(wb["文件汇总"])
    assert len(data) == 3
    col = {name: i for i, (name, _) in enumerate(DOCUMENT_COLUMNS)}
    by_path = {row[col["文件"]]: row for row in data}
    for r in report.documents:
        row = by_path[r.path]
        assert row[col["问题总数"]] == len(r.findings)
        assert row[col["高"]] + row[col["中"]] + row[col["低"]] == len(r.findings)
        if r.error is None:
            assert row[col["评估结论"]] == r.verdict
        else:
            assert row[col["评估结论"]] == "无法审查" and "已损坏" in row[col["错误"]]
    docx_row = next(row for p, row in by_path.items() if p.endswith("村规民约.docx"))
    assert "0123456789abcdef" in docx_row[col["说明"]]  # stale decision


def test_category_sheet(book):
    report, wb = book
    data = rows(wb["分类统计"])
    total = data[-1]
    assert total[0] == "合计" and total[4] == 9
    by_cat = {row[0]: row for row in data[:-1]}
    assert by_cat[CATEGORIES["collective_rights"]][4] == 4
    assert by_cat[CATEGORIES["employment"]][1] == 1
    assert set(CATEGORIES.values()) <= set(by_cat)
