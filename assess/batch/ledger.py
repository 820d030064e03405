"""Outputs generated from the batch database: ledger (xlsx), JSON Lines, and any whole-report format.

The ledger reuses the xlsx reporter (问题台账, 文件汇总, 分类统计: the same columns as
`assess check -f xlsx`) and adds batch sheets: 乡镇汇总 (per township and category), 不支持的文件
is part of 文件汇总 (status 无法审查 with the reason), 已整改问题 and a 复查状态 column when the
batch was compared with an earlier round (--since), and 运行信息 (versions, counts, runs).
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from pathlib import Path

from ..errors import AssessError, OutputError
from ..findings import CATEGORIES, Finding, LegalBasis, Location
from .store import Store

LEDGER_NAME = "批量审查台账.xlsx"
JSONL_NAME = "批量审查结果.jsonl"
ROUND_ZH = {"new": "新增", "persisting": "仍存在", "fixed": "已整改"}
STATUS_ZH = {"done": "已审查", "error": "无法审查", "unsupported": "不支持的格式"}

_LOC_FIELDS = {f.name for f in dataclasses.fields(Location)}
_FINDING_FIELDS = {f.name for f in dataclasses.fields(Finding)}
_LB_FIELDS = {f.name for f in dataclasses.fields(LegalBasis)}


def finding_from_dict(d: dict) -> Finding:
    loc = d.get("location") or {}
    kw = {k: v for k, v in d.items() if k in _FINDING_FIELDS and k not in ("location", "legal_basis")}
    kw["location"] = Location(**{k: v for k, v in loc.items() if k in _LOC_FIELDS})
    kw["legal_basis"] = [LegalBasis(**{k: v for k, v in lb.items() if k in _LB_FIELDS}) for lb in d.get("legal_basis") or []]
    f = Finding(**kw)
    if d.get("round_status"):
        f.round_status = d["round_status"]  # type: ignore[attr-defined]
    return f


def build_report(store: Store):
    """A `pipeline.Report` of every stored document (the reporters' input)."""
    from ..documents import Document
    from ..pipeline import DocumentResult, Report

    findings = store.all_findings()
    report = Report()
    versions: dict = {}
    for d in store.documents():
        r = DocumentResult(path=d["shown_path"])
        meta = json.loads(d["location_meta"] or "{}")
        r.location_meta = meta  # read by the xlsx reporter (opinion.location_meta)
        r.batch_status = d["status"]  # type: ignore[attr-defined]
        if d["status"] == "done":
            doc = Document(path=d["shown_path"], format=d["format"] or "", sha256=d["sha256"] or "", size=d["size"] or 0,
                           text="", blocks=[], title=d["title"] or "", notes=json.loads(d["notes"] or "[]"))
            doc.meta["location_meta"] = meta
            r.document = doc
            r.doc_type = d["doc_type"]
            r.clauses = d["clauses"] or 0
            r.findings = [finding_from_dict(f) for f in findings.get(d["id"], [])]
            if d["versions"] and not versions:
                versions = json.loads(d["versions"])
        else:
            r.error = AssessError(d["error_message"] or "", code=d["error_code"] or "E100", path=d["shown_path"])
        report.documents.append(r)
    report.versions = versions
    return report


def township_summary(report) -> list[list]:
    """Rows: 乡镇, files, files with problems, then counts per category, total, high."""
    rows: dict[str, dict] = {}
    for r in report.documents:
        t = (getattr(r, "location_meta", {}) or {}).get("township") or "（未标明）"
        row = rows.setdefault(t, {"files": 0, "villages": set(), "with": 0, "errors": 0, "cats": {c: 0 for c in CATEGORIES}, "high": 0, "total": 0})
        row["files"] += 1
        v = (getattr(r, "location_meta", {}) or {}).get("village")
        if v:
            row["villages"].add(v)
        if r.error is not None:
            row["errors"] += 1
            continue
        if r.findings:
            row["with"] += 1
        for f in r.findings:
            row["cats"][f.category] = row["cats"].get(f.category, 0) + 1
            row["total"] += 1
            row["high"] += f.severity == "high"
    out = []
    for t in sorted(rows):
        x = rows[t]
        out.append([t, len(x["villages"]), x["files"], x["with"], x["errors"]] + [x["cats"].get(c, 0) for c in CATEGORIES] + [x["high"], x["total"]])
    return out


def render_ledger(store: Store, report=None) -> bytes:
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from ..reports.xlsx import render_xlsx

    report = report or build_report(store)
    wb = load_workbook(io.BytesIO(render_xlsx(report)))
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="D9E2F3")

    def style(ws, widths):
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = w
            c = ws.cell(row=1, column=i)
            c.font, c.fill = head_font, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="center")
        ws.freeze_panes = "A2"
        if ws.max_row > 1:
            ws.auto_filter.ref = ws.dimensions

    since = store.meta("since")
    # 复查状态 column on the findings sheet (same order as the xlsx reporter writes rows)
    if since and "问题台账" in wb.sheetnames:
        ws = wb["问题台账"]
        col = ws.max_column + 1
        ws.cell(row=1, column=col, value="复查状态").font = head_font
        ws.cell(row=1, column=col).fill = head_fill
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = 10
        row = 2
        for r in report.documents:
            if r.error is not None:
                continue
            for f in r.findings:
                ws.cell(row=row, column=col, value=ROUND_ZH.get(getattr(f, "round_status", None) or "", ""))
                row += 1
    # 文件汇总: add 批量状态 (已审查 / 无法审查 / 不支持的格式)
    if "文件汇总" in wb.sheetnames:
        ws = wb["文件汇总"]
        col = ws.max_column + 1
        ws.cell(row=1, column=col, value="处理状态").font = head_font
        ws.cell(row=1, column=col).fill = head_fill
        for i, r in enumerate(report.documents, 2):
            ws.cell(row=i, column=col, value=STATUS_ZH.get(getattr(r, "batch_status", ""), ""))

    ws = wb.create_sheet("乡镇汇总", 1)
    cats = list(CATEGORIES)
    ws.append(["乡镇", "村数", "文件数", "有问题的文件", "无法审查的文件"] + [CATEGORIES[c] for c in cats] + ["高严重程度问题", "问题合计"])
    for row in township_summary(report):
        ws.append(row)
    style(ws, [16, 8, 8, 12, 12] + [12] * len(cats) + [12, 10])

    if since:
        ws = wb.create_sheet("已整改问题")
        ws.append(["文件（上一轮）", "乡镇", "村", "条款序号", "原文", "问题类型", "严重程度", "规则代码", "指纹"])
        for x in store.fixed():
            d = x["data"]
            ws.append([x["rel_path"] or x["old_path"], x["township"] or "", x["village"] or "", (d.get("location") or {}).get("clause_label", ""),
                       (d.get("text") or "").strip(), CATEGORIES.get(d.get("category"), d.get("category")), {"high": "高", "medium": "中", "low": "低"}.get(d.get("severity"), ""),
                       d.get("rule") or "模型", d.get("fingerprint")])
        style(ws, [30, 12, 12, 12, 60, 16, 8, 10, 18])

    ws = wb.create_sheet("运行信息")
    ws.append(["项目", "内容"])
    counts = store.counts()
    ws.append(["生成时间", time.strftime("%Y-%m-%d %H:%M:%S")])
    ws.append(["结果数据库", str(store.path)])
    ws.append(["工具/规则/模型版本", json.dumps(report.versions, ensure_ascii=False)])
    ws.append(["已审查文件", counts.get("done", 0)])
    ws.append(["无法审查的文件", counts.get("error", 0)])
    ws.append(["不支持格式的文件", counts.get("unsupported", 0)])
    ws.append(["问题总数", counts.get("findings", 0)])
    if since:
        st = store.meta("reaudit", {})
        ws.append(["对比的上一轮", since])
        ws.append(["新增 / 仍存在 / 已整改", f"{st.get('new', 0)} / {st.get('persisting', 0)} / {st.get('fixed', 0)}（沿用审查决定 {st.get('carried', 0)} 条；上一轮有、本轮未复查的问题 {st.get('not_reaudited', 0)} 条）"])
    for run in store.runs():
        ws.append([f"第 {run['id']} 次运行", f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(run['started'] or 0))} {run['status']} {json.dumps(run['counts'], ensure_ascii=False)}"])
    style(ws, [22, 100])

    bio = io.BytesIO()
    wb.save(bio)
    return bio.getvalue()


def iter_jsonl(store: Store):
    """One JSON object per document (path, location, status, error, findings with round status)."""
    for d in store.documents():
        findings = store.findings_of(d["id"]) if d["status"] == "done" else []
        for f in findings:
            f.pop("_row", None)
        obj = {
            "path": d["shown_path"],
            "rel_path": d["rel_path"],
            "location_meta": json.loads(d["location_meta"] or "{}"),
            "status": d["status"],
            "format": d["format"],
            "sha256": d["sha256"],
            "size": d["size"],
            "title": d["title"],
            "doc_type": d["doc_type"],
            "clauses": d["clauses"],
            "verdict": d["verdict"],
            "error": {"code": d["error_code"], "message": d["error_message"]} if d["status"] != "done" else None,
            "versions": json.loads(d["versions"] or "{}"),
            "timings": json.loads(d["timings"] or "{}"),
            "outputs": json.loads(d["outputs"] or "[]"),
            "findings": findings,
        }
        yield json.dumps(obj, ensure_ascii=False)


def write_outputs(store: Store, outdir: Path, formats: list[str]) -> list[Path]:
    """Write the requested whole-batch formats into `outdir`; returns the files written."""
    from ..util import atomic_write_bytes

    outdir = Path(outdir)
    written: list[Path] = []
    report = None
    try:
        for fmt in formats:
            if fmt == "jsonl":
                target = outdir / JSONL_NAME
                data = "".join(line + "\n" for line in iter_jsonl(store)).encode("utf-8")
                atomic_write_bytes(target, data)
                written.append(target)
                continue
            report = report or build_report(store)
            if fmt == "xlsx":
                target = outdir / LEDGER_NAME
                atomic_write_bytes(target, render_ledger(store, report))
                written.append(target)
                continue
            if fmt == "json":  # the assess-report/1 document, plus where each document comes from
                data = report.to_dict()
                for r, d in zip(report.documents, data["documents"]):
                    d["location_meta"] = getattr(r, "location_meta", {}) or {}
                    d["status"] = getattr(r, "batch_status", None)
                target = outdir / "审查报告.json"
                atomic_write_bytes(target, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
                written.append(target)
                continue
            from ..reports import get_reporter, write_reports

            rep = get_reporter(fmt)
            if rep.per_document:
                raise OutputError(f"{fmt} 是逐件报告格式，请用 --per-document {fmt}（在审查时逐件生成）", code="E401")
            written += write_reports(report, [fmt], outdir)
    except OSError as e:
        raise OutputError(
            f"无法写入批量结果（{e.strerror or e}）；审查结果已保存在数据库中，释放空间后运行 assess report {outdir} 重新生成",
            code="E402", path=str(outdir)) from None
    return written
