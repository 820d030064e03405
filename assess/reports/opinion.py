"""The 评估意见书 (gender-equality assessment opinion) and helpers every report format shares.

The opinion is appended to the annotated Word report (assess/reports/docx.py), in a new landscape
section after the reviewed document, so one file carries both the commented text and the formal
opinion the drafting department answers to. It holds: document title, type, review date and
blank reviewer fields; the verdict with the rule that produced it (assess/verdict.py); a table of
findings (条款序号, 原文, 问题类型, 法律依据, 修改建议 and an empty 办理意见 column for the
drafting department's written reply); the positive measures found (assess/positive.py); the
legal provisions cited, with full law names; notes and stale reviewed decisions.

Only direct formatting and the built-in "Normal" style are used, so the opinion can be appended
to any user document whatever styles it defines.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..doctype import doc_type_zh
from ..findings import CATEGORIES, GENDER_CATEGORIES, SEVERITY_ZH
from ..verdict import PASS, REJECT, REJECT_HIGH_COUNT, REVISE, counts

OPINION_TITLE = "男女平等评估意见书"
TOOL_NAME = "assess 性别平等审查工具"

VERDICT_RULE_ZH = (
    f"评估结论规则：涉及性别歧视的高严重程度问题达 {REJECT_HIGH_COUNT} 处及以上的，{REJECT}（歧视性内容贯穿全文，"
    f"逐条修改不足以解决，应重新起草）；有中或高严重程度问题的，{REVISE}；仅有低严重程度的措辞提示或没有问题的，"
    f"{PASS}。经审查人员标记为“误报”或“不适用”的问题不计入；“其他违法（非性别）”类问题单独列出，不影响性别平等评估结论。"
)

DECISION_ZH = {"accepted": "确认问题", "false-positive": "误报", "not-applicable": "不适用"}
SOURCE_ZH = {"rule": "规则", "model": "模型", "rule+model": "规则+模型"}


# ---------------------------------------------------------------------------------------------
# Shared text helpers (used by docx, xlsx, html and markdown)


def _get(obj, key, default=""):
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def law_name(lb) -> str:
    return str(_get(lb, "law") or "")


def citation(lb) -> str:
    """《中华人民共和国妇女权益保障法》第五十六条"""
    law = law_name(lb)
    art = str(_get(lb, "article") or "")
    if art == "全文":
        art = ""
    return f"《{law}》{art}" if law else art


def citation_full(lb) -> str:
    """Citation plus the one-line summary."""
    s = str(_get(lb, "summary") or "")
    return citation(lb) + (f"：{s}" if s else "")


def cited_provisions(findings) -> list:
    """Distinct legal bases of `findings`, in order of first citation."""
    seen, out = set(), []
    for f in findings:
        for lb in f.legal_basis or []:
            key = (law_name(lb), str(_get(lb, "article")))
            if key not in seen:
                seen.add(key)
                out.append(lb)
    return out


def category_zh(f) -> str:
    return CATEGORIES.get(f.category, f.category)


def severity_zh(f) -> str:
    return SEVERITY_ZH.get(f.severity, f.severity)


def source_zh(f) -> str:
    return SOURCE_ZH.get(f.source, f.source or "")


def rule_code(f) -> str:
    """The rule code, with the other rules merged into this finding (same clause and category)."""
    code = f.rule or "模型"
    related = [r["rule"] for r in (f.explanation or {}).get("related_rules", []) if r.get("rule")]
    return f"{code}（另见 {'、'.join(related)}）" if related else code


def decision_zh(f) -> str:
    """'已审：误报（张三，2026-11-28；理由）' or '' when the finding has no reviewed decision."""
    d = f.decision
    if not d:
        return ""
    who = "，".join(str(x) for x in (d.get("reviewer"), d.get("date")) if x)
    reason = d.get("reason") or ""
    extra = "；".join(x for x in (who, str(reason) if reason else "") if x)
    return f"已审：{DECISION_ZH.get(d.get('decision'), d.get('decision'))}" + (f"（{extra}）" if extra else "")


def stale_zh(d: dict) -> str:
    extra = "，".join(str(x) for x in (d.get("reviewer"), d.get("date")) if x)
    return (
        f"审查决定 {d.get('fingerprint')}（{DECISION_ZH.get(d.get('decision'), d.get('decision'))}"
        + (f"，{extra}" if extra else "")
        + "）已无对应问题，条款可能已修改，请复核后从决定文件中删除"
    )


def location_zh(f) -> str:
    loc = f.location
    parts = []
    if loc.page:
        parts.append(f"第 {loc.page} 页")
    if loc.table is not None and loc.row is not None:
        parts.append(f"表 {loc.table + 1} 第 {loc.row + 1} 行")
    elif loc.paragraph is not None:
        parts.append(f"第 {loc.paragraph + 1} 段")
    elif loc.line and not loc.page:
        parts.append(f"第 {loc.line} 行")
    return "，".join(parts)


def location_extra(f) -> str:
    """location_zh(f) unless the clause label already says it (表1第3行)."""
    loc = location_zh(f)
    return "" if loc.replace(" ", "") in (f.location.clause_label or "").replace(" ", "") else loc


def clause_label(f) -> str:
    return f.location.clause_label or location_zh(f) or "—"


def location_meta(result) -> dict:
    """{"township": …, "village": …} from batch metadata, or {}."""
    meta = getattr(result, "location_meta", None)
    if not meta and getattr(result, "document", None) is not None:
        meta = result.document.meta.get("location_meta")
    return dict(meta) if isinstance(meta, dict) else {}


def severity_counts(findings) -> dict[str, int]:
    c = {"high": 0, "medium": 0, "low": 0}
    for f in findings:
        c[f.severity] = c.get(f.severity, 0) + 1
    return c


def verdict_reason(result) -> str:
    """One sentence saying why this verdict, from the counted findings."""
    c = counts(result.findings)
    other = sum(1 for f in result.findings if f.category not in GENDER_CATEGORIES)
    dismissed = sum(1 for f in result.findings if f.decision and f.decision.get("decision") in ("false-positive", "not-applicable"))
    s = f"计入评估的性别歧视问题：高 {c['high']} 处、中 {c['medium']} 处、低 {c['low']} 处"
    if dismissed:
        s += f"；另有 {dismissed} 处经审查标记为误报或不适用，不计入"
    if other:
        s += f"；其他违法（非性别）问题 {other} 处，单独列出"
    return s + "。"


def comment_lines(f) -> list[str]:
    """The text of one finding as the lines of a Word comment (first line is the heading)."""
    lines = [f"【{severity_zh(f)}】{category_zh(f)}" + (f"：{f.name}" if f.name else "")]
    if f.decision:
        lines.append(decision_zh(f))
    if f.message:
        lines.append(f"问题说明：{f.message}")
    if f.legal_basis:
        lines.append("法律依据：")
        lines += [f"· {citation_full(lb)}" for lb in f.legal_basis]
    if f.suggestion:
        lines.append(f"修改建议：{f.suggestion}")
    lines.append(f"规则：{rule_code(f)}；来源：{source_zh(f)}；置信度：{f.score:.2f}；编号：{f.id}")
    return lines


def looks_like_heading(text: str) -> bool:
    """A short numbered line without sentence punctuation (一、总体目标): shown as a heading."""
    t = text.strip()
    return 0 < len(t) <= 20 and not any(ch in t for ch in "。；;，,：:！？!?") and bool(re.match(r"^[一二三四五六七八九十]+[、．.]", t))


def today() -> str:
    return _dt.date.today().isoformat()


# ---------------------------------------------------------------------------------------------
# The opinion as Word content


def _para(doc, text: str = "", size: float | None = 11, bold: bool = False, align=None, space_after: float = 4):
    from docx.shared import Pt

    p = doc.add_paragraph(style=None)
    if text:
        r = p.add_run(xml_safe(text))
        r.bold = bold
        if size:
            r.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    # The user's "Normal" style may indent first lines (公文 style): the opinion sets its own layout.
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.left_indent = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(space_after)
    return p


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Characters XML cannot hold replaced by spaces (offsets stay the same)."""
    return _INVALID_XML.sub(" ", text or "")


def _el(tag: str, parent=None, **attrs):
    """A w: element (lxml, python-docx element classes) with w: attributes, appended to parent."""
    from docx.oxml.ns import qn

    attrib = {qn(f"w:{k}"): str(v) for k, v in attrs.items()}
    if parent is not None:
        from lxml import etree

        return etree.SubElement(parent, qn(tag), attrib)  # parent's parser: same element classes
    from docx.oxml import OxmlElement

    return OxmlElement(tag, attrs=attrib)


def _cell_paragraphs(tc, text: str, size: float, bold: bool) -> None:
    half_points = str(int(round(size * 2)))
    for line in (text or "").split("\n"):
        p = _el("w:p", tc)
        ppr = _el("w:pPr", p)
        _el("w:spacing", ppr, before=0, after=0, line=240, lineRule="auto")
        _el("w:ind", ppr, firstLine=0, left=0)
        r = _el("w:r", p)
        rpr = _el("w:rPr", r)
        if bold:
            _el("w:b", rpr)
        _el("w:sz", rpr, val=half_points)
        _el("w:szCs", rpr, val=half_points)
        t = _el("w:t", r)
        t.text = xml_safe(line)
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def add_table(doc, rows: list[list[str]], widths, *, header: bool = False, size: float = 9,
              shade: dict[tuple[int, int], str] | None = None, bold: set[tuple[int, int]] | None = None):
    """Append a bordered table of plain text to the body of `doc` (before the final sectPr).

    Built directly as XML: python-docx's cell API costs milliseconds per cell, which adds up to
    many seconds for a document with hundreds of findings. `widths` are python-docx Lengths.
    A header row (row 0) repeats on every page and is shaded and bold.
    """
    shade = dict(shade or {})
    bold = set(bold or ())
    if header:
        for j in range(len(widths)):
            shade.setdefault((0, j), "D9E2F3")
            bold.add((0, j))
    tw = [int(w.twips) for w in widths]
    tbl = _el("w:tbl")
    tblPr = _el("w:tblPr", tbl)
    _el("w:tblW", tblPr, w=sum(tw), type="dxa")
    borders = _el("w:tblBorders", tblPr)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _el(f"w:{edge}", borders, val="single", sz=4, space=0, color="808080")
    _el("w:tblLayout", tblPr, type="fixed")
    mar = _el("w:tblCellMar", tblPr)
    _el("w:left", mar, w=80, type="dxa")
    _el("w:right", mar, w=80, type="dxa")
    _el("w:tblLook", tblPr, val="04A0", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0, noHBand=0, noVBand=1)
    grid = _el("w:tblGrid", tbl)
    for w in tw:
        _el("w:gridCol", grid, w=w)
    for i, row in enumerate(rows):
        tr = _el("w:tr", tbl)
        if header and i == 0:
            trPr = _el("w:trPr", tr)
            _el("w:tblHeader", trPr)
        for j, w in enumerate(tw):
            tc = _el("w:tc", tr)
            tcPr = _el("w:tcPr", tc)
            _el("w:tcW", tcPr, w=w, type="dxa")
            if (i, j) in shade:
                _el("w:shd", tcPr, val="clear", color="auto", fill=shade[(i, j)])
            text = row[j] if j < len(row) else ""
            _cell_paragraphs(tc, text, size, (i, j) in bold)
    body = doc.element.body
    sect = body.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr")
    if sect is not None:
        sect.addprevious(tbl)
    else:
        body.append(tbl)
    return tbl


def _new_landscape_section(doc) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    try:
        sec = doc.add_section(WD_SECTION.NEW_PAGE)
    except Exception:  # noqa: BLE001 - a body without sectPr: fall back to a page break
        doc.add_page_break()
        return
    if sec.orientation != WD_ORIENT.LANDSCAPE:
        w, h = sec.page_width, sec.page_height
        sec.orientation = WD_ORIENT.LANDSCAPE
        if w and h and w < h:
            sec.page_width, sec.page_height = h, w
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin = sec.bottom_margin = Cm(2.0)


def add_opinion(doc, result, report=None, positives=None) -> None:
    """Append the 评估意见书 of `result` (a DocumentResult) to the python-docx `doc`."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    from ..positive import positive_measures

    d = result.document
    findings = result.findings
    positives = positive_measures(result) if positives is None else positives
    versions = getattr(report, "versions", {}) or {}

    _new_landscape_section(doc)
    _para(doc, OPINION_TITLE, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=10)

    meta = location_meta(result)
    fields = [
        ("文件名称", (d.title if d and d.title else "") or result.path),
        ("文件路径", result.path),
        ("文件类型", doc_type_zh(result.doc_type)),
        ("所属乡镇/村", " ".join(x for x in (meta.get("township"), meta.get("village")) if x)),
        ("审查日期", today()),
        ("审查工具", f"{TOOL_NAME} {versions.get('assess', '')}（规则库 {versions.get('rules') or '—'}"
                  + (f"，模型 {versions['model']}" if versions.get("model") else "") + "）"),
        ("评估单位", ""),
        ("评估人员", ""),
        ("复核人员", ""),
        ("起草部门", ""),
    ]
    grid = []
    for i in range(0, len(fields), 2):
        row = []
        for k, v in fields[i : i + 2]:
            row += [k, v]
        grid.append(row)
    labels = {(i, j) for i in range(len(grid)) for j in (0, 2)}
    add_table(doc, grid, (Cm(3), Cm(9.5), Cm(3), Cm(9.5)), size=10, shade={c: "EDEDED" for c in labels}, bold=labels)

    # 一、评估结论
    _para(doc, "一、评估结论", size=13, bold=True, space_after=6)
    _para(doc, f"评估结论：{result.verdict}", size=14, bold=True)
    _para(doc, f"共审查 {result.clauses} 个条款，发现问题 {len(findings)} 处。" + verdict_reason(result), size=11)
    _para(doc, VERDICT_RULE_ZH, size=9)

    # 二、问题条款及修改建议
    _para(doc, "二、问题条款及修改建议", size=13, bold=True, space_after=6)
    if not findings:
        _para(doc, "未发现歧视妇女或其他违法的条款。", size=11)
    else:
        headers = ["序号", "条款序号", "原文", "问题类型", "法律依据", "修改建议", "办理意见"]
        widths = [Cm(1.2), Cm(2.4), Cm(5.6), Cm(3.2), Cm(4.6), Cm(5.2), Cm(3.4)]
        grid = [headers]
        for i, f in enumerate(findings, 1):
            kind = f"{category_zh(f)}（{severity_zh(f)}）\n{rule_code(f)}" + (f"\n{decision_zh(f)}" if f.decision else "")
            where = clause_label(f)
            loc = location_extra(f)
            if loc:
                where += f"\n（{loc}）"
            grid.append([
                str(i),
                where,
                f.text.strip(),
                kind,
                "\n".join(citation(lb) for lb in f.legal_basis) or "—",
                f.suggestion or "—",
                "",
            ])
        add_table(doc, grid, widths, header=True, size=9)
        _para(doc, "注：“办理意见”栏由起草部门逐条填写采纳情况或不采纳的理由。", size=9)

    # 三、积极措施
    _para(doc, "三、文件中的积极措施", size=13, bold=True, space_after=6)
    if positives:
        for i, m in enumerate(positives, 1):
            lab = f"{m.clause_label}：" if m.clause_label else ""
            _para(doc, f"{i}. {m.name}——{lab}{m.text}", size=10)
    else:
        _para(doc, "未发现明确的促进男女平等措施（如妇女比例要求、平等享有权益的表述），建议在修改时补充。", size=10)

    # 四、引用的法律条文
    _para(doc, "四、引用的法律依据", size=13, bold=True, space_after=6)
    cited = cited_provisions(findings)
    if cited:
        for i, lb in enumerate(cited, 1):
            _para(doc, f"{i}. {citation_full(lb)}", size=10)
    else:
        _para(doc, "无。", size=10)
    _para(doc, "评估依据：《中华人民共和国妇女权益保障法》第八条（法规政策男女平等评估）、第五十五条、第五十六条、第七十五条；"
               "《中华人民共和国村民委员会组织法》第二十七条。", size=9)

    # 五、说明
    notes = list(d.notes if d else [])
    notes += [stale_zh(x) for x in result.stale_decisions]
    notes.append("本意见书由审查工具自动生成，问题条款与修改建议须经评估人员逐条复核后定稿；工具未发现问题不等于文件不存在性别歧视。")
    _para(doc, "五、说明", size=13, bold=True, space_after=6)
    for i, n in enumerate(notes, 1):
        _para(doc, f"{i}. {n}", size=9)

    _para(doc, "", space_after=12)
    _para(doc, "评估单位（盖章）：                    评估人员（签字）：                    日期：      年    月    日", size=11)
