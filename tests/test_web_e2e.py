"""End to end: a real headless Chromium drives `assess serve` on a free loopback port.

Upload the bundled village rules, see the highlighted findings, mark one as a false positive,
download the annotated Word copy and the ledger and check their content. Uses the system
Chromium (/usr/bin/chromium) through Playwright; no browser is downloaded. Set
ASSESS_WEB_SCREENSHOT=1 to refresh docs/img/web.png (the README's picture).
"""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ASSESS_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
CHROMIUM = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
pytest.importorskip("flask", reason="Flask is not installed (pip install '.[web]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install '.[web]')")

from assess.web import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "某村村规民约（修订草案）.docx"
SCREENSHOT = ROOT / "docs" / "img" / "web.png"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
HIGHLIGHTS = {"rgb(255, 170, 170)", "rgb(255, 224, 102)", "rgb(168, 216, 255)"}  # assess/reports/html.py COLOURS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("web-e2e")
    box, ready, lines = {}, threading.Event(), []

    def on_ready(srv):
        box["server"] = srv
        ready.set()

    t = threading.Thread(target=serve, args=("127.0.0.1", 0, data), kwargs={"echo": lines.append, "ready": on_ready}, daemon=True)
    t.start()
    assert ready.wait(60), "server did not start"
    srv = box["server"]
    yield f"http://127.0.0.1:{srv.server_port}", data
    srv.shutdown()
    t.join(15)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as e:  # noqa: BLE001 - a broken browser install is a skip, not a failure
            pytest.skip(f"chromium cannot be started: {e}")
        yield b
        b.close()


def test_upload_review_decide_download(server, browser, tmp_path):
    base, data = server
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(120_000)  # a loaded shared machine: the first review also starts the worker process
    page = ctx.new_page()
    outside = []
    page.on("request", lambda req: None if req.url.startswith(base) or req.url.startswith("data:") else outside.append(req.url))
    page.goto(base + "/")
    page.set_input_files("#files", str(EXAMPLE))
    page.click("#upload-button")
    page.wait_for_url("**/u/*", timeout=120_000)
    # the review runs in the background; the page polls and reloads when it is done
    link = page.get_by_role("link", name=EXAMPLE.name)
    link.wait_for(timeout=180_000)
    link.click()
    page.wait_for_selector("mark[data-f]")

    marks = page.locator("mark[data-f]")
    cards = page.locator(".fwrap")
    n = cards.count()
    assert n > 0 and marks.count() > 0
    colours = {marks.nth(i).evaluate("m => getComputedStyle(m).backgroundColor") for i in range(marks.count())}
    assert colours & HIGHLIGHTS, colours
    text = page.locator("section.doc .text").inner_text()
    assert "第一条" in text and marks.first.inner_text() in text

    # clicking a highlight opens its card in the side panel
    marks.first.click()
    assert page.locator(".card.active").count() == 1

    # the severity filter hides cards with their forms
    high = page.locator('input[data-filter="sev"][value="high"]')
    n_high = page.locator('.fwrap .card[data-sev="high"]').count()
    high.uncheck()
    assert page.locator(".fwrap.hidden").count() == n_high
    high.check()
    assert page.locator(".fwrap.hidden").count() == 0

    # mark the first finding a false positive, with a reason
    first = cards.first
    fid = first.locator(".card .h a").first.inner_text()
    first.locator('input[name="reason"]').fill("条文引用的是上级文件原文，已另行核实")
    first.locator('input[name="reviewer"]').fill("李四")
    first.locator('button[value="false-positive"]').click()
    page.wait_for_selector(".decided")
    assert "误报" in page.locator(".fwrap").first.locator(".decided").inner_text()
    assert page.locator(".fwrap").count() == n  # reviewed findings stay visible

    if os.environ.get("ASSESS_WEB_SCREENSHOT"):
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("aside.panel").evaluate("p => p.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT))
    shot = page.screenshot()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"

    # downloads: annotated Word copy (one comment per finding, the decision in its comment) and ledger
    with page.expect_download() as dl:
        page.click("#dl-docx")
    path = tmp_path / "annotated.docx"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert comments.count("<w:comment ") == n
    assert "已审：误报" in comments and "条文引用的是上级文件原文" in comments

    import openpyxl

    with page.expect_download() as dl:
        page.click("#dl-xlsx")
    path = tmp_path / "ledger.xlsx"
    dl.value.save_as(path)
    wb = openpyxl.load_workbook(path)
    rows = list(wb["问题台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == n
    flagged = [r for r in rows if any("误报" in str(v) for v in r if v)]
    assert len(flagged) == 1, fid

    # the decision is stored in the CLI's decisions format
    from assess.decisions import load_decisions

    ds = load_decisions(Path(data) / "decisions.yaml")
    assert [d["decision"] for d in ds] == ["false-positive"] and ds[0]["reviewer"] == "李四"

    # history lists the upload; nothing was requested from another host
    page.goto(base + "/history")
    assert EXAMPLE.name in page.content()
    assert outside == []
    ctx.close()


def test_bad_upload_shows_error_and_server_keeps_serving(server, browser, tmp_path):
    base, _ = server
    bad = tmp_path / "扫描件.pdf"
    bad.write_bytes(b"this is not a pdf")
    page = browser.new_page()
    page.set_default_timeout(120_000)
    page.goto(base + "/")
    page.set_input_files("#files", str(bad))
    page.click("#upload-button")
    page.wait_for_url("**/u/*", timeout=120_000)
    page.wait_for_selector(".doc-error")
    assert "内容不是 PDF" in page.locator(".doc-error").inner_text()
    page.goto(base + "/")
    assert page.locator("#upload-form").count() == 1
    page.close()
