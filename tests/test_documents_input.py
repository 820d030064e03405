"""Text files and encodings, unsupported formats, and every kind of bad input.

Each bad input must raise `InputError` with a stable code and a one-line Chinese message.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile

import docx
import pytest

import docgen
from assess.documents import Limits, from_text, load_document
from assess.errors import InputError

TEXT = "某村村规民约\n第一条 村民应当遵守法律法规。\n\n第二条 村民享有平等的权利。\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


def expect_error(path, code, limits=None, contains=None):
    with pytest.raises(InputError) as info:
        load_document(path, limits)
    err = info.value
    assert err.code == code, (err.code, str(err))
    msg = str(err)
    assert "\n" not in msg and CJK.search(err.message), msg
    if contains:
        assert contains in msg, msg
    assert err.to_dict()["code"] == code
    return err


# ---------------------------------------------------------------------------------------------
# Text and encodings


@pytest.mark.parametrize(
    "encoding,bom,expected",
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8 (BOM)"),
        ("gbk", b"", "gb18030"),
        ("gb18030", b"", "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16 (BOM)"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16 (BOM)"),
    ],
)
def test_encodings(tmp_path, encoding, bom, expected):
    path = tmp_path / "rules.txt"
    path.write_bytes(bom + TEXT.encode(encoding))
    doc = load_document(path)
    assert doc.text == TEXT
    assert doc.encoding == expected
    assert doc.title == "某村村规民约"
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "某村村规民约", "第一条 村民应当遵守法律法规。", "第二条 村民享有平等的权利。"]
    assert [b.line for b in doc.blocks] == [1, 2, 4]
    assert doc.line_of(doc.text.index("平等")) == 4


def test_crlf_and_indentation(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("标题\r\n\u3000\u3000第一条 内容。\r\n".encode("gbk"))
    doc = load_document(path)
    assert doc.text == "标题\n\u3000\u3000第一条 内容。\n"
    b = doc.blocks[1]
    assert doc.text[b.start : b.end] == "第一条 内容。"


def test_markdown(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# 某村村规民约\n\n第一条 内容。\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.format == "md"
    assert doc.text[doc.blocks[0].start : doc.blocks[0].end] == "某村村规民约"


def test_from_text():
    doc = from_text("第一条 甲。\n第二条 乙。")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == ["第一条 甲。", "第二条 乙。"]


def test_document_summary_fields(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    s = load_document(path).summary()
    assert set(s) >= {"path", "format", "sha256", "size", "title", "encoding"}
    assert s["path"] == str(path) and s["size"] == len(TEXT.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Bad input


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    expect_error(tmp_path / "empty.txt", "E104", contains="空")


def test_whitespace_only(tmp_path):
    (tmp_path / "ws.txt").write_text(" \n\u3000\n", encoding="utf-8")
    expect_error(tmp_path / "ws.txt", "E104")


def test_binary_junk_named_txt(tmp_path):
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 20)
    expect_error(tmp_path / "junk.txt", "E107")


def test_wrong_encoding(tmp_path):
    # Bytes that are neither UTF-8 nor GB18030 (0x80 and 0xFF are not valid lead bytes in GB18030).
    (tmp_path / "bad.txt").write_bytes("村规民约".encode("utf-8")[:2] + b"\x80\xff\x80\xff abc \xff\x80" * 50)
    expect_error(tmp_path / "bad.txt", "E107", contains="编码")


def test_utf16_without_bom(tmp_path):
    (tmp_path / "u16.txt").write_bytes(TEXT.encode("utf-16-le"))
    expect_error(tmp_path / "u16.txt", "E107")


def test_corrupt_docx(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04" + os.urandom(500))
    expect_error(tmp_path / "bad.docx", "E108", contains="损坏")


def test_docx_not_zip_at_all(tmp_path):
    (tmp_path / "bad2.docx").write_bytes("这不是一个 Word 文件".encode("utf-8") * 10)
    expect_error(tmp_path / "bad2.docx", "E108")


def test_zip_without_document_xml(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.docx", "w") as z:
        z.writestr("hello.txt", "hi")
    expect_error(tmp_path / "x.docx", "E108")


def test_excel_named_docx(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.docx", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    expect_error(tmp_path / "x.docx", "E106", contains="Excel")


def test_broken_xml_in_docx(tmp_path):
    d = docx.Document()
    d.add_paragraph("正文")
    d.save(tmp_path / "ok.docx")
    with zipfile.ZipFile(tmp_path / "ok.docx") as src, zipfile.ZipFile(tmp_path / "broken.docx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    expect_error(tmp_path / "broken.docx", "E108")


def test_docx_zip_bomb_refused_before_decompressing(tmp_path, monkeypatch):
    d = docx.Document()
    d.add_paragraph("正文")
    d.save(tmp_path / "ok.docx")
    with zipfile.ZipFile(tmp_path / "ok.docx") as src, zipfile.ZipFile(tmp_path / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("word/media/huge.bin", b"\0" * (3 * 1024 * 1024))  # compresses to a few kB
    assert (tmp_path / "bomb.docx").stat().st_size < 100_000

    def no_decompress(*a, **k):
        raise AssertionError("decompressed before checking sizes")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompress)
    err = expect_error(tmp_path / "bomb.docx", "E112", Limits(max_docx_part_bytes=1024 * 1024))
    assert "huge.bin" in str(err)


def test_encrypted_docx_is_ole(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1000
    (tmp_path / "secret.docx").write_bytes(data)
    expect_error(tmp_path / "secret.docx", "E109", contains="加密")


def test_legacy_doc_named_docx(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000 + "WordDocument".encode("utf-16-le") + b"\0" * 1000
    (tmp_path / "old.docx").write_bytes(data)
    expect_error(tmp_path / "old.docx", "E106", contains=".doc")


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "secret.pdf"
    docgen.reportlab_pdf(path, ["第一条 内容。"], encrypt="mima123")
    expect_error(path, "E109", contains="加密")


def test_pdf_with_owner_password_only_is_read(tmp_path):
    from reportlab.lib import pdfencrypt

    path = tmp_path / "restricted.pdf"
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner", canPrint=1, canCopy=0)
    docgen.reportlab_pdf(path, ["第一条 村民享有平等的权利。"], encrypt=enc, header=None, page_numbers="none")
    assert load_document(path).text == "第一条 村民享有平等的权利。"


def test_pdf_without_text(tmp_path):
    expect_error(docgen.blank_pdf(tmp_path / "scan.pdf"), "E110", contains="OCR")


def test_corrupt_pdf(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(300))
    expect_error(tmp_path / "bad.pdf", "E108")


def test_pdf_page_limit(tmp_path):
    path = docgen.reportlab_pdf(tmp_path / "p.pdf", ["第一条 内容。"] * 80)
    expect_error(path, "E105", Limits(max_pdf_pages=1))


def test_missing_path(tmp_path):
    expect_error(tmp_path / "nope.docx", "E101", contains="不存在")


def test_directory(tmp_path):
    expect_error(tmp_path, "E102", contains="文件夹")


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text(TEXT, encoding="utf-8")
    if os.geteuid() != 0:
        path.chmod(0)
        try:
            expect_error(path, "E103")
        finally:
            path.chmod(0o644)
        return
    import assess.documents as documents

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(documents, "open", denied, raising=False)
    expect_error(path, "E103", contains="权限")


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(TEXT * 100, encoding="utf-8")
    expect_error(path, "E105", Limits(max_file_bytes=1000), contains="过大")


def test_text_over_char_limit(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(TEXT * 100, encoding="utf-8")
    expect_error(path, "E105", Limits(max_text_chars=500))


@pytest.mark.parametrize("ext,word", [(".doc", ".docx"), (".wps", "WPS"), (".ofd", "OFD"), (".png", "OCR"), (".jpg", "OCR"),
                                      (".xlsx", "表格"), (".odt", "LibreOffice")])
def test_unsupported_formats(tmp_path, ext, word):
    path = tmp_path / f"file{ext}"
    path.write_bytes(b"\x00\x01 not really")
    expect_error(path, "E106", contains=word)


def test_unknown_extension(tmp_path):
    path = tmp_path / "file.xyz"
    path.write_text("第一条", encoding="utf-8")
    expect_error(path, "E106", contains="不支持")


def test_docx_content_with_other_extension_is_sniffed(tmp_path):
    d = docx.Document()
    d.add_paragraph("第一条 内容。")
    d.save(tmp_path / "saved.bin")
    assert load_document(tmp_path / "saved.bin").format == "docx"


def test_pdf_content_with_txt_extension_is_sniffed(tmp_path):
    path = docgen.reportlab_pdf(tmp_path / "a.pdf", ["第一条 内容。"], header=None, page_numbers="none")
    (tmp_path / "a.txt").write_bytes(path.read_bytes())
    assert load_document(tmp_path / "a.txt").format == "pdf"


def test_docx_without_text(tmp_path):
    d = docx.Document()
    d.add_paragraph("")
    d.sections[0].header.paragraphs[0].text = "只有页眉"
    d.save(tmp_path / "blank.docx")
    expect_error(tmp_path / "blank.docx", "E104")
