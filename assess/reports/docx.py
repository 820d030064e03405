"""Annotated Word report: the reviewed document with every finding highlighted and commented.

For a .docx input the output is a copy of the original (opened with python-docx, so formatting,
numbering, tables, headers and existing comments stay as they were); for txt/pdf input it is a
new document holding the extracted text in its structure (title, headings, paragraphs, tables).
Each finding's span is isolated into whole runs (runs are split at the span boundaries, keeping
their formatting), highlighted by severity and carries a Word comment (批注) with category,
severity, explanation, legal basis, suggested revision, rule code and score. Findings inside a
table cell are anchored inside that cell.

After the document, in a new landscape section, comes the 评估意见书 (assess/reports/opinion.py):
one file per reviewed document, named <原文件名>.审查.docx. The input file is never modified.

Offsets: a finding's `location.start/end` are offsets in `Document.text`. `Block` maps them back
to a body paragraph (`paragraph` index, minus the `prefix` of auto-numbering characters that have
no runs), a table row (`table`, `row`, `cells` spans) or, for paragraphs in text boxes, content
controls and frames, an XPath in `Document.meta["docx_paths"]`. The reader's
`paragraph_pieces`/`cell_pieces` give the text each run contributes, with the same rules.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Callable

from ..documents.docx import cell_pieces, paragraph_pieces
from .base import Reporter
from .opinion import add_opinion, comment_lines, looks_like_heading, xml_safe

AUTHOR = "assess 审查"
INITIALS = "审"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}


def _q(name: str) -> str:
    return f"{{{_W}}}{name}"


def highlight_colours():
    from docx.enum.text import WD_COLOR_INDEX

    return {"high": WD_COLOR_INDEX.PINK, "medium": WD_COLOR_INDEX.YELLOW, "low": WD_COLOR_INDEX.TURQUOISE}




# ---------------------------------------------------------------------------------------------
# Runs: length of each child, splitting at a character offset


def _child_len(c) -> int:
    tag = c.tag
    if tag == _q("t"):
        return len(c.text or "")
    if tag in (_q("tab"), _q("ptab"), _q("cr"), _q("noBreakHyphen")):
        return 1
    if tag == _q("br"):
        kind = c.get(_q("type"))
        return 1 if kind is None or kind == "textWrapping" else 0
    if tag == _q("sym"):
        from ..documents.docx import _sym_char, _T

        return len(_sym_char(c, _T))
    return 0


def _run_len(r) -> int:
    return sum(_child_len(c) for c in r)


def split_run(r, k: int):
    """Split run element `r` after `k` characters; return the new second run (inserted after r)."""
    r2 = copy.deepcopy(r)
    pos = 0
    for c1, c2 in zip(list(r), list(r2)):
        if c1.tag == _q("rPr"):
            continue
        n = _child_len(c1)
        if n == 0:
            (r2 if pos < k else r).remove(c2 if pos < k else c1)
        elif pos + n <= k:
            r2.remove(c2)
        elif pos >= k:
            r.remove(c1)
        else:  # straddles the split point: only w:t holds more than one character
            cut = k - pos
            text = c1.text or ""
            c1.text, c2.text = text[:cut], text[cut:]
            c1.set(_XML_SPACE, "preserve")
            c2.set(_XML_SPACE, "preserve")
        pos += n
    r.addnext(r2)
    return r2


@dataclass
class Container:
    """A paragraph or table cell whose run text starts at `base` in Document.text."""

    base: int
    end: int
    pieces: Callable[[], list]  # () -> [(text, run element or None)]
    paragraph_el: object = None  # a w:p used to build python-docx Run proxies


def _positions(pieces):
    """[(start, end, text, run_el)] with local offsets; piece text may be a stripped run text."""
    out, pos = [], 0
    for t, el in pieces:
        out.append((pos, pos + len(t), t, el))
        pos += len(t)
    return out


def _lead(t: str, el) -> int:
    """Characters of the run's own text before the piece text (cell pieces are stripped)."""
    if el is None:
        return 0
    full = "".join(_child_text(c) for c in el)
    if full == t or not t:
        return 0
    i = full.find(t)
    return max(i, 0)


def _child_text(c) -> str:
    if c.tag == _q("t"):
        return c.text or ""
    return "\x00" * _child_len(c)


def isolate(container: Container, a: int, b: int) -> list:
    """Split runs so that local span [a, b) is whole runs; return those run elements."""
    for k in (a, b):
        for s, e, t, el in _positions(container.pieces()):
            if el is not None and s < k < e:
                split_run(el, k - s + _lead(t, el))
                break
    return [el for s, e, t, el in _positions(container.pieces()) if el is not None and s >= a and e <= b and e > s]


# ---------------------------------------------------------------------------------------------
# Finding -> container


def _rows(tbl) -> list:
    rows = []
    for c in tbl:
        if c.tag == _q("tr"):
            rows.append(c)
        elif c.tag in (_q("sdt"), _q("customXml")):
            content = c.find(_q("sdtContent")) if c.tag == _q("sdt") else c
            if content is not None:
                rows.extend(x for x in content if x.tag == _q("tr"))
    return rows


def _cells(tr) -> list:
    cells = []
    for c in tr:
        if c.tag == _q("tc"):
            cells.append(c)
        elif c.tag in (_q("sdt"), _q("customXml")):
            content = c.find(_q("sdtContent")) if c.tag == _q("sdt") else c
            if content is not None:
                cells.extend(x for x in content if x.tag == _q("tc"))
    return cells


def _first_p(el):
    for p in el.iter(_q("p")):
        return p
    return None


class DocxLocator:
    """Maps Document offsets to paragraphs and cells of a python-docx document of a .docx input."""

    def __init__(self, d, doc):
        self.d = d
        self.doc = doc
        body = d.element.body
        self.paragraphs = [c for c in body if c.tag == _q("p")]
        self.tables = [c for c in body if c.tag == _q("tbl")]
        self.paths = doc.meta.get("docx_paths", {}) or {}
        root = d.element
        self.root = root
        self.nsmap = {k: v for k, v in root.nsmap.items() if k}
        self.block_index = {id(b): i for i, b in enumerate(doc.blocks)}

    def _by_path(self, block):
        path = self.paths.get(self.block_index.get(id(block)))
        if path is None:
            path = self.paths.get(str(self.block_index.get(id(block))))
        if not path:
            return None
        try:
            found = self.root.getroottree().xpath(path, namespaces=self.nsmap)
        except Exception:  # noqa: BLE001 - unknown prefix or bad path: not locatable
            return None
        return found[0] if found else None

    def paragraph(self, block) -> Container | None:
        el = None
        if block.paragraph is not None and block.table is None and 0 <= block.paragraph < len(self.paragraphs):
            el = self.paragraphs[block.paragraph]
        if el is None:
            el = self._by_path(block)
        if el is None or el.tag != _q("p"):
            return None
        return Container(block.start + block.prefix, block.end, lambda el=el: paragraph_pieces(el), el)

    def row_cells(self, block) -> list | None:
        tr = None
        if block.table is not None and 0 <= block.table < len(self.tables) and self.block_index.get(id(block)) not in self.paths:
            rows = _rows(self.tables[block.table])
            if block.row is not None and 0 <= block.row < len(rows):
                tr = rows[block.row]
        if tr is None:
            tr = self._by_path(block)
        if tr is None or tr.tag != _q("tr"):
            return None
        return _cells(tr)

    def cell(self, block, i: int) -> Container | None:
        cells = self.row_cells(block)
        if not cells or not block.cells or i >= len(cells) or i >= len(block.cells):
            return None
        tc = cells[i]
        cs, ce = block.cells[i]
        return Container(cs, ce, lambda tc=tc: cell_pieces(tc), _first_p(tc))


class BuiltLocator:
    """Containers of a document this module generated from txt/pdf text."""

    def __init__(self):
        self.paragraphs: dict[int, Container] = {}
        self.cells: dict[tuple[int, int], Container] = {}
        self.index: dict[int, int] = {}

    def paragraph(self, block):
        return self.paragraphs.get(id(block))

    def cell(self, block, i: int):
        return self.cells.get((id(block), i))


def _block_for(doc, start: int):
    """The block holding `start` (the next block when `start` falls between blocks)."""
    b = doc.block_at(start)
    if b is None:
        return None
    if start >= b.end:
        i = doc.blocks.index(b)
        if i + 1 < len(doc.blocks):
            return doc.blocks[i + 1]
    return b


def container_for(locator, doc, start: int, end: int) -> tuple[Container | None, int, int]:
    """(container, local start, local end) of a finding's span, clipped to one paragraph or cell."""
    block = _block_for(doc, start)
    if block is None or not (start < block.end and end > block.start):
        return None, 0, 0
    if block.kind == "table_row" and block.cells:
        idx = len(block.cells) - 1
        for i, (cs, ce) in enumerate(block.cells):
            if start < ce or (start <= ce and cs == ce):
                idx = i
                break
        c = locator.cell(block, idx)
    else:
        c = locator.paragraph(block)
    if c is None:
        return None, 0, 0
    a = max(start, c.base) - c.base
    b = min(end, c.end) - c.base
    return c, a, b


def _container_text(c: Container) -> str:
    return "".join(t for t, _ in c.pieces())


def _more_containers(locator, doc, start: int, end: int, first: Container) -> list[tuple[Container, int, int]]:
    """Further paragraphs and cells after `first` that a long span (a whole clause) covers."""
    out = []
    for block in doc.blocks:
        if block.end <= first.end or block.start >= end or block.start < first.base:
            continue
        if block.kind == "table_row" and block.cells:
            for i, (cs, ce) in enumerate(block.cells):
                if cs < end and ce > start and cs >= first.end:
                    c = locator.cell(block, i)
                    if c is not None:
                        out.append((c, max(start, c.base) - c.base, min(end, c.end) - c.base))
        else:
            c = locator.paragraph(block)
            if c is not None:
                out.append((c, max(start, c.base) - c.base, min(end, c.end) - c.base))
    return out


def place(locator, doc, f) -> tuple[list, object] | None:
    """Run elements covering finding `f` (split as needed) and the w:p of the first, or None.

    A span over several paragraphs or cells (a model finding on a whole clause) covers the runs of
    each; the comment then goes from the first run to the last.
    """
    start, end = f.location.start, f.location.end
    if end <= start:
        start, end = f.location.clause_start, max(f.location.clause_end, f.location.clause_start + 1)
    c, a, b = container_for(locator, doc, start, end)
    if c is None:
        return None
    text = _container_text(c)
    expected = doc.text[c.base : c.end]
    more = []
    if text != expected:
        # The source changed since it was read, or the reader and the writer disagree: find the
        # matched words in the container instead of trusting offsets.
        i = text.find(f.match) if f.match else -1
        if i < 0:
            return None
        a, b = i, i + len(f.match)
    elif end > c.end:
        more = _more_containers(locator, doc, start, end, c)
    if b <= a:  # span inside auto-numbering or empty: anchor on the whole paragraph or cell
        a, b = 0, len(text)
    if b <= a:
        return None
    runs = isolate(c, a, b)
    for c2, a2, b2 in more:
        if b2 > a2 and _container_text(c2) == doc.text[c2.base : c2.end]:
            runs += isolate(c2, a2, b2)
    if not runs:
        return None
    p = runs[0].getparent()
    while p is not None and p.tag != _q("p"):
        p = p.getparent()
    return runs, p


# ---------------------------------------------------------------------------------------------
# Building the document


def _heading_blocks(result) -> dict[int, str]:
    """Block index -> clause kind for headings of the clause tree."""
    out: dict[int, str] = {}
    tree = result.tree
    if tree is None:
        return out
    for node in tree.root.walk():
        if node.block is not None and node.kind in ("part", "chapter", "section", "heading"):
            out[node.block] = node.kind
    return out


def build_from_text(result):
    """A new python-docx document with the extracted text of a txt/pdf input, and its locator."""
    import docx
    from docx.shared import Pt, RGBColor

    doc = result.document
    d = docx.Document()
    loc = BuiltLocator()
    note = d.add_paragraph()
    if doc.format == "docx":
        why = f"原文件 {result.path} 在审查后已改动或无法打开，本文件按审查时读取的文字生成，批注对应审查时的文字"
    else:
        why = f"本文件由审查工具根据 {result.path} 提取的文字生成（{doc.format.upper()}），原文件未改动；版式以原文件为准"
    r = note.add_run(why + "。")
    r.italic = True
    r.font.size = Pt(9)
    r.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
    headings = _heading_blocks(result)
    text = doc.text
    i = 0
    blocks = doc.blocks
    title_done = False
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "table_row" and b.cells:
            group = [b]
            j = i + 1
            while j < len(blocks) and blocks[j].kind == "table_row" and blocks[j].cells and blocks[j].table == b.table:
                group.append(blocks[j])
                j += 1
            ncol = max(len(x.cells) for x in group)
            header = b.header if b.header and len(b.header) == ncol else None
            t = d.add_table(rows=len(group) + (1 if header and b.row else 0), cols=ncol)
            t.style = "Table Grid"
            r0 = 0
            if header and b.row:
                for k, h in enumerate(header):
                    t.cell(0, k).text = xml_safe(h)
                r0 = 1
            for gi, rb in enumerate(group):
                for k, (cs, ce) in enumerate(rb.cells):
                    cell = t.cell(r0 + gi, k)
                    cell.paragraphs[0].add_run(xml_safe(text[cs:ce]))
                    tc = cell._tc
                    loc.cells[(id(rb), k)] = Container(cs, ce, lambda tc=tc: cell_pieces(tc), _first_p(tc))
            i = j
            continue
        raw = xml_safe(text[b.start : b.end])
        kind = headings.get(i)
        if not title_done and doc.title and raw.strip() == doc.title.strip() and i < 5:
            p = d.add_paragraph(style="Title")
            title_done = True
        elif kind in ("part", "chapter", "section"):
            p = d.add_paragraph(style="Heading 1")
        elif kind == "heading" or looks_like_heading(raw):
            p = d.add_paragraph(style="Heading 2")
        else:
            p = d.add_paragraph()
        p.add_run(raw)
        el = p._p
        loc.paragraphs[id(b)] = Container(b.start, b.end, lambda el=el: paragraph_pieces(el), el)
        i += 1
    return d, loc


def _first_runs(d):
    """A run to anchor comments that could not be placed in the text (first text of the body)."""
    for p in d.element.body.iter(_q("p")):
        pieces = paragraph_pieces(p)
        for t, el in pieces:
            if el is not None and t.strip():
                return [el], p
    return None


def annotate(d, locator, doc, findings) -> dict:
    """Highlight and comment every finding; returns counts {"placed": n, "unplaced": m}."""
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    colours = highlight_colours()
    stats = {"placed": 0, "unplaced": 0}
    # Low before high: where spans overlap, the higher severity's highlight is the one shown.
    for f in sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 0), f.location.start)):
        placed = None
        try:
            placed = place(locator, doc, f)
        except Exception:  # noqa: BLE001 - an odd structure must not lose the comment: fall back below
            placed = None
        lines = comment_lines(f)
        located = placed is not None
        if not located:
            placed = _first_runs(d)
            where = f.location.clause_label or "—"
            lines = [lines[0], f"（未能在原文中自动定位此问题，请按条款“{where}”查找：{f.match or f.text[:40]}）"] + lines[1:]
            stats["unplaced"] += 1
            if placed is None:
                continue
        else:
            stats["placed"] += 1
        run_els, p_el = placed
        para = Paragraph(p_el, None) if p_el is not None else None
        runs = [Run(r, para) for r in run_els]
        if located:
            for r in runs:
                r.font.highlight_color = colours.get(f.severity)
        comment = d.add_comment(runs, text="", author=AUTHOR, initials=INITIALS)
        _fill_comment(comment, lines)
    return stats


def _fill_comment(comment, lines: list[str]) -> None:
    """Comment text as paragraphs (built as XML: python-docx's paragraph API is slow in bulk)."""
    from .opinion import _el

    elm = comment._comment_elm
    first = elm.find(_q("p"))
    for i, line in enumerate(lines):
        if i == 0 and first is not None:
            p = first
        else:
            p = _el("w:p", elm)
            ppr = _el("w:pPr", p)
            _el("w:pStyle", ppr, val="CommentText")
        r = _el("w:r", p)
        if i == 0:
            rpr = _el("w:rPr", r)
            _el("w:b", rpr)
        t = _el("w:t", r)
        t.text = xml_safe(line)
        t.set(_XML_SPACE, "preserve")


def _unchanged(path: str, sha256: str) -> bool:
    import hashlib

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    return not sha256 or hashlib.sha256(data).hexdigest() == sha256


def render_docx(result, report=None) -> bytes:
    """The annotated document followed by the 评估意见书, as .docx bytes."""
    doc = result.document
    if doc.format == "docx" and _unchanged(result.path, doc.sha256):
        import docx

        d = docx.Document(result.path)
        locator = DocxLocator(d, doc)
    else:
        # txt/pdf, or a .docx that changed or went away since it was reviewed: a new document
        # from the text that was reviewed, so every comment still sits on the right words.
        d, locator = build_from_text(result)
    annotate(d, locator, doc, result.findings)
    add_opinion(d, result, report)
    bio = io.BytesIO()
    d.save(bio)
    return bio.getvalue()


class DocxReporter(Reporter):
    name = "docx"
    extension = ".docx"
    binary = True
    per_document = True

    def render_document(self, result, report) -> bytes:
        return render_docx(result, report)
