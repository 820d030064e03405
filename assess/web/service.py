"""The web app's state: private data folder, the batch results store, reviews in the background.

Layout of the data folder (mode 0700):

    DATA/batch.sqlite          the same SQLite store as `assess batch` (assess/batch/store.py):
                               one `runs` row per upload (argv = ["web", upload id, ...]), one
                               `documents` row per uploaded document (status done | error |
                               unsupported, run_id = the upload's run), findings as batch stores them
    DATA/uploads/<id>/files/   the uploaded documents (deleted after the retention period)
    DATA/decisions.yaml        reviewed decisions, the CLI's `--decisions` format (assess/decisions.py)
    DATA/secret.key            the session signing key (0600)

Adapter over the batch store (thin, here rather than in assess/batch/): an upload is a run, so
the history page lists runs whose argv starts with "web"; the batch store API has no
"documents of one run" query, so `documents_of` filters by run_id here.
"""

from __future__ import annotations

import io
import json
import os
import queue
import secrets
import shutil
import threading
import time
import traceback
import zipfile
from collections import OrderedDict
from pathlib import Path

from ..errors import AssessError

RUN_TAG = "web"


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class Service:
    def __init__(self, data_dir: str | Path, options=None, retention_days: float = 30.0, limits=None, sync: bool = False,
                 isolate: bool = False, timeout: float = 120.0, jobs: int = 1):
        from ..batch.store import Store
        from ..pipeline import Options
        from .uploads import UploadLimits

        self.data = private_dir(Path(data_dir).expanduser().resolve())
        self.uploads = private_dir(self.data / "uploads")
        self.decisions_path = self.data / "decisions.yaml"
        self.retention_days = retention_days
        self.limits = limits or UploadLimits()
        self.options = options or Options()
        self._db_lock = threading.RLock()
        self.store = Store(self.data)
        self.store.db.close()
        import sqlite3

        self.store.db = sqlite3.connect(str(self.store.path), isolation_level=None, timeout=30, check_same_thread=False)
        self.store.db.execute("PRAGMA journal_mode=WAL")
        self.store.db.execute("PRAGMA foreign_keys=ON")
        try:
            os.chmod(self.store.path, 0o600)
        except OSError:
            pass
        self._reviewer = None
        self._review_lock = threading.Lock()
        self._cache: OrderedDict[int, object] = OrderedDict()
        self._progress: dict[str, dict] = {}
        self._queue: queue.Queue = queue.Queue()
        self.sync = sync  # tests: review inside the request
        # isolate: review uploads in a worker process of the batch pool (assess/batch/runner.py), so
        # a document that hangs is killed after `timeout` seconds and one that crashes the PDF
        # library cannot take the server down; the re-review for pages runs only on documents
        # that were reviewed without error.
        self.isolate = isolate
        self.timeout = timeout
        self.jobs = max(1, int(jobs))  # worker processes: an upload's files are reviewed in parallel
        self._pool = None
        self._worker = None
        self._stop = threading.Event()
        self._decisions_lock = threading.Lock()

    # ------------------------------------------------------------------ secrets
    def secret_key(self) -> bytes:
        p = self.data / "secret.key"
        if p.exists():
            return p.read_bytes()
        key = secrets.token_bytes(32)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key

    # ------------------------------------------------------------------ reviewer
    @property
    def reviewer(self):
        if self._reviewer is None:
            from ..pipeline import Reviewer

            self._reviewer = Reviewer(self.options)
        return self._reviewer

    def start(self) -> None:
        """Purge expired uploads, start the review thread and the hourly purge."""
        self.purge()
        with self._db_lock:  # reviews cut off by a restart: say so instead of "reviewing" forever
            self.store.db.execute("UPDATE runs SET status='interrupted', finished=? WHERE status='running' AND argv LIKE ?",
                                  (time.time(), f'["{RUN_TAG}"%'))
        if not self.sync and self._worker is None:
            self._worker = threading.Thread(target=self._work, name="assess-web-review", daemon=True)
            self._worker.start()
            threading.Thread(target=self._purge_loop, name="assess-web-purge", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._pool is not None:
            try:
                self._pool.close(kill=True)
            except Exception:  # noqa: BLE001 - shutting down
                pass

    def _purge_loop(self) -> None:
        while not self._stop.wait(3600):
            try:
                self.purge()
            except Exception:  # noqa: BLE001 - never stop serving because of a purge
                traceback.print_exc()

    # ------------------------------------------------------------------ uploads
    def new_upload(self, uid: str, saved: list, names: list[str]) -> str:
        """Record an upload (a run) and queue its documents; returns the upload id."""
        from ..batch.worker import error_row

        with self._db_lock:
            run_id = self.store.start_run([RUN_TAG, uid, *names])
        pending = []
        for i, s in enumerate(saved):
            if s.fmt is None:
                row = error_row(f"{self.uploads / uid}#rejected-{i}:{s.rel}", s.rel, s.rel, s.location, "E106", s.error)
                row["status"] = "unsupported"
                row["run_id"] = run_id
                with self._db_lock:
                    self.store.record(row, [])
            else:
                pending.append(s)
        self._progress[uid] = {"total": len(pending), "done": 0, "running": bool(pending), "run_id": run_id}
        job = (uid, run_id, pending)
        if self.sync:
            self._review_job(job)
        else:
            self._queue.put(job)
        return uid

    def upload_folder(self) -> tuple[str, Path]:
        uid = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4)
        folder = private_dir(self.uploads / uid)
        private_dir(folder / "files")
        return uid, folder / "files"

    def discard_upload(self, uid: str) -> None:
        shutil.rmtree(self.uploads / uid, ignore_errors=True)

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self._queue.get()
            if job is None:
                return
            try:
                self._review_job(job)
            except Exception:  # noqa: BLE001 - the server keeps serving
                traceback.print_exc()

    def _review_job(self, job) -> None:
        uid, run_id, pending = job
        prog = self._progress[uid]
        counts = {"done": 0, "error": 0, "findings": 0}

        def record(row, findings):
            row["run_id"] = run_id
            with self._db_lock:
                self.store.record(row, findings)
            counts[row["status"]] = counts.get(row["status"], 0) + 1
            counts["findings"] += len(findings)
            prog["done"] += 1

        versions = {}
        try:
            if self.isolate and pending:
                versions = self._review_in_pool(pending, record)
            else:
                versions = self._review_here(pending, record)
        finally:
            prog["running"] = False
            with self._db_lock:
                self.store.finish_run(run_id, "done", versions, counts)
        if self.decisions():
            self._sync_decisions()

    def _review_here(self, pending, record) -> dict:
        from ..batch.worker import E_INTERNAL, error_row, review_one

        for s in pending:
            try:
                with self._review_lock:
                    row, findings = review_one(self.reviewer, [], str(self.data), str(s.path), s.rel, s.rel, s.location)
            except Exception as e:  # noqa: BLE001 - one bad document must not stop the others
                tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
                row, findings = error_row(str(s.path), s.rel, s.rel, s.location, E_INTERNAL, f"内部错误：{type(e).__name__}: {e}（{tb}）"), []
            record(row, findings)
        return dict(self.reviewer.versions) if pending else {}

    def _review_in_pool(self, pending, record) -> dict:
        """Worker processes of the batch pool (spawned, not forked: this process has threads)."""
        import multiprocessing as mp
        from collections import deque

        from ..batch.discover import Entry
        from ..batch.runner import Pool
        from ..batch.worker import E_CRASH, E_TIMEOUT, error_row

        if self._pool is None:
            pool = Pool(self.jobs, self.options, [], self.data, None)
            pool.ctx = mp.get_context("spawn")
            pool.start()
            self._pool = pool
        pool = self._pool
        q = deque()
        for i, s in enumerate(pending):
            q.append((i, Entry(path=str(s.path), shown=s.rel, rel=s.rel, kind="supported", location=dict(s.location))))
        left = len(q)
        try:
            while left and not self._stop.is_set():
                pool.assign(q)
                for ev in pool.poll(max(0.0, min(0.5, self.timeout))):
                    if ev[0] == "done":
                        record(ev[3], ev[4])
                        left -= 1
                    elif ev[0] == "died" and ev[2] is not None:
                        e = ev[2][1]
                        record(error_row(e.path, e.shown, e.rel, e.location, E_CRASH, "审查进程在处理该文件时异常退出（文件可能损坏），其余文件照常审查"), [])
                        left -= 1
                for _tid, e in pool.overdue(self.timeout):
                    record(error_row(e.path, e.shown, e.rel, e.location, E_TIMEOUT, f"处理超时（超过 {self.timeout:g} 秒），已跳过；文件可能过大或损坏"), [])
                    left -= 1
        except AssessError as e:  # the workers cannot start (rules invalid, …): every document says why
            self._pool = None
            pool.close(kill=True)
            for _tid, x in q:
                record(error_row(x.path, x.shown, x.rel, x.location, e.code, str(e)), [])
        return dict(pool.versions or {})

    def progress(self, uid: str) -> dict:
        p = self._progress.get(uid)
        if p is not None:
            return dict(p)
        run = self.run_of(uid)
        if run is None:
            return {}
        docs = self.documents_of(run["id"])
        return {"total": len(docs), "done": len(docs), "running": run["status"] == "running" and False, "run_id": run["id"]}

    # ------------------------------------------------------------------ store adapter
    def runs(self) -> list[dict]:
        with self._db_lock:
            runs = [r for r in self.store.runs() if r["argv"][:1] == [RUN_TAG]]
            stats = {}
            for run_id, n, nf, ne in self.store.db.execute(
                "SELECT run_id, COUNT(*), SUM(n_findings), SUM(status!='done') FROM documents GROUP BY run_id"
            ):
                stats[run_id] = (n, nf or 0, ne or 0)
        for r in runs:
            r["uid"] = r["argv"][1] if len(r["argv"]) > 1 else str(r["id"])
            r["names"] = r["argv"][2:]
            n, nf, ne = stats.get(r["id"], (0, 0, 0))
            r["n_documents"], r["n_findings"], r["n_errors"] = n, nf, ne
            r["purged"] = not (self.uploads / r["uid"]).exists()
        return sorted(runs, key=lambda r: -r["id"])

    def run_of(self, uid: str) -> dict | None:
        return next((r for r in self.runs() if r["uid"] == uid), None)

    def documents_of(self, run_id: int) -> list[dict]:
        with self._db_lock:
            cur = self.store.db.execute("SELECT id FROM documents WHERE run_id=? ORDER BY id", (run_id,))
            ids = {r[0] for r in cur}
            return [d for d in self.store.documents(order="id") if d["id"] in ids]

    def document(self, doc_id: int) -> dict | None:
        with self._db_lock:
            return next((d for d in self.store.documents(order="id") if d["id"] == doc_id), None)

    def stored_findings(self, doc_id: int) -> list[dict]:
        with self._db_lock:
            return self.store.findings_of(doc_id)

    def uid_of_run(self, run_id: int) -> str | None:
        return next((r["uid"] for r in self.runs() if r["id"] == run_id), None)

    # ------------------------------------------------------------------ results (re-reviewed, cached)
    def result(self, doc_id: int):
        """The full DocumentResult of a stored document (text, structure, findings, decisions).

        The store keeps findings, not the document text: the stored file is reviewed again (in
        this process, cached) and checked against the stored hash. Raises AssessError when the
        file is gone (retention) or changed.
        """
        from ..decisions import apply_decisions

        row = self.document(doc_id)
        if row is None:
            raise AssessError("没有这个文件", code="E601")
        res = self._cache.get(doc_id)
        if res is None:
            if row["status"] != "done":
                raise AssessError(row["error_message"] or "该文件无法审查", code=row["error_code"] or "E100", path=row["shown_path"])
            if not os.path.exists(row["path"]):
                raise AssessError("原文件已按保留期限删除，只能查看问题清单", code="E602", path=row["shown_path"])
            with self._review_lock:
                res = self.reviewer.review(row["path"])
            if res.error is not None:
                raise res.error
            if res.document.sha256 != row["sha256"]:
                raise AssessError("存储的文件与审查结果不一致", code="E603", path=row["shown_path"])
            loc = json.loads(row["location_meta"] or "{}")
            res.source_path = row["path"]
            res.path = res.document.path = row["shown_path"]
            res.location_meta = loc
            res.document.meta["location_meta"] = loc
            self._cache[doc_id] = res
            while len(self._cache) > 32:
                self._cache.popitem(last=False)
        self._cache.move_to_end(doc_id)
        for f in res.findings:
            f.decision = None
        apply_decisions([res], self.decisions())
        return res

    def report_for(self, results):
        from ..pipeline import Report

        return Report(documents=list(results), versions=dict(self.reviewer.versions))

    # ------------------------------------------------------------------ decisions
    def decisions(self) -> list[dict]:
        from ..decisions import load_decisions

        if not self.decisions_path.exists():
            return []
        return load_decisions(self.decisions_path)

    def decide(self, fingerprint: str, decision: str | None, reason: str = "", reviewer: str = "") -> None:
        """Add, replace or (decision None) remove the reviewed decision of a fingerprint."""
        import datetime as _dt

        from ..decisions import save_decisions

        with self._decisions_lock:
            ds = [d for d in self.decisions() if d["fingerprint"] != fingerprint]
            if decision:
                entry = {"fingerprint": fingerprint, "decision": decision}
                if reviewer:
                    entry["reviewer"] = reviewer
                if reason:
                    entry["reason"] = reason
                entry["date"] = _dt.date.today().isoformat()
                ds.append(entry)
            save_decisions(self.decisions_path, ds)
            os.chmod(self.decisions_path, 0o600)
        self._sync_decisions()

    def _sync_decisions(self) -> None:
        """Mirror the decisions file into the store's findings (as `assess report --decisions` does)."""
        ds = {d["fingerprint"]: d for d in self.decisions()}
        with self._db_lock:
            rows = []
            for fid, fp, data in self.store.db.execute("SELECT id, fingerprint, data FROM findings"):
                d = json.loads(data)
                new = ds.get(fp)
                if d.get("decision") != new:
                    d["decision"] = new
                    rows.append((json.dumps(d, ensure_ascii=False), fid))
            if rows:
                self.store.db.execute("BEGIN IMMEDIATE")
                self.store.db.executemany("UPDATE findings SET data=? WHERE id=?", rows)
                self.store.db.execute("COMMIT")

    # ------------------------------------------------------------------ downloads
    def render(self, results, fmt: str) -> tuple[bytes, str, str]:
        """(bytes, file name, mimetype) of one download for these DocumentResults."""
        from ..reports import get_reporter

        report = self.report_for(results)
        single = len(results) == 1
        stem = _stem(results[0].path) if single else "审查结果"
        if fmt == "xlsx":
            return get_reporter("xlsx").render(report), f"{stem}.台账.xlsx", XLSX
        if fmt == "json":
            return get_reporter("json").render(report).encode("utf-8"), f"{stem}.审查.json", "application/json"
        if fmt in ("docx", "opinion"):
            make = annotated_docx if fmt == "docx" else opinion_docx
            suffix = ".审查.docx" if fmt == "docx" else ".评估意见书.docx"
            if single:
                return make(results[0], report), stem + suffix, DOCX
            bio = io.BytesIO()
            used = set()
            with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
                for r in results:
                    name = _stem(r.path) + suffix
                    n = 2
                    while name in used:
                        name = f"{_stem(r.path)}-{n}{suffix}"
                        n += 1
                    used.add(name)
                    z.writestr(name, make(r, report))
            return bio.getvalue(), ("审查结果.带批注Word.zip" if fmt == "docx" else "审查结果.评估意见书.zip"), "application/zip"
        raise AssessError(f"不支持的下载格式：{fmt}", code="E401")

    # ------------------------------------------------------------------ retention
    def purge(self, now: float | None = None) -> int:
        """Delete uploaded files older than the retention period (results stay in the history)."""
        if self.retention_days is None or self.retention_days < 0:
            return 0
        limit = (now or time.time()) - self.retention_days * 86400
        n = 0
        for p in self.uploads.iterdir() if self.uploads.exists() else []:
            try:
                if p.is_dir() and p.stat().st_mtime < limit:
                    shutil.rmtree(p, ignore_errors=True)
                    n += 1
            except OSError:
                continue
        if n:
            self._cache.clear()
        return n


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _stem(path: str) -> str:
    from ..reports import _safe_stem

    return _safe_stem(path)


def annotated_docx(result, report) -> bytes:
    """The annotated copy followed by the 评估意见书 (assess/reports/docx.py), from the stored file."""
    from ..reports.docx import render_docx

    src = getattr(result, "source_path", None)
    if result.document.format != "docx" or not src:
        return render_docx(result, report)
    # render_docx opens result.path: give it the stored file, keep the shown name in the opinion
    import docx

    from ..reports.docx import DocxLocator, add_opinion, annotate

    d = docx.Document(src)
    annotate(d, DocxLocator(d, result.document), result.document, result.findings)
    add_opinion(d, result, report)
    bio = io.BytesIO()
    d.save(bio)
    return bio.getvalue()


def opinion_docx(result, report) -> bytes:
    """The 评估意见书 alone, as its own Word file (the same content as the one in the annotated copy)."""
    import docx
    from docx.oxml.ns import qn

    from ..reports.opinion import add_opinion

    d = docx.Document()
    add_opinion(d, result, report)
    body = d.element.body
    # add_opinion starts a new (landscape) section; drop the empty first page before it
    for p in list(body.iterchildren(qn("w:p"))):
        ppr = p.find(qn("w:pPr"))
        has_sect = ppr is not None and ppr.find(qn("w:sectPr")) is not None
        if not "".join(p.itertext()).strip():
            body.remove(p)
        if has_sect or "".join(p.itertext()).strip():
            break
    bio = io.BytesIO()
    d.save(bio)
    return bio.getvalue()
