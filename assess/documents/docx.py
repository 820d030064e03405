"""Word .docx reader: zip + lxml over word/document.xml (6-10x faster than python-docx).

What becomes `Document.text`, in document order:
- body paragraphs (one block each; `Block.paragraph` = index in python-docx `Document.paragraphs`);
- table rows (one block each; `Block.table` = index in python-docx `Document.tables`, `Block.row`,
  `Block.cells` = span of each cell value, `Block.header` when the first row names the columns);
  a single-column table (a frame around text) is read as paragraphs instead;
- paragraphs of content controls (w:sdt) and text boxes (after the paragraph that anchors them).
Word automatic numbering (第一条, 一、, （一）…) is rendered from word/numbering.xml and prepended
to the paragraph text; `Block.prefix` is its length. Tracked changes are read as accepted
(w:ins kept, w:del / w:moveFrom dropped) and a note says so. Headers, footers and footnotes go to
`Document.excluded`, not to the text.

Text rules (shared with the Word report writer through `paragraph_pieces`): w:t text, w:tab and
w:ptab -> "\t", w:br (text wrapping) and w:cr -> "\n", page/column breaks -> "", w:noBreakHyphen
-> "-", w:sym -> its character (Symbol-font private-use codes mapped back to ASCII), field
instructions (w:instrText) skipped, field results kept.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import E_CORRUPT, E_ENCRYPTED, E_UNSUPPORTED, E_ZIP_BOMB, InputError
from . import tables as tbl
from .model import Block, Document

__all__ = ["read_docx", "paragraph_pieces", "paragraph_text", "cell_pieces", "format_number"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str):
        q = lambda n: f"{{{ns}}}{n}"  # noqa: E731
        self.ns = ns
        self.val = q("val")
        self.body, self.p, self.r, self.t, self.tbl, self.tr, self.tc = (q(n) for n in ("body", "p", "r", "t", "tbl", "tr", "tc"))
        self.tab, self.ptab, self.br, self.cr, self.sym = (q(n) for n in ("tab", "ptab", "br", "cr", "sym"))
        self.noBreakHyphen, self.softHyphen = q("noBreakHyphen"), q("softHyphen")
        self.ins, self.dele, self.moveFrom, self.moveTo = q("ins"), q("del"), q("moveFrom"), q("moveTo")
        self.sdt, self.sdtContent, self.sdtPr, self.sdtEndPr = q("sdt"), q("sdtContent"), q("sdtPr"), q("sdtEndPr")
        self.pPr, self.rPr, self.pStyle, self.numPr, self.numId, self.ilvl = (
            q(n) for n in ("pPr", "rPr", "pStyle", "numPr", "numId", "ilvl")
        )
        self.txbxContent = q("txbxContent")
        self.ruby, self.rubyBase = q("ruby"), q("rubyBase")
        self.trPr, self.tblHeader, self.tcPr = q("trPr"), q("tblHeader"), q("tcPr")
        self.type, self.char, self.font = q("type"), q("char"), q("font")
        self.customXml, self.customXmlPr, self.smartTagPr = q("customXml"), q("customXmlPr"), q("smartTagPr")
        self.styleId, self.name, self.basedOn, self.style = q("styleId"), q("name"), q("basedOn"), q("style")
        self.mc_fallback = f"{{{MC_NS}}}Fallback"
        self.mc_alt = f"{{{MC_NS}}}AlternateContent"
        self.mc_choice = f"{{{MC_NS}}}Choice"
        # Elements whose content never reaches the accepted text of a paragraph.
        # (w:rt is the phonetic guide of w:ruby: 拼音 over the base text, not part of the sentence.)
        self.skip = {self.pPr, self.rPr, self.dele, self.moveFrom, self.sdtPr, self.sdtEndPr, self.mc_fallback,
                     self.customXmlPr, self.smartTagPr, q("rt")}


_TAGS = {W_NS: _Tags(W_NS), W_STRICT_NS: _Tags(W_STRICT_NS)}
_T = _TAGS[W_NS]


@dataclass
class _Stats:
    ins: int = 0
    dels: int = 0


# ---------------------------------------------------------------------------------------------
# Run and paragraph text


def _sym_char(el, T: _Tags) -> str:
    code = el.get(T.char)
    try:
        n = int(code, 16)
    except (TypeError, ValueError):
        return ""
    if 0xF020 <= n <= 0xF07E:  # Symbol/Wingdings fonts address glyphs in the private-use area
        n -= 0xF000
    if 0xE000 <= n <= 0xF8FF or n < 0x20:
        return ""
    return chr(n)


def _run_text(r, T: _Tags = _T) -> str:
    parts = []
    for c in r:
        tag = c.tag
        if tag == T.t:
            if c.text:
                parts.append(c.text)
        elif tag == T.tab or tag == T.ptab:
            parts.append("\t")
        elif tag == T.br:
            kind = c.get(T.type)
            if kind is None or kind == "textWrapping":
                parts.append("\n")
        elif tag == T.cr:
            parts.append("\n")
        elif tag == T.noBreakHyphen:
            parts.append("-")
        elif tag == T.sym:
            parts.append(_sym_char(c, T))
        elif tag == T.ruby:
            base = c.find(T.rubyBase)  # the text itself; w:rt (拼音 guide) is left out
            if base is not None:
                parts.extend(_run_text(r, T) for r in base if r.tag == T.r)
    return "".join(parts)


def _collect(el, out: list, T: _Tags, stats: _Stats | None) -> None:
    for c in el:
        tag = c.tag
        if tag == T.r:
            text = _run_text(c, T)
            if text:
                out.append((text, c))
        elif tag in T.skip:
            if stats is not None and (tag == T.dele or tag == T.moveFrom):
                stats.dels += 1
        elif not isinstance(tag, str):
            continue
        else:
            if stats is not None and (tag == T.ins or tag == T.moveTo):
                stats.ins += 1
            if tag == T.mc_alt:
                choice = c.find(T.mc_choice)
                if choice is not None:
                    _collect(choice, out, T, stats)
                continue
            if len(c):
                _collect(c, out, T, stats)


def _tags_for(el) -> _Tags:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{" + W_STRICT_NS):
        return _TAGS[W_STRICT_NS]
    return _T


def paragraph_pieces(p_element) -> list[tuple[str, object]]:
    """In order, the text each run (w:r) of a paragraph contributes, with the run element.

    Uses exactly the reader's rules, so `"".join(t for t, _ in paragraph_pieces(p))` equals the
    paragraph's text in `Document.text` after its `Block.prefix` (auto-numbering) characters.
    Runs that contribute no text are left out. Works on python-docx `paragraph._p` too.
    """
    out: list[tuple[str, object]] = []
    _collect(p_element, out, _tags_for(p_element), None)
    return out


def paragraph_text(p_element) -> str:
    return "".join(t for t, _ in paragraph_pieces(p_element))


def cell_pieces(tc_element) -> list[tuple[str, object]]:
    """The text pieces of a table cell as the reader renders it (multi-column tables).

    Paragraphs of the cell (and of nested tables, flattened) are joined by a single space; the
    joiners come back with element None. Auto-numbering is not rendered inside such cells.
    """
    T = _tags_for(tc_element)
    paras: list[list] = []
    _cell_paragraphs(tc_element, T, paras, None)
    out: list[tuple[str, object]] = []
    for pieces in paras:
        if out:
            out.append((" ", None))
        out.extend(pieces)
    return out


def _cell_paragraphs(container, T: _Tags, paras: list, stats: _Stats | None) -> None:
    """Non-empty paragraphs of a cell in order, nested tables flattened (cells joined by " ")."""
    for el in container:
        tag = el.tag
        if tag == T.p:
            pieces: list = []
            _collect(el, pieces, T, stats)
            text = "".join(t for t, _ in pieces)
            if text.strip():
                # Leading/trailing whitespace of a cell paragraph is not part of the cell text.
                paras.append(_strip_pieces(pieces))
        elif tag == T.tbl or tag == T.tr or tag == T.tc or tag == T.customXml:
            _cell_paragraphs(el, T, paras, stats)
        elif tag == T.sdt:
            content = el.find(T.sdtContent)
            if content is not None:
                _cell_paragraphs(content, T, paras, stats)


_WS_CHARS = " \t\n\u3000\xa0"


def _strip_pieces(pieces: list) -> list:
    pieces = list(pieces)
    while pieces and not pieces[0][0].lstrip(_WS_CHARS):
        pieces.pop(0)
    while pieces and not pieces[-1][0].rstrip(_WS_CHARS):
        pieces.pop()
    if pieces:
        t, e = pieces[0]
        pieces[0] = (t.lstrip(_WS_CHARS), e)
        t, e = pieces[-1]
        pieces[-1] = (t.rstrip(_WS_CHARS), e)
    return pieces


# ---------------------------------------------------------------------------------------------
# Numbering

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _cn_number(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    if n <= 0:
        return digits[0]
    if n >= 10000:
        return str(n)
    out = []
    s = str(n)
    L = len(s)
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        pos = L - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append(digits[0])
        zero = False
        if not (d == 1 and pos == 1 and L == 2 and units[0] == "十"):  # 十一, not 一十一
            out.append(digits[d])
        if pos:
            out.append(units[pos - 1])
    return "".join(out)


def _letters(n: int, upper: bool) -> str:
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    n = max(n, 1)
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1)  # Word: A..Z, AA..ZZ


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def format_number(n: int, fmt: str) -> str:
    """A list counter rendered in a Word w:numFmt."""
    if fmt in ("decimal", "ordinal", "cardinalText", "ordinalText", "decimalHalfWidth"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting"):
        return _cn_number(n)
    if fmt in ("chineseLegalSimplified", "japaneseLegal", "koreanLegal"):
        return _cn_number(n, _CN_LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(c)] for c in str(n))
    if fmt in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10]
    if fmt in ("ideographZodiac", "ideographZodiacTraditional"):
        return _DIZHI[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(c)) for c in str(n))
    if fmt == "upperLetter":
        return _letters(n, True)
    if fmt == "lowerLetter":
        return _letters(n, False)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class _Lvl:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart (1-based level whose change restarts this one; 0 = never)
    suff: str = "tab"
    is_lgl: bool = False


def _parse_lvl(lvl, T: _Tags) -> _Lvl:
    out = _Lvl()
    for c in lvl:
        tag = c.tag
        v = c.get(T.val)
        if tag == T.start_tag:
            try:
                out.start = int(v)
            except (TypeError, ValueError):
                pass
        elif tag == T.numFmt_tag:
            out.fmt = v or "decimal"
        elif tag == T.lvlText_tag:
            out.text = v if v is not None else ""
        elif tag == T.lvlRestart_tag:
            try:
                out.restart = int(v)
            except (TypeError, ValueError):
                pass
        elif tag == T.suff_tag:
            out.suff = v or "tab"
        elif tag == T.isLgl_tag:
            out.is_lgl = v not in ("0", "false", "off")
    return out


for _t in _TAGS.values():
    _t.start_tag, _t.numFmt_tag, _t.lvlText_tag = f"{{{_t.ns}}}start", f"{{{_t.ns}}}numFmt", f"{{{_t.ns}}}lvlText"
    _t.lvlRestart_tag, _t.suff_tag, _t.isLgl_tag = f"{{{_t.ns}}}lvlRestart", f"{{{_t.ns}}}suff", f"{{{_t.ns}}}isLgl"


class _Numbering:
    """Counters for Word automatic numbering, per (numId, ilvl), advanced in document order."""

    def __init__(self, root, T: _Tags):
        self.levels: dict[str, dict[int, _Lvl]] = {}
        self.starts: dict[str, dict[int, int]] = {}
        self.counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        abstract: dict[str, dict[int, _Lvl]] = {}
        for an in root.findall(f"{{{T.ns}}}abstractNum"):
            aid = an.get(f"{{{T.ns}}}abstractNumId")
            abstract[aid] = {int(l.get(f"{{{T.ns}}}ilvl", "0")): _parse_lvl(l, T) for l in an.findall(f"{{{T.ns}}}lvl")}
        for num in root.findall(f"{{{T.ns}}}num"):
            nid = num.get(f"{{{T.ns}}}numId")
            ref = num.find(f"{{{T.ns}}}abstractNumId")
            levels = dict(abstract.get(ref.get(T.val) if ref is not None else None, {}))
            starts: dict[int, int] = {}
            for ov in num.findall(f"{{{T.ns}}}lvlOverride"):
                il = int(ov.get(f"{{{T.ns}}}ilvl", "0"))
                so = ov.find(f"{{{T.ns}}}startOverride")
                if so is not None:
                    try:
                        starts[il] = int(so.get(T.val))
                    except (TypeError, ValueError):
                        pass
                lv = ov.find(f"{{{T.ns}}}lvl")
                if lv is not None:
                    levels[il] = _parse_lvl(lv, T)
            self.levels[nid] = levels
            self.starts[nid] = starts

    def _start(self, nid: str, il: int) -> int:
        if il in self.starts.get(nid, {}):
            return self.starts[nid][il]
        lvl = self.levels[nid].get(il)
        return lvl.start if lvl else 1

    def label(self, nid: str | None, il: int) -> str:
        """Advance the counter of (numId, ilvl) and return the rendered label with its suffix."""
        if not nid or nid == "0" or nid not in self.levels:
            return ""
        levels = self.levels[nid]
        lvl = levels.get(il)
        if lvl is None:
            return ""
        counters = self.counters.setdefault(nid, [None] * 9)
        il = min(max(il, 0), 8)
        counters[il] = self._start(nid, il) if counters[il] is None else counters[il] + 1
        for deeper in range(il + 1, 9):
            d = levels.get(deeper)
            if d is None or d.restart is None or (d.restart != 0 and d.restart <= il + 1):
                counters[deeper] = None
        if lvl.fmt == "bullet" or lvl.fmt == "none":
            return ""

        def sub(m):
            k = int(m.group(1)) - 1
            if not 0 <= k <= 8:
                return ""
            value = counters[k] if counters[k] is not None else self._start(nid, k)
            kl = levels.get(k)
            fmt = kl.fmt if kl else "decimal"
            if lvl.is_lgl and k < il:
                fmt = "decimal"
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", sub, lvl.text)
        if not text.strip():
            return ""
        return text + ("" if lvl.suff == "nothing" else " ")


# ---------------------------------------------------------------------------------------------
# Styles


def _display_style(name: str) -> str:
    """python-docx's display name for built-in styles ("heading 1" -> "Heading 1")."""
    low = name.lower()
    if low.startswith("heading ") or low in ("title", "subtitle", "normal", "list paragraph", "caption"):
        return name[:1].upper() + name[1:]
    return name


class _StyleParts:
    """styleId -> w:style element, parsed on demand from the raw styles.xml.

    Word and python-docx templates ship styles.xml files of 50-350 KB (every built-in style) while
    a document uses a handful; parsing the whole part was half of the reading time of a short docx.
    A used style is found by its `styleId="…"` attribute, cut out with its enclosing <w:style>…
    </w:style> and parsed inside the root tag (which carries the namespace declarations). Anything
    unexpected (another prefix, a snippet that does not parse) falls back to parsing the whole part.
    """

    def __init__(self, data: bytes | None, T: _Tags, shown: str):
        self._data = data or b""
        self._T = T
        self._shown = shown
        self._cache: dict[str, object | None] = {}
        self._ids: dict[str, int] | None = None
        self._full: dict[str, object] | None = None if data else {}
        self._root_open = self._root_close = self._open = self._close = b""
        if self._full is None:
            m = _STYLES_ROOT.search(self._data, 0, 4096)
            prefix = _main_prefix(m.group(0)) if m else None
            if m is None or prefix is None or (m.group(1) or b"") != prefix:
                self._full = self._parse_all()
            else:
                self._root_open = m.group(0)
                self._root_close = b"</" + prefix + b"styles>"
                self._open = b"<" + prefix + b"style"
                self._close = b"</" + prefix + b"style>"

    def _parse_all(self) -> dict[str, object]:
        root = _parse(self._data, "styles.xml", self._shown)
        return {st.get(self._T.styleId): st for st in root.findall(self._T.style) if st.get(self._T.styleId) is not None}

    def get(self, sid: str):
        if self._full is not None:
            return self._full.get(sid)
        if sid not in self._cache:
            try:
                self._cache[sid] = self._find(sid)
            except (etree.XMLSyntaxError, ValueError):
                self._full = self._parse_all()
                return self._full.get(sid)
        return self._cache[sid]

    def __contains__(self, sid: str) -> bool:
        return self.get(sid) is not None

    def __getitem__(self, sid: str):
        st = self.get(sid)
        if st is None:
            raise KeyError(sid)
        return st

    def _find(self, sid: str):
        if self._ids is None:
            # One pass over the part for every styleId attribute (the last definition wins, as
            # in Word); each used style is then cut out around its attribute.
            self._ids = {_xml_unescape(m.group(2).decode("utf-8")): m.start() for m in _STYLE_ID.finditer(self._data)}
        at = self._ids.get(sid)
        if at is None:
            return None
        data = self._data
        start = data.rfind(self._open, 0, at)
        tag_end = data.find(b">", at)
        # The attribute must sit in that <w:style …> tag: no '>' between the two.
        if start == -1 or tag_end == -1 or data.find(b">", start, at) != -1 or data[start + len(self._open)] not in b" \t\r\n":
            raise ValueError("styleId outside a w:style tag")
        if data[tag_end - 1 : tag_end] == b"/":
            end = tag_end + 1  # <w:style …/>
        else:
            end = data.find(self._close, tag_end)
            if end == -1:
                raise ValueError("unclosed w:style")
            end += len(self._close)
        root = etree.fromstring(self._root_open + data[start:end] + self._root_close, _PARSER)
        st = root[0]
        if st.tag != self._T.style or st.get(self._T.styleId) != sid:
            raise ValueError("unexpected style snippet")
        return st


_STYLE_ID = re.compile(rb"""styleId\s*=\s*(["'])([^"']*)\1""")


def _xml_unescape(s: str) -> str:
    if "&" not in s:
        return s
    from xml.sax.saxutils import unescape

    return unescape(s, {"&quot;": '"', "&apos;": "'"})


_STYLES_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?styles[\s>][^>]*>")
_MAIN_NS_DECL = re.compile(rb"""xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["'](http://schemas\.openxmlformats\.org/wordprocessingml/2006/main|http://purl\.oclc\.org/ooxml/wordprocessingml/main)["']""")


def _main_prefix(root_tag: bytes) -> bytes | None:
    """The prefix (b"w:") or b"" (default namespace) bound to WordprocessingML in the root tag."""
    m = _MAIN_NS_DECL.search(root_tag)
    if m is None:
        return None
    return (m.group(1) + b":") if m.group(1) else b""


class _Styles:
    """Paragraph style names and style-inherited numbering, resolved lazily per used style."""

    def __init__(self, elements: "_StyleParts", T: _Tags):
        self.T = T
        self._el = elements
        self._names: dict[str, str] = {}
        self._num: dict[str, tuple[str, int] | None] = {}

    def name(self, sid: str) -> str:
        if sid not in self._names:
            st = self._el.get(sid)
            n = st.find(self.T.name) if st is not None else None
            self._names[sid] = _display_style(n.get(self.T.val)) if n is not None and n.get(self.T.val) else sid
        return self._names[sid]

    def numbering(self, sid: str) -> tuple[str, int] | None:
        """(numId, ilvl) a paragraph style gives its paragraphs, following w:basedOn."""
        if sid in self._num:
            return self._num[sid]
        T = self.T
        nid, il, seen, cur = None, None, set(), sid
        while cur and cur not in seen and cur in self._el:
            seen.add(cur)
            st = self._el[cur]
            ppr = st.find(T.pPr)
            np_ = ppr.find(T.numPr) if ppr is not None else None
            if np_ is not None:
                n = np_.find(T.numId)
                i = np_.find(T.ilvl)
                if nid is None and n is not None:
                    nid = n.get(T.val)
                if il is None and i is not None and (i.get(T.val) or "").isdigit():
                    il = int(i.get(T.val))
            b = st.find(T.basedOn)
            cur = b.get(T.val) if b is not None else None
        self._num[sid] = (nid, il or 0) if nid else None
        return self._num[sid]


# ---------------------------------------------------------------------------------------------
# Reader


@dataclass
class _Out:
    parts: list[str] = field(default_factory=list)
    pos: int = 0
    blocks: list[Block] = field(default_factory=list)
    paths: dict[int, str] = field(default_factory=dict)

    def add(self, text: str, block: Block) -> None:
        if self.parts:
            self.parts.append("\n")
            self.pos += 1
        block.start = self.pos
        block.end = self.pos + len(text)
        self.parts.append(text)
        self.pos += len(text)
        self.blocks.append(block)


class _Reader:
    def __init__(self, root, T: _Tags, numbering: _Numbering, styles: _Styles):
        self.root = root
        self.T = T
        self.numbering = numbering
        self.styles = styles
        self.stats = _Stats()
        self.out = _Out()
        self.textboxes: dict[object, list] = {}
        self.table_no = 0
        self.numbered = 0

    def _path(self, el) -> str:
        return el.getroottree().getpath(el)

    def _numbering_of(self, p) -> tuple[str | None, int, str | None]:
        T = self.T
        ppr = p.find(T.pPr)
        style = None
        nid, il = None, None
        if ppr is not None:
            ps = ppr.find(T.pStyle)
            if ps is not None:
                style = ps.get(T.val)
            np_ = ppr.find(T.numPr)
            if np_ is not None:
                n = np_.find(T.numId)
                i = np_.find(T.ilvl)
                nid = n.get(T.val) if n is not None else None
                il = int(i.get(T.val)) if i is not None and (i.get(T.val) or "").isdigit() else None
        if nid is None and style is not None:
            inherited = self.styles.numbering(style)
            if inherited:
                nid = inherited[0]
                il = inherited[1] if il is None else il
        return nid, il or 0, style

    def paragraph(self, p, index: int | None, render_numbering: bool = True, table=None, row=None) -> None:
        T = self.T
        nid, il, style = self._numbering_of(p)
        label = self.numbering.label(nid, il) if nid else ""
        pieces: list = []
        _collect(p, pieces, T, self.stats)
        text = "".join(t for t, _ in pieces)
        if not render_numbering:
            label = ""
        if text.strip():
            if label:
                self.numbered += 1
            b = Block(0, 0, "paragraph", paragraph=index, prefix=len(label), table=table, row=row,
                      style=self.styles.name(style) if style else None)
            if index is None:
                self.out.paths[len(self.out.blocks)] = self._path(p)
            self.out.add(label + text, b)
        for box in self.textboxes.get(p, ()):
            self.container(box, top=False)

    def container(self, el, top: bool) -> None:
        """Paragraphs, tables and content controls of the body, a text box or an sdt."""
        T = self.T
        p_index = 0
        for c in el:
            tag = c.tag
            if tag == T.p:
                self.paragraph(c, p_index if top else None)
                p_index += 1
            elif tag == T.tbl:
                self.table(c, self.table_no if top else None)
                if top:
                    self.table_no += 1
            elif tag == T.sdt:
                content = c.find(T.sdtContent)
                if content is not None:
                    self.container(content, top=False)
            elif tag == T.customXml:
                self.container(c, top=False)

    def _unwrapped(self, el, tag) -> list:
        """Children of `el` with `tag`, looking through content controls and custom XML wrappers."""
        T = self.T
        out = []
        for c in el:
            if c.tag == tag:
                out.append(c)
            elif c.tag == T.sdt or c.tag == T.customXml:
                content = c.find(T.sdtContent) if c.tag == T.sdt else c
                if content is not None:
                    out.extend(x for x in content if x.tag == tag)
        return out

    def _rows(self, t) -> list:
        return self._unwrapped(t, self.T.tr)

    def _cells(self, tr) -> list:
        return self._unwrapped(tr, self.T.tc)

    def _advance_numbering(self, el) -> None:
        """Keep list counters in step for numbered paragraphs that are not rendered (table cells)."""
        T = self.T
        for p in el.iter(T.p):
            nid, il, _ = self._numbering_of(p)
            if nid:
                self.numbering.label(nid, il)

    def table(self, t, index: int | None) -> None:
        T = self.T
        rows = self._rows(t)
        grid = [self._cells(r) for r in rows]
        if grid and max(len(c) for c in grid) == 1:
            # A frame around text, not a data table: read its paragraphs as paragraphs.
            for ri, cells in enumerate(grid):
                for tc in cells:
                    for el in tc:
                        if el.tag == T.p:
                            self.paragraph(el, None, table=index, row=ri)
                        elif el.tag in (T.tbl, T.sdt):
                            self._frame_inner(el, index, ri)
            return
        texts: list[list[str]] = []
        counts: list[list[int]] = []
        for cells in grid:
            row_texts, row_counts = [], []
            for tc in cells:
                paras: list = []
                _cell_paragraphs(tc, T, paras, self.stats)
                row_texts.append(" ".join("".join(x for x, _ in pieces) for pieces in paras))
                row_counts.append(sum(1 for x in tc if x.tag == T.p))
            texts.append(row_texts)
            counts.append(row_counts)
            for tc in cells:
                self._advance_numbering(tc)
        header = None
        if texts:
            trpr = rows[0].find(T.trPr)
            explicit = trpr is not None and trpr.find(T.tblHeader) is not None
            if tbl.looks_like_header([tbl.clean_cell(x) for x in texts[0]], explicit, len(texts)):
                header = tbl.header_names([tbl.clean_cell(x) for x in texts[0]])
        for ri, row_texts in enumerate(texts):
            if not any(x.strip() for x in row_texts):
                continue
            use_header = header if (header is not None and ri > 0) else None
            text, spans = tbl.render_row(row_texts, use_header)
            b = Block(0, 0, "table_row", table=index, row=ri, header=header, cell_paragraphs=counts[ri])
            if index is None:
                self.out.paths[len(self.out.blocks)] = self._path(rows[ri])
            self.out.add(text, b)
            b.cells = [(b.start + a, b.start + e) for a, e in spans]

    def _frame_inner(self, el, index, ri) -> None:
        T = self.T
        if el.tag == T.tbl:
            self.table(el, None)
        else:
            content = el.find(T.sdtContent)
            if content is not None:
                self.container(content, top=False)

    def index_textboxes(self) -> None:
        """Map each anchoring paragraph to the text boxes it holds (DrawingML choice or VML)."""
        T = self.T
        for box in self.root.iter(T.txbxContent):
            anc = box.getparent()
            skip = False
            anchor = None
            while anc is not None:
                if anc.tag == T.mc_fallback:
                    skip = True
                    break
                if anc.tag == T.p:
                    anchor = anc
                    break
                anc = anc.getparent()
            if not skip and anchor is not None:
                self.textboxes.setdefault(anchor, []).append(box)


def _safe_read(z: zipfile.ZipFile, name: str, limits, shown: str) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limits.max_docx_part_bytes:
        raise InputError(
            f"文档内部的 {name} 解压后过大（{info.file_size / 1048576:.0f} MB，上限 {limits.max_docx_part_bytes / 1048576:.0f} MB），"
            "可能是恶意构造的压缩文件，已拒绝读取",
            code=E_ZIP_BOMB, path=shown)
    try:
        return z.read(name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as e:
        raise InputError(f"Word 文档已损坏，无法读取 {name}（{type(e).__name__}）", code=E_CORRUPT, path=shown) from None


def _parse(data: bytes | None, name: str, shown: str):
    if data is None:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise InputError(f"Word 文档已损坏（{name} 不是有效的 XML）", code=E_CORRUPT, path=shown) from None


def _check_ole(path: Path, shown: str, max_bytes: int) -> None:
    """An OLE2 container named .docx: a password-protected Word file, or a renamed legacy .doc."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head != OLE_MAGIC:
            return
        data = fh.read(max_bytes)  # the directory (stream names) can sit anywhere in the file
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError("文件已加密（设置了打开密码），请在 Word 或 WPS 中取消密码后再审查", code=E_ENCRYPTED, path=shown)
    if "WordDocument".encode("utf-16-le") in data:
        raise InputError("文件扩展名是 .docx，但内容是旧版 Word（.doc）格式，请用 Word 或 WPS 另存为 .docx 后再审查",
                         code=E_UNSUPPORTED, path=shown)
    raise InputError("文件扩展名是 .docx，但内容是旧版 Office 或 WPS 格式，请另存为 .docx 后再审查", code=E_UNSUPPORTED, path=shown)


def _part_text(root, T: _Tags) -> list[str]:
    """Non-empty paragraph texts of a header, footer or notes part."""
    out = []
    if root is None:
        return out
    for p in root.iter(T.p):
        text = paragraph_text(p).strip()
        if text:
            out.append(text)
    return out


def read_docx(path, limits=None) -> Document:
    """Read a .docx into a `Document` (see the module docstring for what is read)."""
    from . import Limits

    limits = limits or Limits()
    path = Path(path)
    shown = str(path)
    _check_ole(path, shown, limits.max_file_bytes)
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError("Word 文档已损坏（不是有效的 zip 压缩包），请用 Word 或 WPS 打开后另存再试", code=E_CORRUPT, path=shown) from None
    except OSError as e:
        raise InputError(f"Word 文档读取失败（{e.strerror or e}）", code=E_CORRUPT, path=shown) from None
    with z:
        names = set(z.namelist())
        # Refuse zip bombs from the declared sizes, before decompressing anything.
        total = 0
        for info in z.infolist():
            total += info.file_size
            if info.file_size > limits.max_docx_part_bytes:
                raise InputError(
                    f"文档内部的 {info.filename} 解压后过大（{info.file_size / 1048576:.0f} MB，"
                    f"上限 {limits.max_docx_part_bytes / 1048576:.0f} MB），可能是恶意构造的压缩文件，已拒绝读取",
                    code=E_ZIP_BOMB, path=shown)
        if total > 4 * limits.max_docx_part_bytes:
            raise InputError("文档解压后总大小过大，可能是恶意构造的压缩文件，已拒绝读取", code=E_ZIP_BOMB, path=shown)
        main = "word/document.xml"
        if main not in names:
            alt = [n for n in names if n.lower() == main]
            if alt:
                main = alt[0]
            elif any(n.startswith(("xl/", "ppt/")) for n in names):
                raise InputError("这是 Excel 或 PowerPoint 文件，不是 Word 文档；请把条款复制到 Word 或文本文件后再审查",
                                 code=E_UNSUPPORTED, path=shown)
            else:
                raise InputError("不是有效的 Word 文档（缺少 word/document.xml），可能已损坏", code=E_CORRUPT, path=shown)
        root = _parse(_safe_read(z, main, limits, shown), main, shown)
        T = _tags_for(root)
        numbering = _Numbering(_parse(_safe_read(z, "word/numbering.xml", limits, shown), "numbering.xml", shown), T)
        styles = _Styles(_StyleParts(_safe_read(z, "word/styles.xml", limits, shown), T, shown), T)
        headers, footers, notes = [], [], []
        for n in sorted(names):
            if not n.startswith("word/") or not n.endswith(".xml"):
                continue
            if n.startswith("word/header"):
                headers += _part_text(_parse(_safe_read(z, n, limits, shown), n, shown), T)
            elif n.startswith("word/footer"):
                footers += _part_text(_parse(_safe_read(z, n, limits, shown), n, shown), T)
            elif n in ("word/footnotes.xml", "word/endnotes.xml"):
                notes += [x for x in _part_text(_parse(_safe_read(z, n, limits, shown), n, shown), T)]

    body = root.find(T.body)
    if body is None:
        raise InputError("不是有效的 Word 文档（正文为空或结构损坏）", code=E_CORRUPT, path=shown)
    reader = _Reader(root, T, numbering, styles)
    reader.index_textboxes()
    reader.container(body, top=True)
    out = reader.out
    text = "".join(out.parts)
    doc = Document(path=shown, format="docx", sha256="", size=path.stat().st_size, text=text, blocks=out.blocks)
    if out.paths:
        doc.meta["docx_paths"] = out.paths
    doc.meta["numbered_paragraphs"] = reader.numbered
    st = reader.stats
    if st.ins or st.dels:
        doc.notes.append(
            f"文档含修订痕迹（插入 {st.ins} 处、删除 {st.dels} 处），已按“接受全部修订”后的文字审查；请确认修订定稿后再印发"
        )
        doc.meta["tracked_changes"] = {"insertions": st.ins, "deletions": st.dels}
    hf = _dedupe([f"页眉：{h}" for h in headers] + [f"页脚：{f}" for f in footers])
    if hf:
        doc.excluded.extend(hf)
        doc.notes.append(f"页眉、页脚（{len(hf)} 段）未纳入审查")
    if notes:
        doc.excluded.extend(f"脚注/尾注：{x}" for x in notes)
        doc.notes.append(f"脚注、尾注（{len(notes)} 段）未纳入审查，请人工查看")
    doc.title = _title(doc)
    return doc


def _dedupe(items: list[str]) -> list[str]:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _title(doc: Document) -> str:
    from ..structure import _label_of

    for b in doc.blocks[:10]:
        if b.kind == "paragraph" and (b.style or "").lower() in ("title", "标题"):
            return doc.text[b.start : b.end].strip()
    for b in doc.blocks[:10]:
        style = (b.style or "").lower()
        if b.kind == "paragraph" and (style.startswith("heading") or style.startswith("标题")):
            t = doc.text[b.start : b.end].strip()
            if t and len(t) <= 60 and not _label_of(t):
                return t
    from . import guess_title

    return guess_title(doc)
