"""Plain text and Markdown: detect the encoding, keep exact offsets.

Real county files are often GBK. We try, in order: a BOM (UTF-8, UTF-16 LE/BE), strict UTF-8,
strict GB18030 (a superset of GBK and GB2312). Text that decodes but is mostly control bytes or
replacement characters is rejected as "not text". Only line endings are normalised (CRLF/CR →
LF), so offsets in `Document.text` are offsets in the decoded file with LF line ends.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import E_ENCODING, E_EMPTY, InputError
from .model import Block, Document

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode(data: bytes, shown: str) -> tuple[str, str]:
    """(text, encoding name) or InputError."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "") + " (BOM)"
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:4096]:
        # NUL bytes without a UTF-16 BOM: binary, or UTF-16 without BOM (rare in practice).
        raise InputError("不是文本文件（含二进制内容），或编码无法识别", code=E_ENCODING, path=shown)
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, enc
    raise InputError("无法识别文件编码（不是 UTF-8 或 GBK/GB18030 文本），请另存为 UTF-8 后再审查", code=E_ENCODING, path=shown)


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad / len(sample) < 0.02


def read_text(path: Path, fmt: str, limits) -> Document:
    shown = str(path)
    data = path.read_bytes()
    text, encoding = decode(data, shown)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("文件中没有文字", code=E_EMPTY, path=shown)
    blocks: list[Block] = []
    pos = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        end = pos + len(line)
        if line.strip():
            content = line
            if fmt == "md":
                content = line.lstrip("#> ").rstrip()
            lead = len(line) - len(line.lstrip(" \t\u3000#>" if fmt == "md" else " \t\u3000"))
            blocks.append(Block(pos + lead, end, "paragraph", line=lineno))
        pos = end + 1
    return Document(path=shown, format=fmt, sha256="", size=len(data), text=text, blocks=blocks, encoding=encoding)
