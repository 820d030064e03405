"""Ruled (lattice) tables on a PDFium page: edges from path objects, cells from their crossings.

The `auto` PDF engine uses this instead of re-reading a page with pdfplumber (whose pdfminer pass
interprets the whole page again, ~70 ms). It follows pdfplumber's "lines" table strategy
(pdfplumber/table.py), with the same default tolerances, on data PDFium already has:

1. **Edges** (`page_edges`): every painted path object (top level or inside a form XObject) gives
   its straight, axis-aligned segments, transformed to page space by the object's matrix (and the
   enclosing forms'). A `re` rectangle is four segments, so a cell outline gives its four sides and
   a thin filled rectangle (LibreOffice and Word draw borders so) gives two sides that snap into one
   line. Curves and slanted segments are ignored; segments shorter than 1 pt are dropped (as
   pdfplumber's `edge_min_length_prefilter`).
2. **Merge** (`merge_edges`): parallel edges within 3 pt snap to their mean position, collinear
   edges with gaps of at most 3 pt join, edges shorter than 3 pt are dropped.
3. **Intersections** within 3 pt, **cells** (the smallest rectangle whose four corners are
   intersections joined by edges), **tables** (cells that share corners), each as in pdfplumber.
4. **Rows** (`Table.grid`): cells grouped by top, one column per distinct cell left; a merged cell
   appears once, in its top-left slot, the slots it covers are None (pdfplumber's `Table.rows`).
5. **Cell text** (`cell_texts`): each character goes to the cell containing the centre of its box
   (half-open, as pdfplumber); within a cell characters are grouped into lines by top (3 pt),
   ordered left to right, split into words at spaces and at gaps over 3 pt, words joined by a space
   and lines by a newline: the string pdfplumber's `Table.extract()` gives, for
   `tables.clean_cell` to flatten. Boxes are PDFium's loose char boxes (advance x font ascent and
   descent, like pdfminer's). PDFium's text page differs from pdfminer's characters in one way
   that matters here: a space drawn as a text object of its own has an empty box, PDFium drops it
   and generates a space instead, as it also does at mere gaps; `read_chars` keeps a generated
   space only where a blank text object was drawn or over a space-wide gap no glyph fills.

Coordinates: PDF user space has its origin at the bottom left; everything here uses
top = page height - y, like the rest of pdf.py.
"""

from __future__ import annotations

import bisect
import ctypes
from dataclasses import dataclass

__all__ = ["Table", "count_paths", "page_edges", "find_tables", "Char", "read_chars", "text_origins", "cell_texts"]

SNAP = 3.0  # snap_tolerance
JOIN = 3.0  # join_tolerance
INTERSECT = 3.0  # intersection_tolerance
MIN_EDGE = 3.0  # edge_min_length
MIN_SEGMENT = 1.0  # edge_min_length_prefilter
X_TOL = 3.0  # a gap wider than this between characters starts a new word
Y_TOL = 3.0  # character tops closer than this (chained) are one line of a cell
SPACE_GAP = 0.3  # em: a gap this wide where PDFium generated a space held a space glyph (see read_chars)
TEXT_FIXES = {2: "-"}  # PDFium's code for a hyphen (as normalise_line; U+FFFE is skipped)
_FLAT = 0.01  # a segment whose ends differ by less than this in x (y) is vertical (horizontal)
_MAX_FORM_DEPTH = 8

Edge = list  # horizontal: [y, x0, x1]; vertical: [x, top, bottom]
Bbox = tuple  # (x0, top, x1, bottom)


# ---------------------------------------------------------------------------------------------
# Edges from path objects


def _mul(m, n):
    """The matrix applying m, then n (PDF row-vector convention: [a b c d e f])."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _page_objects(page, texts: list | None = None) -> list:
    """[(path object handle, matrix of the enclosing forms or None)] of a pypdfium2 page, top level
    and inside form XObjects; `texts`, if given, receives the top-level text object handles."""
    import pypdfium2.raw as raw

    paths: list = []
    stack = [(page.raw, None, 0, False)]
    while stack:
        parent, outer, depth, is_form = stack.pop()
        count = raw.FPDFFormObj_CountObjects(parent) if is_form else raw.FPDFPage_CountObjects(parent)
        for i in range(count):
            obj = raw.FPDFFormObj_GetObject(parent, i) if is_form else raw.FPDFPage_GetObject(parent, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                paths.append((obj, outer))
            elif kind == raw.FPDF_PAGEOBJ_TEXT and texts is not None and not is_form:
                texts.append(obj)
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                stack.append((obj, _obj_matrix(raw, obj, outer), depth + 1, True))
    return paths


def count_paths(page) -> int:
    """Path objects on a page, those inside form XObjects included."""
    return len(_page_objects(page))


def page_edges(page, height: float, min_paths: int = 0, texts: list | None = None) -> tuple[int, list[Edge], list[Edge]]:
    """(number of path objects, horizontal edges, vertical edges) of a pypdfium2 page.

    Edges are only collected when the page has at least `min_paths` path objects (counting those
    inside form XObjects); below that the edge lists are empty. `texts`, if given, receives the
    handles of the page's top-level text objects (same loop, for text_origins).
    """
    import pypdfium2.raw as raw

    paths = _page_objects(page, texts)
    h: list[Edge] = []
    v: list[Edge] = []
    if len(paths) < max(min_paths, 1):
        return len(paths), h, v
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    px = ctypes.c_float()
    py = ctypes.c_float()
    LINETO, MOVETO = raw.FPDF_SEGMENT_LINETO, raw.FPDF_SEGMENT_MOVETO
    for obj, outer in paths:
        if raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)) and not fill.value and not stroke.value:
            continue  # neither filled nor stroked: draws nothing
        a, b, c, d, e, f = _obj_matrix(raw, obj, outer)
        start = cur = None
        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            if not raw.FPDFPathSegment_GetPoint(seg, ctypes.byref(px), ctypes.byref(py)):
                continue
            x, y = px.value, py.value
            pt = (a * x + c * y + e, height - (b * x + d * y + f))
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == MOVETO or cur is None:
                start = cur = pt
                continue
            if kind == LINETO:
                _add_segment(cur, pt, h, v)
            cur = pt  # a Bezier segment (one per control point) only moves the pen
            if raw.FPDFPathSegment_GetClose(seg):
                _add_segment(cur, start, h, v)
                cur = start
    return len(paths), h, v


def _obj_matrix(raw, obj, outer):
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        own = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    else:
        own = (m.a, m.b, m.c, m.d, m.e, m.f)
    return own if outer is None else _mul(own, outer)


def _add_segment(p, q, h: list, v: list) -> None:
    (x0, t0), (x1, t1) = p, q
    if abs(t0 - t1) < _FLAT:
        if abs(x1 - x0) >= MIN_SEGMENT:
            h.append([(t0 + t1) / 2, min(x0, x1), max(x0, x1)])
    elif abs(x0 - x1) < _FLAT:
        if abs(t1 - t0) >= MIN_SEGMENT:
            v.append([(x0 + x1) / 2, min(t0, t1), max(t0, t1)])


# ---------------------------------------------------------------------------------------------
# pdfplumber's lattice algorithm on [position, start, end] edges


def _snap(edges: list[Edge], tol: float) -> None:
    """Edges whose positions chain within `tol` move to the cluster's mean position (in place)."""
    if tol <= 0 or len(edges) < 2:
        return
    edges.sort(key=lambda e: e[0])
    group = [edges[0]]
    for e in edges[1:]:
        if e[0] <= group[-1][0] + tol:
            group.append(e)
        else:
            _move(group)
            group = [e]
    _move(group)


def _move(group: list[Edge]) -> None:
    if len(group) > 1:
        mean = sum(e[0] for e in group) / len(group)
        for e in group:
            e[0] = mean


def _join(edges: list[Edge], tol: float) -> list[Edge]:
    """Edges on the same line (same position after snapping) whose gaps are <= tol become one."""
    out: list[Edge] = []
    for e in sorted(edges, key=lambda e: (e[0], e[1])):
        last = out[-1] if out else None
        if last is not None and last[0] == e[0] and e[1] <= last[2] + tol:
            if e[2] > last[2]:
                last[2] = e[2]
        else:
            out.append([e[0], e[1], e[2]])
    return out


def merge_edges(h: list[Edge], v: list[Edge]) -> tuple[list[Edge], list[Edge]]:
    h = [list(e) for e in h]
    v = [list(e) for e in v]
    _snap(h, SNAP)
    _snap(v, SNAP)
    h = [e for e in _join(h, JOIN) if e[2] - e[1] >= MIN_EDGE]
    v = [e for e in _join(v, JOIN) if e[2] - e[1] >= MIN_EDGE]
    return h, v


def _intersections(h: list[Edge], v: list[Edge]) -> dict:
    """{(x, top): (ids of vertical edges, ids of horizontal edges)} where edges cross within tolerance."""
    tol = INTERSECT
    points: dict = {}
    hs = sorted(range(len(h)), key=lambda i: (h[i][0], h[i][1]))
    for vi in sorted(range(len(v)), key=lambda i: (v[i][0], v[i][1])):
        x, top, bottom = v[vi]
        for hi in hs:
            y, x0, x1 = h[hi]
            if top <= y + tol and bottom >= y - tol and x >= x0 - tol and x <= x1 + tol:
                p = points.get((x, y))
                if p is None:
                    p = points[(x, y)] = (set(), set())
                p[0].add(vi)
                p[1].add(hi)
    return points


def _cells(points: dict) -> list[Bbox]:
    """For each intersection (in sorted order) the smallest cell with it as the top-left corner."""
    order = sorted(points)
    by_x: dict = {}
    by_y: dict = {}
    for p in order:  # sorted by (x, y): each list is in increasing order of the other coordinate
        by_x.setdefault(p[0], []).append(p)
        by_y.setdefault(p[1], []).append(p)
    for lst in by_y.values():
        lst.sort()

    def v_joined(p, q):
        return not points[p][0].isdisjoint(points[q][0])

    def h_joined(p, q):
        return not points[p][1].isdisjoint(points[q][1])

    cells: list[Bbox] = []
    for pt in order:
        x, y = pt
        below = [q for q in by_x[x] if q[1] > y]
        right = [q for q in by_y[y] if q[0] > x]
        found = None
        for b in below:
            if not v_joined(pt, b):
                continue
            for r in right:
                if not h_joined(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in points and v_joined(corner, r) and h_joined(corner, b):
                    found = (x, y, r[0], b[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _group_cells(cells: list[Bbox]) -> list[list[Bbox]]:
    """Cells that share a corner, transitively, form a table (pdfplumber's cells_to_tables)."""
    remaining = list(cells)
    tables: list[list[Bbox]] = []
    corners: set = set()
    current: list[Bbox] = []
    while remaining:
        before = len(current)
        for cell in list(remaining):
            x0, top, x1, bottom = cell
            cc = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in cc):
                corners.update(cc)
                current.append(cell)
                remaining.remove(cell)
        if len(current) == before:
            tables.append(current)
            corners = set()
            current = []
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


@dataclass
class Table:
    cells: list[Bbox]

    @property
    def bbox(self) -> Bbox:
        c = self.cells
        return (min(b[0] for b in c), min(b[1] for b in c), max(b[2] for b in c), max(b[3] for b in c))

    @property
    def grid(self) -> list[list[Bbox | None]]:
        """Rows of cells; one column per distinct cell left edge; None where a merged cell covers."""
        xs = sorted({c[0] for c in self.cells})
        rows: list[list[Bbox | None]] = []
        by_top: dict = {}
        for c in sorted(self.cells, key=lambda c: (c[1], c[0])):
            by_top.setdefault(c[1], {})[c[0]] = c
        for top in sorted(by_top):
            row = by_top[top]
            rows.append([row.get(x) for x in xs])
        return rows

    @property
    def ncols(self) -> int:
        return len({c[0] for c in self.cells})


def find_tables(h: list[Edge], v: list[Edge]) -> list[Table]:
    """Ruled tables from raw edges, top to bottom."""
    if not h or not v:
        return []
    h, v = merge_edges(h, v)
    if not h or not v:
        return []
    points = _intersections(h, v)
    if len(points) < 4:
        return []
    return [Table(cells) for cells in _group_cells(_cells(points))]


# ---------------------------------------------------------------------------------------------
# Characters and cell text


class Char:
    """One character: text, loose box (top-down) and its centre."""

    __slots__ = ("index", "text", "x0", "x1", "top", "bottom", "cx", "cy", "gap")

    def __init__(self, index: int, text: str, x0: float, x1: float, top: float, bottom: float):
        self.index, self.text = index, text
        self.x0, self.x1, self.top, self.bottom = x0, x1, top, bottom
        self.cx = (x0 + x1) / 2
        self.cy = (top + bottom) / 2
        self.gap = None  # a space PDFium generated over this empty x range: kept if nothing fills it

    def __repr__(self) -> str:
        return f"Char({self.text!r}, x0={self.x0:.1f}, top={self.top:.1f})"


def text_origins(texts: list, height: float) -> list[tuple[float, float, object]]:
    """(x, baseline, handle) of text objects (handles collected by page_edges), from their
    matrices, sorted by x."""
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    ref = ctypes.byref(m)
    out = []
    for obj in texts:
        if raw.FPDFPageObj_GetMatrix(obj, ref):
            out.append((m.e, height - m.f, obj))
    out.sort(key=lambda o: o[0])
    return out


def _blank_between(raw, origins: list, x0: float, x1: float, base: float) -> float | None:
    """x of an empty text object whose origin lies in [x0, x1] on this baseline, if any."""
    i = bisect.bisect_left(origins, x0, key=lambda o: o[0])
    while i < len(origins) and origins[i][0] <= x1:
        x, y, obj = origins[i]
        if abs(y - base) <= 2 and _is_blank(raw, obj):
            return x
        i += 1
    return None


def _is_blank(raw, obj) -> bool:
    """A text object with an empty box: PDFium leaves it out of the text page."""
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    ok = raw.FPDFPageObj_GetBounds(obj, ctypes.byref(l), ctypes.byref(b), ctypes.byref(r), ctypes.byref(t))
    return bool(ok) and r.value - l.value < 0.01


def read_chars(tp, start: int, end: int, height: float, text: str | None = None, blanks=None) -> list[Char]:
    """Characters start..end-1 of a pypdfium2 text page with their loose boxes (advance x font
    ascent/descent, like pdfminer's char boxes); `text` is the page's text (tp.get_text_range(),
    when its length equals the char count), else each char is asked for. PDFium's generated line
    breaks are skipped, and so are its generated spaces, except one standing where an empty text
    object was drawn (a real space PDFium dropped; `blanks()` gives the page's text object origins,
    see text_origins): that one is placed there and separates words like a real space."""
    import pypdfium2.raw as raw

    out: list[Char] = []
    page = tp.raw
    rect = raw.FS_RECTF()
    ref = ctypes.byref(rect)
    loose = raw.FPDFText_GetLooseCharBox
    for i in range(start, end):
        code = ord(text[i]) if text is not None else raw.FPDFText_GetUnicode(page, i)
        if code == 0xFFFE and text is not None:
            code = raw.FPDFText_GetUnicode(page, i)  # the text has U+FFFE for PDFium's hyphen code 2
        if not code or code in (10, 13, 0xFFFE):
            continue
        # PDFium generates only whitespace (spaces, line breaks): ask about those alone.
        if code <= 32 and raw.FPDFText_IsGenerated(page, i) == 1:
            # It generates a space where it dropped a text object with an empty box (a space
            # drawn on its own: LibreOffice and Chrome draw fallback-font spaces so), but also at
            # mere gaps (LibreOffice's CJK/Latin autospace, ~0.2 em) and where a glyph drawn out of
            # order belongs; pdfplumber sees a character only in the first case. Kept: a space at
            # a blank text object's origin, or over a gap of >= SPACE_GAP em (a space glyph is
            # 0.25-0.35 em) that no glyph fills.
            if code != 32 or blanks is None or i - 1 < start or i + 1 >= end or not loose(page, i, ref):
                continue
            y = height - rect.bottom  # a generated char's box is empty, on the baseline
            if not loose(page, i - 1, ref):
                continue
            gap0 = rect.right
            if not loose(page, i + 1, ref):
                continue
            gap1 = rect.left
            top, bottom = height - rect.top, height - rect.bottom  # the next char's
            if gap1 - gap0 >= SPACE_GAP * raw.FPDFText_GetFontSize(page, i + 1):
                # A space-wide gap (the blank may also be one of several spaces in one text object,
                # not found by its origin): a space unless a glyph drawn out of order fills it.
                ch = Char(i, " ", (gap0 + gap1) / 2, (gap0 + gap1) / 2, top, bottom)
                ch.gap = (gap0, gap1)
                out.append(ch)
            elif gap1 > gap0:
                at = _blank_between(raw, blanks(), gap0 - 1, gap1 + 1, y)
                if at is not None:
                    out.append(Char(i, " ", at, at, top, bottom))
            continue
        if loose(page, i, ref):
            left, right, top, bottom = rect.left, rect.right, rect.top, rect.bottom
        else:
            left, bottom, right, top = tp.get_charbox(i)
        out.append(Char(i, TEXT_FIXES.get(code, chr(code)), left, right, height - top, height - bottom))
    return out


def _cell_text(chars: list[Char]) -> str:
    """Lines by top (chained within 3 pt, top to bottom), words at spaces and gaps over 3 pt, words
    joined by a space and lines by a newline: pdfplumber's extract_text with its defaults."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c.top):
        if lines and ch.top <= lines[-1][-1].top + Y_TOL:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    out = []
    for line in lines:
        words: list[str] = []
        word = ""
        prev = None
        for ch in sorted(line, key=lambda c: c.x0):
            if ch.gap is not None and any(c.x0 < ch.gap[1] - 0.5 and c.x1 > ch.gap[0] + 0.5 for c in line if c.gap is None):
                continue  # a glyph drawn out of order sits in the gap
            if ch.text.isspace():
                if word:
                    words.append(word)
                word, prev = "", None
                continue
            if prev is not None and (ch.x0 > prev.x1 + X_TOL or abs(ch.top - prev.top) > Y_TOL):
                words.append(word)
                word = ""
            word += ch.text
            prev = ch
        if word:
            words.append(word)
        out.append(" ".join(words))
    return "\n".join(out)


def cell_texts(table: Table, chars: list[Char]) -> list[list[str | None]]:
    """The table's rows as cell strings (None for a slot covered by a merged cell, "" for an empty
    cell); lines inside a cell are separated by newlines (see tables.clean_cell). A character
    belongs to a row's box and then a cell when its centre is inside, left/top edges included."""
    rows = []
    for row in table.grid:
        present = [c for c in row if c is not None]
        x0 = min(c[0] for c in present)
        top = min(c[1] for c in present)
        x1 = max(c[2] for c in present)
        bottom = max(c[3] for c in present)
        row_chars = [ch for ch in chars if x0 <= ch.cx < x1 and top <= ch.cy < bottom]
        out: list[str | None] = []
        for cell in row:
            if cell is None:
                out.append(None)
                continue
            a, t, b, u = cell
            mine = [ch for ch in row_chars if a <= ch.cx < b and t <= ch.cy < u]
            out.append(_cell_text(mine) if mine else "")
        rows.append(out)
    return rows


def in_any(ch: Char, boxes: list[Bbox]) -> bool:
    """Whether a character's centre lies in one of the boxes (closed, like pdfplumber's filter)."""
    cx, cy = ch.cx, ch.cy
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)
