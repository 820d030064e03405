"""Annotated Word report: comments anchored on the exact words, highlights, the original kept
intact, the 评估意见书 appended, and LibreOffice opens the result with every comment."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

import docx
import pytest
from lxml import etree

from assess.reports import write_reports
from assess.reports.docx import render_docx, split_run
from docgen import pdf_comments
from test_reports_fixtures import AUTHOR, LAW_WOMEN, docx_result, make_report, soffice_convert, txt_result

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def q(n):
    return f"{{{W}}}{n}"


def anchored_texts(data: bytes) -> dict[str, str]:
    """comment id -> the text between its commentRangeStart and commentRangeEnd."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    open_ids: set[str] = set()
    out: dict[str, list] = {}
    for el in root.iter():
        if el.tag == q("commentRangeStart"):
            open_ids.add(el.get(q("id")))
            out.setdefault(el.get(q("id")), [])
        elif el.tag == q("commentRangeEnd"):
            open_ids.discard(el.get(q("id")))
        elif el.tag == q("t") and open_ids:
            for i in open_ids:
                out[i].append(el.text or "")
        elif el.tag in (q("tab"),) and open_ids:
            for i in open_ids:
                out[i].append("\t")
    return {k: "".join(v) for k, v in out.items()}


def comment_anchor_parents(data: bytes) -> dict[str, set[str]]:
    """comment id -> local names of the ancestors of its commentRangeStart."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = {}
    for el in root.iter(q("commentRangeStart")):
        out[el.get(q("id"))] = {etree.QName(a).localname for a in el.iterancestors()}
    return out


def ours(d):
    return [c for c in d.comments if c.author == AUTHOR]


def finding_of(comment, findings):
    m = re.search(r"编号：(F\d+)", comment.text)
    assert m, comment.text
    return next(f for f in findings if f.id == m.group(1))


@pytest.fixture
def docx_out(tmp_path):
    src, r = docx_result(tmp_path)
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    data = render_docx(r, make_report(r))
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before  # input untouched
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    return src, r, data, out


def test_one_comment_per_finding_with_full_explanation(docx_out):
    src, r, data, out = docx_out
    d = docx.Document(out)
    comments = ours(d)
    assert len(comments) == len(r.findings) == 7
    seen = set()
    for c in comments:
        f = finding_of(c, r.findings)
        seen.add(f.id)
        text = c.text
        for part in ("【", f.rule, f"{f.score:.2f}", f.message, f.suggestion, f.legal_basis[0].law, f.legal_basis[0].article,
                     f.legal_basis[0].summary):
            assert part in text, (part, text)
        assert {"高": "high", "中": "medium", "低": "low"}[text[1]] == f.severity
    assert seen == {f.id for f in r.findings}
    reviewed = [c for c in comments if finding_of(c, r.findings).decision]
    assert len(reviewed) == 1 and "已审：误报" in reviewed[0].text and "李四" in reviewed[0].text


def test_comments_anchor_exactly_the_matched_words(docx_out):
    src, r, data, out = docx_out
    d = docx.Document(out)
    anchors = anchored_texts(data)
    for c in ours(d):
        f = finding_of(c, r.findings)
        assert anchors[str(c.comment_id)] == f.match, (f.id, f.match, anchors[str(c.comment_id)])


def test_table_findings_are_anchored_in_the_cell(docx_out):
    src, r, data, out = docx_out
    d = docx.Document(out)
    parents = comment_anchor_parents(data)
    for c in ours(d):
        f = finding_of(c, r.findings)
        if f.match in ("限男性", "由男性户主担任"):
            assert "tc" in parents[str(c.comment_id)], f.match
        else:
            assert "tc" not in parents[str(c.comment_id)], f.match


def test_highlight_by_severity_on_matched_runs(docx_out):
    from docx.enum.text import WD_COLOR_INDEX

    src, r, data, out = docx_out
    d = docx.Document(out)
    body = d.element.body
    highlighted = {}
    for rr in body.iter(q("r")):
        hl = rr.find(f"{q('rPr')}/{q('highlight')}")
        if hl is not None:
            text = "".join(t.text or "" for t in rr.iter(q("t")))
            highlighted[text] = hl.get(q("val"))
    joined = "".join(highlighted)
    assert "限男性" in highlighted and highlighted["限男性"] == "magenta"  # high = pink/magenta
    assert "以男方意见为准" in joined
    assert WD_COLOR_INDEX.YELLOW is not None


def test_original_preserved(docx_out):
    src, r, data, out = docx_out
    orig = docx.Document(src)
    new = docx.Document(out)
    # Existing comment kept, with its author and text.
    kept = [c for c in new.comments if c.author == "张三"]
    assert len(kept) == 1 and kept[0].text == "起草人原有批注：此条请再核实"
    # Paragraph text of the original body unchanged (runs split, not rewritten), numbering kept.
    n = len(orig.paragraphs)
    assert [p.text for p in new.paragraphs[:n]] == [p.text for p in orig.paragraphs]
    num = lambda d: len(d.element.body.findall(f".//{q('numPr')}"))  # noqa: E731
    assert num(new) >= num(orig) == 4
    # Formatting of split runs kept: the bold pieces are still bold.
    bold_before = "".join(run.text for run in orig.paragraphs[2].runs if run.bold)
    bold_after = "".join(run.text for run in new.paragraphs[2].runs if run.bold)
    assert bold_before == bold_after and bold_before
    # The original tables come first, unchanged; the header is still there.
    for a, b in zip(orig.tables, new.tables):
        assert [c.text for row in a.rows for c in row.cells] == [c.text for row in b.rows for c in row.cells]
    assert new.sections[0].header.paragraphs[0].text == "某村村民委员会"


def test_opinion_appended(docx_out):
    src, r, data, out = docx_out
    d = docx.Document(out)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "男女平等评估意见书" in text
    assert f"评估结论：{r.verdict}" in text and r.verdict == "建议修改后通过"  # the false-positive high one does not count
    assert "评估结论规则" in text
    assert "积极措施" in text and "妇女代表不少于三分之一" in text
    assert f"《{LAW_WOMEN}》第五十六条" in text and "《中华人民共和国民法典》第一千零五十五条" in text
    assert "0123456789abcdef" in text  # stale decision reported
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "序号")
    assert [c.text for c in table.rows[0].cells] == ["序号", "条款序号", "原文", "问题类型", "法律依据", "修改建议", "办理意见"]
    assert len(table.rows) == 1 + len(r.findings)
    assert all(row.cells[6].text == "" for row in table.rows[1:])
    fields = next(t for t in d.tables if t.rows[0].cells[0].text == "文件名称")
    labels = [c.text for row in fields.rows for c in row.cells]
    for k in ("文件类型", "审查日期", "评估人员", "评估单位"):
        assert k in labels
    assert d.sections[-1].orientation == 1  # landscape section for the opinion


def test_txt_input_becomes_structured_docx(tmp_path):
    src, r = txt_result(tmp_path)
    data = render_docx(r, make_report(r))
    d = docx.Document(io.BytesIO(data))
    styles = [p.style.name for p in d.paragraphs]
    assert "Title" in styles and "Heading 1" in styles
    comments = ours(d)
    assert len(comments) == len(r.findings) == 2
    anchors = anchored_texts(data)
    assert sorted(anchors[str(c.comment_id)] for c in comments) == sorted(f.match for f in r.findings)
    assert "城关镇" in "\n".join(c.text for t in d.tables for row in t.rows for c in row.cells)


def test_pdf_input_becomes_docx(tmp_path):
    pytest.importorskip("reportlab")
    from docgen import reportlab_pdf

    from test_reports_fixtures import add_finding, finish, review_plain

    pdf = reportlab_pdf(tmp_path / "方案.pdf", ["第一条 为做好妇女工作制定本方案。", "第二条 招聘保洁员限男性。",
                                              ("table", [["岗位", "性别"], ["司机", "男"]])], title="某镇工作方案")
    r = review_plain(pdf)
    add_finding(r, "限男性", rule="EM001", category="employment")
    finish(r)
    data = render_docx(r, make_report(r))
    d = docx.Document(io.BytesIO(data))
    assert len(ours(d)) == 1
    assert list(anchored_texts(data).values()) == ["限男性"]


def test_split_run_keeps_formatting_and_text():
    d = docx.Document()
    p = d.add_paragraph()
    run = p.add_run("甲乙\t丙丁")
    run.bold = True
    second = split_run(run._r, 3)
    runs = p.runs
    assert [x.text for x in runs] == ["甲乙\t", "丙丁"] and all(x.bold for x in runs)
    assert second is runs[1]._r


def test_unlocatable_finding_still_gets_a_comment(tmp_path):
    src, r = docx_result(tmp_path)
    f = r.findings[0]
    f.location.start = f.location.end = 10**6  # beyond the text
    f.location.clause_start = f.location.clause_end = 10**6
    f.match = "不存在的文字"
    d = docx.Document(io.BytesIO(render_docx(r, make_report(r))))
    comments = ours(d)
    assert len(comments) == len(r.findings)
    assert any("未能在原文中自动定位" in c.text for c in comments)


def test_write_reports_names_and_atomic(tmp_path):
    src, r = docx_result(tmp_path)
    src2, r2 = txt_result(tmp_path)
    out = tmp_path / "out"
    written = write_reports(make_report(r, r2), ["docx"], out)
    assert sorted(p.name for p in written) == sorted(["村规民约.审查.docx", "章程.审查.docx"])
    assert not [p for p in out.iterdir() if p.suffix != ".docx"]  # no temp files left


def test_libreoffice_opens_with_every_comment(docx_out, tmp_path):
    src, r, data, out = docx_out
    fodt = soffice_convert(out, "fodt", tmp_path)
    root = etree.parse(str(fodt)).getroot()
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    notes = list(root.iter(f"{{{office}}}annotation"))
    assert len(notes) == len(r.findings) + 1  # ours + the original comment
    alltext = "\n".join("".join(n.itertext()) for n in notes)
    for f in r.findings:
        assert f.message in alltext and f.suggestion in alltext
    # PDF with comments exported as annotations: every comment's text is in the PDF.
    pdf = soffice_convert(out, 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}', tmp_path)
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "男女平等评估意见书" in text and "出嫁女" in text and "办理意见" in text
    contents = [text for i in range(len(doc)) for _y, _x, text in pdf_comments(doc[i])]
    assert len(contents) == len(r.findings) + 1
    for f in r.findings:
        assert any(f.message in c and f"编号：{f.id}" in c for c in contents), f.id


def test_content_control_paragraph_is_anchored(tmp_path):
    """A paragraph inside a body-level content control (w:sdt) is located by its XPath."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from test_reports_fixtures import add_finding, finish, review_plain

    d = docx.Document()
    d.add_paragraph("第一条 本规约适用于全体村民。")
    sdt = parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="条款"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>第二条 妇女不得担任</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>村民小组长。</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    d.element.body.insert(1, sdt)
    d.add_paragraph("第三条 本规约自通过之日起施行。")
    src = tmp_path / "sdt.docx"
    d.save(src)
    r = review_plain(src)
    add_finding(r, "不得担任村民小组长", rule="PP003", category="political_participation")
    finish(r)
    data = render_docx(r, make_report(r))
    assert list(anchored_texts(data).values()) == ["不得担任村民小组长"]
    parents = comment_anchor_parents(data)
    assert all("sdtContent" in p for p in parents.values())


def test_text_box_paragraph_is_anchored(tmp_path):
    """A paragraph in a (VML) text box is located by its XPath and commented in place."""
    from docx.oxml import parse_xml

    from test_reports_fixtures import add_finding, finish, review_plain

    d = docx.Document()
    d.add_paragraph("第一条 本规约适用于全体村民。")
    p = d.add_paragraph("见右侧方框：")
    run = parse_xml(
        f'<w:r xmlns:w="{W}" xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:200pt;height:60pt">'
        "<v:textbox><w:txbxContent><w:p><w:r><w:t>提示：出嫁女不参与本年度分红。</w:t></w:r></w:p></w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>"
    )
    p._p.append(run)
    src = tmp_path / "box.docx"
    d.save(src)
    r = review_plain(src)
    if "出嫁女不参与" not in r.document.text:
        pytest.skip("the reader does not read VML text boxes")
    add_finding(r, "出嫁女不参与本年度分红", rule="CR001")
    finish(r)
    data = render_docx(r, make_report(r))
    assert list(anchored_texts(data).values()) == ["出嫁女不参与本年度分红"]
    assert all("txbxContent" in p for p in comment_anchor_parents(data).values())


# Child order required by the WordprocessingML schema (ECMA-376 transitional) for the property
# elements this writer creates or edits; Word refuses files where it is broken.
SCHEMA_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs "
           "em lang eastAsianLayout specVanish oMath rPrChange",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
           "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
           "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark "
            "headers cellIns cellDel cellMerge tcPrChange",
    "tblCellMar": "top left start bottom right end",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
              "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings sectPrChange",
}


@pytest.mark.parametrize("which", ["docx", "txt"])
def test_property_elements_in_schema_order(tmp_path, which):
    src, r = docx_result(tmp_path) if which == "docx" else txt_result(tmp_path)
    data = render_docx(r, make_report(r))
    z = zipfile.ZipFile(io.BytesIO(data))
    for part in ("word/document.xml", "word/comments.xml"):
        root = etree.fromstring(z.read(part))
        for parent, order in SCHEMA_ORDER.items():
            rank = {name: i for i, name in enumerate(order.split())}
            for el in root.iter(q(parent)):
                names = [etree.QName(c).localname for c in el if isinstance(c.tag, str) and c.tag.startswith(f"{{{W}}}")]
                ranks = [rank.get(n, -1) for n in names]
                assert -1 not in ranks, (part, parent, names)
                assert ranks == sorted(ranks), (part, parent, names)
    # Every comment id referenced in the body exists in comments.xml, and the other way round.
    body = z.read("word/document.xml").decode("utf-8")
    comments = etree.fromstring(z.read("word/comments.xml"))
    ids = {c.get(q("id")) for c in comments.iter(q("comment"))}
    for tag in ("commentRangeStart", "commentRangeEnd", "commentReference"):
        found = set(re.findall(rf'<w:{tag} w:id="(\d+)"', body))
        assert found == ids, tag


def test_span_over_several_paragraphs_is_one_comment(tmp_path):
    """A model finding on a whole article (two paragraphs) highlights both and comments once."""
    from assess.findings import Finding, Location

    from test_reports_fixtures import finish, review_plain

    d = docx.Document()
    d.add_paragraph("第一条 本规约适用于全体村民。")
    d.add_paragraph("第二条 出嫁女的承包地由村民小组收回。")
    d.add_paragraph("前款规定的土地另行发包给本组男性村民。")
    d.add_paragraph("第三条 本规约自通过之日起施行。")
    src = tmp_path / "multi.docx"
    d.save(src)
    r = review_plain(src)
    text = r.document.text
    a = text.index("第二条")
    b = text.index("男性村民。") + len("男性村民。")
    r.findings.append(Finding(rule=None, source="model", category="collective_rights", severity="low", score=0.8,
                              text=text[a:b], match=text[a:b], location=Location("第二条", a, b, a, b),
                              message="模型判断该条款可能歧视妇女。"))
    finish(r)
    data = render_docx(r, make_report(r))
    anchors = list(anchored_texts(data).values())
    assert anchors == [text[a:b].replace("\n", "")]
    out = docx.Document(io.BytesIO(data))
    assert len(ours(out)) == 1
    lit = [run.text for p in out.paragraphs[1:3] for run in p.runs if run.font.highlight_color is not None]
    assert "".join(lit) == text[a:b].replace("\n", "")


def test_changed_source_falls_back_to_reviewed_text(tmp_path):
    src, r = docx_result(tmp_path)
    d = docx.Document(src)
    d.paragraphs[1].insert_paragraph_before("新加的一段文字，使偏移全部改变。")
    d.save(src)  # the file changes after the review
    data = render_docx(r, make_report(r))
    out = docx.Document(io.BytesIO(data))
    assert "审查后已改动" in out.paragraphs[0].text
    anchors = anchored_texts(data)
    for c in ours(out):
        assert anchors[str(c.comment_id)] == finding_of(c, r.findings).match
