"""`run_batch`: walk the input folders, review every document in worker processes, store results.

Flow: discover files → record unsupported ones → start workers (each loads rules/model once) →
skip documents already done (same content hash, same tool/rules/model versions) → dispatch one
document at a time per worker with a deadline → commit each result in its own transaction →
compare with an earlier round (--since) → write the ledger and JSON Lines from the database.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from ..errors import AssessError
from .discover import Entry, walk
from .progress import Progress
from .store import Store, versions_key
from .worker import E_CRASH, E_TIMEOUT, error_row, worker_main

E_WORKERS = "E509"  # workers cannot start

DEFAULT_TIMEOUT = 120.0


@dataclass
class BatchConfig:
    paths: list
    outdir: Path
    options: object = None  # pipeline.Options
    jobs: int | None = None  # None = all cores
    formats: list = field(default_factory=lambda: ["xlsx", "jsonl"])
    per_document: list = field(default_factory=list)  # docx, html: rendered in the worker
    since: Path | None = None
    decisions: Path | None = None
    layout: str | None = None  # see discover.py; None = auto
    timeout: float = DEFAULT_TIMEOUT  # seconds per document
    max_memory_mb: int | None = None  # address-space limit per worker
    retry_errors: bool = False  # re-review failed documents whose file did not change
    progress: bool = True
    tty: bool | None = None
    log_interval: float = 10.0
    argv: list = field(default_factory=list)
    write_outputs: bool = True
    wait_all_workers: bool = False  # benchmarks: start dispatching only when every worker is ready


@dataclass
class BatchSummary:
    outdir: Path
    database: Path
    files: int = 0  # supported files found in this run
    unsupported: int = 0
    ignored: int = 0
    reviewed: int = 0  # reviewed in this run
    skipped: int = 0  # already done (resume)
    failed: int = 0  # failed in this run
    findings: int = 0  # found in this run
    forgotten: int = 0
    elapsed: float = 0.0  # wall time of the whole call
    startup: float = 0.0  # until the first worker had loaded rules/model
    processing: float = 0.0  # from the first dispatched document to the last result
    outputs_time: float = 0.0  # re-audit + ledger/JSONL generation
    bytes: int = 0
    interrupted: bool = False
    versions: dict = field(default_factory=dict)
    model_error: str | None = None
    written: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # whole database: status counts, findings
    exit_code: int = 0


# ---------------------------------------------------------------------------------------- pool
class _Worker:
    __slots__ = ("proc", "conn", "ready", "tasks", "since", "born")

    def __init__(self, proc, conn):
        self.proc = proc
        self.conn = conn
        self.ready = False
        self.tasks: deque = deque()  # (task_id, Entry) sent and not answered; the first is in work
        self.since = 0.0  # when the first task started (its deadline counts from here)
        self.born = time.monotonic()

    @property
    def task(self):
        return self.tasks[0] if self.tasks else None


# Tasks sent to a worker ahead of its answers: the next document is already in its pipe when it
# finishes one, so it never idles while the main process stores a result (short documents were
# waiting ~1 ms each for that round trip). Only the first is in work; the others go back to the
# queue if the worker is killed or dies.
PIPELINE = 2


class Pool:
    """N worker processes, each working on one task at a time, killable one by one."""

    def __init__(self, n: int, options, per_document, outdir, max_memory_mb):
        self.n = n
        self.args = (options, list(per_document), str(outdir), max_memory_mb)
        self.ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        self.workers: list[_Worker] = []
        self.versions: dict | None = None
        self.model_error: str | None = None
        self.init_deaths = 0
        self.returned: list = []  # tasks taken back from a killed or dead worker, to send again

    def start(self) -> None:
        for _ in range(self.n):
            self._spawn()

    def _spawn(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=worker_main, args=(child, *self.args), daemon=True, name="assess-batch-worker")
        proc.start()
        child.close()
        w = _Worker(proc, parent)
        self.workers.append(w)
        return w

    def _retire(self, w: _Worker, kill: bool) -> None:
        if kill and w.proc.is_alive():
            w.proc.kill()
        w.proc.join(timeout=5)
        try:
            w.conn.close()
        except OSError:
            pass
        if w in self.workers:
            self.workers.remove(w)

    def busy(self) -> bool:
        return bool(self.returned) or any(w.tasks for w in self.workers)

    def assign(self, queue: deque) -> None:
        if self.returned:
            queue.extendleft(reversed(self.returned))
            self.returned = []
        for w in self.workers:
            while w.ready and queue and len(w.tasks) < PIPELINE:
                task_id, entry = queue.popleft()
                try:
                    w.conn.send((task_id, entry.path, entry.shown, entry.rel, entry.location))
                except (OSError, BrokenPipeError):
                    queue.appendleft((task_id, entry))  # the worker died; poll() replaces it
                    break
                if not w.tasks:
                    w.since = time.monotonic()
                w.tasks.append((task_id, entry))

    def _take_back(self, w: _Worker):
        """The task in work of a worker being retired; the others are queued again."""
        if not w.tasks:
            return None
        head = w.tasks.popleft()
        self.returned.extend(w.tasks)
        w.tasks.clear()
        return head

    def poll(self, timeout: float):
        """Yield events: ("ready", w) | ("done", w, task, row, findings) | ("died", w, task)."""
        conns = {w.conn: w for w in self.workers}
        sentinels = {w.proc.sentinel: w for w in self.workers}
        if not conns:
            return
        for obj in wait(list(conns) + list(sentinels), timeout=timeout):
            w = conns.get(obj) or sentinels.get(obj)
            if w is None or w not in self.workers:
                continue
            msg = None
            if obj is w.conn or w.conn.poll():
                try:
                    msg = w.conn.recv()
                except (EOFError, OSError):
                    msg = None
            if msg is None:
                if w.proc.is_alive() and obj is not w.conn:
                    continue
                task = self._take_back(w)
                was_ready = w.ready
                self._retire(w, kill=True)
                if not was_ready:
                    self.init_deaths += 1
                    if self.init_deaths > 3 * self.n:
                        raise AssessError("审查进程无法启动（可能内存上限 --max-memory 过小）", code=E_WORKERS)
                self._spawn()
                yield ("died", w, task)
            elif msg[0] == "ready":
                w.ready = True
                if self.versions is None:
                    self.versions, self.model_error = msg[1], msg[2]
                yield ("ready", w)
            elif msg[0] == "fatal":
                raise AssessError(msg[1], code=E_WORKERS)
            elif msg[0] == "done":
                task = w.tasks.popleft() if w.tasks else None
                if task is None or task[0] != msg[1]:
                    raise AssessError("审查进程返回的结果与任务不对应（内部错误）", code=E_WORKERS)
                w.since = time.monotonic()  # the next task (already in its pipe) starts now
                yield ("done", w, task, msg[2], msg[3])

    def overdue(self, timeout: float) -> list:
        """Kill and replace workers past the deadline; return their tasks."""
        now = time.monotonic()
        out = []
        for w in list(self.workers):
            if w.tasks and now - w.since > timeout:
                out.append(self._take_back(w))
                self._retire(w, kill=True)
                self._spawn()
        return out

    def close(self, kill: bool = False) -> None:
        for w in list(self.workers):
            if not kill:
                try:
                    w.conn.send(None)
                except (OSError, BrokenPipeError):
                    pass
        for w in list(self.workers):
            if not kill:
                w.proc.join(timeout=2)
            self._retire(w, kill=True)


# ---------------------------------------------------------------------------------------- run
def _sha256(path: str) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _unchanged(entry: Entry, prev: tuple, vkey: str, retry_errors: bool) -> bool:
    sha, size, mtime_ns, pkey, status = prev
    if pkey != vkey:
        return False
    try:
        st = os.stat(entry.path)
    except OSError:
        return False
    if status == "done":
        return st.st_size == size and _sha256(entry.path) == sha
    if status == "error" and not retry_errors:
        return st.st_size == size and st.st_mtime_ns == mtime_ns
    return False


def _err_log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_batch(cfg: BatchConfig, log=_err_log) -> BatchSummary:
    from ..pipeline import Options

    options = cfg.options or Options()
    outdir = Path(cfg.outdir)
    t_start = time.monotonic()
    store = Store(outdir)
    try:
        store.lock()
    except AssessError:
        store.close()
        raise
    summary = BatchSummary(outdir=outdir, database=store.path)
    run_id = store.start_run(list(cfg.argv))
    roots = [os.path.abspath(str(p)) for p in cfg.paths]
    store.set_meta("roots", roots)
    if cfg.since:
        store.set_meta("since", os.path.abspath(str(cfg.since)))
    if cfg.layout:
        store.set_meta("layout", cfg.layout)

    ignored: list = []
    exclude = [outdir] + ([Path(cfg.since)] if cfg.since else [])
    entries = list(walk(cfg.paths, cfg.layout, exclude=exclude, ignored=ignored))
    supported = [e for e in entries if e.kind == "supported"]
    unsupported = [e for e in entries if e.kind != "supported"]
    summary.files, summary.unsupported, summary.ignored = len(supported), len(unsupported), len(ignored)
    summary.forgotten = store.forget_missing({e.path for e in entries}, roots)
    for e in unsupported:
        row = error_row(e.path, e.shown, e.rel, e.location, "E106", e.reason)
        row["status"] = "unsupported"
        try:
            st = os.stat(e.path)
            row["size"], row["mtime_ns"] = st.st_size, st.st_mtime_ns
        except OSError:
            pass
        row["run_id"] = run_id
        store.record(row, [])
    log(f"找到 {len(supported)} 个可审查文件" + (f"，{len(unsupported)} 个不支持的文件（将列入台账）" if unsupported else "")
        + (f"，忽略 {len(ignored)} 个系统/临时文件" if ignored else ""))

    jobs = cfg.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(supported) or 1))
    pool = Pool(jobs, options, cfg.per_document, outdir, cfg.max_memory_mb)
    progress = None
    status = "finished"
    try:
        queue: deque = deque()
        if supported:
            pool.start()
            init_deadline = time.monotonic() + max(300.0, cfg.timeout)
            while pool.versions is None or (cfg.wait_all_workers and not all(w.ready for w in pool.workers)):
                for _ in pool.poll(0.5):  # versions (from the first ready worker) decide what can be skipped
                    pass
                if time.monotonic() > init_deadline:
                    raise AssessError("审查进程启动超时（加载规则和模型超过 5 分钟），请检查机器负载和内存", code=E_WORKERS)
            summary.versions, summary.model_error = dict(pool.versions), pool.model_error
            summary.startup = time.monotonic() - t_start
            if pool.model_error:
                log(f"注意：{pool.model_error}（本次只用规则审查）")
            vkey = versions_key(pool.versions)
            index = store.done_index()
            for i, e in enumerate(supported):
                prev = index.get(e.path)
                if prev is not None and _unchanged(e, prev, vkey, cfg.retry_errors):
                    summary.skipped += 1
                    continue
                queue.append((i, e))
            if summary.skipped:
                log(f"已有 {summary.skipped} 个文件的结果（内容和规则/模型版本未变），跳过；继续审查其余 {len(queue)} 个")
        total = len(queue)
        progress = Progress(total, tty=cfg.tty, interval=cfg.log_interval, enabled=cfg.progress and total > 0)
        done = 0
        t_proc = time.monotonic()
        while queue or pool.busy():
            pool.assign(queue)
            for ev in pool.poll(0.25):
                if ev[0] == "done":
                    _, _w, task, row, findings = ev
                    pool.assign(queue)  # keep the worker busy while this result is written
                    row["run_id"] = run_id
                    store.record(row, findings)
                    done += 1
                    summary.bytes += row.get("size") or 0
                    if row["status"] == "done":
                        summary.reviewed += 1
                        summary.findings += len(findings)
                    else:
                        summary.failed += 1
                elif ev[0] == "died" and ev[2] is not None:
                    _, entry = ev[2]
                    row = error_row(entry.path, entry.shown, entry.rel, entry.location, E_CRASH,
                                    "审查该文件时处理进程意外退出（可能文件损坏或内存不足），已跳过")
                    row["run_id"] = run_id
                    store.record(row, [])
                    done += 1
                    summary.failed += 1
            for task in pool.overdue(cfg.timeout):
                _, entry = task
                row = error_row(entry.path, entry.shown, entry.rel, entry.location, E_TIMEOUT,
                                f"处理超时（超过 {cfg.timeout:g} 秒），已跳过；可用 --timeout 调大上限")
                row["run_id"] = run_id
                store.record(row, [])
                done += 1
                summary.failed += 1
            progress.update(done, summary.failed, summary.findings, summary.bytes)
        summary.processing = time.monotonic() - t_proc
        progress.update(done, summary.failed, summary.findings, summary.bytes, force=True)
    except KeyboardInterrupt:
        summary.interrupted = True
        status = "interrupted"
    except BaseException:
        status = "failed"
        pool.close(kill=True)
        try:
            store.finish_run(run_id, status, summary.versions, {})
        except AssessError:
            pass
        store.close()
        raise
    finally:
        if progress is not None:
            progress.close()
    pool.close(kill=summary.interrupted)
    t_out = time.monotonic()

    if not summary.interrupted:
        if cfg.decisions:
            from ..decisions import load_decisions
            from .reaudit import apply_decisions

            n = apply_decisions(store, load_decisions(cfg.decisions))
            log(f"审查决定：{n} 条已对应到本次问题")
        since = cfg.since
        if since:
            from .reaudit import compare

            stats = compare(store, Path(since))
            log(f"与上一轮（{since}）对比：新增 {stats['new']}，仍存在 {stats['persisting']}，已整改 {stats['fixed']}，沿用审查决定 {stats['carried']}")
        if cfg.write_outputs and cfg.formats:
            from .ledger import write_outputs

            summary.written = write_outputs(store, outdir, cfg.formats)
    summary.outputs_time = time.monotonic() - t_out
    summary.elapsed = time.monotonic() - t_start
    summary.totals = store.counts()
    summary.exit_code = exit_code(store, summary)
    store.finish_run(run_id, status, summary.versions, {
        "files": summary.files, "unsupported": summary.unsupported, "reviewed": summary.reviewed,
        "skipped": summary.skipped, "failed": summary.failed, "findings": summary.findings,
        "elapsed": round(summary.elapsed, 3),
    })
    store.close()
    return summary


def exit_code(store: Store, summary: BatchSummary | None = None) -> int:
    """130 interrupted; 2 any document failed or unsupported; 1 findings not dismissed; 0 clean."""
    if summary is not None and summary.interrupted:
        return 130
    bad = store.db.execute("SELECT COUNT(*) FROM documents WHERE status != 'done'").fetchone()[0]
    if bad:
        return 2
    open_findings = 0
    for (data,) in store.db.execute("SELECT data FROM findings"):
        d = json.loads(data).get("decision")
        if not (d and d.get("decision") in ("false-positive", "not-applicable")):
            open_findings += 1
            break
    return 1 if open_findings else 0
