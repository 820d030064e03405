"""Load `rules/` (terms, laws, packs) into validated `Rule` objects.

Every problem is collected as (code, file, line, message); `load_packs` raises one `RuleError`
whose message lists them all, one ``rules/packs/x.yaml:123: 问题`` per line, unless
``strict=False`` (then broken rules are skipped and the problems are returned).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RuleError
from .prefilter import literal_costs, node_dnf, order_by_rarity
from .schema import (
    E_DUPLICATE,
    E_REGEX,
    E_SCHEMA,
    E_TERMSET,
    E_YAML,
    FRAGMENT_NAME,
    LAW_KEYS,
    PACK_KEYS,
    Rule,
    Validator,
    YamlProblem,
    YList,
    read_yaml,
    regex_problems,
    resolve_fragments,
)


@dataclass
class Loaded:
    rules: list[Rule]
    termsets: dict[str, tuple[str, ...]]
    laws: dict
    files: list[Path]
    sha256: str
    errors: list[tuple[str, str, int, str]] = field(default_factory=list)
    fragments: dict[str, str] = field(default_factory=dict)  # name -> expanded body (`rules show`)


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _display(path: Path, rules_dir: Path) -> str:
    try:
        return str(Path(rules_dir.name) / path.relative_to(rules_dir))
    except ValueError:
        return str(path)


def format_errors(errors) -> str:
    lines = []
    for code, file, line, message in errors:
        where = f"{file}:{line}" if line else file
        lines.append(f"{where}: {message} [{code}]")
    return "\n".join(lines)


def load_packs(rules_dir: Path, *, strict: bool = True, extra_packs: list[Path] | None = None) -> Loaded:
    rules_dir = Path(rules_dir)
    errors: list[tuple[str, str, int, str]] = []
    if not rules_dir.is_dir():
        raise RuleError(f"规则目录不存在：{rules_dir}", code="E200")
    term_files = _yaml_files(rules_dir / "terms")
    law_files = _yaml_files(rules_dir / "laws")
    pack_files = _yaml_files(rules_dir / "packs") + list(extra_packs or [])
    all_files = term_files + law_files + pack_files

    digest = hashlib.sha256()
    raw: dict[Path, bytes] = {}
    for path in all_files:
        shown = _display(path, rules_dir)
        try:
            data = path.read_bytes()
        except OSError as e:
            errors.append((E_YAML, shown, 0, f"无法读取：{e}"))
            continue
        digest.update(shown.encode("utf-8") + b"\0" + data + b"\0")
        raw[path] = data
    sha = digest.hexdigest()

    cached = _cache_get(sha) if not errors else None
    if cached is not None:
        cached.files = all_files
        if cached.errors and strict:
            _raise(cached.errors)
        return cached

    parsed: dict[Path, object] = {}
    for path, data in raw.items():
        shown = _display(path, rules_dir)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            errors.append((E_YAML, shown, 0, "文件不是 UTF-8 编码"))
            continue
        try:
            parsed[path] = read_yaml(text)
        except YamlProblem as e:
            errors.append((E_YAML, shown, e.line, e.message))

    def documents(files, v, holds, allowed: set, what: str, missing: str):
        """(path, shown path, top-level mapping) of each parsed file whose top level `holds`; the
        others are reported with `missing`; unknown top-level keys are reported by `v`."""
        for path in files:
            shown = _display(path, rules_dir)
            data = parsed.get(path)
            if data is None:
                continue
            if not isinstance(data, dict) or not holds(data):
                errors.append((E_SCHEMA, shown, getattr(data, "line", 1), missing))
                continue
            v._keys(data, allowed, shown, what)
            yield path, shown, data

    # -- terms and regex fragments
    termsets: dict[str, tuple[str, ...]] = {}
    raw_fragments: dict[str, str] = {}
    where_defined: dict[str, str] = {}
    fragment_at: dict[str, tuple[str, int]] = {}  # name -> (file, line)
    v = Validator(termsets, {}, errors)
    for path, shown, data in documents(term_files, v, lambda d: "terms" in d or "fragments" in d, {"terms", "fragments"},
                                       "术语文件", "术语文件必须有顶层键 terms 或 fragments"):
        terms = data.get("terms")
        if terms is not None and not isinstance(terms, dict):
            errors.append((E_SCHEMA, shown, data.line_of("terms"), "terms 必须是“名称: [词语, …]”的映射"))
            terms = None
        for name, items in (terms or {}).items():
            ln = terms.line_of(name)
            if name in termsets:
                errors.append((E_TERMSET, shown, ln, f"术语表“{name}”重复定义（{where_defined[name]} 已定义）"))
                continue
            got = v._terms(items, shown, ln, f"术语表 {name}")
            if got is not None:
                termsets[name] = got
                where_defined[name] = f"{shown}:{ln}"
        frags = data.get("fragments")
        if frags is not None and not isinstance(frags, dict):
            errors.append((E_SCHEMA, shown, data.line_of("fragments"), "fragments 必须是“名称: '正则'”的映射"))
            frags = None
        for name, body in (frags or {}).items():
            ln = frags.line_of(name)
            if not FRAGMENT_NAME.fullmatch(str(name)):
                errors.append((E_SCHEMA, shown, ln, f"正则片段名“{name}”只能由英文字母、数字和下划线组成"))
            elif name in fragment_at:
                errors.append((E_TERMSET, shown, ln, f"正则片段“{name}”重复定义（{':'.join(map(str, fragment_at[name]))} 已定义）"))
            elif not isinstance(body, str) or not body:
                errors.append((E_SCHEMA, shown, ln, f"正则片段“{name}”必须是正则表达式文字"))
            else:
                raw_fragments[name] = body
                fragment_at[name] = (shown, ln)
    fragments, problems = resolve_fragments(raw_fragments)
    for name, problem in problems.items():
        errors.append((E_TERMSET, *fragment_at[name], f"正则片段“{name}”{problem}"))
    for name, body in list(fragments.items()):
        # the patterns' own checks, reported at the fragment (they run again on each expansion)
        bad = regex_problems(f"(?:{body})")
        for problem in bad:
            errors.append((E_REGEX, *fragment_at[name], f"正则片段“{name}”：{problem}"))
        if bad:
            del fragments[name]

    # -- laws
    laws: dict[str, dict] = {}
    for path, shown, data in documents(law_files, v, lambda d: isinstance(d.get("laws"), dict), {"laws"}, "法律依据文件",
                                 "法律依据文件必须有顶层映射 laws"):
        for key, law in data["laws"].items():
            ln = data["laws"].line_of(key)
            if not isinstance(law, dict):
                errors.append((E_SCHEMA, shown, ln, f"法律“{key}”必须是映射（name、version、articles）"))
                continue
            v._keys(law, LAW_KEYS, shown, f"法律“{key}”")
            name = law.get("name")
            arts = law.get("articles")
            if not isinstance(name, str) or not name.strip():
                errors.append((E_SCHEMA, shown, ln, f"法律“{key}”缺少全称 name"))
                continue
            if not isinstance(arts, dict) or not arts:
                errors.append((E_SCHEMA, shown, law.line_of("articles"), f"法律“{key}”缺少 articles"))
                continue
            # The same law key in several files is merged (extra-*.yaml add articles to core.yaml).
            prev = laws.get(key)
            if prev is not None and prev["name"] != name.strip():
                errors.append((E_SCHEMA, shown, ln, f"法律“{key}”的全称与 {prev['where']} 不一致"))
                continue
            entry = prev or {"name": name.strip(), "version": law.get("version", ""), "articles": {}, "where": f"{shown}:{ln}"}
            for art, summary in arts.items():
                if not isinstance(summary, str) or not summary.strip():
                    errors.append((E_SCHEMA, shown, arts.line_of(art), f"{key} 第 {art} 条缺少摘要"))
                    continue
                old = entry["articles"].get(str(art))
                if old is not None and old != summary.strip():
                    errors.append((E_SCHEMA, shown, arts.line_of(art), f"{key} 第 {art} 条在 {entry['where']} 已有不同的摘要"))
                    continue
                entry["articles"][str(art)] = summary.strip()
            laws[key] = entry

    # -- packs
    v = Validator(termsets, laws, errors, fragments)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, shown, data in documents(pack_files, v, lambda d: "rules" in d, {"pack", "rules"}, "规则包",
                                 "规则包必须有顶层键 rules（以及 pack）"):
        pack_id = ""
        pack = data.get("pack")
        if pack is not None:
            if not isinstance(pack, dict):
                errors.append((E_SCHEMA, shown, data.line_of("pack"), "pack 必须是映射（id、description）"))
            else:
                v._keys(pack, PACK_KEYS, shown, "pack ")
                pack_id = str(pack.get("id", "")) if pack.get("id") else ""
        items = data["rules"]
        if not isinstance(items, list):
            errors.append((E_SCHEMA, shown, data.line_of("rules"), "rules 必须是规则列表"))
            continue
        for i, item in enumerate(items):
            ln = items.line_of(i) if isinstance(items, YList) else data.line_of("rules")
            rule = v.rule(item, shown, ln, pack_id or path.stem, i)
            if rule is None:
                continue
            if rule.code in seen:
                errors.append((E_DUPLICATE, shown, rule.line, f"规则代码 {rule.code} 重复（{seen[rule.code]} 已使用）"))
                continue
            seen[rule.code] = rule.location
            rules.append(rule)

    # The prefilter's literal analysis, cached with the rules: each rule's condition, with the
    # rarest group of every alternative first (it triggers the alternative).
    for rule in rules:
        rule.dnf = node_dnf(rule.match)
    costs = literal_costs({x for r in rules for alt in r.dnf for g in alt for x in g})
    for rule in rules:
        rule.dnf = order_by_rarity(rule.dnf, costs)
    loaded = Loaded(rules=rules, termsets=termsets, laws=laws, files=all_files, sha256=sha, errors=errors, fragments=fragments)
    if not any(code == E_YAML and line == 0 for code, _f, line, _m in errors):  # unreadable files are not cached
        _cache_put(sha, loaded)
    if errors and strict:
        _raise(errors)
    return loaded


def _raise(errors) -> None:
    err = RuleError(format_errors(errors), code=errors[0][0])
    err.errors = errors  # type: ignore[attr-defined]
    raise err


# ---------------------------------------------------------------- compiled-rules cache
#
# Parsing and analysing a few hundred large regexes takes seconds; `assess check` on one file
# should not. The validated rules are pickled in the user's cache folder, keyed by the sha256 of
# the rule files and of the engine's own source (so a code change invalidates it). Set
# ASSESS_RULES_CACHE=0 to disable, ASSESS_CACHE_DIR to move it. Any problem = no cache.

_CACHE_KEEP = 6
_ENGINE_FILES = ("schema.py", "loader.py", "prefilter.py", "../findings.py")  # what the pickle holds


def _cache_file(sha: str) -> Path | None:
    if os.environ.get("ASSESS_RULES_CACHE", "1") == "0":
        return None
    base = os.environ.get("ASSESS_CACHE_DIR")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "assess")
    h = hashlib.sha256(sha.encode())
    here = Path(__file__).resolve().parent
    for name in _ENGINE_FILES:
        try:
            h.update((here / name).read_bytes())
        except OSError:
            return None
    h.update(f"{sys.version_info[:2]}{pickle.HIGHEST_PROTOCOL}".encode())
    return Path(base) / f"rules-{h.hexdigest()[:32]}.pickle"


def _cache_get(sha: str) -> Loaded | None:
    try:
        path = _cache_file(sha)
        if path is None or not path.exists():
            return None
        with path.open("rb") as fh:
            loaded = pickle.load(fh)
        return loaded if isinstance(loaded, Loaded) and loaded.sha256 == sha else None
    except Exception:  # noqa: BLE001 - a stale or broken cache is ignored
        return None


def _cache_put(sha: str, loaded: Loaded) -> None:
    try:
        path = _cache_file(sha)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(loaded, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        # keep the few most recent caches (rule writers change the packs all day)
        old = sorted(path.parent.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[_CACHE_KEEP:]:
            if stale != path:
                stale.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - read-only home, full disk …: run without a cache
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:  # noqa: BLE001
            pass
