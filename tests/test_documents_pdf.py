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
        assert doc.meta["pdfplumber_pages"] == [rows[0].page]
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
    assert auto.pages >= 4 and len(auto.meta["pdfplumber_pages"]) == 1
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
    if engine == "pdfium" and not _cjk_font_installed():
        pytest.skip("PDFium drops single-glyph text objects of non-embedded CJK fonts without a CJK system font")
    from reportlab.lib.pagesizes import A4

    font = docgen._cid_font()
    width = A4[0] - 160
    text = "第一条 " + "甲" * 30
    while len(docgen.wrap(text + "女", width, font, 12)) == 1:
        text += "甲"
    path = docgen.reportlab_pdf(tmp_path / "lone.pdf", [text + "女", "第二条 乙。"], header=None, page_numbers="none")
    doc = load_document(path, Limits(pdf_engine=engine))
    assert texts(doc) == [text + "女", "第二条 乙。"]
