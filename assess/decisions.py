"""Reviewed decisions: a reviewer's verdict on a finding, keyed by its fingerprint.

File format (YAML or JSON), a list of entries:

    - fingerprint: 3f2a9c1e0b7d4e55
      decision: false-positive        # accepted | false-positive | not-applicable
      reviewer: 张三
      reason: 该条款是引用法律原文
      date: 2026-11-28
      path: 村规民约.docx           # optional: the document the decision belongs to

Decisions never hide a finding: it is shown as reviewed in every format. Entries whose
fingerprint matches nothing any more are reported as stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import AssessError

DECISIONS = ("accepted", "false-positive", "not-applicable")
DECISION_ZH = {"accepted": "确认问题", "false-positive": "误报", "not-applicable": "不适用"}


def load_decisions(path: str | Path) -> list[dict]:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssessError("审查决定文件不存在", code="E120", path=str(p)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise AssessError(f"无法读取审查决定文件（{e}）", code="E120", path=str(p)) from None
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(raw or "[]")
        else:
            import yaml

            data = yaml.safe_load(raw) or []
    except Exception as e:  # noqa: BLE001 - any parse error is the user's file, not our bug
        raise AssessError(f"审查决定文件格式错误（{str(e).splitlines()[0]}）", code="E121", path=str(p)) from None
    if isinstance(data, dict):
        data = data.get("decisions", [])
    out = []
    for i, d in enumerate(data, 1):
        if not isinstance(d, dict) or not d.get("fingerprint") or d.get("decision") not in DECISIONS:
            raise AssessError(
                f"审查决定文件第 {i} 条无效：需要 fingerprint 和 decision（{' / '.join(DECISIONS)}）",
                code="E121",
                path=str(p),
            )
        out.append({k: (str(v) if k == "date" and v is not None else v) for k, v in d.items()})
    return out


def apply_decisions(results, decisions: list[dict]) -> list[dict]:
    """Attach decisions to matching findings of every result; return the stale ones."""
    by_fp = {d["fingerprint"]: d for d in decisions}
    used = set()
    for r in results:
        for f in r.findings:
            d = by_fp.get(f.fingerprint)
            if d:
                f.decision = d
                used.add(f.fingerprint)
    return [d for d in decisions if d["fingerprint"] not in used]


def assign_stale(results, stale: list[dict]) -> None:
    """Show each stale decision once: on the document it names (`path`), else on the first one."""
    if not results:
        return
    by_path = {r.path: r for r in results}
    for r in results:
        r.stale_decisions = []
    for d in stale:
        target = by_path.get(str(d.get("path", "")), results[0])
        target.stale_decisions.append(d)


def save_decisions(path: str | Path, decisions: list[dict]) -> None:
    """Write decisions atomically (the web page and `--decisions` share this format)."""
    from .util import atomic_write_text

    p = Path(path)
    if p.suffix.lower() == ".json":
        atomic_write_text(p, json.dumps(decisions, ensure_ascii=False, indent=2))
    else:
        import yaml

        atomic_write_text(p, yaml.safe_dump(decisions, allow_unicode=True, sort_keys=False))
