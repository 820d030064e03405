"""The Flask app of `assess serve`: upload, review, read findings, decide, download, history.

Routes (all pages server-rendered; the small scripts in static/ only add the upload progress bar,
instant filters and click-to-card; everything works without them):

    GET  /                          upload form and the latest uploads
    POST /upload                    documents or a zip → an upload (CSRF-checked)
    GET  /u/<uid>                   one upload: progress, its documents, downloads for all
    GET  /u/<uid>/status.json       progress as JSON (the page polls it)
    GET  /u/<uid>/download/<fmt>    docx (zip of annotated copies) | opinion | xlsx | json
    GET  /d/<id>                    one document: text with highlights, findings panel, filters
    POST /d/<id>/decision           mark a finding accepted / false positive / … (CSRF-checked)
    GET  /d/<id>/download/<fmt>     docx | opinion | xlsx | json
    GET  /history                   earlier reviews (the batch store's runs)
    GET  /decisions.yaml            the reviewed decisions file (for `assess check --decisions`)
    GET  /static/report.css|.js     the HTML report's CSS and filter script (assess/reports/html.py)

Safety: loopback by default; otherwise an access token is required on every request (header
X-Assess-Token, cookie, or ?token= once, which sets the cookie); CSRF token per session on every
POST; strict Content-Security-Policy (default-src 'self'), no external URL anywhere.
"""

from __future__ import annotations

import hmac
import secrets
from flask import Flask, Response, abort, jsonify, redirect, render_template, request, session, url_for
from markupsafe import Markup

from ..decisions import DECISION_ZH, DECISIONS
from ..errors import AssessError
from ..findings import CATEGORIES, SEVERITIES, SEVERITY_ZH

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
TOKEN_COOKIE = "assess_token"
FORMATS_ZH = {"docx": "带批注的 Word", "opinion": "评估意见书（Word）", "xlsx": "台账（Excel）", "json": "JSON"}


def create_app(data_dir, *, options=None, retention_days: float = 30.0, limits=None, token: str | None = None,
               sync: bool = False, start: bool = True, isolate: bool = False, timeout: float = 120.0, jobs: int = 1) -> Flask:
    """The app. `token`: required on every request when set (remote access). `sync`: review inside
    the upload request (tests); otherwise a background thread reviews and pages show progress.
    `isolate`: review in `jobs` worker processes with a per-document `timeout` (what `assess serve` uses)."""
    from .service import Service

    svc = Service(data_dir, options=options, retention_days=retention_days, limits=limits, sync=sync, isolate=isolate, timeout=timeout,
                  jobs=jobs)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.secret_key = svc.secret_key()
    app.config.update(
        MAX_CONTENT_LENGTH=svc.limits.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="assess_session",
    )
    app.extensions["assess"] = svc
    app.config["ASSESS_TOKEN"] = token
    if not token:
        # loopback service: refuse other Host names, so a web page that rebinds its own name to
        # 127.0.0.1 (DNS rebinding) cannot read this page from the reviewer's browser
        app.config["TRUSTED_HOSTS"] = ["127.0.0.1", "localhost", "::1", "[::1]"]
    if start:
        svc.start()

    @app.before_request
    def _guard():
        tok = app.config.get("ASSESS_TOKEN")
        if tok:
            given = request.headers.get("X-Assess-Token") or request.cookies.get(TOKEN_COOKIE) or request.args.get("token")
            if not given or not hmac.compare_digest(str(given), tok):
                return _page_error("需要访问令牌：请使用启动时显示的完整地址（含 token=…）打开本页面。", 403)
            if request.args.get("token") and request.method == "GET":
                # once: keep it in a cookie and drop it from the address bar
                args = {k: v for k, v in request.args.items() if k != "token"}
                resp = redirect(url_for(request.endpoint, **(request.view_args or {}), **args) if request.endpoint else "/")
                resp.set_cookie(TOKEN_COOKIE, tok, httponly=True, samesite="Strict")
                return resp
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        if request.method == "POST":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(str(sent), session["csrf"]):
                return _page_error("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。", 400)

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if resp.mimetype == "text/html":
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.context_processor
    def _ctx():
        return {"csrf_token": session.get("csrf", ""), "SEVERITY_ZH": SEVERITY_ZH, "CATEGORIES": CATEGORIES,
                "DECISION_ZH": DECISION_ZH, "FORMATS_ZH": FORMATS_ZH, "fmt_time": _fmt_time}

    def _page_error(message: str, status: int):
        return render_template("error.html", message=message), status

    @app.errorhandler(413)
    def _too_large(e):
        mb = svc.limits.max_request_bytes // (1024 * 1024)
        return _page_error(f"上传内容过大（一次最多 {mb} MB），请分批上传。", 413)

    @app.errorhandler(404)
    def _not_found(e):
        return _page_error("页面不存在。", 404)

    @app.errorhandler(AssessError)
    def _assess_error(e):
        return _page_error(str(e), 400)

    @app.errorhandler(500)
    def _internal(e):
        return _page_error("内部错误：请求未能完成，服务仍在运行。请重试或报告此问题。", 500)

    # ---------------------------------------------------------------- pages
    @app.get("/")
    def index():
        return render_template("index.html", runs=svc.runs()[:10], limits=svc.limits, retention=svc.retention_days)

    @app.post("/upload")
    def upload():
        from .uploads import UploadError, save_upload

        files = [f for f in request.files.getlist("files") if f and f.filename]
        wants_json = request.headers.get("X-Requested-With") == "XMLHttpRequest"
        if not files:
            return _fail("请选择要上传的文件（.docx、.pdf、.txt 或 .zip）。", wants_json)
        if len(files) > svc.limits.max_files:
            return _fail(f"一次最多上传 {svc.limits.max_files} 个文件。", wants_json)
        uid, folder = svc.upload_folder()
        saved, budget = [], [svc.limits.max_files]
        try:
            for f in files:
                saved.extend(save_upload(f, folder, svc.limits, budget))
        except UploadError as e:
            svc.discard_upload(uid)
            return _fail(str(e), wants_json)
        if not saved:
            svc.discard_upload(uid)
            return _fail("上传的压缩包中没有可审查的文件。", wants_json)
        svc.new_upload(uid, saved, [f.filename for f in files])
        target = url_for("upload_page", uid=uid)
        if wants_json:
            return jsonify({"url": target, "id": uid})
        return redirect(target, code=303)

    def _fail(message, wants_json):
        if wants_json:
            return jsonify({"error": message}), 400
        return render_template("index.html", runs=svc.runs()[:10], limits=svc.limits, retention=svc.retention_days, error=message), 400

    @app.get("/u/<uid>")
    def upload_page(uid):
        run = svc.run_of(uid)
        if run is None:
            abort(404)
        prog = svc.progress(uid)
        docs = svc.documents_of(run["id"])
        return render_template("upload.html", run=run, docs=docs, prog=prog)

    @app.get("/u/<uid>/status.json")
    def upload_status(uid):
        run = svc.run_of(uid)
        if run is None:
            abort(404)
        return jsonify(svc.progress(uid))

    @app.get("/u/<uid>/download/<fmt>")
    def upload_download(uid, fmt):
        run = svc.run_of(uid)
        if run is None or fmt not in FORMATS_ZH:
            abort(404)
        results = []
        for d in svc.documents_of(run["id"]):
            if d["status"] == "done":
                results.append(svc.result(d["id"]))
        if not results:
            return _page_error("这次上传没有审查成功的文件，无法生成下载。", 400)
        return _send(*svc.render(results, fmt))

    @app.get("/d/<int:doc_id>")
    def document_page(doc_id):
        row = svc.document(doc_id)
        if row is None:
            abort(404)
        uid = svc.uid_of_run(row["run_id"])
        sev_on = set(request.args.getlist("sev")) or set(SEVERITIES)
        cat_on = set(request.args.getlist("cat")) or set(CATEGORIES)
        error, body, findings, result = None, None, [], None
        if row["status"] != "done":
            error = row["error_message"] or "该文件无法审查"
        else:
            try:
                result = svc.result(doc_id)
                findings = result.findings
                body = Markup(render_body(result))
            except AssessError as e:
                error = str(e)
                findings = [_FindingView(x) for x in svc.stored_findings(doc_id)]
        cats = [c for c in CATEGORIES if any(f.category == c for f in findings)]
        return render_template("document.html", row=row, uid=uid, result=result, body=body, findings=findings,
                               error=error, sev_on=sev_on, cat_on=cat_on, cats=cats, cards=lambda f: Markup(card_html(f, result)),
                               decisions=DECISIONS)

    @app.post("/d/<int:doc_id>/decision")
    def decide(doc_id):
        row = svc.document(doc_id)
        if row is None:
            abort(404)
        fp = request.form.get("fingerprint", "")
        decision = request.form.get("decision", "")
        reason = request.form.get("reason", "").strip()[:500]
        reviewer = request.form.get("reviewer", "").strip()[:50]
        known = {f.get("fingerprint") for f in svc.stored_findings(doc_id)}
        if fp not in known:
            return _page_error("没有这个问题（指纹不匹配），请刷新页面。", 400)
        if decision == "clear":
            svc.decide(fp, None)
        elif decision in DECISIONS:
            if decision in ("false-positive", "not-applicable") and not reason:
                return _page_error("标记为误报或不适用时请填写理由。", 400)
            svc.decide(fp, decision, reason, reviewer)
        else:
            return _page_error("无效的审查决定。", 400)
        anchor = request.form.get("fid", "")
        return redirect(url_for("document_page", doc_id=doc_id) + (f"#{anchor}-card" if anchor.replace("-", "").isalnum() else ""), code=303)

    @app.get("/d/<int:doc_id>/download/<fmt>")
    def document_download(doc_id, fmt):
        if fmt not in FORMATS_ZH or svc.document(doc_id) is None:
            abort(404)
        return _send(*svc.render([svc.result(doc_id)], fmt))

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/history")
    def history():
        return render_template("history.html", runs=svc.runs())

    @app.get("/decisions.yaml")
    def decisions_file():
        data = svc.decisions_path.read_bytes() if svc.decisions_path.exists() else b"[]\n"
        return _send(data, "decisions.yaml", "application/x-yaml")

    @app.get("/static/report.css")
    def report_css():
        from ..reports.html import CSS

        return Response(CSS, mimetype="text/css")

    @app.get("/static/report.js")
    def report_js():
        from ..reports.html import JS

        return Response(JS, mimetype="text/javascript")

    return app


def _send(data: bytes, name: str, mimetype: str) -> Response:
    from urllib.parse import quote

    resp = Response(data, mimetype=mimetype)
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
    resp.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return resp


def _fmt_time(t) -> str:
    import datetime as _dt

    if not t:
        return ""
    return _dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


class _FindingView:
    """A stored finding (dict) with attribute access, for documents whose file is gone."""

    def __init__(self, d: dict):
        self.__dict__.update(d)
        loc = d.get("location") or {}
        self.location = type("L", (), loc)()
        self.legal_basis = d.get("legal_basis") or []


def render_body(result) -> str:
    """The document text in its structure with highlighted findings (the HTML report's renderer
    without its inline cards: the page shows them in the side panel)."""
    from ..reports.html import _DocRenderer

    class _Body(_DocRenderer):
        def _cards_for(self, lo, hi, placed):
            return []

        def card(self, f):
            return ""

    return _Body(result, 1).body()


def card_html(f, result) -> str:
    """One finding's card as the HTML report draws it (id d1-F001-card)."""
    from ..reports.html import _DocRenderer

    if result is None:
        from ..reports.html import _e

        return (f'<div class="card sev-{_e(f.severity)}" data-sev="{_e(f.severity)}" data-cat="{_e(f.category)}">'
                f'<div class="h">{_e(f.id)} {_e(SEVERITY_ZH.get(f.severity, f.severity))} {_e(CATEGORIES.get(f.category, f.category))}</div>'
                f'<div>“{_e(f.match)}”</div><div>{_e(f.message)}</div><div>{_e(f.suggestion)}</div>')
    html = _DocRenderer(result, 1).card(f)
    return html[: -len("</div>")] if html.endswith("</div>") else html  # the page adds the decision form
