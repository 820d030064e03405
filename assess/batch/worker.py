"""Worker processes of a batch: each loads the rules and the model once, then reviews documents.

The main process talks to each worker over its own pipe, one document at a time, so it always
knows which document a worker holds: a worker that passes the per-document deadline is killed
(SIGKILL) and replaced, a worker that dies (segfault, out of memory) is replaced, and in both
cases only that document is recorded as failed. `concurrent.futures` cannot kill one task, so
this is our own small pool on `multiprocessing`.

Messages worker -> main:  ("ready", versions, model_error) | ("fatal", message)
                          | ("done", task_id, doc_row, findings)
Messages main -> worker:  (task_id, abs_path, shown_path, rel_path, location) | None (stop)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from ..errors import AssessError
from .store import options_key, versions_key

E_TIMEOUT = "E111"
E_CRASH = "E505"  # the worker process died while reviewing this file
E_CHANGED = "E506"  # the file changed while it was being reviewed
E_INTERNAL = "E507"  # a bug: an unexpected exception while reviewing this file
E_MEMORY = "E508"  # the per-worker memory limit was exceeded

PER_DOC_DIR = "逐件报告"


def _set_pdeathsig() -> None:
    """Linux: die with the main process (kill -9 of the batch must not leave workers behind)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def worker_main(conn, options, per_document: list[str], outdir: str, max_memory_mb: int | None) -> None:
    """Entry point of a worker process (the initializer is the part before the loop)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's business
    _set_pdeathsig()
    if max_memory_mb:
        try:
            import resource

            limit = int(max_memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass
    try:
        from ..pipeline import Reviewer

        reviewer = Reviewer(options)
        reviewer.rules  # load once per worker, not per document
        reviewer.model
        _warm_up(reviewer)
        reporters = []
        if per_document:
            from ..reports import get_reporter

            reporters = [get_reporter(f) for f in per_document]
    except AssessError as e:
        conn.send(("fatal", str(e)))
        return
    except Exception as e:  # noqa: BLE001
        conn.send(("fatal", f"审查进程初始化失败：{type(e).__name__}: {e}"))
        return
    model_error = str(reviewer.model_error) if reviewer.model_error is not None else None
    reviewer.versions["options"] = options_key(options)
    conn.send(("ready", dict(reviewer.versions), model_error))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        task_id, path, shown, rel, location = msg
        try:
            row, findings = review_one(reviewer, reporters, outdir, path, shown, rel, location)
        except MemoryError:
            row, findings = error_row(path, shown, rel, location, E_MEMORY, "处理该文件时内存不足（超过 --max-memory 上限），文件可能过大或损坏"), []
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
            tb = traceback.format_exc(limit=3).strip().splitlines()[-1]
            row, findings = error_row(path, shown, rel, location, E_INTERNAL, f"内部错误：{type(e).__name__}: {e}（{tb}）"), []
        try:
            conn.send(("done", task_id, row, findings))
        except (EOFError, OSError, BrokenPipeError):
            return


def _warm_up(reviewer) -> None:
    """Review a two-line text once so lazy initialisation (tokeniser dictionaries, compiled
    patterns) happens in the initializer, not in the first real document's time."""
    from ..documents import from_text

    try:
        reviewer.review_document(from_text("村规民约\n第一条 村民应当遵守本规约，男女平等。\n", path="<warm-up>"))
    except Exception:  # noqa: BLE001 - a warm-up failure shows up again on real documents
        pass


def _rss_mb() -> float | None:
    """Peak resident memory of this worker so far (MB)."""
    try:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(kb / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
    except (ImportError, OSError):
        return None


def _stat(path: str):
    try:
        st = os.stat(path)
        return st.st_size, st.st_mtime_ns
    except OSError:
        return None, None


def error_row(path, shown, rel, location, code, message, size=None, mtime_ns=None) -> dict:
    """The documents-table row of a file; `review_one` adds the review results to it."""
    return {
        "path": path,
        "shown_path": shown,
        "rel_path": rel,
        "township": location.get("township"),
        "village": location.get("village"),
        "location_meta": json.dumps(location, ensure_ascii=False),
        "size": size,
        "mtime_ns": mtime_ns,
        "format": None,
        "status": "error",
        "error_code": code,
        "error_message": message,
        "n_findings": 0,
        "reviewed_at": time.time(),
    }


def review_one(reviewer, reporters, outdir, path, shown, rel, location) -> tuple[dict, list[dict]]:
    t0 = time.perf_counter()
    c0 = time.process_time()
    size0, mtime0 = _stat(path)
    result = reviewer.review(path)
    result.path = shown
    result.location_meta = dict(location)
    if result.document is not None:
        result.document.path = shown
        result.document.meta["location_meta"] = dict(location)
    size1, mtime1 = _stat(path)
    versions = dict(reviewer.versions)
    if result.error is None and (size0, mtime0) != (size1, mtime1):
        from ..errors import InputError

        result.error = InputError("文件在审查过程中被修改或删除，请在文件不再变动后重新运行", code=E_CHANGED, path=shown)
    outputs = []
    if result.error is None and reporters:
        try:
            outputs = write_per_document(reporters, result, versions, outdir, rel)
        except OSError as e:
            from ..errors import OutputError

            result.error = OutputError(f"无法写入逐件报告（{e.strerror or e}），请检查磁盘空间和输出目录权限", code="E402", path=shown)
    d = result.document
    total = time.perf_counter() - t0
    timings = {k: round(v, 6) for k, v in result.timings.items()}
    timings["total"] = round(total, 6)
    timings["cpu"] = round(time.process_time() - c0, 6)
    timings["rss_mb"] = _rss_mb()
    err = result.error
    row = error_row(path, shown, rel, location, err.code if err else None, err.message if err else None,
                    size=d.size if d else size1 if size1 is not None else size0,
                    mtime_ns=mtime1 if mtime1 is not None else mtime0)
    row.update({
        "sha256": d.sha256 if d else None,
        "format": d.format if d else None,
        "doc_type": result.doc_type,
        "title": d.title if d else None,
        "clauses": result.clauses,
        "status": "error" if err else "done",
        "verdict": result.verdict,
        "n_findings": 0 if err else len(result.findings),
        "timings": json.dumps(timings),
        "versions_key": versions_key(versions),
        "versions": json.dumps(versions, ensure_ascii=False),
        "notes": json.dumps(d.notes if d else [], ensure_ascii=False),
        "outputs": json.dumps(outputs, ensure_ascii=False),
    })
    findings = []
    if result.error is None:
        for f in result.findings:
            findings.append({
                "fingerprint": f.fingerprint,
                "rule": f.rule,
                "category": f.category,
                "severity": f.severity,
                "score": float(f.score),
                "data": json.dumps(f.to_dict(), ensure_ascii=False),
            })
    return row, findings


def per_document_target(outdir: str, rel: str, extension: str) -> Path:
    """OUTDIR/逐件报告/<same folders as the input>/<file name with its extension>.审查<ext>."""
    safe = "".join(ch if ch not in ':*?"<>|' else "_" for ch in rel)
    return Path(outdir) / PER_DOC_DIR / f"{safe}.审查{extension}"


def write_per_document(reporters, result, versions, outdir, rel) -> list[str]:
    from ..pipeline import Report
    from ..util import atomic_write_bytes

    report = Report(documents=[result], versions=versions)
    out = []
    for rep in reporters:
        data = rep.render_document(result, report) if rep.per_document else rep.render(report)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target = per_document_target(outdir, rel, rep.extension)
        atomic_write_bytes(target, data)
        out.append(str(target))
    return out
