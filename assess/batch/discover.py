"""Finding the files of a batch and where each one comes from (乡镇, 村).

`walk(paths)` yields every file under the given folders (recursively, sorted, symlinked folders
not followed), classified as supported (reviewed), unsupported (listed in the ledger with the
reason) or ignored (system and temporary files such as `~$x.docx`, `Thumbs.db`, dot files).

Location comes from the folder structure relative to the folder given on the command line,
with a layout pattern (`--layout`):

  auto (default)          folder names ending in 乡/镇/街道/苏木 are the township, 村/社区/嘎查/
                          居委会 the village; when no folder name says so, the first folder
                          level is the township and the second the village
  {township}/{village}    positional: archive/<乡镇>/<村>/…
  {county}/{township}/{village}, {_}/{township}/…   ({_} skips a level)
  none                    no location
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import SUPPORTED, UNSUPPORTED_HINTS

IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "batch.sqlite", "batch.sqlite-wal", "batch.sqlite-shm"}

_TOWNSHIP = re.compile(r"(乡|镇|街道|街道办事处|苏木|民族乡|农场)$")
_VILLAGE = re.compile(r"(村|社区|嘎查|居委会|村委会|村民委员会|居民委员会|组)$")
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass
class Entry:
    path: str  # absolute
    shown: str  # as the user would write it (root as given + relative part)
    rel: str  # relative to the root folder given
    kind: str  # supported | unsupported
    reason: str = ""  # unsupported: why, in Chinese
    location: dict = field(default_factory=dict)


def is_ignored(name: str) -> bool:
    low = name.lower()
    return name.startswith((".", "~$", "~WRL")) or low in IGNORED_NAMES or low.endswith((".tmp", ".part", ".crdownload"))


def classify(name: str) -> tuple[str, str]:
    ext = os.path.splitext(name)[1].lower()
    if ext in SUPPORTED:
        return "supported", ""
    if ext in UNSUPPORTED_HINTS:
        return "unsupported", UNSUPPORTED_HINTS[ext]
    return "unsupported", f"不支持的文件格式（{ext or '无扩展名'}），目前支持 .docx、.pdf、.txt、.md"


def parse_layout(layout: str | None) -> list[str] | None:
    """'{township}/{village}' -> ['township', 'village']; 'auto' -> None; 'none' -> []."""
    if layout is None or layout.strip().lower() == "auto":
        return None
    if layout.strip().lower() in ("none", "-", ""):
        return []
    parts = [p for p in re.split(r"[/\\]", layout.strip()) if p]
    out = []
    for p in parts:
        m = _FIELD.fullmatch(p.strip())
        if not m:
            raise ValueError(f"目录结构格式无效：{layout}（应如 {{township}}/{{village}}，{{_}} 表示跳过一级）")
        out.append(m.group(1))
    return out


def location_of(root_name: str, rel_dirs: list[str], layout: list[str] | None) -> dict:
    """Location fields for a file in folders `rel_dirs` under a root folder named `root_name`."""
    if layout is not None:
        meta = {}
        for name, part in zip(layout, rel_dirs):
            if name != "_":
                meta[name] = part
        return meta
    # auto: names first (including the root's own name: `assess batch 城关镇/` works), then position
    meta: dict = {}
    for part in [root_name] + rel_dirs:
        if "township" not in meta and _TOWNSHIP.search(part) and not _VILLAGE.search(part):
            meta["township"] = part
        elif "village" not in meta and _VILLAGE.search(part):
            meta["village"] = part
    if not meta and rel_dirs:
        meta["township"] = rel_dirs[0]
        if len(rel_dirs) > 1:
            meta["village"] = rel_dirs[1]
    return meta


def walk(paths: list[str | Path], layout: str | None = None, exclude: list[Path] | None = None, ignored: list | None = None):
    """Yield an `Entry` for every file under `paths` (files given directly are taken as they are)."""
    fields = parse_layout(layout)
    excl = [os.path.realpath(p) for p in (exclude or [])]
    seen: set[str] = set()
    for given in paths:
        given_s = str(given)
        p = Path(given_s)
        absp = os.path.abspath(given_s)
        if p.is_file() or not p.exists():
            if absp in seen:
                continue
            seen.add(absp)
            kind, reason = classify(p.name)
            if not p.exists():
                kind, reason = "supported", ""  # the worker reports it as missing
            yield Entry(absp, given_s, p.name, kind, reason, location_of(p.parent.name, [], fields) if fields is None else {})
            continue
        root_name = Path(absp).name
        for dirpath, dirnames, filenames in os.walk(absp, followlinks=False):
            real = os.path.realpath(dirpath)
            if any(real == e or real.startswith(e + os.sep) for e in excl):
                dirnames[:] = []
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, absp)
            rel_parts = [] if rel_dir == "." else rel_dir.split(os.sep)
            loc = location_of(root_name, rel_parts, fields)
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if is_ignored(name):
                    if ignored is not None:
                        ignored.append(full)
                    continue
                if full in seen:
                    continue
                seen.add(full)
                rel = os.path.join(*rel_parts, name) if rel_parts else name
                kind, reason = classify(name)
                yield Entry(full, os.path.join(given_s, rel), rel, kind, reason, dict(loc))
