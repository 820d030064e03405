"""Batch review of document archives: `assess batch` and `assess report`.

    from assess.batch import BatchConfig, run_batch
    summary = run_batch(BatchConfig(paths=["档案/"], outdir=Path("结果")))

- discover.py  walk folders, classify files, township/village from the folder layout
- worker.py    worker processes (rules/model loaded once each), one document per task
- runner.py    the pool (deadlines, kill and replace), resume, progress, exit code
- store.py     the SQLite results database (WAL), one transaction per document
- reaudit.py   --since: new / persisting / fixed by fingerprint, decisions carried over
- ledger.py    ledger xlsx, JSON Lines and other formats generated from the database
See docs/batch.md.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["BatchConfig", "BatchSummary", "run_batch", "regenerate"]


def __getattr__(name):
    if name in ("BatchConfig", "BatchSummary", "run_batch"):
        from . import runner

        return getattr(runner, name)
    if name == "regenerate":
        return regenerate
    raise AttributeError(name)


def regenerate(outdir, formats, since=None, decisions=None, log=print, per_document=(), options=None):
    """`assess report OUTDIR`: (re)compare and (re)write outputs from the database; returns (files, exit code).

    `per_document` (docx, html): re-review the stored documents whose file is unchanged (same sha256)
    and write their per-document reports, in this process.
    """
    from .ledger import write_outputs
    from .runner import exit_code
    from .store import Store

    store = Store(outdir, create=False)
    try:
        if decisions:
            from ..decisions import load_decisions
            from .reaudit import apply_decisions

            n = apply_decisions(store, load_decisions(decisions))
            log(f"审查决定：{n} 条已对应到问题")
        since = since or store.meta("since")
        if since:
            from .reaudit import compare

            st = compare(store, Path(since))
            log(f"与上一轮（{since}）对比：新增 {st['new']}，仍存在 {st['persisting']}，已整改 {st['fixed']}，沿用审查决定 {st['carried']}")
        written = write_outputs(store, Path(outdir), formats)
        if per_document:
            written += rerender(store, Path(outdir), list(per_document), options, log)
        return written, exit_code(store)
    finally:
        store.close()


def rerender(store, outdir, per_document, options=None, log=print):
    """Per-document reports for stored documents, re-reviewed here (unchanged files only)."""
    import json

    from ..pipeline import Options, Reviewer
    from ..reports import get_reporter
    from .worker import write_per_document

    reviewer = Reviewer(options or Options())
    reporters = [get_reporter(f) for f in per_document]
    written, stale = [], 0
    for d in store.documents():
        if d["status"] != "done":
            continue
        result = reviewer.review(d["path"])
        if result.error is not None or result.document.sha256 != d["sha256"]:
            stale += 1
            continue
        loc = json.loads(d["location_meta"] or "{}")
        result.path = result.document.path = d["shown_path"]
        result.location_meta = loc
        result.document.meta["location_meta"] = loc
        written += write_per_document(reporters, result, dict(reviewer.versions), str(outdir), d["rel_path"])
    if stale:
        log(f"{stale} 个文件在审查后已改动或删除，未生成逐件报告（请重新运行 assess batch）")
    return [Path(p) for p in written]
