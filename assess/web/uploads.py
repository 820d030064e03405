"""Checking and unpacking uploaded files: sizes, counts, content type by magic bytes, safe zips.

Every upload is saved under DATA/uploads/<upload id>/files/ with a sanitised name; a zip of a
folder of village rules is unpacked there entry by entry with limits on the number of entries,
each entry's size, the total uncompressed size and the compression ratio (zip bombs), and with
names that cannot leave the folder (absolute paths, `..`, drive letters, symlinks are refused).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

DOC_EXTENSIONS = {".docx": "docx", ".pdf": "pdf", ".txt": "txt", ".md": "md"}
ACCEPT = ".docx,.pdf,.txt,.md,.zip"


@dataclass
class UploadLimits:
    max_request_bytes: int = 200 * 1024 * 1024  # whole POST body
    max_file_bytes: int = 50 * 1024 * 1024  # one document (also one zip entry)
    max_files: int = 50  # files in one upload
    max_zip_entries: int = 500  # documents in one zip (other entries count too)
    max_zip_total_bytes: int = 300 * 1024 * 1024  # uncompressed size of a whole zip
    max_zip_ratio: int = 200  # uncompressed / compressed of one entry


@dataclass
class Saved:
    path: Path  # where it is stored
    rel: str  # shown name: file name, or folder path inside the zip
    fmt: str | None = None  # docx | pdf | txt | md; None = rejected
    error: str | None = None  # Chinese reason when rejected
    location: dict = field(default_factory=dict)


class UploadError(Exception):
    """The whole upload is refused (nothing was kept)."""


_BAD_CHARS = re.compile(r'[\x00-\x1f\\/:*?"<>|]')


def safe_name(name: str) -> str:
    """A file name safe to store: no path separators, control characters or leading dots."""
    name = unicodedata.normalize("NFC", name or "")
    name = _BAD_CHARS.sub("_", name).strip().lstrip(".")
    return (name or "文件")[:150]


def zip_member_path(name: str) -> PurePosixPath | None:
    """A zip entry's name as a relative path inside the target folder, or None if it would leave it."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return None
    parts = [p for p in n.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*[safe_name(p) for p in parts])


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Entry name, decoding GBK names from Chinese Windows zips (no UTF-8 flag)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def sniff(head: bytes, ext: str) -> str | None:
    """Content type from the first bytes (and the zip's listing for docx vs zip)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip-container"
    if head.startswith((b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "binary"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def _is_docx_zip(data_or_path) -> bool:
    try:
        with zipfile.ZipFile(data_or_path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "word/document.xml" in names or "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)


def classify(path: Path, ext: str) -> tuple[str | None, str | None]:
    """(format, error): a document's format checked by content against its extension."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = sniff(head, ext)
    if ext == ".pdf":
        return ("pdf", None) if kind == "pdf" else (None, "扩展名是 .pdf，但内容不是 PDF 文件")
    if ext == ".docx":
        if kind == "zip-container" and _is_docx_zip(path):
            return "docx", None
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return None, "这是旧版 Word（.doc）或加密文件，请在 Word/WPS 中另存为 .docx 后上传"
        return None, "扩展名是 .docx，但内容不是 Word 文档"
    if ext in (".txt", ".md"):
        if kind != "text":
            return None, f"扩展名是 {ext}，但内容不是文本文件"
        return DOC_EXTENSIONS[ext], None
    if ext == ".doc":
        return None, "不支持旧版 Word（.doc），请在 Word/WPS 中另存为 .docx 后上传"
    if ext == ".wps":
        return None, "不支持 WPS 格式（.wps），请另存为 .docx 后上传"
    return None, f"不支持的文件类型（{ext or '无扩展名'}），请上传 .docx、.pdf、.txt 或 .zip"


def _unique(folder: Path, rel: PurePosixPath) -> Path:
    target = folder.joinpath(*rel.parts)
    n = 2
    while target.exists():
        target = target.with_name(f"{Path(rel.name).stem}-{n}{Path(rel.name).suffix}")
        n += 1
    return target


def save_upload(storage, folder: Path, limits: UploadLimits, budget: list) -> list[Saved]:
    """Save one uploaded FileStorage (a document or a zip) under `folder`; returns what it held.

    `budget` is a one-element list with the number of documents still allowed in this upload.
    Raises UploadError for problems that refuse the whole upload (limits).
    """
    name = safe_name(os.path.basename((storage.filename or "").replace("\\", "/")))
    ext = Path(name).suffix.lower()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = _unique(folder, PurePosixPath(name))
    size = 0
    with open(target, "wb") as out:
        os.chmod(target, stat.S_IRUSR | stat.S_IWUSR)
        while True:
            chunk = storage.stream.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limits.max_file_bytes and ext != ".zip":
                out.close()
                target.unlink(missing_ok=True)
                raise UploadError(f"{name}：文件过大（超过 {limits.max_file_bytes // (1024 * 1024)} MB）")
            if size > limits.max_request_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise UploadError(f"{name}：文件过大")
            out.write(chunk)
    if size == 0:
        target.unlink(missing_ok=True)
        return [Saved(target, name, None, "空文件（0 字节）")]
    with open(target, "rb") as fh:
        head = fh.read(8)
    if ext == ".zip" or (sniff(head, ext) == "zip-container" and ext not in (".docx",) and not _is_docx_zip(target)):
        if sniff(head, ext) != "zip-container":
            target.unlink(missing_ok=True)
            return [Saved(target, name, None, "扩展名是 .zip，但内容不是 zip 压缩包")]
        try:
            return unpack_zip(target, folder / (Path(name).stem + "_zip"), limits, budget, name)
        finally:
            target.unlink(missing_ok=True)
    budget[0] -= 1
    if budget[0] < 0:
        target.unlink(missing_ok=True)
        raise UploadError(f"一次最多上传 {limits.max_files} 个文件")
    fmt, err = classify(target, ext)
    if err:
        target.unlink(missing_ok=True)
    return [Saved(target, name, fmt, err)]


def unpack_zip(zpath: Path, dest: Path, limits: UploadLimits, budget: list, shown: str) -> list[Saved]:
    try:
        z = zipfile.ZipFile(zpath)
    except (zipfile.BadZipFile, OSError):
        raise UploadError(f"{shown}：压缩包已损坏，无法打开") from None
    out: list[Saved] = []
    with z:
        infos = z.infolist()
        if len(infos) > limits.max_zip_entries:
            raise UploadError(f"{shown}：压缩包内条目过多（{len(infos)} 个，上限 {limits.max_zip_entries}）")
        total = sum(i.file_size for i in infos)
        if total > limits.max_zip_total_bytes:
            raise UploadError(f"{shown}：压缩包解压后过大（{total // (1024 * 1024)} MB，上限 {limits.max_zip_total_bytes // (1024 * 1024)} MB）")
        for info in infos:
            if info.is_dir():
                continue
            raw_name = _zip_name(info)
            rel = zip_member_path(raw_name)
            mode = (info.external_attr >> 16) & 0o170000
            if rel is None:
                out.append(Saved(dest, raw_name, None, "压缩包内的文件名含有不安全的路径（如 ../ 或绝对路径），已跳过"))
                continue
            if mode == stat.S_IFLNK:
                out.append(Saved(dest, str(rel), None, "压缩包内的符号链接，已跳过"))
                continue
            low = rel.name.lower()
            if rel.name.startswith(("~$", ".")) or low in ("thumbs.db", "desktop.ini") or "__MACOSX" in rel.parts:
                continue
            if info.file_size > limits.max_file_bytes:
                out.append(Saved(dest, str(rel), None, f"文件过大（超过 {limits.max_file_bytes // (1024 * 1024)} MB），已跳过"))
                continue
            if info.compress_size and info.file_size / max(info.compress_size, 1) > limits.max_zip_ratio and info.file_size > 1024 * 1024:
                raise UploadError(f"{shown}：压缩包中 {rel} 的压缩比异常（疑似压缩炸弹），已拒绝")
            ext = Path(rel.name).suffix.lower()
            if ext not in DOC_EXTENSIONS:
                if ext == ".zip":
                    out.append(Saved(dest, str(rel), None, "不展开压缩包内的压缩包，已跳过"))
                else:
                    _fmt, err = classify_name_only(ext)
                    out.append(Saved(dest, str(rel), None, err))
                continue
            budget[0] -= 1
            if budget[0] < 0:
                raise UploadError(f"一次最多审查 {limits.max_files} 个文件（含压缩包内的文件）")
            target = _unique(dest, rel)
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            written = 0
            with z.open(info) as src, open(target, "wb") as fh:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > limits.max_file_bytes:  # the header lied about the size
                        break
                    fh.write(chunk)
            if written > limits.max_file_bytes:
                target.unlink(missing_ok=True)
                raise UploadError(f"{shown}：压缩包中 {rel} 解压后过大，已拒绝")
            fmt, err = classify(target, ext)
            if err:
                target.unlink(missing_ok=True)
            out.append(Saved(target, str(rel), fmt, err, location=location_for(shown, rel)))
    return out


def classify_name_only(ext: str) -> tuple[None, str]:
    if ext == ".doc":
        return None, "不支持旧版 Word（.doc），请另存为 .docx"
    return None, f"不支持的文件类型（{ext or '无扩展名'}），已跳过"


def location_for(zip_name: str, rel: PurePosixPath) -> dict:
    """乡镇/村 from the folders inside the zip (the same rules as `assess batch --layout auto`)."""
    from ..batch.discover import location_of

    parts = list(rel.parts[:-1])
    root = Path(zip_name).stem
    return location_of(root, parts, None)
