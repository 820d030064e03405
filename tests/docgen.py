"""Generators for test and benchmark documents (Chinese text written for this project).

Used by tests/test_documents_*.py and benchmarks/parse.py. Everything is deterministic for a
given seed. LibreOffice is optional (`soffice_pdf` returns None without it).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

# Ordinary clauses of village rules and county documents, written for these tests.
TOPICS = [
    "村民应当爱护公共环境，生活垃圾按分类要求投放到指定地点，不得随意倾倒在河道、沟渠和道路两侧",
    "每户门前实行“三包”责任制，保持房前屋后整洁，柴草、农具和建筑材料应当堆放整齐",
    "禁止在山林、田边焚烧秸秆和杂草，进山人员不得携带火种，清明祭扫提倡鲜花代替燃放鞭炮",
    "村民委员会每季度公开一次集体财务收支情况，重大开支事项须经村民代表会议讨论通过",
    "邻里之间应当互谅互让，因宅基地界址、排水或通行发生纠纷的，先由村调解委员会调解",
    "饲养犬只应当拴养或圈养，外出遛犬须牵绳，因管理不善致人损害的由饲养人依法承担责任",
    "村内道路、路灯、健身器材等公共设施属于集体财产，任何人不得损坏或者占为己有",
    "提倡喜事新办、丧事简办，婚丧事宴请规模一般不超过二十桌，不得大操大办、相互攀比",
    "外来务工人员在本村居住满一个月的，应当到村民委员会登记，并遵守本规约的有关规定",
    "村民建房应当依法申请审批，严格按照批准的位置和面积施工，不得占用耕地和公共通道",
    "村集体经济组织的年度收益分配方案，应当在村务公开栏公示七日，接受全体成员监督",
    "村民应当依法履行赡养义务，子女不得以分家、放弃继承等理由拒绝赡养年老的父母",
    "鼓励村民参加城乡居民医疗保险和养老保险，村民委员会协助做好参保登记和政策宣传",
    "汛期前村民委员会组织对山塘水库、河堤进行检查，发现隐患及时报告镇人民政府",
    "学龄儿童的父母或者其他监护人，应当依法送子女按时入学，保障其完成义务教育",
    "禁止在村内从事赌博、封建迷信等活动，发现违法犯罪线索应当及时向公安机关报告",
    "村民小组召开会议讨论涉及本组利益的事项，应当提前三日通知全体成员并做好记录",
    "用电用气应当遵守安全规定，不得私拉乱接电线，液化气钢瓶应当到正规网点充装",
    "村卫生室定期开展健康教育，为六十五周岁以上老年人每年提供一次免费健康体检",
    "本村设立红白理事会，由村民代表推选产生，负责移风易俗的宣传和婚丧事务的指导",
]


def varied_articles(n: int, seed: int = 1) -> list[str]:
    """n distinct article bodies (two clauses each, small numeric variations)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a = TOPICS[(i * 7 + seed) % len(TOPICS)]
        b = TOPICS[(i * 3 + 5 + seed) % len(TOPICS)]
        k = rng.randint(2, 9)
        out.append(f"{a}。{b}，违反的由村民委员会责令在{k}日内改正。")
    return out


CN = "零一二三四五六七八九"


def cn(n: int) -> str:
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n - 10] if n > 10 else "")
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


# ---------------------------------------------------------------------------------------------
# docx (python-docx + a little raw XML for numbering and tracked changes)


def add_numbering(document, lvl_texts=("第%1条",), fmts=("chineseCounting",), suff="space") -> str:
    """Add an abstract numbering definition to a python-docx document; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    existing = [int(x) for x in numbering.xpath("./w:abstractNum/@w:abstractNumId")] or [0]
    aid = max(existing) + 1
    nums = [int(x) for x in numbering.xpath("./w:num/@w:numId")] or [0]
    nid = max(nums) + 1
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmts[i]}"/>'
        f'<w:lvlText w:val="{lvl_texts[i]}"/><w:suff w:val="{suff}"/><w:lvlJc w:val="left"/></w:lvl>'
        for i in range(len(lvl_texts))
    )
    absnum = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{aid}">'
                       f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>')
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/></w:num>')
    # abstractNum elements must precede num elements.
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(absnum)
    else:
        numbering.append(absnum)
    numbering.append(num)
    return str(nid)


def restart_numbering(document, num_id: str) -> str:
    """A new w:num over the same abstract numbering, restarting at 1."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    src = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id][0]
    aid = src.find(qn("w:abstractNumId")).get(qn("w:val"))
    nid = max(int(x) for x in numbering.xpath("./w:num/@w:numId")) + 1
    numbering.append(parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>'
        f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    return str(nid)


def number(paragraph, num_id: str, ilvl: int = 0) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def add_tracked(paragraph, before: str, deleted: str, inserted: str, after: str) -> None:
    """A paragraph "before [-deleted-][+inserted+] after" as Word tracked changes."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph.add_run(before)
    w = nsdecls("w")
    paragraph._p.append(parse_xml(
        f'<w:del {w} w:id="101" w:author="审查员" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>{deleted}</w:delText></w:r></w:del>'))
    paragraph._p.append(parse_xml(
        f'<w:ins {w} w:id="102" w:author="审查员" w:date="2026-01-01T00:00:00Z"><w:r><w:t>{inserted}</w:t></w:r></w:ins>'))
    paragraph.add_run(after)


def add_page_footer(document, text_before="第 ", text_after=" 页", header: str | None = None) -> None:
    """A footer with a PAGE field (and an optional running header)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sec = document.sections[0]
    if header:
        sec.header.paragraphs[0].text = header
    fp = sec.footer.paragraphs[0]
    fp.add_run(text_before)
    r = fp.add_run()._r
    for kind, val in (("begin", None), ("instr", " PAGE "), ("separate", None), ("t", "1"), ("end", None)):
        if kind == "instr":
            e = OxmlElement("w:instrText")
            e.text = val
        elif kind == "t":
            e = OxmlElement("w:t")
            e.text = val
        else:
            e = OxmlElement("w:fldChar")
            e.set(qn("w:fldCharType"), kind)
        r.append(e)
    fp.add_run(text_after)


def split_runs(paragraph, text: str, sizes=(3, 5, 7, 4, 9, 6)) -> None:
    """Add `text` as many small runs with alternating bold, like real Word files."""
    i = 0
    k = 0
    while i < len(text):
        n = sizes[k % len(sizes)]
        run = paragraph.add_run(text[i : i + n])
        run.bold = bool(k % 3 == 1)
        i += n
        k += 1


def paragraphs_docx(path, paragraphs: list, title: str, header: str | None = None, table_style: str | None = None,
                    multi_run: bool = False):
    """A docx from the paragraph list `reportlab_pdf` takes: strings, and ("table", rows) items."""
    import docx

    d = docx.Document()
    d.add_heading(title, 0)
    add_page_footer(d, header=header)
    for p in paragraphs:
        if isinstance(p, tuple):
            rows = p[1]
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            if table_style:
                t.style = table_style
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    t.cell(r, c).text = v
        else:
            para = d.add_paragraph()
            split_runs(para, p) if multi_run else para.add_run(p)
    d.save(path)
    return Path(path)


def regulation_docx(path, n_articles: int = 30, multi_run: bool = False, table_every: int = 0, seed: int = 1):
    """A regulation-style docx: 章 headings, 第X条 typed as text, 款 and 项."""
    import docx

    d = docx.Document()
    d.add_heading("某县农村集体经济组织成员权益保护办法", 0)
    arts = varied_articles(n_articles, seed)
    chapter = 0
    for i, body in enumerate(arts, 1):
        if (i - 1) % 10 == 0:
            chapter += 1
            d.add_heading(f"第{cn(chapter)}章 {['总则', '成员资格', '收益分配', '监督管理', '附则'][(chapter - 1) % 5]}", 1)
        p = d.add_paragraph()
        text = f"第{cn(i) if i < 100 else i}条 {body}"
        split_runs(p, text) if multi_run else p.add_run(text)
        if i % 4 == 0:
            d.add_paragraph("前款规定的事项，村民委员会应当在作出决定前听取妇女代表的意见：")
            d.add_paragraph("（一）涉及土地承包和宅基地分配的；")
            d.add_paragraph("（二）涉及集体收益分配和补偿款发放的；")
        if table_every and i % table_every == 0:
            t = d.add_table(rows=4, cols=4)
            t.style = "Table Grid"
            for r, row in enumerate([["序号", "事项", "责任单位", "完成时限"], ["1", "清理村规民约", "各村委会", "6月底前"],
                                     ["2", "公开财务收支", "村务监督委员会", "每季度"], ["3", "培训妇女代表", "镇妇联", "9月底前"]]):
                for c, v in enumerate(row):
                    t.cell(r, c).text = v
    d.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# PDF


def _cid_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont("STSong-Light")
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def wrap(text: str, width: float, font: str, size: float, indent: float = 0.0) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur, w = [], "", indent
    for ch in text:
        cw = stringWidth(ch, font, size)
        if cur and w + cw > width:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines


def reportlab_pdf(path, paragraphs: list, header: str | None = "某镇妇女权益保障工作方案（征求意见稿）",
                  page_numbers: str = "dash", encrypt: str | None = None, size: float = 12.0, title: str | None = None):
    """A born-digital Chinese PDF: wrapped paragraphs with first-line indent, running header,
    page numbers ("dash" -> "- 3 -", "cn" -> "第 3 页 共 N 页"), optional tables.

    `paragraphs` items are strings or ("table", rows) tuples.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _cid_font()
    W, H = A4
    left, right, top, bottom = 80.0, W - 80.0, H - 90.0, 80.0
    lead = size * 1.6
    # Lay out first, so the total page count is known for "共 N 页".
    pages: list[list] = [[]]
    y = top
    if title:
        pages[-1].append(("title", title, y))
        y -= lead * 2
    for para in paragraphs:
        if isinstance(para, tuple) and para[0] == "table":
            rows = para[1]
            need = lead * len(rows)
            if y - need < bottom:
                pages.append([])
                y = top
            pages[-1].append(("table", rows, y))
            y -= need + lead * 0.5
            continue
        indent = 0.0 if para.startswith("第") and "条" in para[:6] else size * 2
        for j, line in enumerate(wrap(para, right - left, font, size, indent)):
            if y < bottom:
                pages.append([])
                y = top
            pages[-1].append(("line", line, y, indent if j == 0 else 0.0))
            y -= lead
    total = len(pages)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    c.setTitle("test")
    for pno, items in enumerate(pages, 1):
        if header:
            c.setFont(font, 9)
            c.drawCentredString(W / 2, H - 50, header)
            c.line(left, H - 56, right, H - 56)
        if page_numbers == "dash":
            c.setFont(font, 10)
            c.drawCentredString(W / 2, 40, f"- {pno} -")
        elif page_numbers == "cn":
            c.setFont(font, 10)
            c.drawCentredString(W / 2, 40, f"第 {pno} 页 共 {total} 页")
        for it in items:
            if it[0] == "title":
                c.setFont(font, 18)
                c.drawCentredString(W / 2, it[2], it[1])
            elif it[0] == "line":
                c.setFont(font, size)
                c.drawString(left + it[3], it[2], it[1])
            else:
                rows, y0 = it[1], it[2]
                ncol = len(rows[0])
                cw = (right - left) / ncol
                c.setFont(font, size)
                for r, row in enumerate(rows):
                    yy = y0 - r * lead
                    for k, val in enumerate(row):
                        c.drawString(left + k * cw + 4, yy, val)
                ytop = y0 + size + 4
                for r in range(len(rows) + 1):
                    c.line(left, ytop - r * lead, right, ytop - r * lead)
                for k in range(ncol + 1):
                    c.line(left + k * cw, ytop, left + k * cw, ytop - len(rows) * lead)
        c.showPage()
    c.save()
    return path


def blank_pdf(path, pages: int = 2):
    """A PDF with pages but no text layer (what a scan without OCR looks like to us)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        c.rect(100, 100, 300, 500, fill=1)
        c.showPage()
    c.save()
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_pdf(docx_path, out_dir=None) -> Path | None:
    """Convert a docx to PDF with LibreOffice headless; None if LibreOffice is not installed."""
    exe = soffice()
    if not exe:
        return None
    docx_path = Path(docx_path)
    out_dir = Path(out_dir or docx_path.parent)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir),
             str(docx_path)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180,
        )
    out = out_dir / (docx_path.stem + ".pdf")
    return out if out.exists() else None


def pdf_comments(page) -> list[tuple[float, float, str]]:
    """[(y from the top, x, text)] in points, sorted, of a PDF page's text annotations (comments
    exported by LibreOffice from a Word file); a pypdfium2 page."""
    import ctypes

    import pypdfium2.raw as raw

    out = []
    height = page.get_height()
    for k in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        a = raw.FPDFPage_GetAnnot(page.raw, k)
        try:
            if raw.FPDFAnnot_GetSubtype(a) != raw.FPDF_ANNOT_TEXT:
                continue
            n = raw.FPDFAnnot_GetStringValue(a, b"Contents", None, 0)
            buf = ctypes.create_string_buffer(n)
            raw.FPDFAnnot_GetStringValue(a, b"Contents", ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)), n)
            text = buf.raw[: max(n - 2, 0)].decode("utf-16-le", "replace")
            r = raw.FS_RECTF()
            raw.FPDFAnnot_GetRect(a, r)
            out.append((height - r.top, r.left, text))
        finally:
            raw.FPDFPage_CloseAnnot(a)
    return sorted(out)
