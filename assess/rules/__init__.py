"""The rule engine: YAML rule packs (rules/) → findings.

    from assess.rules import load_rules
    rs = load_rules()                       # rules/ of the checkout or the installed package
    for f in rs.check_text("第九条 出嫁女不再参与集体收益分配。"):
        print(f.rule, f.match, f.location.clause_label)

`load_rules(rules_dir, select, ignore)` validates every pack (errors name file:line, in Chinese)
and compiles one Aho–Corasick prefilter; `RuleSet.detect(doc, tree, units)` returns `Finding`s.
Rule selection follows ruff/flake8: codes or prefixes, the longest matching prefix wins, a tie
goes to ignore. Deprecated rules run only when selected by their full code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import RuleError
from ..findings import CATEGORIES, Finding
from .engine import Engine
from .loader import Loaded, format_errors, load_packs
from .schema import PREFIXES, Rule

__all__ = ["load_rules", "RuleSet", "Rule", "RuleError", "parse_codes", "default_rules_dir"]

E_SELECT = "E208"  # --select / --ignore names no known rule


def default_rules_dir() -> Path:
    from ..resources import data_path

    return data_path("rules")


def parse_codes(value) -> list[str]:
    """'CR,EM003' / ['CR', 'EM003'] / None -> ['CR', 'EM003'] (category ids become prefixes)."""
    if not value:
        return []
    if isinstance(value, str):
        value = [value]
    out = []
    for v in value:
        for part in str(v).replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            out.append(PREFIXES.get(part, part.upper()))
    return out


def _longest(code: str, prefixes: list[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p) or p == "ALL"), default=-1)


def is_selected(rule: Rule, select: list[str], ignore: list[str]) -> bool:
    s = _longest(rule.code, select) if select else 0
    i = _longest(rule.code, ignore)
    if s < 0:
        return False
    if rule.status == "deprecated" and rule.code not in select:
        return False
    return s > i


class RuleSet:
    """Loaded, validated and compiled rules."""

    def __init__(self, loaded: Loaded, rules_dir: Path, select=(), ignore=()):
        self.rules_dir = Path(rules_dir)
        self.all_rules: list[Rule] = loaded.rules
        self.termsets = loaded.termsets
        self.fragments = loaded.fragments
        self.laws = loaded.laws
        self.files = loaded.files
        self.sha256 = loaded.sha256
        self.errors = loaded.errors  # problems of skipped rules (strict=False only)
        self.select = parse_codes(select)
        self.ignore = parse_codes(ignore)
        known = {r.code for r in self.all_rules}
        for p in self.select + self.ignore:
            if p != "ALL" and not any(c.startswith(p) for c in known):
                raise RuleError(f"未知的规则代码或前缀：{p}（可用 assess rules list 查看全部规则）", code=E_SELECT)
        self.rules: list[Rule] = [r for r in self.all_rules if is_selected(r, self.select, self.ignore)]
        self.engine = Engine(self.rules)
        self.by_code = {r.code: r for r in self.all_rules}

    @property
    def version(self) -> str:
        """Short id of the loaded rule files (first 12 hex digits of their sha256)."""
        return self.sha256[:12]

    def info(self) -> dict:
        """For reports and batch resume: what rules produced the findings."""
        return {
            "sha256": self.sha256,
            "version": self.version,
            "rules": len(self.rules),
            "rules_total": len(self.all_rules),
            "select": self.select,
            "ignore": self.ignore,
            "files": [str(p.relative_to(self.rules_dir)) if p.is_relative_to(self.rules_dir) else str(p) for p in self.files],
        }

    def get(self, code: str) -> Rule | None:
        return self.by_code.get(code.upper())

    def detect(self, doc, tree=None, units=None, *, prefilter: bool = True, codes: Iterable[str] | None = None,
               debug: bool = False) -> list[Finding]:
        """Findings of the selected rules on `doc` (units default to `build_tree(doc).units()`).

        `codes` restricts to some rules; `prefilter=False` evaluates every rule's match tree on
        every unit, skipping neither by literals nor by `Engine.never` (the reference for testing
        both); `debug=True` also returns excluded and below-threshold findings, marked by
        `explanation["kept"] = False`.
        """
        if units is None:
            if tree is None:
                from ..structure import build_tree

                tree = build_tree(doc)
            units = tree.units()
        return self.engine.detect(doc, units, prefilter=prefilter, codes=set(codes) if codes is not None else None, debug=debug)

    def check_text(self, text: str, **kw) -> list[Finding]:
        """Findings on a piece of text (a clause, a rule example, the web page's paste box)."""
        from ..documents import from_text

        return self.detect(from_text(text), **kw)

    def __len__(self) -> int:
        return len(self.rules)

    def __repr__(self) -> str:
        return f"<RuleSet {len(self.rules)}/{len(self.all_rules)} rules {self.version}>"


def load_rules(rules_dir=None, select=(), ignore=(), *, strict: bool = True) -> RuleSet:
    """Load, validate and compile the rules in `rules_dir` (default: the bundled rules/).

    Raises `RuleError` naming file:line for every problem. With `strict=False` broken rules are
    skipped and their problems kept in `RuleSet.errors` (used by the self-test and benchmarks).
    """
    rules_dir = Path(rules_dir) if rules_dir else default_rules_dir()
    loaded = load_packs(rules_dir, strict=strict)
    return RuleSet(loaded, rules_dir, select, ignore)


def category_name(category: str) -> str:
    return CATEGORIES.get(category, category)


__all__ += ["format_errors", "category_name", "is_selected"]
