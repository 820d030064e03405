"""PDF reader: text with page numbers, running headers/footers removed, wrapped lines re-joined.

Two engines produce the same per-page list of lines (text + geometry); everything after that is
shared, so both give the same paragraphs on ordinary pages:

- ``pdfium`` (pypdfium2): the text layer line by line, ~20-60x faster than pdfplumber. Tables come
  out as plain lines (cells separated by spaces).
- ``pdfplumber``: layout analysis; tables found by ruling lines become table-row blocks and their
  text is taken out of the paragraph stream.
- ``auto`` (default): pdfium for every page; on a page with >= 4 path objects (counted by PDFium)
  `pdf_tables` finds ruled tables from the path objects' segments with pdfplumber's lattice
  algorithm and fills their cells from PDFium's character boxes; the page's lines inside a table
  are replaced by table rows (the same rows, continuation and header logic as the pdfplumber
  engine: `_add_table_rows`). No second parse. Measured (`benchmarks/pdf_engines.py --repeat 3`
  on the 200 generated 5-page PDFs with one ruled table each that `benchmarks/batch.py --no-corpus
  --n 200 --workdir /tmp/benchwd` makes; 2-core machine, load ~1.8): pdfium 99.2, auto 92.5,
  pdfplumber 4.7 docs per CPU-second (auto = 1.07x pdfium's time; before pdf_tables it re-read
  table pages with pdfplumber: 12.8 vs 75.6), with the same blocks as pdfplumber on all 200; on
  examples/某镇妇女权益保障工作方案.pdf (3 pages, one table page) 1.34x pdfium's time. A page
  whose text and character indices disagree (no char boxes) is still re-read by pdfplumber.
  `Document.meta["table_pages"]` lists pages with tables (any engine). See docs/formats.md.

After extraction: lines repeated in the top/bottom band on >= 50% of pages (digits normalised)
and page-number lines (第 3 页, - 3 -, 3/10, Page 3) are removed and listed in
`Document.excluded`; then a line is joined to the next unless it ends a sentence (。；！？：), is
visibly short (ends before the right margin), or the next line starts a clause (第X条, 一、,
（一）, 1.), is indented, or is a table row. `Block.page` is the page of the paragraph's first
character; `Document.meta["page_offsets"]` lists the text offset where each page starts.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ..errors import E_CORRUPT, E_ENCRYPTED, E_SCANNED, E_TOO_LARGE, InputError
from . import tables as tbl
from .model import Block, Document

__all__ = ["read_pdf", "ENGINES"]

ENGINES = ("auto", "pdfium", "pdfplumber")
AUTO_MIN_PATHS = 4  # path objects on a page before 'auto' asks pdfplumber about tables


@dataclass
class Line:
    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    page: int = 1  # 1-based
    size: float = 0.0  # font size of the line's first character
    kind: str = "line"  # line | row
    cells: list[str] | None = None
    table: int | None = None
    row: int | None = None
    header: list[str] | None = None


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    chars: int = 0
    engine: str = "pdfium"
    has_tables: bool = False
    geometry: bool = True  # character boxes line up with the text (pdfium); False: positions faked


# ---------------------------------------------------------------------------------------------
# Text normalisation (both engines)

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_WS_RUN = re.compile(r"[ \t\u00a0\u3000\u2002-\u200b]+")
# A space next to a CJK character on at least one side, unless both sides are CJK ideographs
# (two CJK words separated by a real gap, e.g. table cells on a pdfium line, keep it).
_SPACE_CJK_LEFT = re.compile(rf"(?<=[{_CJK}]) (?=[^{_CJK}])")
_SPACE_CJK_RIGHT = re.compile(rf"(?<=[^{_CJK}]) (?=[{_CJK}])")
_SPACE_PUNCT = re.compile(r"(?<=[，。；：、！？（）《》“”‘’【】]) | (?=[，。；：、！？（）《》“”‘’【】])")


def normalise_line(s: str) -> str:
    """One extracted line with engine-specific spacing removed (same result for both engines)."""
    s = _WS_RUN.sub(" ", s.replace("\ufffe", "").replace("\x02", "-")).strip()
    if " " in s:
        s = _SPACE_PUNCT.sub("", s)
        s = _SPACE_CJK_LEFT.sub("", s)
        s = _SPACE_CJK_RIGHT.sub("", s)
    return s


# ---------------------------------------------------------------------------------------------
# pdfium


# Substitute fonts. PDFium substitutes a font for every font the PDF does not embed. Its default
# (system fonts through fontconfig) loads a CJK system font for a non-embedded Chinese font
# (reportlab's STSong-Light, WPS/Word exports that do not embed 宋体) and loads a glyph outline
# from it for every character on every page: 15-40 ms per page, 10x the rest of the extraction.
# Text extraction needs no glyph shapes: the text comes from the font's CMap/ToUnicode and the
# advances from the PDF's /W or /Widths. It does need each glyph's bounding box to be non-empty:
# PDFium computes a text object's rectangle from glyph boxes and skips an object of zero width
# (CPDF_TextPage::ProcessTextObject), so with no usable substitute a text object of one glyph
# (a wrapped "女" or "。" alone on a line) was silently dropped.
#
# The fast mode (default) answers every substitution request for a non-standard font with
# `_BOX_FONT_B64`, an 840-byte TrueType font made for this purpose: one glyph, a box 1 em wide from
# -0.12 to 0.88 em, that a format 13 cmap maps to every Unicode code point (whitespace maps to an
# empty glyph, as in real fonts; a glyph id 0 would not do, PDFium treats it as "no glyph"). Every
# character then has a non-empty box of the em square at its origin, no system font is ever loaded,
# and the 14 standard PDF fonts (Helvetica, Times, Courier and their aliases such as Arial) keep
# PDFium's built-in metric-compatible faces. Nothing is rendered by this process, so the boxes are
# never drawn. Recipe (fontTools FontBuilder, unitsPerEm 1000): glyphs .notdef (empty), box (contour
# 0,-120 / 0,880 / 1000,880 / 1000,-120; advance 1000), space (empty, advance 500); hhea and OS/2
# ascent 880, descent -120; cmap: two format 13 subtables (0,6) and (3,10) mapping U+0000-U+0020,
# U+00A0, U+1680, U+2000-U+200B, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF to space and every
# other code point up to U+10FFFF to box.
# ASSESS_PDFIUM_SYSTEM_FONTS=1 restores PDFium's system-font substitution (process-wide).

SYSTEM_FONTS_ENV = "ASSESS_PDFIUM_SYSTEM_FONTS"
_BOX_FONT_B64 = (
    "AAEAAAAKAIAAAwAgT1MvMkThRXwAAAEoAAAAYGNtYXAAKBz7AAABlAAAAPxnbHlmtA4F4AAAApgAAAAaaGVhZDFhakwAAACs"
    "AAAANmhoZWEHWgN0AAAA5AAAACRobXR4CcQAAAAAAYgAAAAMbG9jYQANAA0AAAKQAAAACG1heHAABQAGAAABCAAAACBuYW1l"
    "gHiuDgAAArQAAABmcG9zdARpb3sAAAMcAAAALAABAAAAAQAAJIKxW18PPPUAAwPoAAAAAOcxEzoAAAAA5zETOgAA/4gD6ANw"
    "AAAAAwACAAAAAAAAAAEAAANw/4gAAAPoAAAAAAPoAAEAAAAAAAAAAAAAAAAAAAADAAEAAAADAAQAAQAAAAAAAgAAAAAAAAAA"
    "AAAAAAAAAAAAAwNBAZAABQAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAPz8/PwAA"
    "AAD//wNw/4gAAANwAHgAAAAAAAAAAAAAAAAAAAAgAAAD6AAAA+gAAAH0AAAAAAACAAAABgAAABQAAwAKAAAAFAANAAAAAADo"
    "AAAAAAAAABIAAAAAAAAAIAAAAAIAAAAhAAAAnwAAAAEAAACgAAAAoAAAAAIAAAChAAAWfwAAAAEAABaAAAAWgAAAAAIAABaB"
    "AAAf/wAAAAEAACAAAAAgCwAAAAIAACAMAAAgJwAAAAEAACAoAAAgKQAAAAIAACAqAAAgLgAAAAEAACAvAAAgLwAAAAIAACAw"
    "AAAgXgAAAAEAACBfAAAgXwAAAAIAACBgAAAv/wAAAAEAADAAAAAwAAAAAAIAADABAAD+/gAAAAEAAP7/AAD+/wAAAAIAAP8A"
    "ABD//wAAAAEAAAAAAA0ADQABAAD/iAPoA3AAAwAAFREhEQPoeAPo/BgAAAAAAAAEADYAAQAAAAAAAQAJAAAAAQAAAAAAAgAH"
    "AAkAAwABBAkAAQASABAAAwABBAkAAgAOACJBc3Nlc3NCb3hSZWd1bGFyAEEAcwBzAGUAcwBzAEIAbwB4AFIAZQBnAHUAbABh"
    "AHIAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMAAAECAAMDYm94"
)
_BOX_FACE = b"AssessBox"
_STANDARD_FAMILIES = {
    b"Courier", b"Courier-Bold", b"Courier-BoldOblique", b"Courier-Oblique", b"Helvetica", b"Helvetica-Bold",
    b"Helvetica-BoldOblique", b"Helvetica-Oblique", b"Times-Roman", b"Times-Bold", b"Times-BoldItalic",
    b"Times-Italic", b"Symbol", b"ZapfDingbats",
}
_FONT_MODE: str | None = None  # "box" or "system", decided once per process
_FONT_INFO = None  # the FPDF_SYSFONTINFO struct and its callbacks, kept alive for PDFium
_FONT_LOCK = threading.Lock()


def font_mode() -> str:
    """How this process substitutes non-embedded fonts: "box" (fast, default) or "system"."""
    _init_fonts()
    return _FONT_MODE or "system"


def _init_fonts() -> None:
    """Install the box-font substitute once per process, before the first PDF is opened.

    Batch workers are forked from the main process, or start fresh and get here on their first
    PDF; either way each process runs this once. Falls back to system fonts (slower, same text)
    if this pypdfium2 does not expose FPDF_SYSFONTINFO.
    """
    global _FONT_MODE, _FONT_INFO
    if _FONT_MODE is not None:
        return
    with _FONT_LOCK:  # the web UI may read PDFs from several threads
        if _FONT_MODE is not None:
            return
        if os.environ.get(SYSTEM_FONTS_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
            _FONT_MODE = "system"
            return
        try:
            _FONT_INFO = _box_font_info()
            _FONT_MODE = "box"
        except (AttributeError, KeyError, TypeError, OSError):  # an incompatible pypdfium2 build
            _FONT_MODE = "system"


def _box_font_info():
    import base64
    import ctypes

    import pypdfium2.raw as raw

    data = base64.b64decode("".join(_BOX_FONT_B64))
    S = raw.FPDF_SYSFONTINFO
    f = dict(S._fields_)

    def map_font(this, weight, italic, charset, pitch_family, face, exact):
        name = ctypes.string_at(face) if face else b""
        return None if name in _STANDARD_FAMILIES else 1  # None: PDFium's built-in standard font

    def get_font_data(this, font, table, buf, size):
        if table != 0:  # a single table ('ttcf' asks whether it is a collection): whole file only
            return 0
        if buf and size >= len(data):
            ctypes.memmove(buf, data, len(data))
        return len(data)

    def get_face_name(this, font, buf, size):
        if buf and size > len(_BOX_FACE):
            ctypes.memmove(buf, _BOX_FACE + b"\0", len(_BOX_FACE) + 1)
        return len(_BOX_FACE) + 1

    info = S()
    info.version = 1
    info.Release = f["Release"](lambda this: None)
    info.EnumFonts = f["EnumFonts"](lambda this, mapper: None)  # no installed fonts to match by name
    info.MapFont = f["MapFont"](map_font)
    info.GetFont = f["GetFont"](lambda this, face: None)
    info.GetFontData = f["GetFontData"](get_font_data)
    info.GetFaceName = f["GetFaceName"](get_face_name)
    info.GetFontCharset = f["GetFontCharset"](lambda this, font: 1)  # DEFAULT_CHARSET
    info.DeleteFont = f["DeleteFont"](lambda this, font: None)
    raw.FPDF_SetSystemFontInfo(ctypes.byref(info))
    return info


def _open_pdfium(path: Path, shown: str):
    import pypdfium2 as pdfium

    _init_fonts()

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        if "password" in msg:
            raise InputError("PDF 已加密（需要密码才能打开），请取消密码后再审查", code=E_ENCRYPTED, path=shown) from None
        raise InputError("PDF 文件已损坏或格式无效，无法读取", code=E_CORRUPT, path=shown) from None
    except OSError as e:
        raise InputError(f"PDF 读取失败（{e.strerror or e}）", code=E_CORRUPT, path=shown) from None


def _path_objects(page) -> int:
    from .pdf_tables import count_paths

    return count_paths(page)


def _image_objects(page) -> int:
    import pypdfium2.raw as raw

    n = raw.FPDFPage_CountObjects(page.raw)
    return sum(1 for i in range(n) if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) == raw.FPDF_PAGEOBJ_IMAGE)


def _pdfium_page(page, number: int, state: dict | None = None) -> Page:
    """One page read by PDFium. With `state` (the `auto` engine), ruled tables on a page with at
    least AUTO_MIN_PATHS path objects become table rows (pdf_tables), their text leaves the lines."""
    import pypdfium2.raw as raw

    width, height = page.get_size()
    tp = page.get_textpage()
    try:
        n = tp.count_chars()
        s = tp.get_text_range() if n else ""
        geometry = len(s) == n
        lines: list[Line] = []
        spans: list[tuple[int, int]] = []  # the text page's char range of each line
        pos = 0
        chars = 0
        for raw_line in s.split("\n"):
            seg_start = pos
            pos += len(raw_line) + 1
            line = raw_line.rstrip("\r")
            span = (seg_start, seg_start + len(line))  # before _reorder_line rewrites `line`
            box = None
            if geometry and _has_generated_gap(tp, line, seg_start):
                line, box = _reorder_line(tp, seg_start, seg_start + len(line), height)
            text = normalise_line(line)
            if not text:
                continue
            chars += len(text)
            ln = Line(text, page=number)
            if geometry:
                first = seg_start + (len(raw_line) - len(raw_line.lstrip()))
                ln.size = raw.FPDFText_GetFontSize(tp.raw, first)
            if box is not None:
                ln.x0, ln.x1, ln.top, ln.bottom = box
            elif geometry:
                a = seg_start + (len(line) - len(line.lstrip()))
                b = seg_start + len(line.rstrip()) - 1
                l0, b0, r0, t0 = tp.get_charbox(a)
                l1, b1, r1, t1 = tp.get_charbox(b)
                ln.x0, ln.x1 = l0, r1
                ln.top = height - max(t0, t1)
                ln.bottom = height - min(b0, b1)
            lines.append(ln)
            spans.append(span)
        if not geometry:
            _fake_geometry(lines, height)
        pg = Page(number, width, height, lines, chars, "pdfium", geometry=geometry)
        if state is not None and geometry and chars:
            _pdfium_tables(page, tp, s, pg, spans, state)
    finally:
        tp.close()
    return pg


TABLE_LINE_SLACK = 2.0  # pt: a line this close to a table's top or bottom is looked at char by char


def _pdfium_tables(page, tp, text: str, pg: Page, spans: list[tuple[int, int]], state: dict) -> None:
    """Find ruled tables on a page read by PDFium; replace the lines inside them by table rows.

    Lines that overlap a table vertically are read character by character: characters whose centre
    lies in a table go to its cells (pdfplumber's rule); a line with no character left outside is
    dropped, one with some left (text beside a table on the same baseline, rare) keeps just those.
    """
    from . import pdf_tables as pt

    texts: list = []
    n_paths, h, v = pt.page_edges(page, pg.height, AUTO_MIN_PATHS, texts)
    if n_paths < AUTO_MIN_PATHS:
        return
    tables = [t for t in pt.find_tables(h, v) if t.ncols >= 2]
    if not tables:
        return
    boxes = [t.bbox for t in tables]
    table_chars: list = []
    items: list[Line] = []
    blank_cache: list = []

    def blanks():  # text object origins, read only if a line in a table has a generated space
        if not blank_cache:
            blank_cache.append(pt.text_origins(texts, pg.height))
        return blank_cache[0]

    for ln, (a, b) in zip(pg.lines, spans):
        if not any(ln.top < bx[3] + TABLE_LINE_SLACK and ln.bottom > bx[1] - TABLE_LINE_SLACK for bx in boxes):
            items.append(ln)
            continue
        chs = pt.read_chars(tp, a, b, pg.height, text, blanks)
        inside = [pt.in_any(ch, boxes) for ch in chs]
        if not any(inside):
            items.append(ln)
            continue
        table_chars.extend(ch for ch, ins in zip(chs, inside) if ins)
        rest = [ch for ch, ins in zip(chs, inside) if not ins]
        if any(not ch.text.isspace() for ch in rest):
            items.append(_line_from_chars(rest, ln))
    found = [(t.bbox, pt.cell_texts(t, table_chars)) for t in tables]
    pg.lines = items
    pg.chars = sum(len(ln.text) for ln in items)
    pg.chars += _add_table_rows(items, found, pg.number, pg.height, state)
    items.sort(key=lambda ln: (ln.top, ln.x0))
    pg.has_tables = True


def _line_from_chars(chars: list, like: Line) -> Line:
    """A line rebuilt from some of its characters (left to right, a space at visible gaps)."""
    solid = [c for c in chars if not c.text.isspace()]
    size = like.size or max(c.bottom - c.top for c in solid)
    out: list[str] = []
    prev_x1 = None
    for c in sorted(chars, key=lambda c: c.x0):
        if c.text.isspace():
            if out and out[-1] != " ":
                out.append(" ")
            continue
        if prev_x1 is not None and c.x0 - prev_x1 > GAP_SPACE * size and out and out[-1] != " ":
            out.append(" ")
        out.append(c.text)
        prev_x1 = c.x1 if prev_x1 is None else max(prev_x1, c.x1)
    return Line(normalise_line("".join(out)), min(c.x0 for c in solid), max(c.x1 for c in solid),
                min(c.top for c in solid), max(c.bottom for c in solid), like.page, size=like.size)


# Two CJK characters around a space: either a real gap (table cells) or PDFium's placeholder for
# glyphs drawn out of order (LibreOffice draws fallback-font glyphs such as curly quotes at the end
# of the line). Such lines are rebuilt from the character boxes, left to right.
GAP_SPACE = 0.3  # a gap wider than this many font sizes between glyph boxes reads as a space
_SUSPECT_GAP = re.compile(rf"[{_CJK}] +[{_CJK}]")


def _has_generated_gap(tp, line: str, start: int) -> bool:
    """A CJK-space-CJK where PDFium made the space up (no space glyph in the PDF)."""
    if " " not in line:
        return False
    import pypdfium2.raw as raw

    for m in _SUSPECT_GAP.finditer(line):
        i = m.start() + 1
        if raw.FPDFText_IsGenerated(tp.raw, start + i) == 1:
            return True
    return False


def _reorder_line(tp, a: int, b: int, height: float):
    """(text, (x0, x1, top, bottom)) of chars a..b rebuilt left to right from their boxes."""
    import pypdfium2.raw as raw

    chars = []
    heights = []
    tops, bottoms = [], []
    for i in range(a, b):
        if raw.FPDFText_IsGenerated(tp.raw, i) == 1:
            continue
        code = raw.FPDFText_GetUnicode(tp.raw, i)
        if not code or code in (13, 10):
            continue
        l, bt, r, t = tp.get_charbox(i)
        ch = chr(code)
        if ch.isspace():
            ch = " "  # a real space character of the PDF (kept, like pdfplumber does)
        else:
            heights.append(raw.FPDFText_GetFontSize(tp.raw, i))
            tops.append(t)
            bottoms.append(bt)
        chars.append((l, r, ch))
    if not heights:
        return "", None
    chars.sort(key=lambda c: c[0])
    size = sorted(heights)[len(heights) // 2] if heights else 10.0
    out: list[str] = []
    prev_r = None
    for l, r, ch in chars:
        if ch == " ":
            if out and out[-1] != " ":
                out.append(" ")
            continue
        if prev_r is not None and l - prev_r > GAP_SPACE * size and out and out[-1] != " ":
            out.append(" ")  # a visible gap (label and text, table cells), as pdfplumber sees it
        out.append(ch)
        prev_r = r if prev_r is None else max(prev_r, r)
    solid = [(l, r) for l, r, ch in chars if ch != " "]
    box = (min(l for l, _ in solid), max(r for _, r in solid), height - max(tops), height - min(bottoms))
    return "".join(out), box


def _fake_geometry(lines: list[Line], height: float) -> None:
    """Without char boxes: every line is 'full', spread evenly down the page."""
    n = max(len(lines), 1)
    for i, ln in enumerate(lines):
        ln.x0, ln.x1 = 0.0, 1e9
        ln.top = height * i / n
        ln.bottom = ln.top + 1


# ---------------------------------------------------------------------------------------------
# pdfplumber


def _plumber_page(page, number: int, state: dict) -> Page:
    width, height = float(page.width), float(page.height)
    found = page.find_tables()
    tables = [t for t in found if t.rows and len(t.rows[0].cells) >= 2]
    items: list[Line] = []
    if tables:
        boxes = [t.bbox for t in tables]

        def outside(obj, boxes=boxes):
            if obj.get("object_type") != "char":
                return True
            cx = (obj["x0"] + obj["x1"]) / 2
            cy = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

        text_page = page.filter(outside)
    else:
        text_page = page
    chars = 0
    for tl in text_page.extract_text_lines(return_chars=False):
        text = normalise_line(tl["text"])
        if not text:
            continue
        chars += len(text)
        items.append(Line(text, tl["x0"], tl["x1"], tl["top"], tl["bottom"], number, size=tl["bottom"] - tl["top"]))
    chars += _add_table_rows(items, [(t.bbox, t.extract()) for t in tables], number, height, state)
    items.sort(key=lambda ln: (ln.top, ln.x0))
    return Page(number, width, height, items, chars, "pdfplumber", has_tables=bool(tables))


def _add_table_rows(items: list[Line], tables: list, number: int, height: float, state: dict) -> int:
    """Append the rows of a page's tables to `items` (the page's text lines); return their chars.

    `tables`: (bbox (x0, top, x1, bottom), rows of raw cell strings or None) per table, top to
    bottom, from either engine. Cells are cleaned (tables.clean_cell), empty rows dropped. A table
    that starts a page right after a table ending near the bottom of the previous page, with the same
    number of columns, continues it (same index and header, row numbers go on; a repeated header row
    is dropped); otherwise it is a new table whose first row is its header if it looks like one.
    """
    chars = 0
    for bbox, raw_rows in tables:
        rows = [[tbl.clean_cell(c or "") for c in r] for r in raw_rows]
        rows = [r for r in rows if any(r)]
        if not rows:
            continue
        x0, top, x1, bottom = bbox
        prev = state.get("last_table")
        first_on_page = not any(ln.top < top for ln in items if ln.top > height * 0.1)
        cont = (prev is not None and prev["page"] == number - 1 and prev["ncols"] == len(rows[0])
                and first_on_page and prev["near_bottom"])
        if cont:
            index, header, r0 = prev["index"], prev["header"], prev["next_row"]
            if header is not None and tbl.header_names(rows[0]) == header:
                rows = rows[1:]  # the header row repeated on the new page
        else:
            index = state.get("tables", 0)
            state["tables"] = index + 1
            header = tbl.header_names(rows[0]) if tbl.looks_like_header(rows[0], False, len(rows)) else None
            r0 = 0
        step = (bottom - top) / max(len(rows), 1)
        for i, cells in enumerate(rows):
            chars += sum(len(c) for c in cells)
            items.append(Line(" ".join(cells), x0, x1, top + i * step * 0.999, top + (i + 1) * step, number,
                              kind="row", cells=cells, table=index, row=r0 + i, header=header))
        state["last_table"] = {"page": number, "ncols": len(rows[0]) if rows else 0, "index": index,
                               "header": header, "next_row": r0 + len(rows), "near_bottom": bottom > height * 0.75}
    return chars


def _open_plumber(path: Path, shown: str):
    import pdfplumber

    try:
        return pdfplumber.open(str(path))
    except Exception as e:  # pdfminer raises many types for broken or encrypted files
        name = type(e).__name__
        if "Password" in name or "Encrypt" in name:
            raise InputError("PDF 已加密（需要密码才能打开），请取消密码后再审查", code=E_ENCRYPTED, path=shown) from None
        raise InputError("PDF 文件已损坏或格式无效，无法读取", code=E_CORRUPT, path=shown) from None


# ---------------------------------------------------------------------------------------------
# Headers, footers, page numbers

_PAGE_NO = [
    re.compile(r"^[-—–－_·\s]*\d{1,4}[-—–－_·\s]*$"),
    re.compile(r"^第\s*[0-9一二三四五六七八九十百零〇]+\s*页(\s*[,，/、]?\s*共\s*[0-9一二三四五六七八九十百零〇]+\s*页)?$"),
    re.compile(r"^共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(page|p\.)\s*\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.I),
    re.compile(r"^[-—–]?\s*[ivxlc]{1,6}\s*[-—–]?$", re.I),
]
_DIGITS = re.compile(r"[0-9０-９]+")
BAND = 0.12  # top/bottom fraction of the page where running headers and footers live
EDGE_LINES = 2  # how many lines at the top/bottom of each page are candidates


def is_page_number(text: str) -> bool:
    t = text.strip()
    return bool(t) and len(t) <= 20 and any(rx.match(t) for rx in _PAGE_NO)


def _key(ln: Line) -> str:
    """Line text with whitespace dropped and digits normalised (page numbers inside headers vary)."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", ln.text))


def _edge_candidates(page: Page) -> list[tuple[Line, str]]:
    """The top-most and bottom-most lines of a page (by position: drawing order varies)."""
    lines = sorted((ln for ln in page.lines if ln.kind == "line"), key=lambda ln: ln.top)
    out = []
    for ln in lines[:EDGE_LINES]:
        if ln.top <= page.height * BAND:
            out.append((ln, "header"))
    for ln in lines[-EDGE_LINES:]:
        if ln.bottom >= page.height * (1 - BAND) and not any(ln is c for c, _ in out):
            out.append((ln, "footer"))
    return out


def remove_running_lines(pages: list[Page]) -> tuple[list[str], int]:
    """Drop repeated headers/footers and page numbers in place; return (excluded texts, count).

    A running line has the same text (digits aside) in the top or bottom band of at least half the
    pages, at about the same height (within 2% of the page), and is not much bigger than its other
    occurrences (a title that equals the running header stays).
    """
    cands = {p.number: _edge_candidates(p) for p in pages}
    seen_on: dict[str, list[tuple[float, float]]] = {}  # key -> [(top / page height, font size)]
    for p in pages:
        keys = set()
        for ln, _ in cands[p.number]:
            k = _key(ln)
            if k not in keys:
                keys.add(k)
                seen_on.setdefault(k, []).append((ln.top / p.height, ln.size or (ln.bottom - ln.top)))
    need = max(2, (len(pages) + 1) // 2)
    excluded: list[str] = []
    removed = 0
    for p in pages:
        drop = set()
        for ln, where in cands[p.number]:
            occ = seen_on.get(_key(ln), [])
            repeated = False
            if len(occ) >= need:
                tops = sorted(t for t, _ in occ)
                hs = sorted(h for _, h in occ)
                mid_top, mid_h = tops[len(tops) // 2], hs[len(hs) // 2]
                near = sum(1 for t in tops if abs(t - mid_top) <= 0.02)
                repeated = (near >= need and abs(ln.top / p.height - mid_top) <= 0.02
                            and (ln.size or (ln.bottom - ln.top)) <= 1.4 * mid_h)
            if repeated or is_page_number(ln.text):
                drop.add(id(ln))
                removed += 1
                label = "页码" if is_page_number(ln.text) else ("页眉" if where == "header" else "页脚")
                entry = f"{label}：{ln.text}"
                if label != "页码" and entry not in excluded:
                    excluded.append(entry)
        if drop:
            p.lines = [ln for ln in p.lines if id(ln) not in drop]
    return excluded, removed


# ---------------------------------------------------------------------------------------------
# Unwrapping lines into paragraphs

_END = "。；！？：;!?:"
_CLOSERS = "”’」』）)】》"
_NO_BREAK_AFTER = "，、,（(“‘《【"
_CONT_AFTER_ARTICLE = set("的规之所中和、至或及与第款项以")


def starts_clause(text: str) -> bool:
    from ..structure import _label_of

    lab = _label_of(text)
    if not lab:
        return False
    kind, _, token = lab
    rest = text[len(token) : len(token) + 1]
    if kind in ("article", "chapter", "section", "part") and rest and rest in _CONT_AFTER_ARTICLE:
        return False  # "第三条的规定" wrapped to the start of a line
    return True


def _ends_sentence(text: str) -> bool:
    t = text.rstrip(_CLOSERS) if len(text) > 1 else text
    return bool(t) and t[-1] in _END


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def unwrap(pages: list[Page]) -> list[tuple[str, Line]]:
    """Paragraphs (text, first line) and table rows, in order."""
    body = [ln for p in pages for ln in p.lines if ln.kind == "line"]
    right = _percentile([ln.x1 for ln in body], 0.9)
    left = _percentile([ln.x0 for ln in body], 0.1)
    size = max(_percentile([ln.size for ln in body], 0.5), 6.0)  # body text font size
    out: list[tuple[str, Line]] = []
    cur: str | None = None
    first: Line | None = None
    prev: Line | None = None
    for p in pages:
        for ln in p.lines:
            if ln.kind == "row":
                if cur is not None:
                    out.append((cur, first))
                    cur = None
                out.append((ln.text, ln))
                prev = None
                continue
            if cur is not None and prev is not None and _continues(prev, ln, left, right, size):
                cur = _join(cur, ln.text)
            else:
                if cur is not None:
                    out.append((cur, first))
                cur, first = ln.text, ln
            prev = ln
    if cur is not None:
        out.append((cur, first))
    return out


def _continues(prev: Line, ln: Line, left: float, right: float, size: float) -> bool:
    """Whether line `ln` continues the paragraph whose last line so far is `prev`."""
    if _ends_sentence(prev.text):
        return False
    if starts_clause(ln.text):
        return False
    h0, h1 = prev.size, ln.size
    if h0 > 0 and h1 > 0 and max(h0, h1) > 1.3 * min(h0, h1):
        return False  # a change of font size: a heading or title ends here
    if prev.text[-1] not in _NO_BREAK_AFTER and prev.x1 < right - 2.0 * size:
        return False  # the line stops well before the margin: the paragraph (or heading) ended
    if ln.x0 > left + 1.2 * size and ln.x0 > prev.x0 + 1.2 * size:
        return False  # first-line indent of a new paragraph
    return True


# ---------------------------------------------------------------------------------------------
# Reader


def read_pdf(path, limits=None) -> Document:
    from . import Limits

    limits = limits or Limits()
    path = Path(path)
    shown = str(path)
    engine = (limits.pdf_engine or "auto").lower()
    if engine not in ENGINES:
        engine = "auto"
    pdf = _open_pdfium(path, shown)
    plumber = None
    try:
        n = len(pdf)
        if n > limits.max_pdf_pages:
            raise InputError(f"PDF 页数过多（{n} 页，上限 {limits.max_pdf_pages} 页）", code=E_TOO_LARGE, path=shown)
        pages: list[Page] = []
        state: dict = {}
        empty_pages: list[int] = []
        total = 0
        if engine == "pdfplumber":
            plumber = _open_plumber(path, shown)
        for i in range(n):
            page = pdf[i]
            try:
                if engine == "pdfplumber":
                    pg = _plumber_page(plumber.pages[i], i + 1, state)
                else:
                    pg = _pdfium_page(page, i + 1, state if engine == "auto" else None)
                    if engine == "auto" and not pg.geometry and pg.chars and _path_objects(page) >= AUTO_MIN_PATHS:
                        # Text and character indices disagree (rare: characters outside the BMP):
                        # no char boxes to place in cells, so pdfplumber reads this page.
                        if plumber is None:
                            plumber = _open_plumber(path, shown)
                        alt = _plumber_page(plumber.pages[i], i + 1, state)
                        if alt.has_tables:
                            pg = alt
                if not pg.chars:
                    empty_pages.append(i + 1)
            finally:
                page.close()
            total += pg.chars
            if total > limits.max_text_chars:
                raise InputError(f"文字过多（超过 {limits.max_text_chars} 字）", code=E_TOO_LARGE, path=shown)
            pages.append(pg)
    finally:
        if plumber is not None:
            plumber.close()
        pdf.close()

    if total == 0:
        raise InputError("PDF 没有文字层（可能是扫描件或图片），需要先做文字识别（OCR）后再审查", code=E_SCANNED, path=shown)
    excluded, removed = remove_running_lines(pages)
    paras = unwrap(pages)

    parts: list[str] = []
    blocks: list[Block] = []
    page_offsets: list[tuple[int, int]] = []
    pos = 0
    for text, ln in paras:
        if parts:
            parts.append("\n")
            pos += 1
        if not page_offsets or page_offsets[-1][1] != ln.page:
            page_offsets.append((pos, ln.page))
        if ln.kind == "row":
            use_header = ln.header if (ln.header is not None and ln.row) else None
            row_text, spans = tbl.render_row(ln.cells or [], use_header)
            b = Block(pos, pos + len(row_text), "table_row", page=ln.page, table=ln.table, row=ln.row,
                      header=ln.header, cells=[(pos + a, pos + e) for a, e in spans])
            text = row_text
        else:
            b = Block(pos, pos + len(text), "paragraph", page=ln.page)
        parts.append(text)
        pos += len(text)
        blocks.append(b)
    doc = Document(path=shown, format="pdf", sha256="", size=path.stat().st_size, text="".join(parts), blocks=blocks,
                   pages=n)
    doc.meta["page_offsets"] = page_offsets
    doc.meta["pdf_engine"] = engine
    doc.meta["pdf_fonts"] = font_mode()
    doc.meta["table_pages"] = [p.number for p in pages if p.has_tables]
    if excluded or removed:
        doc.excluded.extend(excluded)
        doc.notes.append(f"已去除页眉、页脚和页码（{removed} 行），未纳入审查")
    if empty_pages:
        shown_pages = "、".join(str(x) for x in empty_pages[:10]) + ("等" if len(empty_pages) > 10 else "")
        doc.notes.append(f"第 {shown_pages} 页没有文字层（可能是扫描页或图片），未审查，请人工查看")
        doc.meta["pages_without_text"] = empty_pages
    doc.title = _title(doc)
    return doc


def page_of(doc: Document, offset: int) -> int | None:
    """The 1-based page of a text offset (from `meta["page_offsets"]`)."""
    import bisect

    po = doc.meta.get("page_offsets") or []
    if not po:
        return None
    i = bisect.bisect_right([o for o, _ in po], offset) - 1
    return po[max(i, 0)][1]


def _title(doc: Document) -> str:
    from . import guess_title

    return guess_title(doc)
