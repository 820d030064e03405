"""The assessment verdict (评估结论) for one document, from its findings.

Rule (documented in README and in the 评估意见书):
- 建议不予通过: three or more high-severity gender findings — discrimination runs through the
  document, and clause-by-clause edits are not enough; it should be redrafted.
- 建议修改后通过: at least one gender finding of medium or high severity.
- 建议通过: no gender finding above low (low ones are wording suggestions, listed but not blocking).
Findings that reviewers marked false-positive or not-applicable do not count. Findings of the
`unlawful_non_gender` category never change the gender verdict; they are listed separately.
"""

from __future__ import annotations

from .findings import GENDER_CATEGORIES, Finding

PASS = "建议通过"
REVISE = "建议修改后通过"
REJECT = "建议不予通过"
REJECT_HIGH_COUNT = 3


def counts(findings: list[Finding]) -> dict[str, int]:
    c = {"high": 0, "medium": 0, "low": 0}
    for f in findings:
        if f.category in GENDER_CATEGORIES and not _dismissed(f):
            c[f.severity] += 1
    return c


def _dismissed(f: Finding) -> bool:
    return bool(f.decision) and f.decision.get("decision") in ("false-positive", "not-applicable")


def verdict(findings: list[Finding]) -> str:
    c = counts(findings)
    if c["high"] >= REJECT_HIGH_COUNT:
        return REJECT
    if c["high"] or c["medium"]:
        return REVISE
    return PASS
