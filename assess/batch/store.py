"""The batch results store: one SQLite database (WAL mode) in the output folder.

It is the source of truth of a batch; the ledger (xlsx), JSON Lines and JSON are generated from it.
Each finished document is written in one transaction (`record`), so an interrupted batch loses
at most the documents that were in flight, and re-running the same command resumes.

Tables
  meta       key/value: schema version, the root folders, the --since folder
  runs       one row per `assess batch` invocation (argv, versions, counts, start/end)
  documents  one row per input file (absolute path is the key): hash, size, mtime, format,
             status (done | error | unsupported), error code/message, timings, versions, location
  findings   one row per finding of a done document; `data` is Finding.to_dict() as JSON;
             `round_status` is new | persisting when a re-audit (--since) compared it
  fixed      findings of the earlier round that are gone in this one (re-audit only)
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from ..errors import AssessError

SCHEMA_VERSION = 1
DB_NAME = "batch.sqlite"

E_OUTDIR = "E501"  # output folder cannot be created or written
E_STORE = "E502"  # results database cannot be written (disk full, I/O error)
E_STORE_FORMAT = "E503"  # not a batch database / newer schema
E_NO_STORE = "E504"  # OUTDIR (or --since folder) holds no batch database

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL, finished REAL, argv TEXT, versions TEXT, status TEXT, counts TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    shown_path TEXT NOT NULL,
    rel_path TEXT,
    township TEXT, village TEXT, location_meta TEXT,
    sha256 TEXT, size INTEGER, mtime_ns INTEGER,
    format TEXT, doc_type TEXT, title TEXT, clauses INTEGER,
    status TEXT NOT NULL, error_code TEXT, error_message TEXT,
    verdict TEXT, n_findings INTEGER DEFAULT 0,
    timings TEXT, versions_key TEXT, versions TEXT, notes TEXT, outputs TEXT,
    run_id INTEGER, reviewed_at REAL
);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER, fingerprint TEXT, rule TEXT, category TEXT, severity TEXT, score REAL,
    round_status TEXT, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_doc ON findings(doc_id);
CREATE INDEX IF NOT EXISTS findings_fp ON findings(fingerprint);
CREATE TABLE IF NOT EXISTS fixed (
    id INTEGER PRIMARY KEY,
    old_path TEXT, rel_path TEXT, township TEXT, village TEXT, fingerprint TEXT, data TEXT
);
"""

DOC_COLUMNS = (
    "path", "shown_path", "rel_path", "township", "village", "location_meta", "sha256", "size", "mtime_ns",
    "format", "doc_type", "title", "clauses", "status", "error_code", "error_message", "verdict",
    "n_findings", "timings", "versions_key", "versions", "notes", "outputs", "run_id", "reviewed_at",
)


def versions_key(versions: dict) -> str:
    """What decides whether a stored result is still valid: tool, rules and model versions, and
    the review options that change findings (--select/--ignore/--min-severity/--threshold…)."""
    return "|".join(f"{k}={versions.get(k) or '-'}" for k in ("assess", "rules", "model", "options"))


def options_key(options) -> str:
    """Short hash of the options that change what a review finds."""
    import hashlib

    limits = getattr(options, "limits", None)
    parts = {
        "select": sorted(getattr(options, "select", ()) or ()),
        "ignore": sorted(getattr(options, "ignore", ()) or ()),
        "min_severity": getattr(options, "min_severity", None),
        "threshold": getattr(options, "threshold", None),
        "use_rules": getattr(options, "use_rules", True),
        "use_model": getattr(options, "use_model", True),
        "pdf_engine": getattr(limits, "pdf_engine", None),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def _store_error(e: Exception, path: Path) -> AssessError:
    msg = str(e)
    if "full" in msg or getattr(e, "errno", None) == 28:
        why = "磁盘空间已满"
    elif "readonly" in msg or "read-only" in msg or isinstance(e, PermissionError):
        why = "输出目录只读"
    else:
        why = f"写入失败（{msg}）"
    return AssessError(
        f"无法写入结果数据库：{why}。已完成的文件结果已保存，释放空间或修正权限后重新运行同一命令即可继续",
        code=E_STORE,
        path=str(path),
    )


class Store:
    """Thin wrapper over the batch database. Only the main process writes to it."""

    def __init__(self, outdir: str | Path, *, create: bool = True, readonly: bool = False):
        self.outdir = Path(outdir)
        self.path = self.outdir / DB_NAME
        if not create and not self.path.exists():
            raise AssessError("这里没有批量审查结果（缺少 batch.sqlite）；请先运行 assess batch", code=E_NO_STORE, path=str(self.outdir))
        if create:
            try:
                self.outdir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise AssessError(f"无法创建输出目录（{e.strerror or e}）", code=E_OUTDIR, path=str(self.outdir)) from None
            if not os.access(self.outdir, os.W_OK | os.X_OK):
                raise AssessError("输出目录不可写（只读或没有权限），请换一个输出目录（-o）", code=E_OUTDIR, path=str(self.outdir))
        try:
            if readonly:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
            else:
                self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if not readonly:
                self.db.executescript(_DDL)
            row = self._meta_get("schema")
            if row is None and not readonly:
                self._meta_set("schema", str(SCHEMA_VERSION))
            elif row is not None and int(row) > SCHEMA_VERSION:
                raise AssessError("结果数据库由更新版本的 assess 生成，请升级后再使用", code=E_STORE_FORMAT, path=str(self.path))
        except sqlite3.DatabaseError as e:
            if "not a database" in str(e) or "malformed" in str(e):
                raise AssessError("batch.sqlite 不是有效的结果数据库（文件损坏或不是本工具生成）", code=E_STORE_FORMAT, path=str(self.path)) from None
            raise _store_error(e, self.path) from None

    def lock(self) -> None:
        """One `assess batch` per output folder at a time (advisory lock; released when the process ends)."""
        try:
            import fcntl
        except ImportError:  # Windows: no lock
            return
        self._lock_fh = open(self.outdir / ".batch.lock", "a+")
        try:
            fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_fh.close()
            raise AssessError("另一个 assess batch 正在使用这个输出目录；请等它结束，或换一个输出目录（-o）",
                              code=E_OUTDIR, path=str(self.outdir)) from None

    # ------------------------------------------------------------------ meta and runs
    def _meta_get(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    def _meta_set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str, default=None):
        v = self._meta_get(key)
        return json.loads(v) if v is not None else default

    def set_meta(self, key: str, value) -> None:
        self._guard(self._meta_set, key, json.dumps(value, ensure_ascii=False))

    def start_run(self, argv: list[str]) -> int:
        def go():
            cur = self.db.execute("INSERT INTO runs(started, argv, status) VALUES (?, ?, 'running')", (time.time(), json.dumps(argv, ensure_ascii=False)))
            return cur.lastrowid

        return self._guard(go)

    def finish_run(self, run_id: int, status: str, versions: dict, counts: dict) -> None:
        self._guard(
            self.db.execute,
            "UPDATE runs SET finished=?, status=?, versions=?, counts=? WHERE id=?",
            (time.time(), status, json.dumps(versions, ensure_ascii=False), json.dumps(counts, ensure_ascii=False), run_id),
        )

    def runs(self) -> list[dict]:
        cur = self.db.execute("SELECT id, started, finished, argv, versions, status, counts FROM runs ORDER BY id")
        return [
            {"id": r[0], "started": r[1], "finished": r[2], "argv": json.loads(r[3] or "[]"), "versions": json.loads(r[4] or "{}"), "status": r[5], "counts": json.loads(r[6] or "{}")}
            for r in cur
        ]

    # ------------------------------------------------------------------ documents
    def done_index(self) -> dict[str, tuple]:
        """path -> (sha256, size, mtime_ns, versions_key, status) of every stored document."""
        cur = self.db.execute("SELECT path, sha256, size, mtime_ns, versions_key, status FROM documents")
        return {r[0]: r[1:] for r in cur}

    def record(self, doc: dict, findings: list[dict]) -> None:
        """Store one document and its findings in one transaction (replacing an earlier result)."""
        self._guard(self._record, doc, findings)

    def _record(self, doc: dict, findings: list[dict]) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM documents WHERE path=?", (doc["path"],))
            cols = ", ".join(DOC_COLUMNS)
            marks = ", ".join("?" for _ in DOC_COLUMNS)
            cur = db.execute(f"INSERT INTO documents({cols}) VALUES ({marks})", [doc.get(c) for c in DOC_COLUMNS])
            doc_id = cur.lastrowid
            if findings:
                db.executemany(
                    "INSERT INTO findings(doc_id, seq, fingerprint, rule, category, severity, score, data) VALUES (?,?,?,?,?,?,?,?)",
                    [(doc_id, i, f["fingerprint"], f["rule"], f["category"], f["severity"], f["score"], f["data"]) for i, f in enumerate(findings)],
                )
            db.execute("COMMIT")
        except BaseException:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise

    def forget_missing(self, keep: set[str], roots: list[str]) -> int:
        """Drop stored documents under `roots` that no longer exist on disk (deleted since the last run)."""
        gone = []
        for (path,) in self.db.execute("SELECT path FROM documents"):
            if path not in keep and any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots) and not os.path.exists(path):
                gone.append(path)
        if gone:
            def go():
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("DELETE FROM documents WHERE path=?", [(p,) for p in gone])
                self.db.execute("COMMIT")

            self._guard(go)
        return len(gone)

    def documents(self, order: str = "township, village, rel_path, path"):
        cur = self.db.execute(f"SELECT id, {', '.join(DOC_COLUMNS)} FROM documents ORDER BY {order}")
        names = ("id",) + DOC_COLUMNS
        for row in cur:
            yield dict(zip(names, row))

    def findings_of(self, doc_id: int) -> list[dict]:
        cur = self.db.execute("SELECT id, data, round_status FROM findings WHERE doc_id=? ORDER BY seq", (doc_id,))
        out = []
        for fid, data, rs in cur:
            d = json.loads(data)
            d["_row"] = fid
            if rs:
                d["round_status"] = rs
            out.append(d)
        return out

    def all_findings(self) -> dict[int, list[dict]]:
        out: dict[int, list[dict]] = {}
        for doc_id, fid, data, rs in self.db.execute("SELECT doc_id, id, data, round_status FROM findings ORDER BY doc_id, seq"):
            d = json.loads(data)
            d["_row"] = fid
            if rs:
                d["round_status"] = rs
            out.setdefault(doc_id, []).append(d)
        return out

    def counts(self) -> dict:
        c = dict(self.db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
        c["findings"] = self.db.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
        return c

    def fixed(self) -> list[dict]:
        cur = self.db.execute("SELECT old_path, rel_path, township, village, fingerprint, data FROM fixed ORDER BY township, village, rel_path")
        return [{"old_path": r[0], "rel_path": r[1], "township": r[2], "village": r[3], "fingerprint": r[4], "data": json.loads(r[5])} for r in cur]

    # ------------------------------------------------------------------ helpers
    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except sqlite3.Error as e:
            raise _store_error(e, self.path) from None
        except OSError as e:
            raise _store_error(e, self.path) from None

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        fh = getattr(self, "_lock_fh", None)
        if fh is not None:
            fh.close()  # releases the batch lock
            self._lock_fh = None
