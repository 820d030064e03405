"""The one `Document` model every reader produces (txt, md, docx, pdf).

`Document.text` is the text that detection sees. Each `Block` maps a span of that text back to
where it came from (line, page, paragraph, table cell), so reports can point at the original and
the annotated Word report can anchor comments on the right runs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class Block:
    """A paragraph, heading or table row of the source, as a span of `Document.text`."""

    start: int
    end: int
    kind: str = "paragraph"  # paragraph | table_row
    line: int | None = None  # txt/md: 1-based line of the block's first character
    page: int | None = None  # pdf: 1-based page
    paragraph: int | None = None  # docx: index among body paragraphs (python-docx `doc.paragraphs`)
    table: int | None = None  # docx/pdf: 0-based table index
    row: int | None = None  # table row index
    cells: list[tuple[int, int]] | None = None  # table row: span of each cell's text in Document.text
    cell_paragraphs: list[int] | None = None  # docx: for each cell, paragraphs inside it (count)
    header: list[str] | None = None  # table row: the table's header cells, if detected
    prefix: int = 0  # characters at the block start that are not in the source runs (Word auto-numbering)
    style: str | None = None  # docx paragraph style name (e.g. "Heading 1")

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, 0) or k in ("start", "end")}


@dataclass
class Document:
    path: str
    format: str  # txt | md | docx | pdf
    sha256: str
    size: int
    text: str
    blocks: list[Block]
    title: str = ""
    encoding: str | None = None  # txt/md: the detected encoding
    pages: int | None = None  # pdf
    notes: list[str] = field(default_factory=list)  # Chinese notes for the report (修订痕迹, 页眉页脚已排除…)
    excluded: list[str] = field(default_factory=list)  # text not reviewed (headers, footers, page numbers)
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self._starts = [b.start for b in self.blocks]

    def block_at(self, offset: int) -> Block | None:
        """The block containing `offset` (or the nearest one before it)."""
        if not self.blocks:
            return None
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.blocks[max(i, 0)]

    def line_of(self, offset: int) -> int:
        """1-based line number of `offset` in `text` (for txt/md this is the source line)."""
        block = self.block_at(offset)
        if block is not None and block.line is not None:
            return block.line + self.text.count("\n", block.start, offset)
        return self.text.count("\n", 0, offset) + 1

    def summary(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "title": self.title,
            "encoding": self.encoding,
            "pages": self.pages,
            "notes": self.notes,
        }
