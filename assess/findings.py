"""The one `Finding` type that rules and the classifier both produce.

A finding says which detector fired (`rule` code or the model), on which words (`match`, with
offsets), why it is a problem (`message`), under which law (`legal_basis`) and how to rewrite the
clause (`suggestion`). `explanation` keeps the decision process (rule tree hits, context words,
model features) so any output can show it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field

CATEGORIES = {
    "collective_rights": "集体经济组织成员权益",
    "political_participation": "政治参与",
    "employment": "劳动就业",
    "reproductive_control": "生育控制",
    "family": "婚姻家庭",
    "stereotype": "性别刻板印象",
    "education": "文化教育",
    "unlawful_non_gender": "其他违法（非性别）",
}
# Categories that count as gender discrimination in verdicts and statistics.
GENDER_CATEGORIES = frozenset(CATEGORIES) - {"unlawful_non_gender"}

SEVERITIES = ("low", "medium", "high")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


@dataclass
class LegalBasis:
    law: str  # full name, e.g. 中华人民共和国妇女权益保障法
    article: str  # Chinese article label, e.g. 第五十六条
    summary: str  # one line in our own words
    key: str = ""  # citation key, e.g. 妇女权益保障法#56


@dataclass
class Location:
    clause_label: str
    start: int  # offset of the matched span in Document.text
    end: int
    clause_start: int = 0
    clause_end: int = 0
    line: int | None = None
    page: int | None = None
    paragraph: int | None = None
    table: int | None = None
    row: int | None = None
    cell: int | None = None
    heading_path: list[str] = field(default_factory=list)


@dataclass
class Finding:
    rule: str | None  # rule code, or None for a model-only finding
    source: str  # rule | model | rule+model
    category: str
    severity: str
    score: float
    text: str  # the clause
    match: str  # the matched span
    location: Location
    message: str
    legal_basis: list[LegalBasis] = field(default_factory=list)
    suggestion: str = ""
    name: str = ""  # rule title
    explanation: dict = field(default_factory=dict)
    model_score: float | None = None  # classifier probability for the clause, when a model ran
    id: str = ""
    fingerprint: str = ""
    decision: dict | None = None  # reviewed decision carried from a decisions file

    @property
    def is_gender(self) -> bool:
        return self.category in GENDER_CATEGORIES

    def to_dict(self) -> dict:
        d = asdict(self)
        d["location"] = {k: v for k, v in d["location"].items() if v is not None}
        return d


_NORMALISE = re.compile(r"[\s\u3000，。；：、,.;:！？!?“”\"'‘’（）()【】\[\]《》<>—\-…·]+")
_LABEL = re.compile(r"^(第[一二三四五六七八九十百千零〇0-9]+[编章节条款项]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.．、]|[①-⑳])\s*")


def normalise_clause(text: str) -> str:
    """Clause text without its label, punctuation and whitespace: stable across renumbering."""
    text = _LABEL.sub("", text.strip())
    return _NORMALISE.sub("", text)


def fingerprint(rule: str | None, category: str, clause_text: str) -> str:
    """Stable id of a finding across re-runs and edits elsewhere in the document."""
    key = f"{rule or 'model:' + category}\x1f{normalise_clause(clause_text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def merge_same_clause(findings: list[Finding]) -> list[Finding]:
    """One finding per clause and category: several rules often describe one problem.

    A clause like “户主由户内男性成员担任” can fire a participation rule and a family rule (two
    categories: both kept) and three participation rules (one problem: one finding). The kept
    finding is the most severe, then highest-scoring, then longest match; the others are listed
    in `explanation["related_rules"]` and their legal bases are added, so nothing is lost.
    """
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        key = (f.location.clause_start, f.location.clause_end, f.category)
        groups.setdefault(key, []).append(f)
    out = []
    for group in groups.values():
        group.sort(key=lambda f: (-SEVERITY_RANK[f.severity], -f.score, -(f.location.end - f.location.start), f.rule or ""))
        primary = group[0]
        if len(group) > 1:
            related = primary.explanation.setdefault("related_rules", [])
            seen = {lb.key or (lb.law, lb.article) for lb in primary.legal_basis}
            for other in group[1:]:
                related.append({"rule": other.rule, "name": other.name, "severity": other.severity, "match": other.match})
                for lb in other.legal_basis:
                    k = lb.key or (lb.law, lb.article)
                    if k not in seen:
                        seen.add(k)
                        primary.legal_basis.append(lb)
        out.append(primary)
    return out


def finalise(findings: list[Finding]) -> list[Finding]:
    """Sort by position, give ids and fingerprints (ids are per document, 1-based)."""
    findings.sort(key=lambda f: (f.location.start, -SEVERITY_RANK[f.severity], f.rule or ""))
    for i, f in enumerate(findings, 1):
        f.id = f"F{i:03d}"
        if not f.fingerprint:
            f.fingerprint = fingerprint(f.rule, f.category, f.text)
    return findings
