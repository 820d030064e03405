"""The .docx reader: text in body order, offsets, run map, numbering, tracked changes, tables."""

from __future__ import annotations

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

import docgen
from assess.documents import Limits, load_document
from assess.documents.docx import cell_pieces, format_number, paragraph_pieces, read_docx
from assess.structure import build_tree

W = nsdecls("w")


def block_texts(doc):
    return [doc.text[b.start : b.end] for b in doc.blocks]


@pytest.fixture
def simple(tmp_path):
    d = docx.Document()
    d.add_paragraph("某村村规民约", style="Title")
    d.add_paragraph("第一条 为维护本村生产生活秩序，制定本规约。")
    d.add_paragraph("")  # empty paragraphs are not blocks but keep python-docx numbering
    p = d.add_paragraph()
    docgen.split_runs(p, "第二条 村民应当爱护公共设施，不得损坏道路、路灯和健身器材。")
    p = d.add_paragraph("第三条\t村民之间应当和睦相处。")
    p.add_run().add_break()
    p.add_run("遇有纠纷先行调解。")
    path = tmp_path / "simple.docx"
    d.save(path)
    return path


def test_paragraphs_offsets_and_python_docx_index(simple):
    doc = load_document(simple)
    assert doc.format == "docx"
    assert doc.title == "某村村规民约"
    assert block_texts(doc) == [
        "某村村规民约",
        "第一条 为维护本村生产生活秩序，制定本规约。",
        "第二条 村民应当爱护公共设施，不得损坏道路、路灯和健身器材。",
        "第三条\t村民之间应当和睦相处。\n遇有纠纷先行调解。",
    ]
    assert [b.paragraph for b in doc.blocks] == [0, 1, 3, 4]
    assert doc.blocks[0].style == "Title"
    pd = docx.Document(simple)
    for b in doc.blocks:
        # python-docx sees the same paragraph text (it renders w:br the same way)
        assert pd.paragraphs[b.paragraph].text == doc.text[b.start : b.end]
    assert len(doc.sha256) == 64 and doc.size == simple.stat().st_size


def test_run_map_round_trip(simple):
    doc = load_document(simple)
    pd = docx.Document(simple)
    b = doc.blocks[2]
    pieces = paragraph_pieces(pd.paragraphs[b.paragraph]._p)
    assert len(pieces) > 5  # many small runs
    assert "".join(t for t, _ in pieces) == doc.text[b.start + b.prefix : b.end]
    # An offset inside the paragraph maps to the run that holds it.
    target = doc.text.index("路灯")
    local = target - b.start - b.prefix
    pos = 0
    for text, run in pieces:
        if pos <= local < pos + len(text):
            assert text[local - pos] == "路"
            assert run.tag.endswith("}r")
            break
        pos += len(text)
    else:
        pytest.fail("offset not mapped to a run")


def numbered_doc(path):
    d = docx.Document()
    d.add_paragraph("某村村规民约", style="Title")
    nid = docgen.add_numbering(d, ("第%1条", "（%2）", "%3."), ("chineseCounting", "chineseCounting", "decimal"))
    for i, text in enumerate(["为加强村民自治，制定本规约。", "下列人员享有集体收益分配权：", "户籍在本村的村民；", "依法迁入本村的人员。",
                              "本规约由村民会议通过后施行。"]):
        p = d.add_paragraph(text)
        docgen.number(p, nid, 1 if i in (2, 3) else 0)
    d.add_paragraph("附：村民会议表决情况")
    nid2 = docgen.add_numbering(d, ("%1、",), ("chineseCountingThousand",))
    for text in ["表决人数一百二十人。", "同意一百一十人。"]:
        docgen.number(d.add_paragraph(text), nid2)
    d.save(path)
    return path


def test_auto_numbering_reconstructed(tmp_path):
    doc = load_document(numbered_doc(tmp_path / "n.docx"))
    texts = block_texts(doc)
    assert texts[1:6] == [
        "第一条 为加强村民自治，制定本规约。",
        "第二条 下列人员享有集体收益分配权：",
        "（一） 户籍在本村的村民；",
        "（二） 依法迁入本村的人员。",
        "第三条 本规约由村民会议通过后施行。",
    ]
    assert texts[-2:] == ["一、 表决人数一百二十人。", "二、 同意一百一十人。"]
    b = doc.blocks[1]
    assert b.prefix == len("第一条 ")
    assert doc.meta["numbered_paragraphs"] == 7
    # The run map excludes the numbering prefix.
    pd = docx.Document(tmp_path / "n.docx")
    assert paragraph_text(pd, b) == doc.text[b.start + b.prefix : b.end]
    tree = build_tree(doc)
    labels = [c.label for c in tree.root.walk()]
    assert "第二条第（一）项" in labels and "第三条" in labels


def paragraph_text(pd, b):
    return "".join(t for t, _ in paragraph_pieces(pd.paragraphs[b.paragraph]._p))


def test_numbering_restart_and_levels(tmp_path):
    d = docx.Document()
    nid = docgen.add_numbering(d, ("%1.", "%1.%2"), ("decimal", "decimal"))
    for lvl in (0, 1, 1, 0, 1):
        docgen.number(d.add_paragraph("内容"), nid, lvl)
    nid2 = docgen.restart_numbering(d, nid)
    docgen.number(d.add_paragraph("新列表"), nid2)
    d.save(tmp_path / "r.docx")
    doc = load_document(tmp_path / "r.docx")
    assert block_texts(doc) == ["1. 内容", "1.1 内容", "1.2 内容", "2. 内容", "2.1 内容", "1. 新列表"]


@pytest.mark.parametrize(
    "n,fmt,out",
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (12, "chineseCounting", "十二"),
     (20, "chineseCountingThousand", "二十"), (105, "chineseCountingThousand", "一百零五"),
     (3, "ideographTraditional", "丙"), (2, "lowerLetter", "b"), (28, "upperLetter", "BB"), (4, "lowerRoman", "iv"),
     (3, "decimalEnclosedCircle", "③"), (7, "decimalZero", "07"), (2, "chineseLegalSimplified", "贰"), (5, "bullet", "")],
)
def test_format_number(n, fmt, out):
    assert format_number(n, fmt) == out


def test_tracked_changes_read_as_accepted(tmp_path):
    d = docx.Document()
    p = d.add_paragraph()
    docgen.add_tracked(p, "出嫁女", "不再享受", "与其他村民平等享有", "集体收益分配。")
    d.save(tmp_path / "t.docx")
    doc = load_document(tmp_path / "t.docx")
    assert doc.text == "出嫁女与其他村民平等享有集体收益分配。"
    assert doc.meta["tracked_changes"] == {"insertions": 1, "deletions": 1}
    assert any("修订" in n and "接受全部修订" in n for n in doc.notes)


def test_headers_footers_excluded(tmp_path):
    d = docx.Document()
    docgen.add_page_footer(d, header="某县人民政府办公室文件")
    d.add_paragraph("正文第一段。")
    d.save(tmp_path / "h.docx")
    doc = load_document(tmp_path / "h.docx")
    assert doc.text == "正文第一段。"
    assert "页眉：某县人民政府办公室文件" in doc.excluded
    assert any(x.startswith("页脚：第 1 页") for x in doc.excluded)
    assert any("页眉" in n for n in doc.notes)


def test_table_with_header_cells(tmp_path):
    d = docx.Document()
    d.add_paragraph("附件：岗位表")
    t = d.add_table(rows=3, cols=4)
    for r, row in enumerate([["岗位名称", "招聘人数", "性别", "学历要求"], ["综合文员", "2", "不限", "大专及以上"],
                             ["驾驶员", "1", "男", "高中及以上"]]):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    d.add_paragraph("报名时间另行通知。")
    d.save(tmp_path / "tab.docx")
    doc = load_document(tmp_path / "tab.docx")
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [doc.text[b.start : b.end] for b in rows] == [
        "岗位名称 | 招聘人数 | 性别 | 学历要求",
        "岗位名称：综合文员 | 招聘人数：2 | 性别：不限 | 学历要求：大专及以上",
        "岗位名称：驾驶员 | 招聘人数：1 | 性别：男 | 学历要求：高中及以上",
    ]
    last = rows[-1]
    assert last.table == 0 and last.row == 2 and last.header == ["岗位名称", "招聘人数", "性别", "学历要求"]
    assert [doc.text[a:e] for a, e in last.cells] == ["驾驶员", "1", "男", "高中及以上"]
    assert "性别：男" in doc.text
    # Body order: paragraph, table, paragraph.
    assert doc.blocks[0].kind == "paragraph" and doc.blocks[-1].kind == "paragraph"
    assert doc.blocks[-1].paragraph == 1
    # cell_pieces gives the same cell text as the reader.
    pd = docx.Document(tmp_path / "tab.docx")
    tc = pd.tables[0].rows[2].cells[3]._tc
    assert "".join(t for t, _ in cell_pieces(tc)) == "高中及以上"


def test_table_without_header_and_nested_table(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "本村户籍人口一千二百人，其中妇女五百九十人。"
    t.cell(0, 1).text = "情况说明见附件。"
    t.cell(1, 0).text = "乙"
    inner = t.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "内一"
    inner.cell(0, 1).text = "内二"
    d.save(tmp_path / "n.docx")
    doc = load_document(tmp_path / "n.docx")
    texts = block_texts(doc)
    assert texts[0] == "本村户籍人口一千二百人，其中妇女五百九十人。 | 情况说明见附件。"
    assert doc.blocks[0].header is None
    assert texts[1] == "乙 | 内一 内二"


def test_single_column_table_read_as_paragraphs(tmp_path):
    d = docx.Document()
    t = d.add_table(rows=1, cols=1)
    cell = t.cell(0, 0)
    cell.text = "第一条 本村实行村务公开。"
    cell.add_paragraph("第二条 村民享有平等的权利。")
    d.save(tmp_path / "f.docx")
    doc = load_document(tmp_path / "f.docx")
    assert block_texts(doc) == ["第一条 本村实行村务公开。", "第二条 村民享有平等的权利。"]
    assert all(b.kind == "paragraph" and b.table == 0 for b in doc.blocks)


def test_content_controls_text_boxes_hyperlinks_fields(tmp_path):
    d = docx.Document()
    body = d.element.body
    body.insert(0, parse_xml(f'<w:sdt {W}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>控件中的段落。</w:t></w:r></w:p>'
                             f'</w:sdtContent></w:sdt>'))
    p = d.add_paragraph("见文本框")
    p._p.append(parse_xml(
        f'<w:r {W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>框内文字。</w:t></w:r>'
        '</w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r>'
        '<w:t>框内文字。</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'))
    p = d.add_paragraph("详见")
    p._p.append(parse_xml(f'<w:hyperlink {W}><w:r><w:t>县妇联网站</w:t></w:r></w:hyperlink>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:instrText> HYPERLINK "http://example" </w:instrText></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:t>（链接）</w:t></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>'))
    p._p.append(parse_xml(f'<w:r {W}><w:sym w:font="Wingdings" w:char="F0FC"/><w:t>。</w:t></w:r>'))
    d.save(tmp_path / "c.docx")
    doc = load_document(tmp_path / "c.docx")
    assert block_texts(doc) == ["控件中的段落。", "见文本框", "框内文字。", "详见县妇联网站（链接）。"]
    assert doc.blocks[0].paragraph is None and doc.blocks[1].paragraph == 0
    assert doc.meta["docx_paths"][0].endswith("w:sdtContent/w:p")


def test_regulation_structure(tmp_path):
    path = docgen.regulation_docx(tmp_path / "reg.docx", n_articles=14, table_every=7)
    doc = load_document(path)
    tree = build_tree(doc)
    labels = [c.label for c in tree.root.walk()]
    assert "第十二条第二款第（二）项" in labels
    assert "第四条第二款第（一）项" in labels
    chapters = [c for c in tree.root.children if c.kind == "chapter"]
    assert [c.number for c in chapters] == ["第一章", "第二章"]
    assert any(c.kind == "row" for c in tree.root.walk())
    units = tree.units()
    unit = next(u for u in units if u.label == "第十二条第二款第（二）项")
    assert unit.text.startswith("（二）涉及集体收益分配")
    assert unit.context.startswith("第十二条")


def test_multi_run_same_text_as_simple(tmp_path):
    a = load_document(docgen.regulation_docx(tmp_path / "a.docx", n_articles=12))
    b = load_document(docgen.regulation_docx(tmp_path / "b.docx", n_articles=12, multi_run=True))
    assert a.text == b.text


def test_read_docx_directly(simple):
    doc = read_docx(simple, Limits())
    assert doc.text.startswith("某村村规民约")


def test_numbering_inherited_from_paragraph_style(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    d = docx.Document()
    nid = docgen.add_numbering(d, ("第%1条",), ("chineseCounting",))
    base = d.styles.add_style("条文基础", WD_STYLE_TYPE.PARAGRAPH)
    base.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="{nid}"/></w:numPr>'))
    child = d.styles.add_style("条文", WD_STYLE_TYPE.PARAGRAPH)
    child.base_style = base
    d.add_paragraph("村民享有平等的权利。", style="条文")
    d.add_paragraph("村民应当履行义务。", style="条文")
    d.add_paragraph("不编号的说明。")
    d.save(tmp_path / "s.docx")
    doc = load_document(tmp_path / "s.docx")
    assert block_texts(doc) == ["第一条 村民享有平等的权利。", "第二条 村民应当履行义务。", "不编号的说明。"]
    assert doc.blocks[0].style == "条文"


def test_village_rules_clause_tree_with_auto_numbering(tmp_path):
    """Auto-numbered 第X条 with a second 款 and （一）… items gives 第十二条第二款第（三）项."""
    d = docx.Document()
    d.add_paragraph("某村村规民约", style="Title")
    d.add_paragraph("第一章 总则")
    art = docgen.add_numbering(d, ("第%1条",), ("chineseCounting",))
    bodies = docgen.varied_articles(12, seed=11)
    for i, body in enumerate(bodies, 1):
        docgen.number(d.add_paragraph(body), art)
        if i == 12:
            d.add_paragraph("有下列情形之一的，按照本村村民同等对待：")
            d.add_paragraph("（一）本村女子与外村人员结婚后户口仍在本村的；")
            d.add_paragraph("（二）离婚或者丧偶后户口仍在本村的；")
            d.add_paragraph("（三）男方到女方家落户的。")
    d.save(tmp_path / "v.docx")
    doc = load_document(tmp_path / "v.docx")
    tree = build_tree(doc)
    units = {u.label: u for u in tree.units()}
    item = units["第十二条第二款第（三）项"]
    assert item.text == "（三）男方到女方家落户的。"
    assert item.context.startswith("第十二条 ")
    assert "第十二条第二款" in units
    assert units["第十二条第一款"].text == "第十二条 " + bodies[11]
    art12 = next(b for b in doc.blocks if doc.text[b.start : b.end].startswith("第十二条"))
    assert art12.prefix == len("第十二条 ")


def test_ruby_phonetic_guide_skipped(tmp_path):
    d = docx.Document()
    p = d.add_paragraph("村民")
    p._p.append(parse_xml(f'<w:r {W}><w:ruby><w:rubyPr/><w:rt><w:r><w:t>zhāng</w:t></w:r></w:rt>'
                          f'<w:rubyBase><w:r><w:t>章</w:t></w:r></w:rubyBase></w:ruby></w:r>'))
    p.add_run("程")
    d.save(tmp_path / "ruby.docx")
    assert load_document(tmp_path / "ruby.docx").text == "村民章程"


# -- styles.xml is read per used style (_StyleParts), not parsed whole

def _styles_bytes(path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("word/styles.xml")


def _lazy_and_full(data: bytes):
    from lxml import etree

    from assess.documents.docx import _StyleParts, _T

    lazy = _StyleParts(data, _T, "x.docx")
    root = etree.fromstring(data)
    full = {st.get(_T.styleId): st for st in root.findall(_T.style)}
    return lazy, full


def test_lazy_styles_equal_full_parse_on_real_templates(simple):
    from pathlib import Path

    from lxml import etree

    examples = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.docx"))
    for path in [simple, *examples]:
        lazy, full = _lazy_and_full(_styles_bytes(path))
        assert full
        for sid, el in full.items():
            assert etree.tostring(lazy.get(sid)) == etree.tostring(el), (path, sid)
        assert lazy.get("NoSuchStyle") is None and "NoSuchStyle" not in lazy
        assert lazy._full is None  # found every style without parsing the whole part


def test_lazy_styles_edge_cases():
    from lxml import etree

    from assess.documents.docx import _StyleParts, _T

    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    data = (
        f"<?xml version='1.0'?>\n<w:styles xmlns:w='{W}'>"
        "<w:style w:type='paragraph' w:styleId='A'><w:name w:val='first A'/></w:style>"
        '<w:style w:type="paragraph" w:styleId="B&amp;C"><w:name w:val="b and c"/><w:basedOn w:val="A"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Empty"/>'
        "<w:style w:type='paragraph' w:styleId='A'><w:name w:val='second A'/></w:style>"
        "</w:styles>"
    ).encode()
    lazy = _StyleParts(data, _T, "x.docx")
    assert lazy.get("A").find(_T.name).get(_T.val) == "second A"  # the last definition wins, as in a full parse
    assert lazy.get("B&C").find(_T.basedOn).get(_T.val) == "A"
    assert lazy.get("Empty") is not None and len(lazy.get("Empty")) == 0
    assert lazy._full is None
    # Another prefix for WordprocessingML: same answers.
    lazy2 = _StyleParts(data.replace(b"w:", b"ww:").replace(b"xmlns:w=", b"xmlns:ww="), _T, "x.docx")
    assert lazy2.get("A").find(_T.name).get(_T.val) == "second A" and lazy2._full is None
    # A root the finder does not understand: the whole part is parsed instead.
    odd = data.replace(b"<w:styles xmlns:w=", b"<w:styles xmlns:q='urn:q' xmlns:w=", 1).replace(b"<w:styles", b"<q:styles").replace(b"</w:styles>", b"</q:styles>")
    lazy3 = _StyleParts(odd, _T, "x.docx")
    assert lazy3._full is not None and lazy3.get("A").find(_T.name).get(_T.val) == "second A"
    # No styles part at all.
    assert _StyleParts(None, _T, "x.docx").get("A") is None
    assert etree.tostring(lazy.get("B&C")).count(b"basedOn") == 1
