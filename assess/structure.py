"""Clause structure: turn a `Document` into a tree of labelled clauses with exact spans.

Chinese regulations nest 编/章/节/条/款/项/目 (第一章 … 第三条 …, the second paragraph of an
article is its 第二款, （一） is a 项, 1. is a 目); village rules and plans nest 一、/（一）/1./（1）/①.
Both are handled by one stack: every numbering style has a rank, and a labelled paragraph closes
every open node of equal or deeper rank before it opens its own.

The detection unit is the smallest clause (项, 目, 款 or a sentence of a long paragraph); its
enclosing article (条, or top-level numbered item) is kept as context because a clause such as
“（二）出嫁女；” only means something under its article's lead-in “下列人员不参与分配：”.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .documents.model import Block, Document

CN_NUM = "零〇一二三四五六七八九十百千两"
_N = rf"[{CN_NUM}0-9０-９]+"

# (kind, rank, regex). Lower rank = higher in the hierarchy. Order matters for matching.
_LABELS: list[tuple[str, int, re.Pattern]] = [
    ("part", 1, re.compile(rf"^第{_N}编")),
    ("chapter", 2, re.compile(rf"^第{_N}章")),
    ("section", 3, re.compile(rf"^第{_N}节")),
    ("article", 4, re.compile(rf"^第{_N}条")),
    ("cn_item", 6, re.compile(rf"^[{CN_NUM}]+[、．.]")),  # 一、
    ("paren_cn", 7, re.compile(rf"^[（(][{CN_NUM}]+[）)]")),  # （一）
    ("arabic", 8, re.compile(r"^[0-9０-９]{1,3}(?:[、．]|\.(?![0-9]))")),  # 1. 1、 (not 1.5)
    ("paren_arabic", 9, re.compile(r"^[（(][0-9０-９]{1,3}[）)]")),  # （1）
    ("circled", 10, re.compile(r"^[①-⑳]")),
]
_RANK_PARAGRAPH = 5  # 款: an unlabelled paragraph inside an article
_HEADING_KINDS = {"part", "chapter", "section"}

# Inline items inside one paragraph: “下列人员：（一）……；（二）……”
_INLINE_ITEM = re.compile(r"(?<=[：:；;。])\s*(?=[（(][一二三四五六七八九十]{1,3}[）)])")
_SENTENCE_END = "。！？!?"
_OPEN = "“‘「『（([《〈【"
_CLOSE = "”’」』）)]》〉】"
LONG_PARAGRAPH = 120  # characters; longer unlabelled text is split into sentences for detection


@dataclass
class Clause:
    kind: str  # root | part | chapter | section | article | paragraph | item | subitem | heading | text | row | sentence
    label: str  # full label, e.g. 第十二条第二款第（三）项 or 二、（八）策略措施 2.
    number: str  # the numbering token as written (第十二条, （三）, 2.) or ""
    start: int
    end: int
    rank: int = 0
    title: str = ""  # heading text for 编/章/节 and unlabelled headings
    heading_path: list[str] = field(default_factory=list)
    children: list["Clause"] = field(default_factory=list)
    parent: "Clause | None" = field(default=None, repr=False)
    block: int | None = None  # index of the source block

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def to_dict(self, text: str | None = None) -> dict:
        d = {
            "kind": self.kind,
            "label": self.label,
            "start": self.start,
            "end": self.end,
        }
        if self.title:
            d["title"] = self.title
        if self.heading_path:
            d["heading_path"] = self.heading_path
        if text is not None and not self.children:
            d["text"] = text[self.start : self.end]
        if self.children:
            d["children"] = [c.to_dict(text) for c in self.children]
        return d


@dataclass
class Unit:
    """One detection unit: a leaf clause, with its enclosing article as context."""

    label: str
    start: int
    end: int
    text: str
    context_start: int
    context_end: int
    kind: str
    heading_path: list[str]
    block: Block | None

    @property
    def context(self) -> str:  # filled lazily by ClauseTree.units()
        return self._context

    def offset_in_context(self) -> int:
        return self.start - self.context_start


@dataclass
class ClauseTree:
    document: Document
    root: Clause

    def units(self) -> list[Unit]:
        return list(_units(self))

    def count(self) -> int:
        return sum(1 for _ in _leaves(self.root))

    def to_dict(self) -> dict:
        return self.root.to_dict(self.document.text)


# All label patterns as one ordered alternation (the first that matches wins, as in _LABELS):
# one regex call per paragraph instead of up to nine.
_ANY_LABEL = re.compile("|".join(f"(?P<{kind}>{rx.pattern.removeprefix('^')})" for kind, _rank, rx in _LABELS))
_RANK = {kind: rank for kind, rank, _rx in _LABELS}


def _label_of(text: str) -> tuple[str, int, str] | None:
    """(kind, rank, token) if the paragraph starts with a numbering label."""
    m = _ANY_LABEL.match(text)
    if m is None:
        return None
    return m.lastgroup, _RANK[m.lastgroup], m.group(0)


def _is_subheading(text: str) -> bool:
    """Short unlabelled lines without sentence punctuation: 主要目标, 策略措施, 附则."""
    t = text.strip()
    return 0 < len(t) <= 16 and not any(ch in t for ch in "。；;，,：:！？!?")


def _compose_label(parent: Clause, kind: str, token: str, title: str = "") -> str:
    base = parent.label if parent.kind != "root" else ""
    if kind in _HEADING_KINDS:
        return token  # 第三章 stands alone
    if kind == "article":
        return token
    if kind == "paragraph":
        return f"{base}{token}"
    if kind == "heading":
        return f"{base}{title} " if base else f"{title} "
    if parent.kind == "article" or (parent.kind == "paragraph" and parent.parent and parent.parent.kind == "article"):
        # Regulation style: 第十二条第二款第（三）项
        return f"{base}第{token}项" if kind == "item" else f"{base}第{token.rstrip('.．、')}目"
    return f"{base}{token}"


def build_tree(doc: Document) -> ClauseTree:
    """Build the clause tree of `doc` from its blocks."""
    text = doc.text
    root = Clause("root", "", "", 0, len(text), rank=0)
    stack: list[Clause] = [root]
    article_paragraphs: dict[int, int] = {}  # id(article) -> number of 款 so far
    para_no = 0
    for bi, block in enumerate(doc.blocks):
        raw = text[block.start : block.end]
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start = block.start + lead
        end = block.start + len(raw.rstrip())
        para_no += 1

        if block.kind == "table_row":
            parent = stack[-1]
            label = f"表{(block.table or 0) + 1}第{(block.row or 0) + 1}行"
            node = Clause("row", label, "", start, end, rank=11, parent=parent, block=bi)
            parent.children.append(node)
            continue

        lab = _label_of(stripped)
        if lab:
            kind, rank, token = lab
            while stack[-1].rank >= rank:
                stack.pop()
            parent = stack[-1]
            # Within an article, （一） items are 项 and 1. items are 目.
            in_article = any(c.kind == "article" for c in stack)
            node_kind = kind
            if kind not in _HEADING_KINDS and kind != "article":
                node_kind = "item" if rank <= 7 else "subitem"
                if not in_article:
                    node_kind = "item"
            title = ""
            if kind in _HEADING_KINDS:
                title = stripped[len(token) :].strip()
            label = _compose_label(parent, node_kind, token.strip())
            node = Clause(node_kind, label, token.strip(), start, end, rank=rank, title=title, parent=parent, block=bi)
            node.heading_path = _heading_path(stack)
            parent.children.append(node)
            stack.append(node)
            if kind == "article":
                article_paragraphs[id(node)] = 1
            continue

        # Unlabelled paragraph.
        parent = stack[-1]
        article = next((c for c in reversed(stack) if c.kind == "article"), None)
        if article is not None and parent.kind in ("article", "paragraph", "item", "subitem"):
            # A new 款 of the current article: close items of the previous 款.
            while stack[-1] is not article:
                stack.pop()
            n = article_paragraphs.get(id(article), 1) + 1
            article_paragraphs[id(article)] = n
            label = f"{article.label}第{_cn(n)}款"
            node = Clause("paragraph", label, f"第{_cn(n)}款", start, end, rank=_RANK_PARAGRAPH, parent=article, block=bi)
            node.heading_path = _heading_path(stack)
            article.children.append(node)
            stack.append(node)
            continue
        if _is_subheading(stripped) and bi + 1 < len(doc.blocks) and parent.kind != "root":
            # 主要目标 / 策略措施: a heading that groups the numbered items after it.
            while stack[-1].kind in ("heading",) or (stack[-1].rank >= 8 and stack[-1].kind != "root"):
                stack.pop()
            parent = stack[-1]
            label = _compose_label(parent, "heading", "", stripped)
            node = Clause("heading", label, "", start, end, rank=parent.rank + 0.5, title=stripped, parent=parent, block=bi)
            node.heading_path = _heading_path(stack)
            parent.children.append(node)
            stack.append(node)
            continue
        label = f"{parent.label}第{para_no}段" if parent.kind != "root" else f"第{para_no}段"
        node = Clause("text", label, "", start, end, rank=99, parent=parent, block=bi)
        node.heading_path = _heading_path(stack)
        parent.children.append(node)

    _finish(root, text)
    return ClauseTree(doc, root)


def _finish(node: Clause, text: str) -> None:
    """Post-order: give parents their own-paragraph leaf, split leaves, extend spans."""
    for c in list(node.children):
        _finish(c, text)
    if node.kind == "root":
        return
    if node.children and node.kind not in _HEADING_KINDS and node.kind != "heading":
        own = text[node.start : node.end]
        body = _strip_label(own)
        if body and not _is_subheading(body):
            # The parent's own paragraph (an article's first 款, or a lead-in) is a clause too.
            has_kuan = any(c.kind == "paragraph" for c in node.children)
            label = f"{node.label}第一款" if node.kind == "article" and has_kuan else node.label
            self_leaf = Clause("text", label, node.number, node.start, node.end, rank=node.rank, parent=node, block=node.block)
            self_leaf.heading_path = node.heading_path
            node.children.insert(0, self_leaf)
            _split_inline(self_leaf, text)
    elif not node.children and node.kind in ("article", "paragraph", "item", "subitem", "text"):
        _split_inline(node, text)
    _extend_to_children(node)


def _extend_to_children(node: Clause) -> None:
    """A node's span covers its own paragraph and all its descendants."""
    if node.children:
        node.end = max(node.end, max(c.end for c in node.children))


def _heading_path(stack: list[Clause]) -> list[str]:
    path = []
    for c in stack:
        if c.kind in _HEADING_KINDS:
            path.append(f"{c.number} {c.title}".strip())
        elif c.kind == "heading":
            path.append(c.title)
    return path


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _split_inline(node: Clause, text: str) -> None:
    """Split a leaf into inline items （一）（二） or, if long, into sentences."""
    seg = text[node.start : node.end]
    cuts = [m.start() for m in _INLINE_ITEM.finditer(seg)]
    if cuts:
        pieces = [0] + cuts + [len(seg)]
        lead_end = pieces[1]
        for a, b in zip(pieces[1:-1], pieces[2:]):
            piece = seg[a:b]
            ws = len(piece) - len(piece.lstrip())
            m = re.match(r"[（(][一二三四五六七八九十]{1,3}[）)]", piece[ws:])
            token = m.group(0) if m else ""
            in_article = node.kind in ("article", "paragraph") or any(
                p.kind == "article" for p in _ancestors(node)
            )
            label = f"{node.label}第{token}项" if in_article else f"{node.label}{token}"
            child = Clause("item", label, token, node.start + a + ws, node.start + len(seg[:b].rstrip()), rank=7, parent=node, block=node.block)
            child.heading_path = node.heading_path
            node.children.append(child)
        # The lead-in (“下列人员不参与分配：”) stays with the parent as context; keep it as a unit too.
        lead = seg[:lead_end].rstrip()
        if lead and len(_strip_label(lead)) > 0:
            head = Clause("text", f"{node.label}", node.number, node.start, node.start + len(lead), rank=node.rank, parent=node, block=node.block)
            head.heading_path = node.heading_path
            node.children.insert(0, head)
        return
    if len(seg) > LONG_PARAGRAPH:
        sentences = split_sentences(seg)
        if len(sentences) > 1:
            for i, (a, b) in enumerate(sentences, 1):
                child = Clause("sentence", f"{node.label}第{i}句", "", node.start + a, node.start + b, rank=12, parent=node, block=node.block)
                child.heading_path = node.heading_path
                node.children.append(child)


def _strip_label(s: str) -> str:
    lab = _label_of(s.strip())
    return s.strip()[len(lab[2]) :] if lab else s.strip()


def _ancestors(node: Clause):
    p = node.parent
    while p is not None:
        yield p
        p = p.parent


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text`, ending at 。！？ outside quotes and brackets."""
    spans = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END and depth == 0:
            j = i + 1
            while j < n and text[j] in _SENTENCE_END + _CLOSE:
                j += 1
            spans.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n and text[start:].strip():
        spans.append((start, n))
    # Trim leading whitespace of each sentence.
    out = []
    for a, b in spans:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        if seg.strip():
            out.append((a + lead, a + len(seg.rstrip())))
    return out


def _leaves(node: Clause):
    if not node.children:
        if node.kind != "root":
            yield node
        return
    for c in node.children:
        yield from _leaves(c)


def _context_node(node: Clause) -> Clause:
    """The enclosing article, or the top-level numbered item, or the node itself."""
    top = node
    for p in _ancestors(node):
        if p.kind == "article":
            return p
        if p.kind == "root":
            break
        if p.kind not in _HEADING_KINDS and p.kind != "heading":
            top = p
    return top


def _units(tree: ClauseTree):
    doc = tree.document
    text = doc.text
    for leaf in _leaves(tree.root):
        if leaf.kind in _HEADING_KINDS or leaf.kind == "heading":
            continue  # headings are structure, not rules
        ctx = _context_node(leaf)
        unit = Unit(
            label=leaf.label,
            start=leaf.start,
            end=leaf.end,
            text=text[leaf.start : leaf.end],
            context_start=ctx.start,
            context_end=ctx.end,
            kind=leaf.kind,
            heading_path=leaf.heading_path,
            block=doc.block_at(leaf.start),
        )
        unit._context = text[ctx.start : ctx.end]
        yield unit


def render_tree(tree: ClauseTree, width: int = 60) -> str:
    """A readable outline: one line per clause, indented, with label and span."""
    text = tree.document.text
    lines = []

    def visit(node: Clause, depth: int) -> None:
        if node.kind != "root":
            body = text[node.start : node.end] if not node.children else (node.title or text[node.start : node.end].split("\n", 1)[0])
            body = body.replace("\n", " ")
            if len(body) > width:
                body = body[: width - 1] + "…"
            lines.append(f"{'  ' * depth}{node.label or node.kind}  [{node.start}-{node.end}]  {body}")
        for c in node.children:
            visit(c, depth + (node.kind != "root"))

    visit(tree.root, 0)
    return "\n".join(lines)
