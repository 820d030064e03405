"""HTML report: self-contained, every finding highlighted and listed, renders in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from assess.reports.html import COLOURS, render_html
from test_reports_fixtures import docx_result, make_report, screenshot, txt_result


@pytest.fixture
def page(tmp_path):
    _, r1 = docx_result(tmp_path)
    _, r2 = txt_result(tmp_path)
    report = make_report(r1, r2)
    return report, render_html(report)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.marks = []
        self.ids = set()
        self.links = []
        self.cards = []
        self._mark = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "mark" and "data-f" in a:
            self._mark = [a, ""]
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a)
        if tag == "div" and "card" in (a.get("class") or "").split():
            self.cards.append(a)

    def handle_data(self, data):
        if self._mark is not None:
            self._mark[1] += data

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append(tuple(self._mark))
            self._mark = None


def test_self_contained(page):
    _, html = page
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<link\b|<img\b|\bsrc\s*=|@import|url\(|https?://", html, re.I)


def test_every_finding_highlighted_listed_and_explained(page):
    report, html = page
    c = _Collect()
    c.feed(html)
    for dn, r in enumerate(report.documents, 1):
        for f in r.findings:
            fid = f"d{dn}-{f.id}"
            assert fid in c.ids  # jump target in the text
            assert any(a["href"] == f"#{fid}" and a.get("data-sev") == f.severity for a in c.links)  # side list
            card = [a for a in c.cards if a.get("data-fid") == fid]
            assert len(card) == 1 and card[0]["data-cat"] == f.category
            marked = "".join(text for a, text in c.marks if fid in a["data-f"].split())
            assert marked.replace("\n", "") == f.match
    for f in report.documents[0].findings:
        assert f.message in html and f.suggestion in html
        assert f.legal_basis[0].law in html
    assert "已审：误报" in html and "0123456789abcdef" in html  # reviewed shown; stale reported
    assert "城关镇" in html
    assert "妇女代表不少于三分之一" in html  # positive measure


def test_filters_and_print_css(page):
    report, html = page
    for sev in ("high", "medium", "low"):
        assert f'data-filter="sev" value="{sev}"' in html
    for cat in {f.category for r in report.documents for f in r.findings}:
        assert f'data-filter="cat" value="{cat}"' in html
    assert "@media print" in html


def test_escaping(tmp_path):
    _, r = txt_result(tmp_path)
    r.findings[0].message = "<script>alert(1)</script> & 说明"
    html = render_html(make_report(r))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def _colour_pixels(png_path, hex_colour: str) -> int:
    from PIL import Image

    target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    img = Image.open(png_path).convert("RGB")
    # Only the document area: not the header, the filter legend or the side list.
    img = img.crop((300, 140, img.width, img.height))
    data = img.tobytes()
    n = 0
    for i in range(0, len(data), 3):
        if abs(data[i] - target[0]) <= 2 and abs(data[i + 1] - target[1]) <= 2 and abs(data[i + 2] - target[2]) <= 2:
            n += 1
    return n


def test_chromium_renders_highlights(page, tmp_path):
    pytest.importorskip("PIL")
    report, html = page
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    png = screenshot(path, tmp_path / "shot.png", size=(1280, 2400))
    # The top of the first document holds high, medium and low findings.
    for sev in ("high", "medium", "low"):
        assert _colour_pixels(png, COLOURS[sev]) > 200, sev
    # And a page without findings has none of those colours in the document area.
    _, plain = txt_result(tmp_path)
    plain.findings = []
    path2 = tmp_path / "plain.html"
    path2.write_text(render_html(make_report(plain)), encoding="utf-8")
    png2 = screenshot(path2, tmp_path / "plain.png", size=(1280, 1200))
    assert all(_colour_pixels(png2, COLOURS[s]) == 0 for s in COLOURS)


def test_results_without_text_still_list_every_finding(tmp_path):
    """Batch re-renders reports from stored findings only (Document.text empty, no blocks)."""
    from assess.documents import Document
    from assess.reports import get_reporter

    _, r = txt_result(tmp_path)
    r.document = Document(path=r.path, format="txt", sha256="", size=0, text="", blocks=[], title="章程")
    r.tree = None
    report = make_report(r)
    html = render_html(report)
    c = _Collect()
    c.feed(html)
    assert len(c.cards) == len(r.findings)
    assert all(f"d1-{f.id}" in c.ids for f in r.findings)
    md = get_reporter("md").render(report)
    assert md.count("\n| F") == len(r.findings)
