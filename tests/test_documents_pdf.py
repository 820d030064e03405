"""The PDF reader: pages, header/footer and page-number removal, unwrapping, tables, engines."""

from __future__ import annotations

import pytest

import docgen
from assess.documents import Limits, load_document
from assess.documents.pdf import is_page_number, normalise_line, page_of, starts_clause
from assess.structure import build_tree

TITLE = "某镇妇女权益保障工作方案"
INTRO = "为进一步保障妇女合法权益，推动男女平等基本国策落到实处，结合本镇实际，制定本方案。"
TABLE = [["岗位", "人数", "性别", "学历"], ["文员", "2", "不限", "大专"], ["司机", "1", "男", "高中"]]


def articles(n=30, seed=3):
    return [f"第{docgen.cn(i)}条 {a}" for i, a in enumerate(docgen.varied_articles(n, seed), 1)]


@pytest.fixture(scope="module")
def plain_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "plain.pdf"
    docgen.reportlab_pdf(path, [INTRO] + articles(), title=TITLE)
    return path


@pytest.fixture(scope="module")
def table_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "table.pdf"
    paras = [INTRO] + articles(12)
    paras.insert(4, ("table", TABLE))
    docgen.reportlab_pdf(path, paras, title=TITLE, page_numbers="cn")
    return path


def texts(doc):
    return [doc.text[b.start : b.end] for b in doc.blocks]


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber", "auto"])
def test_paragraphs_unwrapped_headers_removed(plain_pdf, engine):
    doc = load_document(plain_pdf, Limits(pdf_engine=engine))
    assert doc.format == "pdf" and doc.pages >= 3
    t = texts(doc)
    assert t[0] == TITLE
    assert t[1] == INTRO
    assert t[2:] == articles()  # every article is one paragraph again, across line and page breaks
    assert doc.title == TITLE
    assert "页眉：某镇妇女权益保障工作方案（征求意见稿）" in doc.excluded
    assert "征求意见稿" not in doc.text
    assert not any(is_page_number(x) for x in t)
    assert any("页眉" in n for n in doc.notes)


def test_engines_give_the_same_paragraphs(plain_pdf):
    results = {e: texts(load_document(plain_pdf, Limits(pdf_engine=e))) for e in ("pdfium", "pdfplumber", "auto")}
    assert results["pdfium"] == results["pdfplumber"] == results["auto"]


def test_pages_and_offsets(plain_pdf):
    doc = load_document(plain_pdf)
    pages = [b.page for b in doc.blocks]
    assert pages[0] == 1 and pages == sorted(pages) and pages[-1] == doc.pages
    last = doc.blocks[-1]
    assert page_of(doc, last.start) == last.page
    for b in doc.blocks:
        assert doc.text[b.start : b.end].strip() == doc.text[b.start : b.end]


@pytest.mark.parametrize("engine", ["pdfplumber", "auto"])
def test_tables_as_rows(table_pdf, engine):
    doc = load_document(table_pdf, Limits(pdf_engine=engine))
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [doc.text[b.start : b.end] for b in rows] == [
        "岗位 | 人数 | 性别 | 学历",
        "岗位：文员 | 人数：2 | 性别：不限 | 学历：大专",
        "岗位：司机 | 人数：1 | 性别：男 | 学历：高中",
    ]
    assert rows[2].header == ["岗位", "人数", "性别", "学历"]
    assert [doc.text[a:e] for a, e in rows[2].cells] == ["司机", "1", "男", "高中"]
    # The table's text is not also in the paragraph stream.
    assert doc.text.count("司机") == 1
    if engine == "auto":
        assert doc.meta["table_pages"] == [rows[0].page]
    # Page numbers in the 第 N 页 共 M 页 form are removed too.
    assert "共2页" not in doc.text.replace(" ", "") and "共 2 页" not in doc.text


def test_pdfium_engine_keeps_table_text_as_lines(table_pdf):
    doc = load_document(table_pdf, Limits(pdf_engine="pdfium"))
    assert not any(b.kind == "table_row" for b in doc.blocks)
    assert "司机" in doc.text and "男" in doc.text


def test_clause_tree_from_pdf(plain_pdf):
    tree = build_tree(load_document(plain_pdf))
    arts = [c for c in tree.root.walk() if c.kind == "article"]
    assert len(arts) == 30 and arts[11].label == "第十二条"


@pytest.mark.skipif(docgen.soffice() is None, reason="LibreOffice not installed")
def test_libreoffice_export(tmp_path):
    import docx

    d = docx.Document()
    d.add_heading(TITLE, 0)
    docgen.add_page_footer(d, header="某镇妇女权益保障工作方案（征求意见稿）")
    arts = articles(28, seed=5)
    for a in arts[:6]:
        d.add_paragraph(a)
    t = d.add_table(rows=3, cols=4)
    t.style = "Table Grid"
    for r, row in enumerate(TABLE):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    for a in arts[6:]:
        d.add_paragraph(a)
    d.save(tmp_path / "lo.docx")
    pdf = docgen.soffice_pdf(tmp_path / "lo.docx")
    by_engine = {e: load_document(pdf, Limits(pdf_engine=e)) for e in ("pdfium", "pdfplumber", "auto")}
    plumber = texts(by_engine["pdfplumber"])
    assert plumber[0] == TITLE
    assert [x for x in plumber if x.startswith("第")] == arts
    assert texts(by_engine["auto"]) == plumber
    # pdfium alone: same paragraphs, the table as plain lines.
    assert [x for x in texts(by_engine["pdfium"]) if x.startswith("第")] == arts
    assert "“三包”" in by_engine["pdfium"].text  # glyphs drawn out of order are put back in place


def test_page_without_text_is_noted(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    c = canvas.Canvas(str(tmp_path / "mixed.pdf"), pagesize=A4, invariant=1)
    c.setFont(font, 12)
    c.drawString(80, 700, "第一条 本村实行村务公开。")
    c.showPage()
    c.rect(100, 100, 300, 500, fill=1)  # a scanned page: an image, no text
    c.showPage()
    c.save()
    doc = load_document(tmp_path / "mixed.pdf")
    assert doc.text == "第一条 本村实行村务公开。"
    assert doc.meta["pages_without_text"] == [2]
    assert any("第 2 页没有文字层" in n for n in doc.notes)


def test_normalise_line():
    assert normalise_line("第 1 条  岗位 0") == "第1条 岗位0"
    assert normalise_line("村民 ， 应当") == "村民，应当"
    assert normalise_line("Page  3 of 10") == "Page 3 of 10"


@pytest.mark.parametrize("line", ["- 3 -", "— 12 —", "第 3 页", "第3页 共10页", "共 10 页 第 3 页", "3/10", "Page 3", "page 3 of 9", "7"])
def test_page_number_lines(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["第三条 村民应当", "3. 村民应当", "2024年5月1日", "共同富裕"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_starts_clause():
    assert starts_clause("第十二条 出嫁女")
    assert starts_clause("（三）离婚妇女")
    assert starts_clause("一、总则")
    assert not starts_clause("第三条的规定处理。")
    assert not starts_clause("2023年起实行")


def test_auto_mixes_engines_without_seams(tmp_path):
    """Table pages read by pdfplumber, the rest by pdfium: same result as pdfplumber throughout."""
    paras = [INTRO] + articles(45, seed=7)
    paras.insert(30, ("table", TABLE))
    path = docgen.reportlab_pdf(tmp_path / "mixed.pdf", paras, title=TITLE)
    auto = load_document(path, Limits(pdf_engine="auto"))
    plumber = load_document(path, Limits(pdf_engine="pdfplumber"))
    assert auto.pages >= 4 and len(auto.meta["table_pages"]) == 1
    assert texts(auto) == texts(plumber)
    assert "征求意见稿" not in auto.text


def _cjk_font_installed() -> bool:
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_single_character_line_is_kept(tmp_path, engine):
    """A paragraph whose last character wraps onto a line of its own keeps that character."""
    from assess.documents.pdf import font_mode

    if engine == "pdfium" and font_mode() == "system" and not _cjk_font_installed():
        pytest.skip("with system fonts, PDFium drops single-glyph text objects of non-embedded CJK fonts "
                    "when no CJK system font is installed")
    from reportlab.lib.pagesizes import A4

    font = docgen._cid_font()
    width = A4[0] - 160
    text = "第一条 " + "甲" * 30
    while len(docgen.wrap(text + "女", width, font, 12)) == 1:
        text += "甲"
    path = docgen.reportlab_pdf(tmp_path / "lone.pdf", [text + "女", "第二条 乙。"], header=None, page_numbers="none")
    doc = load_document(path, Limits(pdf_engine=engine))
    assert texts(doc) == [text + "女", "第二条 乙。"]


# ---------------------------------------------------------------------------------------------
# Substitute fonts: the fast box font (default) and PDFium's system fonts give the same text.

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
EXAMPLE_PDF = ROOT / "examples" / "某镇妇女权益保障工作方案.pdf"

_PARAGRAPHS_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from assess.documents import Limits, load_document
from assess.documents.pdf import font_mode
out = {"mode": font_mode(), "docs": {}}
for f in sys.argv[2:]:
    out["docs"][f] = {}
    for engine in ("pdfium", "auto"):
        d = load_document(f, Limits(pdf_engine=engine))
        out["docs"][f][engine] = [[d.text[b.start:b.end], b.page, b.kind] for b in d.blocks] + [d.excluded, d.notes]
print(json.dumps(out, ensure_ascii=False))
"""


def paragraphs_in_mode(system_fonts: bool, paths) -> dict:
    """Paragraphs of each PDF (pdfium and auto engines) read in a fresh process in one font mode."""
    import json
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env["ASSESS_PDFIUM_SYSTEM_FONTS"] = "1" if system_fonts else "0"
    r = subprocess.run([sys.executable, "-c", _PARAGRAPHS_SCRIPT, str(ROOT), *map(str, paths)], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["mode"] == ("system" if system_fonts else "box")
    return out["docs"]


def lone_char_paragraphs(size: float) -> list[str]:
    """Articles whose last character (or characters) wraps onto a line of its own at this size."""
    from reportlab.lib.pagesizes import A4

    font = docgen._cid_font()
    width = A4[0] - 160
    out = []
    for k, last in enumerate(["女", "。", "1", "A", "）", "女。"], 1):
        text = f"第{docgen.cn(k)}条 " + "妇" * 8
        while docgen.wrap(text + last, width, font, size)[-1] != last:
            text += "权"
            assert len(text) < 200
        out.append(text + last)
    return out + ["第七条 本方案自印发之日起施行。"]


@pytest.fixture(scope="module")
def cid_pdfs(tmp_path_factory):
    """reportlab PDFs with the non-embedded CID font STSong-Light, incl. single-character lines."""
    d = tmp_path_factory.mktemp("fonts")
    paths = [docgen.reportlab_pdf(d / "plain.pdf", [INTRO] + articles(), title=TITLE)]
    paras = [INTRO] + articles(12)
    paras.insert(4, ("table", TABLE))
    paths.append(docgen.reportlab_pdf(d / "table.pdf", paras, title=TITLE, page_numbers="cn"))
    for size in (9, 10.5, 12, 16):
        paths.append(docgen.reportlab_pdf(d / f"lone{size}.pdf", lone_char_paragraphs(size), size=size,
                                          header="某镇文件" if size == 12 else None, page_numbers="dash" if size >= 12 else "none",
                                          title=TITLE if size == 16 else None))
    paths.append(other_cid_fonts_pdf(d / "cjk-fonts.pdf"))
    return paths


def other_cid_fonts_pdf(path):
    """Big5, Japanese and Korean CID fonts (not embedded) and Helvetica, with single-glyph lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = 780
    for name, text in (("STSong-Light", "第一条 妇女与男子享有平等的权利。"), ("MSung-Light", "第二條 婦女與男子享有平等的權利"),
                       ("HeiseiMin-W3", "第三条 女性の権利"), ("HYSMyeongJo-Medium", "제4조 여성의 권리"),
                       ("Helvetica", "Article 5 equal rights")):
        if name != "Helvetica":
            try:
                pdfmetrics.getFont(name)
            except KeyError:
                pdfmetrics.registerFont(UnicodeCIDFont(name))
        for line in (text, text[-1], "。" if name != "Helvetica" else "x"):
            c.setFont(name, 12)
            c.drawString(80, y, line)
            y -= 20
        y -= 10
    c.showPage()
    c.save()
    return path


def test_box_font_is_the_default():
    import os

    from assess.documents.pdf import font_mode

    if os.environ.get("ASSESS_PDFIUM_SYSTEM_FONTS", "").strip().lower() in ("1", "true", "yes", "on"):
        pytest.skip("this run opted out of the box font (ASSESS_PDFIUM_SYSTEM_FONTS)")
    assert font_mode() == "box"
    assert load_document(EXAMPLE_PDF).meta["pdf_fonts"] == "box"


@pytest.mark.parametrize("size", [9, 10.5, 12, 16])
def test_box_font_keeps_single_character_lines(tmp_path, size):
    """Without any CJK system font: every wrapped single character (女, 。, 1, A, ）) is kept."""
    paras = lone_char_paragraphs(size)
    path = docgen.reportlab_pdf(tmp_path / "lone.pdf", paras, header=None, page_numbers="none", size=size)
    docs = paragraphs_in_mode(False, [path])
    for engine in ("pdfium", "auto"):
        assert [t for t, _, _ in docs[str(path)][engine][:-2]] == paras


def test_font_modes_same_paragraphs_non_embedded_cid(cid_pdfs):
    """Box font vs system fonts on non-embedded STSong-Light: identical paragraphs, pages, exclusions."""
    if not _cjk_font_installed():
        pytest.skip("no CJK system font: system-font mode itself drops single-glyph lines here")
    system = paragraphs_in_mode(True, cid_pdfs)
    box = paragraphs_in_mode(False, cid_pdfs)
    for p in cid_pdfs:
        for engine in ("pdfium", "auto"):
            assert box[str(p)][engine] == system[str(p)][engine], (p.name, engine)
    lone = [t for t, _, _ in box[str(next(p for p in cid_pdfs if p.name == "lone16.pdf"))]["pdfium"][:-2]]
    assert lone[0] == TITLE and lone[1:] == lone_char_paragraphs(16)


def test_font_modes_same_paragraphs_embedded(tmp_path):
    """Embedded (subset) fonts never ask for a substitute: both modes give the same paragraphs."""
    paths = [EXAMPLE_PDF]
    if docgen.soffice() is not None:
        import docx

        d = docx.Document()
        d.add_heading(TITLE, 0)
        docgen.add_page_footer(d, header="某镇妇女权益保障工作方案（征求意见稿）")
        for a in articles(24, seed=11):
            d.add_paragraph(a)
        d.save(tmp_path / "lo.docx")
        pdf = docgen.soffice_pdf(tmp_path / "lo.docx")
        if pdf is not None:
            paths.append(pdf)
    system = paragraphs_in_mode(True, paths)
    box = paragraphs_in_mode(False, paths)
    for p in paths:
        for engine in ("pdfium", "auto"):
            assert box[str(p)][engine] == system[str(p)][engine], (p.name, engine)
    assert len(box[str(EXAMPLE_PDF)]["pdfium"]) > 10


def identity_h_pdf(path, lines: list[str], basefont: bytes = b"SimSun") -> None:
    """A WPS-style PDF: Type0 font, Identity-H, NOT embedded, ToUnicode map, CIDs = glyph ids of the
    absent font. One text object per line, 12 pt, 19.2 pt leading, from x = 80."""
    chars = sorted({ch for ln in lines for ch in ln})
    cid = {ch: 100 + i for i, ch in enumerate(chars)}
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) "
            "/Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange "
            f"<0000> <FFFF> endcodespacerange {len(chars)} beginbfchar\n"
            + "\n".join(f"<{cid[ch]:04X}> <{ord(ch):04X}>" for ch in chars)
            + "\nendbfchar endcmap CMapName currentdict /CMap defineresource pop end end").encode()
    widths = " ".join(f"{cid[ch]} [{500 if ch.isascii() else 1000}]" for ch in chars).encode()
    content = b"BT\n" + b"\n".join(
        f"/F1 12 Tf 1 0 0 1 80 {780 - 19.2 * i:.1f} Tm <{''.join(f'{cid[ch]:04X}' for ch in ln)}> Tj".encode()
        for i, ln in enumerate(lines)) + b"\nET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /" + basefont + b" /Encoding /Identity-H /DescendantFonts [6 0 R] "
        b"/ToUnicode 8 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + basefont + b" /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 /W [" + widths + b"] /CIDToGIDMap /Identity >>",
        b"<< /Type /FontDescriptor /FontName /" + basefont + b" /Flags 6 /FontBBox [-8 -145 1000 859] /ItalicAngle 0 "
        b"/Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))


@pytest.mark.parametrize("basefont", [b"SimSun", b"#CB#CE#CC#E5", b"FZXiaoBiaoSong-B05S"])
def test_box_font_keeps_single_glyphs_of_identity_fonts(tmp_path, basefont):
    """WPS-style non-embedded Identity-H fonts: a wrapped single character is kept by the box font
    (PDFium's system-font mode loses it unless a system font happens to have a glyph there)."""
    lines = ["第一条 本村村民不分男女，依法平等享有集体经济组织成员的各项权利，任何组织和个人不得侵害",
             "。",
             "第二条 出嫁女及其子女在本村落户的，享有与其他村民同等的待遇，不得以婚姻状况为由歧视妇",
             "女",
             "第三条 本规约自村民会议通过之日起施行。"]
    path = tmp_path / "wps.pdf"
    identity_h_pdf(path, lines, basefont)
    box = paragraphs_in_mode(False, [path])[str(path)]
    for engine in ("pdfium", "auto"):
        assert [t for t, _, _ in box[engine][:-2]] == [lines[0] + lines[1], lines[2] + lines[3], lines[4]]


def _font_mode_in_child(path, q):
    from assess.documents.pdf import font_mode

    doc = load_document(path, Limits(pdf_engine="pdfium"))
    q.put((font_mode(), texts(doc)))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_batch_style_workers_get_the_same_font_mode(tmp_path, method):
    """Batch workers are forked (Linux) or spawned: either way they read with the parent's font mode."""
    import multiprocessing as mp
    import sys

    from assess.documents.pdf import font_mode

    if method == "fork" and not sys.platform.startswith("linux"):
        pytest.skip("fork start method is Linux-only here")
    paras = lone_char_paragraphs(12)
    path = docgen.reportlab_pdf(tmp_path / "lone.pdf", paras, header=None, page_numbers="none")
    load_document(path, Limits(pdf_engine="pdfium"))  # the parent has initialised PDFium fonts first
    ctx = mp.get_context(method)
    q = ctx.Queue()
    p = ctx.Process(target=_font_mode_in_child, args=(path, q))
    p.start()
    mode, got = q.get(timeout=120)
    p.join(30)
    assert mode == font_mode()
    if mode == "box" or _cjk_font_installed():
        assert got == paras


# ---------------------------------------------------------------------------------------------
# The `auto` engine's own ruled-table finder (pdf_tables.py, on PDFium objects) against pdfplumber.

ROLES = [["岗位", "人数", "性别", "条件"],
         ["文员", "2", "不限", "大专及以上学历，熟悉办公软件操作，有两年以上基层工作经历者优先"],
         ["司机", "1", "男", "高中"]]


def blocks(doc):
    return [(doc.text[b.start : b.end], b.kind, b.page, b.table, b.row) for b in doc.blocks]


def rows_of(doc):
    return [x for x in blocks(doc) if x[1] == "table_row"]


def platypus_pdf(path, story_items, repeat_rows=1):
    """A reportlab platypus document: strings are body paragraphs, ("table", rows, widths) a ruled
    table (GRID style, cells as wrapping CJK paragraphs, header row repeated after a page break)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font = docgen._cid_font()
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=19, firstLineIndent=24, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK")
    story = []
    for it in story_items:
        if isinstance(it, tuple):
            t = Table([[Paragraph(c, cell) for c in r] for r in it[1]], colWidths=it[2], repeatRows=repeat_rows)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
            story.append(t)
        else:
            story.append(Paragraph(it, body))
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(story)
    return path


def read_all(path):
    return {e: load_document(path, Limits(pdf_engine=e)) for e in ("pdfium", "pdfplumber", "auto")}


def test_auto_table_with_wrapped_cell(tmp_path):
    """A cell whose text wraps onto two lines is one cell value, as pdfplumber reads it."""
    arts = articles(8, seed=3)
    path = platypus_pdf(tmp_path / "wrap.pdf", arts[:3] + [("table", ROLES, [60, 50, 50, 200])] + arts[3:])
    docs = read_all(path)
    assert blocks(docs["auto"]) == blocks(docs["pdfplumber"])
    assert [r[0] for r in rows_of(docs["auto"])] == [
        "岗位 | 人数 | 性别 | 条件",
        "岗位：文员 | 人数：2 | 性别：不限 | 条件：大专及以上学历，熟悉办公软件操作，有两年以上基层工作经历者优先",
        "岗位：司机 | 人数：1 | 性别：男 | 条件：高中",
    ]
    assert docs["auto"].meta["table_pages"] == [1]
    assert docs["auto"].text.count("基层工作经历") == 1  # not also left in the paragraph stream
    # Outside the table, auto reads the page like pdfium does.
    assert [x for x in texts(docs["auto"]) if x.startswith("第")] == [x for x in texts(docs["pdfium"]) if x.startswith("第")]


def test_auto_table_continued_over_page_break(tmp_path):
    """A long table split over pages with the header row repeated: one table, rows numbered on,
    the repeated header dropped (the same continuation logic as the pdfplumber engine)."""
    rows = [["序号", "姓名", "性别", "职务"]] + [[str(i), f"张{docgen.cn(i % 10)}", "女" if i % 2 else "男", "村民代表"]
                                              for i in range(1, 61)]
    arts = articles(8, seed=4)
    path = platypus_pdf(tmp_path / "long.pdf", arts[:4] + [("table", rows, [40, 80, 50, 120])] + arts[4:])
    docs = read_all(path)
    auto = docs["auto"]
    assert blocks(auto) == blocks(docs["pdfplumber"])
    got = rows_of(auto)
    assert len(auto.meta["table_pages"]) >= 2 and auto.meta["table_pages"] == docs["pdfplumber"].meta["table_pages"]
    assert len(got) == 61 and {r[3] for r in got} == {0} and [r[4] for r in got] == list(range(61))
    assert got[0][0] == "序号 | 姓名 | 性别 | 职务"
    assert got[60][0] == "序号：60 | 姓名：张零 | 性别：男 | 职务：村民代表"
    assert sum(1 for r in got if r[0] == "序号 | 姓名 | 性别 | 职务") == 1
    assert len({r[2] for r in got}) >= 2  # really over a page break


def test_auto_table_drawn_as_thin_rectangles(tmp_path):
    """Borders drawn as thin filled rectangles (0.5 pt, as LibreOffice and Word exports do) and cell
    outlines drawn as `re` rectangles are ruling lines too."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    c = canvas.Canvas(str(tmp_path / "rects.pdf"), pagesize=A4, invariant=1)
    c.setFont(font, 12)
    c.drawString(80, 760, INTRO[:30])
    for k, (x0, y0) in enumerate(((80, 700), (80, 500))):
        ys = [y0 - 24 * r for r in range(len(TABLE) + 1)]
        xs = [x0 + 100 * k2 for k2 in range(len(TABLE[0]) + 1)]
        if k == 0:  # thin filled rectangles
            for y in ys:
                c.rect(xs[0], y - 0.25, xs[-1] - xs[0], 0.5, stroke=0, fill=1)
            for x in xs:
                c.rect(x - 0.25, ys[-1], 0.5, ys[0] - ys[-1], stroke=0, fill=1)
        for r, row in enumerate(TABLE):
            for col, val in enumerate(row):
                if k == 1:  # every cell outlined by its own stroked rectangle
                    c.rect(xs[col], ys[r + 1], 100, 24, stroke=1, fill=0)
                c.drawString(xs[col] + 4, ys[r] - 17, val)
    c.drawString(80, 400, "第一条 本方案自印发之日起施行。")
    c.showPage()
    c.save()
    docs = read_all(tmp_path / "rects.pdf")
    assert blocks(docs["auto"]) == blocks(docs["pdfplumber"])
    assert [r[0] for r in rows_of(docs["auto"])] == [
        "岗位 | 人数 | 性别 | 学历", "岗位：文员 | 人数：2 | 性别：不限 | 学历：大专", "岗位：司机 | 人数：1 | 性别：男 | 学历：高中",
    ] * 2
    assert [r[3] for r in rows_of(docs["auto"])] == [0, 0, 0, 1, 1, 1]


def test_auto_decorative_lines_are_no_table(tmp_path):
    """Rules under a title, a double rule, a boxed note with a divider (one column): no table rows,
    and the same paragraphs as the pdfium engine."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    arts = articles(6, seed=9)
    c = canvas.Canvas(str(tmp_path / "rules.pdf"), pagesize=A4, invariant=1)
    c.setFont(font, 18)
    c.drawCentredString(A4[0] / 2, 780, TITLE)
    c.setLineWidth(1.5)
    c.line(80, 770, A4[0] - 80, 770)  # a rule under the title, and a double rule
    c.setLineWidth(0.5)
    c.line(80, 766, A4[0] - 80, 766)
    c.line(80, 763, A4[0] - 80, 763)
    c.setFont(font, 12)
    y = 730
    for a in arts[:3]:
        for ln in docgen.wrap(a, A4[0] - 160, font, 12):
            c.drawString(80, y, ln)
            y -= 19
    c.rect(80, y - 60, A4[0] - 160, 60)  # a boxed note split by a line: two cells in one column
    c.line(80, y - 30, A4[0] - 80, y - 30)
    c.drawString(90, y - 20, "备注：")
    c.drawString(90, y - 50, "本方案由镇妇联负责解释。")
    y -= 90
    for a in arts[3:]:
        for ln in docgen.wrap(a, A4[0] - 160, font, 12):
            c.drawString(80, y, ln)
            y -= 19
    c.line(80, 60, A4[0] - 80, 60)  # a footer rule
    c.showPage()
    c.save()
    docs = read_all(tmp_path / "rules.pdf")
    assert not rows_of(docs["auto"]) and docs["auto"].meta["table_pages"] == []
    assert texts(docs["auto"]) == texts(docs["pdfium"]) == texts(docs["pdfplumber"])
    assert arts[5] in texts(docs["auto"]) and "本方案由镇妇联负责解释。" in texts(docs["auto"])


def test_auto_line_beside_a_table(tmp_path):
    """Text on the same baseline as a table row but outside the table (a margin note): PDFium puts
    it on the row's line; the cells go to the table and the note stays a line of its own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    c = canvas.Canvas(str(tmp_path / "beside.pdf"), pagesize=A4, invariant=1)
    c.setFont(font, 12)
    c.drawString(60, 760, "第一条 招聘岗位如下。")
    xs = [60, 120, 180, 240]
    ys = [740, 716, 692, 668]
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for r, row in enumerate([["岗位", "人数", "性别"], ["文员", "2", "不限"], ["司机", "1", "男"]]):
        for col, val in enumerate(row):
            c.drawString(xs[col] + 4, ys[r] - 17, val)
        if r == 1:  # right after the row's cells, on their baseline: PDFium makes it one text line
            c.drawString(300, ys[1] - 17, "注：以上岗位均面向社会公开招聘。")
    c.drawString(60, 620, "第二条 报名时间另行通知。")
    c.showPage()
    c.save()
    docs = read_all(tmp_path / "beside.pdf")
    auto = docs["auto"]
    pdfium_lines = [x for x in texts(docs["pdfium"]) if "注：" in x]
    assert len(pdfium_lines) == 1 and "文员" in pdfium_lines[0]  # the case under test: one PDFium line
    assert [r[0] for r in rows_of(auto)] == ["岗位 | 人数 | 性别", "岗位：文员 | 人数：2 | 性别：不限", "岗位：司机 | 人数：1 | 性别：男"]
    assert "注：以上岗位均面向社会公开招聘。" in texts(auto)
    assert auto.text.count("文员") == 1
    assert blocks(auto) == blocks(docs["pdfplumber"])


@pytest.mark.skipif(docgen.soffice() is None, reason="LibreOffice not installed")
def test_auto_libreoffice_table_with_merged_and_multiline_cells(tmp_path):
    """python-docx table exported by LibreOffice: a vertically merged cell (pdfplumber gives None
    for the slot it covers, "" after clean_cell), a cell that wraps, a cell with two paragraphs."""
    import docx

    d = docx.Document()
    d.add_heading(TITLE, 0)
    arts = articles(10, seed=6)
    for a in arts[:3]:
        d.add_paragraph(a)
    rule = "第九条 " + docgen.TOPICS[1] + "。"  # a space and “” quotes: LibreOffice draws them in a fallback font
    rows = [["岗位", "人数", "性别", "条件"], ["文员", "2", "不限", "大专"], ["司机", "1", "", "高中"],
            ["厨师", "3", "女", "初中及以上学历，有三年以上工作经验者优先，持有健康证明"], ["保洁", "2", "不限", rule]]
    t = d.add_table(rows=len(rows), cols=4)
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for col, v in enumerate(row):
            t.cell(r, col).text = v
    merged = t.cell(1, 2).merge(t.cell(2, 2))
    merged.text = "不限"
    t.cell(2, 3).add_paragraph("驾龄五年以上")  # a second paragraph in one cell
    for a in arts[3:]:
        d.add_paragraph(a)
    d.save(tmp_path / "merged.docx")
    pdf = docgen.soffice_pdf(tmp_path / "merged.docx")
    docs = read_all(pdf)
    assert blocks(docs["auto"]) == blocks(docs["pdfplumber"])
    assert [r[0] for r in rows_of(docs["auto"])] == [
        "岗位 | 人数 | 性别 | 条件",
        "岗位：文员 | 人数：2 | 性别：不限 | 条件：大专",
        "岗位：司机 | 人数：1 | 性别： | 条件：高中驾龄五年以上",
        "岗位：厨师 | 人数：3 | 性别：女 | 条件：初中及以上学历，有三年以上工作经验者优先，持有健康证明",
        "岗位：保洁 | 人数：2 | 性别：不限 | 条件：" + rule,
    ]
    assert [x for x in texts(docs["auto"]) if x.startswith("第")] == arts


def _plumber_lattice(h, v):
    """pdfplumber's own merge / intersection / cell / table functions on the same edges."""
    from pdfplumber import table as T

    edges = [{"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h", "doctop": y}
             for y, x0, x1 in h]
    edges += [{"x0": x, "x1": x, "top": t, "bottom": b, "width": 0, "height": b - t, "orientation": "v", "doctop": t}
              for x, t, b in v]
    edges = T.merge_edges(edges, 3, 3, 3, 3)
    edges = [e for e in edges if (e["height"] if e["orientation"] == "v" else e["width"]) >= 3]
    return T.cells_to_tables(T.intersections_to_cells(T.edges_to_intersections(edges, 3, 3)))


def test_lattice_matches_pdfplumber_on_random_grids():
    """pdf_tables' snap/join/intersections/cells/tables give pdfplumber's cells on random grids with
    jittered lines (within the snap tolerance), split lines (merged cells), lines closer than the
    tolerance, several tables and stray lines."""
    import random

    from assess.documents import pdf_tables

    def rounded(tables):
        return [sorted(tuple(round(z, 6) for z in c) for c in t) for t in tables]

    rng = random.Random(1)
    for _ in range(200):
        h, v = [], []
        for _ in range(rng.randint(1, 3)):
            xs, ys = [rng.uniform(0, 300)], [rng.uniform(0, 500)]
            for _ in range(rng.randint(1, 5)):
                xs.append(xs[-1] + rng.choice([2, 5, 40, 60, 100]))
            for _ in range(rng.randint(1, 6)):
                ys.append(ys[-1] + rng.choice([1.5, 20, 24, 30]))
            for y in ys:
                if rng.random() < 0.3 and len(xs) > 2:
                    k = rng.randint(1, len(xs) - 2)
                    h += [[y + rng.uniform(-1, 1), xs[0], xs[k]], [y, xs[min(k + 1, len(xs) - 1)], xs[-1]]]
                else:
                    h.append([y + rng.uniform(-1.5, 1.5), xs[0] + rng.uniform(-2, 2), xs[-1] + rng.uniform(-2, 2)])
            v += [[x + rng.uniform(-1.5, 1.5), ys[0], ys[-1]] for x in xs]
        for _ in range(rng.randint(0, 4)):
            y, x = rng.uniform(0, 700), rng.uniform(0, 400)
            h.append([y, x, x + rng.uniform(0, 200)])
        h = [e for e in h if e[2] - e[1] >= 1]
        v = [e for e in v if e[2] - e[1] >= 1]
        mine = [t.cells for t in pdf_tables.find_tables([list(e) for e in h], [list(e) for e in v])]
        assert rounded(mine) == rounded(_plumber_lattice(h, v))


def test_auto_cells_with_blank_objects_and_glyphs_out_of_order(tmp_path):
    """Two things PDFium's text page does differently from pdfminer, inside table cells:
    - a space drawn as a text object of its own (LibreOffice and Chrome draw fallback-font spaces so)
      has an empty box; PDFium drops it and generates a space instead, which must count as the word
      break pdfplumber sees even where the gap is under pdfplumber's 3 pt;
    - a glyph drawn after the rest of its line (a fallback-font “) is put at the end of the line
      by PDFium, with a generated space where it belongs; that space must not count, the glyph goes
      back in place by position."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    c = canvas.Canvas(str(tmp_path / "cells.pdf"), pagesize=A4, invariant=1)
    c.setFont(font, 12)
    c.drawString(60, 760, "第一条 说明如下。")
    xs, ys = [60, 200, 340], [740, 716, 692]
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    c.setFont(font, 9)
    c.drawString(xs[0] + 4, ys[0] - 16, "原文")
    c.drawString(xs[1] + 4, ys[0] - 16, "修改建议")
    y = ys[1] - 16
    x = xs[0] + 4
    c.drawString(x, y, "第二条")
    x += stringWidth("第二条", font, 9)
    c.setFont("Helvetica", 9)
    c.drawString(x, y, " ")  # a text object holding only a space: 2.5 pt wide
    x += stringWidth(" ", "Helvetica", 9)
    c.setFont(font, 9)
    c.drawString(x, y, "出嫁女")
    x = xs[1] + 4
    c.drawString(x, y, "改为：")
    quote_x = x + stringWidth("改为：", font, 9)
    c.drawString(quote_x + stringWidth("“", "Helvetica", 9), y, "妇女")
    c.setFont("Helvetica", 9)
    c.drawString(quote_x, y, "“")  # drawn last, in another font
    c.setFont(font, 12)
    c.drawString(60, 660, "第三条 本方案自印发之日起施行。")
    c.showPage()
    c.save()
    docs = read_all(tmp_path / "cells.pdf")
    assert [r[0] for r in rows_of(docs["auto"])] == ["原文 | 修改建议", "第二条 出嫁女 | 改为：“妇女"]
    assert blocks(docs["auto"]) == blocks(docs["pdfplumber"])


def test_auto_table_inside_a_form_xobject(tmp_path):
    """Ruling lines drawn inside a form XObject placed with a translation: edges are mapped to the
    page by the form's matrix and the paths' own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = docgen._cid_font()
    c = canvas.Canvas(str(tmp_path / "form.pdf"), pagesize=A4, invariant=1)
    c.beginForm("grid")
    c.setFont(font, 12)
    for r in range(len(TABLE) + 1):
        c.line(0, 24 * r, 400, 24 * r)
    for k in range(len(TABLE[0]) + 1):
        c.line(100 * k, 0, 100 * k, 24 * len(TABLE))
    for r, row in enumerate(TABLE):
        for k, val in enumerate(row):
            c.drawString(100 * k + 4, 24 * (len(TABLE) - r - 1) + 7, val)
    c.endForm()
    c.setFont(font, 12)
    c.drawString(80, 760, "第一条 招聘岗位如下。")
    c.saveState()
    c.translate(90, 600)
    c.doForm("grid")
    c.restoreState()
    c.drawString(80, 560, "第二条 报名时间另行通知。")
    c.showPage()
    c.save()
    docs = read_all(tmp_path / "form.pdf")
    assert [r[0] for r in rows_of(docs["auto"])] == [
        "岗位 | 人数 | 性别 | 学历", "岗位：文员 | 人数：2 | 性别：不限 | 学历：大专", "岗位：司机 | 人数：1 | 性别：男 | 学历：高中",
    ]
    assert blocks(docs["auto"]) == blocks(docs["pdfplumber"])
