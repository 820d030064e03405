"""Table rows as text: shared by the docx and pdf readers.

A table row becomes one block. Cells are joined by " | ". When the first row of a table looks
like a header (岗位 | 人数 | 性别 …), every data row is rendered as "表头：值 | 表头：值" so a rule
can see `性别：男` without knowing about tables. `Block.cells` keeps the span of each cell's
value (not the "表头：" label) in `Document.text`.
"""

from __future__ import annotations

import re

CELL_SEP = " | "
LABEL_SEP = "："

# Words that typically name a column. A first row is a header when it is short, has no sentence
# punctuation and contains at least one of these (or Word marked it as a repeating header row).
HEADER_WORDS = (
    "序号", "编号", "名称", "岗位", "职位", "职务", "性别", "人数", "数量", "条件", "要求", "学历", "学位",
    "专业", "年龄", "备注", "项目", "内容", "类别", "类型", "单位", "部门", "姓名", "时间", "日期",
    "金额", "标准", "对象", "说明", "地点", "职责", "资格", "户籍", "身份", "面积", "份额", "股数", "分配",
    "事项", "措施", "责任", "期限", "计划", "其他", "联系", "电话",
)
_SENTENCE_PUNCT = re.compile(r"[。；;，,！？!?]")
_WS = re.compile(r"\s+")


def clean_cell(text: str) -> str:
    """One line of cell text: inner line breaks and runs of spaces collapsed."""
    text = text.replace("\r", "\n")
    if "\n" in text:
        parts = [p.strip() for p in text.split("\n")]
        out = ""
        for part in parts:
            if not part:
                continue
            if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
                out += " "
            out += part
        text = out
    return _WS.sub(" ", text).strip()


def looks_like_header(cells: list[str], explicit: bool = False, n_rows: int = 2) -> bool:
    """Whether a table's first row names its columns."""
    names = [c.strip() for c in cells]
    if explicit:
        return any(names)
    if n_rows < 2 or len(names) < 2:
        return False
    if not all(names):
        return False
    if any(len(n) > 12 or _SENTENCE_PUNCT.search(n) for n in names):
        return False
    if sum(ch.isdigit() for n in names for ch in n) > 0 and not any(w in n for n in names for w in ("序号", "编号")):
        return False
    return any(w in n for n in names for w in HEADER_WORDS)


def header_names(cells: list[str]) -> list[str]:
    return [_WS.sub("", c) for c in cells]


def render_row(cells: list[str], header: list[str] | None) -> tuple[str, list[tuple[int, int]]]:
    """(row text, span of each cell value relative to the row start)."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, value in enumerate(cells):
        if i:
            parts.append(CELL_SEP)
            pos += len(CELL_SEP)
        label = header[i] if header is not None and i < len(header) else ""
        if label:
            parts.append(label + LABEL_SEP)
            pos += len(label) + len(LABEL_SEP)
        spans.append((pos, pos + len(value)))
        parts.append(value)
        pos += len(value)
    return "".join(parts), spans
