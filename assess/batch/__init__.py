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

__all__ = ["BatchConfig", "BatchSummary", "run_batch", "regenerate"]


def __getattr__(name):
    if name in ("BatchConfig", "BatchSummary", "run_batch"):
        from . import runner

        return getattr(runner, name)
    if name == "regenerate":
        return regenerate
    raise AttributeError(name)


def regenerate(outdir, formats, since=None, decisions=None, log=print):
    """`assess report OUTDIR`: (re)compare and (re)write outputs from the database; returns (files, exit code)."""
    from pathlib import Path

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
        return written, exit_code(store)
    finally:
        store.close()
