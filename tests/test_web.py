"""`assess serve`: every route through the Flask test client, including bad and hostile uploads."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest

flask = pytest.importorskip("flask")

from assess.decisions import load_decisions  # noqa: E402
from assess.pipeline import Options  # noqa: E402
from assess.web import create_app, is_loopback  # noqa: E402
from assess.web.uploads import UploadLimits, zip_member_path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "某村村规民约（修订草案）.docx"
VILLAGE_TXT = "某村村规民约\n第一条 外嫁女及其子女不再享受本村集体经济组织成员待遇，不参与土地补偿费分配。\n第二条 村民代表会议中妇女代表人数不少于三分之一。\n"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def csrf(client, path="/") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post_files(client, files, token=None, **extra):
    data = {"csrf_token": token if token is not None else csrf(client), "files": files}
    data.update(extra)
    return client.post("/upload", data=data, content_type="multipart/form-data")


def make_zip(entries: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    bio = io.BytesIO()
    with zipfile.ZipFile(bio, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return bio.getvalue()


def doc_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/d/(\d+)"', html)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("webdata")
    app = create_app(data, sync=True, options=Options())
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def reviewed(app):
    """One upload of the bundled village rules, reviewed: (client, upload url, doc id)."""
    c = app.test_client()
    r = post_files(c, [(open(EXAMPLE, "rb"), EXAMPLE.name)])
    assert r.status_code == 303
    url = r.headers["Location"]
    page = c.get(url).get_data(as_text=True)
    ids = doc_ids(page)
    assert len(ids) == 1
    return c, url, ids[0]


def test_loopback_and_data_dir_private(app):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    svc = app.extensions["assess"]
    assert stat.S_IMODE(os.stat(svc.data).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(svc.uploads).st_mode) == 0o700


def test_index_headers_and_offline(app):
    c = app.test_client()
    r = c.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "上传并审查" in html and 'enctype="multipart/form-data"' in html
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert not re.search(r"(src|href|action)=\"(https?:)?//", html)  # nothing from another host
    assert "<script>" not in html and " style=" not in html  # CSP: no inline script or style


def test_static_assets(app):
    c = app.test_client()
    for path, kind in (("/static/report.css", "text/css"), ("/static/report.js", "javascript"), ("/static/web.css", "text/css"), ("/static/web.js", "javascript")):
        r = c.get(path)
        assert r.status_code == 200 and kind in r.content_type, path
        assert "http://" not in r.get_data(as_text=True) and "https://" not in r.get_data(as_text=True)


def test_upload_and_document_page(app, reviewed):
    c, url, doc_id = reviewed
    page = c.get(url).get_data(as_text=True)
    assert EXAMPLE.name in page and "建议" in page
    r = c.get(f"/d/{doc_id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    n = len(app.extensions["assess"].stored_findings(doc_id))
    assert n > 0
    assert html.count('class="fwrap') == n
    assert '<mark class="sev-' in html
    for word in ("法律依据", "修改建议", "问题说明", "妇女权益保障法"):
        assert word in html
    assert html.count('name="decision" value="false-positive"') == n
    for f in ("docx", "opinion", "xlsx", "json"):
        assert f"/d/{doc_id}/download/{f}" in html


def test_status_json(reviewed):
    c, url, _ = reviewed
    r = c.get(url + "/status.json")
    s = r.get_json()
    assert s["total"] == 1 and s["done"] == 1 and s["running"] is False


def test_filters_server_side(app, reviewed):
    c, _, doc_id = reviewed
    fs = app.extensions["assess"].stored_findings(doc_id)
    html = c.get(f"/d/{doc_id}?sev=high").get_data(as_text=True)
    hidden = html.count('class="fwrap hidden"')
    assert hidden == sum(1 for f in fs if f["severity"] != "high")
    cat = fs[0]["category"]
    html = c.get(f"/d/{doc_id}?cat={cat}").get_data(as_text=True)
    assert html.count('class="fwrap hidden"') == sum(1 for f in fs if f["category"] != cat)
    assert f'value="{cat}" checked' in html


def test_csrf_required(app):
    c = app.test_client()
    c.get("/")
    r = c.post("/upload", data={"files": [(io.BytesIO(VILLAGE_TXT.encode()), "a.txt")]}, content_type="multipart/form-data")
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = post_files(c, [(io.BytesIO(VILLAGE_TXT.encode()), "a.txt")], token="wrong")
    assert r.status_code == 400
    # the header form (used by the upload script) works
    tok = csrf(c)
    r = c.post("/upload", data={"files": [(io.BytesIO(VILLAGE_TXT.encode()), "a.txt")]}, content_type="multipart/form-data",
               headers={"X-CSRF-Token": tok, "X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 200 and r.get_json()["url"].startswith("/u/")


def test_no_files(app):
    c = app.test_client()
    r = post_files(c, [])
    assert r.status_code == 400 and "请选择" in r.get_data(as_text=True)


def test_bad_files_shown_per_document(app):
    """Wrong content for the extension, unsupported types, empty and corrupt files: each one shows its
    reason on the upload page; the good file is reviewed; the server keeps serving."""
    c = app.test_client()
    files = [
        (io.BytesIO(b"just text, not a PDF"), "假的.pdf"),
        (io.BytesIO(b"MZ\x90\x00binary"), "程序.txt"),
        (io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), "旧版.doc"),
        (io.BytesIO(b""), "空.txt"),
        (io.BytesIO(b"%PDF-1.4\n%broken\n"), "坏.pdf"),
        (io.BytesIO(make_zip({"word/document.xml": "<not-xml"})), "坏.docx"),
        (io.BytesIO(VILLAGE_TXT.encode("utf-8")), "好.txt"),
    ]
    r = post_files(c, files)
    assert r.status_code == 303
    html = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "内容不是 PDF" in html
    assert "内容不是文本" in html
    assert ".doc" in html and "另存为 .docx" in html
    assert "空文件" in html
    assert html.count("无法审查") >= 6
    assert "好.txt" in html
    good = [i for i in doc_ids(html)]
    assert len(good) == 1
    assert c.get(f"/d/{good[0]}").status_code == 200
    # a failed document's page shows the error instead of text
    svc = app.extensions["assess"]
    run = svc.run_of(r.headers["Location"].rsplit("/", 1)[1])
    bad = [d for d in svc.documents_of(run["id"]) if d["shown_path"] == "坏.pdf"][0]
    assert bad["status"] == "error"
    page = c.get(f"/d/{bad['id']}").get_data(as_text=True)
    assert 'id="error"' in page
    assert c.get("/").status_code == 200


def test_zip_of_village_folders(app):
    c = app.test_client()
    z = make_zip({
        "城关镇/东村/村规民约.txt": VILLAGE_TXT,
        "城关镇/西村/村规民约.docx": EXAMPLE.read_bytes(),
        "城关镇/西村/照片.jpg": b"\xff\xd8\xff\xe0",
        "__MACOSX/._x": b"junk",
    })
    r = post_files(c, [(io.BytesIO(z), "档案.zip")])
    assert r.status_code == 303
    svc = app.extensions["assess"]
    run = svc.run_of(r.headers["Location"].rsplit("/", 1)[1])
    docs = {d["shown_path"]: d for d in svc.documents_of(run["id"])}
    assert docs["城关镇/东村/村规民约.txt"]["status"] == "done"
    assert docs["城关镇/东村/村规民约.txt"]["township"] == "城关镇"
    assert docs["城关镇/东村/村规民约.txt"]["village"] == "东村"
    assert docs["城关镇/西村/村规民约.docx"]["status"] == "done"
    assert docs["城关镇/西村/照片.jpg"]["status"] == "unsupported"
    assert not any("MACOSX" in k for k in docs)
    # whole-upload downloads: a zip of annotated copies, one ledger for both
    r = c.get(r.headers["Location"] + "/download/docx")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.data)) as zz:
        assert len(zz.namelist()) == 2
    import openpyxl

    r = c.get(f"/u/{run['uid']}/download/xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    rows = list(wb["问题台账"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(d["n_findings"] for d in docs.values())
    for fmt in ("opinion", "json"):
        assert c.get(f"/u/{run['uid']}/download/{fmt}").status_code == 200


def test_zip_path_traversal(app, tmp_path):
    assert zip_member_path("../../etc/passwd") is None
    assert zip_member_path("/etc/passwd") is None
    assert zip_member_path("C:/x.txt") is None
    assert zip_member_path("a\\..\\..\\b.txt") is None
    assert str(zip_member_path("镇/村/a.txt")) == "镇/村/a.txt"
    c = app.test_client()
    svc = app.extensions["assess"]
    z = make_zip({"../../escape.txt": VILLAGE_TXT, "/abs.txt": VILLAGE_TXT, "ok/村规.txt": VILLAGE_TXT})
    r = post_files(c, [(io.BytesIO(z), "evil.zip")])
    assert r.status_code == 303
    html = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "不安全的路径" in html
    assert not (svc.data / "escape.txt").exists() and not (svc.uploads / "escape.txt").exists()
    assert not Path("/abs.txt").exists()
    for p in svc.data.rglob("*"):
        assert svc.data in p.resolve().parents or p.resolve() == svc.data


def test_zip_bomb_and_entry_limits(tmp_path):
    limits = UploadLimits(max_zip_entries=5, max_zip_total_bytes=5 * 1024 * 1024, max_file_bytes=4 * 1024 * 1024)
    app = create_app(tmp_path / "d", sync=True, limits=limits, options=Options(use_model=False))
    c = app.test_client()
    bomb = make_zip({"a.txt": b"0" * (20 * 1024 * 1024)})  # 20 MB of zeros, ~20 KB compressed
    assert len(bomb) < 100_000
    r = post_files(c, [(io.BytesIO(bomb), "bomb.zip")])
    assert r.status_code == 400 and "解压后过大" in r.get_data(as_text=True)
    ratio = make_zip({"a.txt": b"0" * (3 * 1024 * 1024)})  # within sizes, absurd ratio
    r = post_files(c, [(io.BytesIO(ratio), "ratio.zip")])
    assert r.status_code == 400 and "压缩炸弹" in r.get_data(as_text=True)
    many = make_zip({f"{i}.txt": VILLAGE_TXT for i in range(6)})
    r = post_files(c, [(io.BytesIO(many), "many.zip")])
    assert r.status_code == 400 and "条目过多" in r.get_data(as_text=True)
    assert list((tmp_path / "d" / "uploads").iterdir()) == []  # refused uploads leave nothing behind


def test_size_and_count_limits(tmp_path):
    limits = UploadLimits(max_request_bytes=200_000, max_file_bytes=50_000, max_files=2)
    app = create_app(tmp_path / "d", sync=True, limits=limits, options=Options(use_model=False))
    c = app.test_client()
    r = post_files(c, [(io.BytesIO(b"a" * 300_000), "big.txt")])
    assert r.status_code == 413 and "过大" in r.get_data(as_text=True)
    r = post_files(c, [(io.BytesIO(b"a" * 60_000), "big.txt")])
    assert r.status_code == 400 and "文件过大" in r.get_data(as_text=True)
    r = post_files(c, [(io.BytesIO(VILLAGE_TXT.encode()), f"{i}.txt") for i in range(3)])
    assert r.status_code == 400 and "最多" in r.get_data(as_text=True)
    z = make_zip({f"{i}.txt": VILLAGE_TXT for i in range(3)})
    r = post_files(c, [(io.BytesIO(z), "three.zip")])
    assert r.status_code == 400 and "最多" in r.get_data(as_text=True)
    r = post_files(c, [(io.BytesIO(b"PK\x03\x04garbage"), "broken.zip")])
    assert r.status_code == 400 and "损坏" in r.get_data(as_text=True)


def test_decisions_roundtrip(app, reviewed):
    c, _, doc_id = reviewed
    svc = app.extensions["assess"]
    fs = svc.stored_findings(doc_id)
    fp = fs[0]["fingerprint"]
    tok = csrf(c, f"/d/{doc_id}")
    r = c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": fp, "decision": "false-positive"})
    assert r.status_code == 400 and "理由" in r.get_data(as_text=True)
    r = c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": "0" * 16, "decision": "accepted"})
    assert r.status_code == 400
    r = c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": fp, "decision": "bogus"})
    assert r.status_code == 400
    r = c.post(f"/d/{doc_id}/decision", data={"fingerprint": fp, "decision": "accepted"})
    assert r.status_code == 400  # no CSRF token
    r = c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": fp, "decision": "false-positive",
                                              "reason": "引用的是法律原文", "reviewer": "张三", "fid": "d1-F001"})
    assert r.status_code == 303 and r.headers["Location"].endswith("#d1-F001-card")
    ds = load_decisions(svc.decisions_path)  # the CLI's --decisions format
    assert ds == [{"fingerprint": fp, "decision": "false-positive", "reviewer": "张三", "reason": "引用的是法律原文", "date": ds[0]["date"]}]
    html = c.get(f"/d/{doc_id}").get_data(as_text=True)
    assert "审查决定：<b>误报</b>" in html and "引用的是法律原文" in html
    stored = [f for f in svc.stored_findings(doc_id) if f["fingerprint"] == fp][0]
    assert stored["decision"]["decision"] == "false-positive"  # mirrored into the batch store
    r = c.get("/decisions.yaml")
    assert r.status_code == 200 and fp in r.get_data(as_text=True)
    # the ledger and JSON carry it
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(c.get(f"/d/{doc_id}/download/xlsx").data))
    assert any("误报" in str(v) for row in wb["问题台账"].iter_rows(values_only=True) for v in row if v)
    data = json.loads(c.get(f"/d/{doc_id}/download/json").data)
    assert [f["decision"]["decision"] for f in data["documents"][0]["findings"] if f["fingerprint"] == fp] == ["false-positive"]
    # replace and clear
    c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": fp, "decision": "accepted"})
    assert load_decisions(svc.decisions_path)[0]["decision"] == "accepted"
    c.post(f"/d/{doc_id}/decision", data={"csrf_token": tok, "fingerprint": fp, "decision": "clear"})
    assert load_decisions(svc.decisions_path) == []


def test_document_downloads(app, reviewed):
    import docx
    import openpyxl

    c, _, doc_id = reviewed
    n = len(app.extensions["assess"].stored_findings(doc_id))
    r = c.get(f"/d/{doc_id}/download/docx")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert comments.count("<w:comment ") == n
    d = docx.Document(io.BytesIO(r.data))
    assert any("男女平等评估意见书" in p.text for p in d.paragraphs)
    r = c.get(f"/d/{doc_id}/download/opinion")
    d = docx.Document(io.BytesIO(r.data))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "男女平等评估意见书"  # no blank first page before it
    assert len(d.tables) >= 1
    r = c.get(f"/d/{doc_id}/download/xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert len(list(wb["问题台账"].iter_rows(min_row=2, values_only=True))) == n
    r = c.get(f"/d/{doc_id}/download/json")
    assert json.loads(r.data)["schema"] == "assess-report/1"
    assert c.get(f"/d/{doc_id}/download/exe").status_code == 404
    assert c.get("/d/999999/download/docx").status_code == 404


def test_history_uses_batch_store(app, reviewed):
    from assess.batch.store import Store

    c, url, _ = reviewed
    html = c.get("/history").get_data(as_text=True)
    assert url in html and EXAMPLE.name in html
    svc = app.extensions["assess"]
    st = Store(svc.data, create=False, readonly=True)
    try:
        runs = st.runs()
        assert runs and runs[0]["argv"][0] == "web"
        assert any(d["shown_path"] == EXAMPLE.name and d["status"] == "done" for d in st.documents())
    finally:
        st.close()


def test_not_found_pages(app):
    c = app.test_client()
    assert c.get("/u/nope").status_code == 404
    assert c.get("/u/nope/status.json").status_code == 404
    assert c.get("/u/nope/download/xlsx").status_code == 404
    assert c.get("/d/424242").status_code == 404
    r = c.post("/d/424242/decision", data={"csrf_token": csrf(c)})
    assert r.status_code == 404
    assert "页面不存在" in c.get("/nope").get_data(as_text=True)


def test_retention_purge(tmp_path):
    app = create_app(tmp_path / "d", sync=True, retention_days=1, options=Options(use_model=False))
    c = app.test_client()
    r = post_files(c, [(io.BytesIO(VILLAGE_TXT.encode()), "村规.txt")])
    svc = app.extensions["assess"]
    uid = r.headers["Location"].rsplit("/", 1)[1]
    folder = svc.uploads / uid
    assert folder.is_dir()
    assert svc.purge() == 0
    old = time.time() - 3 * 86400
    os.utime(folder, (old, old))
    assert svc.purge() == 1
    assert not folder.exists()
    html = c.get(f"/u/{uid}").get_data(as_text=True)  # the history stays
    ids = doc_ids(html)
    page = c.get(f"/d/{ids[0]}").get_data(as_text=True)
    assert "保留期限" in page and "外嫁女" in page  # stored findings still listed
    assert "原文件已删除" in c.get("/history").get_data(as_text=True)
    # purge on start
    (svc.uploads / "20000101-000000-aaaaaaaa").mkdir()
    os.utime(svc.uploads / "20000101-000000-aaaaaaaa", (old, old))
    create_app(tmp_path / "d", sync=True, retention_days=1)
    assert not (svc.uploads / "20000101-000000-aaaaaaaa").exists()


def test_token_required_for_remote(tmp_path):
    app = create_app(tmp_path / "d", sync=True, token="s3cret-token", options=Options(use_model=False))
    c = app.test_client()
    r = c.get("/")
    assert r.status_code == 403 and "令牌" in r.get_data(as_text=True)
    assert c.get("/history").status_code == 403
    assert c.get("/?token=wrong").status_code == 403
    assert c.get("/", headers={"X-Assess-Token": "s3cret-token"}).status_code == 200
    r = c.get("/history?token=s3cret-token")
    assert r.status_code == 302 and "token" not in r.headers["Location"]
    assert "assess_token=s3cret-token" in r.headers.get("Set-Cookie", "")
    assert c.get("/history").status_code == 200  # the cookie from now on
    c2 = app.test_client()
    assert c2.post("/upload").status_code == 403


def test_serve_refuses_remote_without_flag(tmp_path):
    from assess.errors import AssessError
    from assess.web import serve

    with pytest.raises(AssessError, match="--allow-remote"):
        serve("0.0.0.0", 0, tmp_path / "d")


def test_serve_prints_address_and_serves(tmp_path):
    import threading
    import urllib.request

    from assess.web import serve

    lines, box = [], {}
    ready = threading.Event()

    def on_ready(server):
        box["server"] = server
        ready.set()

    t = threading.Thread(target=serve, args=("127.0.0.1", 0, tmp_path / "d"), kwargs={"echo": lines.append, "ready": on_ready, "options": Options(use_model=False)}, daemon=True)
    t.start()
    assert ready.wait(30)
    port = box["server"].server_port
    try:
        assert lines[0] == f"请在浏览器中打开：http://127.0.0.1:{port}/"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
            assert resp.status == 200 and "上传并审查" in resp.read().decode("utf-8")
    finally:
        box["server"].shutdown()
        t.join(10)


def test_cli_serve_help_and_refusal(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "serve", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and "--allow-remote" in out.stdout and "--retention-days" in out.stdout
    out = subprocess.run([sys.executable, str(ROOT / "cli.py"), "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "--allow-remote" in out.stderr


def _wait_idle(client, url, limit=180):
    deadline = time.time() + limit
    while time.time() < deadline:
        s = client.get(url + "/status.json").get_json()
        if not s["running"]:
            return s
        time.sleep(0.3)
    raise AssertionError("review did not finish")


def test_isolated_worker_reviews_and_times_out(tmp_path):
    """`assess serve` reviews in a worker process: results as in-process; a document past the
    deadline is recorded as timed out and the server goes on."""
    app = create_app(tmp_path / "d", isolate=True, timeout=120, options=Options(use_model=False))
    svc = app.extensions["assess"]
    try:
        c = app.test_client()
        r = post_files(c, [(io.BytesIO(VILLAGE_TXT.encode()), "村规.txt")])
        url = r.headers["Location"]
        _wait_idle(c, url)
        (doc,) = svc.documents_of(svc.run_of(url.rsplit("/", 1)[1])["id"])
        assert doc["status"] == "done" and doc["n_findings"] >= 1
        assert "外嫁女" in c.get(f"/d/{doc['id']}").get_data(as_text=True)
        svc.timeout = 0.0  # every document is now overdue as soon as it is dispatched
        big = "某村村规民约\n" + "".join(f"第{i}条 外嫁女不参与第{i}年度的集体收益分配。\n" for i in range(1, 3000))
        r = post_files(c, [(io.BytesIO(big.encode()), "慢.txt")])
        url = r.headers["Location"]
        _wait_idle(c, url)
        (doc,) = svc.documents_of(svc.run_of(url.rsplit("/", 1)[1])["id"])
        assert doc["status"] == "error" and doc["error_code"] == "E111" and "超时" in doc["error_message"]
        assert "超时" in c.get(url).get_data(as_text=True)
    finally:
        svc.stop()


def test_isolated_workers_review_an_upload_in_parallel(tmp_path):
    """`assess serve --jobs 2`: two worker processes share one upload's files; every file is
    reviewed once, as in one process."""
    app = create_app(tmp_path / "d", isolate=True, timeout=120, options=Options(use_model=False), jobs=2)
    svc = app.extensions["assess"]
    try:
        c = app.test_client()
        files = [(io.BytesIO(VILLAGE_TXT.replace("村规民约", f"第{i}村村规民约").encode()), f"村规{i}.txt") for i in range(5)]
        r = post_files(c, files)
        url = r.headers["Location"]
        _wait_idle(c, url)
        docs = svc.documents_of(svc.run_of(url.rsplit("/", 1)[1])["id"])
        assert sorted(d["shown_path"] for d in docs) == sorted(f"村规{i}.txt" for i in range(5))
        assert all(d["status"] == "done" and d["n_findings"] >= 1 for d in docs)
        assert len({d["n_findings"] for d in docs}) == 1
        assert svc._pool is not None and svc._pool.n == 2
    finally:
        svc.stop()


def test_loopback_refuses_other_host_names(app):
    """DNS rebinding: a page served as evil.example that resolves to 127.0.0.1 gets nothing."""
    c = app.test_client()
    assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert c.get("/history", headers={"Host": "evil.example:8765"}).status_code == 400
    assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    assert c.get("/", headers={"Host": "localhost:8765"}).status_code == 200


def test_one_server_per_data_dir(tmp_path):
    import threading

    from assess.errors import AssessError
    from assess.web import serve

    box, ready = {}, threading.Event()

    def on_ready(server):
        box["server"] = server
        ready.set()

    t = threading.Thread(target=serve, args=("127.0.0.1", 0, tmp_path / "d"), kwargs={"echo": lambda m: None, "ready": on_ready, "options": Options(use_model=False)}, daemon=True)
    t.start()
    assert ready.wait(30)
    try:
        with pytest.raises(AssessError, match="数据目录正被"):
            serve("127.0.0.1", 0, tmp_path / "d", echo=lambda m: None)
    finally:
        box["server"].shutdown()
        t.join(10)


def test_restart_marks_cut_off_reviews(tmp_path):
    app = create_app(tmp_path / "d", sync=True, options=Options(use_model=False))
    svc = app.extensions["assess"]
    run_id = svc.store.start_run(["web", "20260101-000000-deadbeef", "a.txt"])
    (svc.uploads / "20260101-000000-deadbeef").mkdir()
    app2 = create_app(tmp_path / "d", sync=True)
    assert [r["status"] for r in app2.extensions["assess"].runs() if r["id"] == run_id] == ["interrupted"]
    assert "已中断" in app2.test_client().get("/history").get_data(as_text=True)
