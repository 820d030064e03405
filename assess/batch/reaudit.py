"""Re-audit (`--since OLD_OUTDIR`): compare this round's findings with an earlier round's.

Documents are matched by place: the same village (乡镇 + 村) when the folder structure gives
one, otherwise the same path relative to the input folder, so a renamed file in the same village
still matches. Within a place, findings are matched by fingerprint (rule + normalised clause
text, stable across renumbering and edits elsewhere), counting duplicates:

  new         in this round, not in the earlier one
  persisting  in both; a reviewed decision from the earlier round is carried over
  fixed       in the earlier round, gone now (stored in the `fixed` table, listed in the ledger)

Places of the earlier round that were not reviewed this time are neither fixed nor persisting;
they are counted as `not_reaudited`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..errors import AssessError
from .store import E_NO_STORE, Store


def scope(township, village, rel_path) -> tuple:
    if village:
        return ("place", township or "", village)
    return ("file", rel_path or "")


def _load(store: Store):
    """scope -> list of (finding row id, data dict, doc row)"""
    by_scope: dict[tuple, list] = defaultdict(list)
    reviewed: set = set()
    docs = {}
    for d in store.documents():
        if d["status"] != "done":
            continue
        s = scope(d["township"], d["village"], d["rel_path"])
        reviewed.add(s)
        docs[d["id"]] = (s, d)
    for doc_id, fid, data in store.db.execute("SELECT doc_id, id, data FROM findings ORDER BY doc_id, seq"):
        if doc_id in docs:
            s, d = docs[doc_id]
            by_scope[s].append((fid, json.loads(data), d))
    return by_scope, reviewed


def compare(store: Store, old_dir: Path) -> dict:
    if Path(old_dir).resolve() == store.outdir.resolve():
        raise AssessError("--since 指向的是本次的输出目录；请指定上一轮的输出目录", code=E_NO_STORE, path=str(old_dir))
    old = Store(old_dir, create=False, readonly=True)
    try:
        old_by, _ = _load(old)
    finally:
        old.close()
    new_by, new_reviewed = _load(store)
    stats = {"new": 0, "persisting": 0, "fixed": 0, "carried": 0, "not_reaudited": 0}
    updates = []  # (round_status, data json or None, row id)
    fixed_rows = []
    for s, items in new_by.items():
        pool: dict[str, list] = defaultdict(list)
        for _fid, od, _d in old_by.get(s, []):
            pool[od.get("fingerprint")].append(od)
        for fid, nd, _d in items:
            olds = pool.get(nd.get("fingerprint"))
            if olds:
                od = olds.pop(0)
                stats["persisting"] += 1
                if not nd.get("decision") and od.get("decision"):
                    nd["decision"] = dict(od["decision"], carried_from="上一轮")
                    stats["carried"] += 1
                    updates.append(("persisting", json.dumps(nd, ensure_ascii=False), fid))
                else:
                    updates.append(("persisting", None, fid))
            else:
                stats["new"] += 1
                updates.append(("new", None, fid))
    for s, items in old_by.items():
        if s not in new_reviewed:
            stats["not_reaudited"] += len(items)
            continue
        left = defaultdict(int)
        for _fid, nd, _d in new_by.get(s, []):
            left[nd.get("fingerprint")] += 1
        for _fid, od, d in items:
            fp = od.get("fingerprint")
            if left[fp] > 0:
                left[fp] -= 1
                continue
            stats["fixed"] += 1
            fixed_rows.append((d["path"], d["rel_path"], d["township"], d["village"], fp, json.dumps(od, ensure_ascii=False)))

    def go():
        db = store.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("UPDATE findings SET round_status=NULL")
            for rs, data, fid in updates:
                if data is None:
                    db.execute("UPDATE findings SET round_status=? WHERE id=?", (rs, fid))
                else:
                    db.execute("UPDATE findings SET round_status=?, data=? WHERE id=?", (rs, data, fid))
            db.execute("DELETE FROM fixed")
            db.executemany("INSERT INTO fixed(old_path, rel_path, township, village, fingerprint, data) VALUES (?,?,?,?,?,?)", fixed_rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    store._guard(go)
    store.set_meta("since", str(Path(old_dir).resolve()))
    store.set_meta("reaudit", stats)
    return stats


def apply_decisions(store: Store, decisions: list[dict]) -> int:
    """Attach reviewed decisions (decisions file format) to stored findings by fingerprint."""
    by_fp = {d["fingerprint"]: d for d in decisions}
    rows = []
    for fid, fp, data in store.db.execute("SELECT id, fingerprint, data FROM findings"):
        if fp in by_fp:
            d = json.loads(data)
            d["decision"] = by_fp[fp]
            rows.append((json.dumps(d, ensure_ascii=False), fid))

    def go():
        store.db.execute("BEGIN IMMEDIATE")
        store.db.executemany("UPDATE findings SET data=? WHERE id=?", rows)
        store.db.execute("COMMIT")

    if rows:
        store._guard(go)
    return len(rows)
