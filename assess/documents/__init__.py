"""Document ingestion: one entry point, `load_document`, for every supported format.

Each reader (text.py, docx.py, pdf.py) turns a file into the same `Document` model. Bad input
raises `InputError` with a stable code and a one-line Chinese reason; nothing here ever writes
to the input file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import (
    E_IS_DIR,
    E_NOT_FOUND,
    E_TOO_LARGE,
    E_UNREADABLE,
    E_UNSUPPORTED,
    E_EMPTY,
    InputError,
)
from .model import Block, Document

__all__ = ["Block", "Document", "Limits", "load_document", "from_text", "SUPPORTED", "UNSUPPORTED_HINTS", "sniff_format"]

SUPPORTED = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf"}

# Formats we recognise but cannot read yet, with how to convert them.
UNSUPPORTED_HINTS = {
    ".doc": "旧版 Word（.doc）格式暂不支持，请用 Word 或 WPS 另存为 .docx 后再审查",
    ".wps": "WPS 文字（.wps）格式暂不支持，请在 WPS 中另存为 .docx 后再审查",
    ".wpt": "WPS 模板格式暂不支持，请另存为 .docx 后再审查",
    ".rtf": "RTF 格式暂不支持，请另存为 .docx 后再审查",
    ".odt": "ODT 格式暂不支持，请用 LibreOffice 另存为 .docx 后再审查",
    ".ofd": "OFD 版式文件暂不支持，请用数科或福昕 OFD 阅读器导出为 PDF 或文本后再审查",
    ".xls": "表格文件暂不支持，请把条款复制到 Word 或文本文件后再审查",
    ".xlsx": "表格文件暂不支持，请把条款复制到 Word 或文本文件后再审查",
    ".jpg": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".jpeg": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".png": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".tif": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".tiff": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".bmp": "图片格式暂不支持，需要先做文字识别（OCR），请导出为可复制文字的 PDF 或 Word 后再审查",
    ".zip": "压缩包请先解压，或用 assess batch 审查解压后的文件夹",
}


@dataclass(frozen=True)
class Limits:
    """Resource limits that keep one hostile or huge file from taking the machine down."""

    max_file_bytes: int = 50 * 1024 * 1024  # 50 MB on disk
    max_text_chars: int = 5_000_000  # extracted text
    max_docx_part_bytes: int = 200 * 1024 * 1024  # uncompressed size of one docx part (zip bombs)
    max_pdf_pages: int = 2000
    pdf_engine: str = "auto"  # auto | pdfplumber | pdfium


def sniff_format(path: Path, head: bytes) -> str | None:
    """The format by content first (zip/PDF magic), then by extension."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if ext in (".docx", "") or ext not in UNSUPPORTED_HINTS else None
    return SUPPORTED.get(ext)


def _sha256_and_head(path: Path) -> tuple[str, bytes, int]:
    h = hashlib.sha256()
    head = b""
    size = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            if not head:
                head = chunk[:8]
            size += len(chunk)
            h.update(chunk)
    return h.hexdigest(), head, size


def load_document(path: str | os.PathLike, limits: Limits | None = None) -> Document:
    """Read a document of any supported format into a `Document`.

    Raises `InputError` (never anything else for bad input) with a Chinese message.
    """
    limits = limits or Limits()
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise InputError("文件不存在", code=E_NOT_FOUND, path=shown)
    if p.is_dir():
        raise InputError("这是一个文件夹；审查整个文件夹请用 assess batch", code=E_IS_DIR, path=shown)
    ext = p.suffix.lower()
    if ext in UNSUPPORTED_HINTS:
        raise InputError(UNSUPPORTED_HINTS[ext], code=E_UNSUPPORTED, path=shown)
    try:
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"文件过大（{size / 1048576:.1f} MB，上限 {limits.max_file_bytes / 1048576:.0f} MB），可用 --max-size 调整",
                code=E_TOO_LARGE,
                path=shown,
            )
        if size == 0:
            raise InputError("文件为空", code=E_EMPTY, path=shown)
        sha, head, size = _sha256_and_head(p)
    except PermissionError:
        raise InputError("没有读取权限", code=E_UNREADABLE, path=shown) from None
    except IsADirectoryError:
        raise InputError("这是一个文件夹；审查整个文件夹请用 assess batch", code=E_IS_DIR, path=shown) from None
    except OSError as e:
        raise InputError(f"读取失败（{e.strerror or e}）", code=E_UNREADABLE, path=shown) from None

    fmt = sniff_format(p, head)
    if fmt is None:
        raise InputError(
            f"不支持的文件格式（{ext or '无扩展名'}），目前支持 .docx、.pdf、.txt、.md",
            code=E_UNSUPPORTED,
            path=shown,
        )
    if fmt in ("txt", "md"):
        from .text import read_text

        doc = read_text(p, fmt, limits)
    elif fmt == "docx":
        from .docx import read_docx

        doc = read_docx(p, limits)
    else:
        from .pdf import read_pdf

        doc = read_pdf(p, limits)
    doc.path = shown
    doc.sha256 = sha
    doc.size = size
    if len(doc.text) > limits.max_text_chars:
        raise InputError(
            f"文字过多（{len(doc.text)} 字，上限 {limits.max_text_chars} 字）", code=E_TOO_LARGE, path=shown
        )
    if not doc.text.strip():
        raise InputError("文件中没有可审查的文字", code=E_EMPTY, path=shown)
    if not doc.title:
        doc.title = guess_title(doc) or p.stem
    return doc


def guess_title(doc: Document) -> str:
    """The first short non-numbered paragraph, the way a reader would name the document."""
    from ..structure import _label_of  # local: avoid import cycle

    for b in doc.blocks[:5]:
        t = doc.text[b.start : b.end].strip()
        if t and len(t) <= 60 and not _label_of(t) and b.kind != "table_row":
            return t
    return ""


def from_text(text: str, path: str = "<文本>", fmt: str = "txt") -> Document:
    """A `Document` built from a string (rule examples, the web page's paste box, tests)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    pos = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        end = pos + len(line)
        if line.strip():
            lead = len(line) - len(line.lstrip())
            blocks.append(Block(pos + lead, end, "paragraph", line=lineno))
        pos = end + 1
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = Document(path=path, format=fmt, sha256=sha, size=len(text.encode("utf-8")), text=text, blocks=blocks)
    doc.title = guess_title(doc)
    return doc
