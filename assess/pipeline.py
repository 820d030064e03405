"""The review pipeline: document → clause tree → detectors → findings → result.

    reviewer = Reviewer(Options(select=["CR", "EM"]))
    result = reviewer.review("村规民约.docx")

A `Reviewer` loads its detectors once (rules, classifier) and reviews any number of documents;
batch workers keep one per process. Every detector returns the same `Finding` type; the rule
findings are the explained ones, the classifier adds what no rule caught and attaches its
probability to every finding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from . import __version__
from .documents import Document, Limits, load_document
from .errors import AssessError
from .findings import GENDER_CATEGORIES, SEVERITY_RANK, Finding, finalise, merge_same_clause
from .structure import ClauseTree, Unit, build_tree

SCHEMA = "assess-report/1"


class Detector(Protocol):
    """Anything that finds problems in a document's clauses (rule engine, classifier)."""

    name: str

    def detect(self, doc: Document, tree: ClauseTree, units: list[Unit]) -> list[Finding]: ...


@dataclass
class Options:
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    rules_dir: str | None = None
    use_rules: bool = True
    use_model: bool = True
    model_dir: str | None = None
    threshold: float | None = None  # classifier threshold; None = the model card's default
    min_severity: str = "low"
    limits: Limits = field(default_factory=Limits)


@dataclass
class DocumentResult:
    path: str
    document: Document | None = None
    tree: ClauseTree | None = None
    findings: list[Finding] = field(default_factory=list)
    error: AssessError | None = None
    clauses: int = 0
    doc_type: str | None = None
    timings: dict = field(default_factory=dict)
    stale_decisions: list[dict] = field(default_factory=list)

    @property
    def gender_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.category in GENDER_CATEGORIES]

    @property
    def verdict(self) -> str | None:
        from .verdict import verdict

        return None if self.error else verdict(self.findings)

    def to_dict(self) -> dict:
        d = self.document
        return {
            "path": self.path,
            "format": d.format if d else None,
            "sha256": d.sha256 if d else None,
            "size": d.size if d else None,
            "title": d.title if d else None,
            "doc_type": self.doc_type,
            "clauses": self.clauses,
            "verdict": self.verdict,
            "notes": d.notes if d else [],
            "findings": [f.to_dict() for f in self.findings],
            "error": self.error.to_dict() if self.error else None,
        }


@dataclass
class Report:
    documents: list[DocumentResult] = field(default_factory=list)
    versions: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[dict]:
        return [{"path": r.path, **r.error.to_dict()} for r in self.documents if r.error]

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "versions": self.versions,
            "documents": [r.to_dict() for r in self.documents],
            "errors": self.errors,
        }


class Reviewer:
    """Holds loaded detectors; reviews documents one at a time."""

    def __init__(self, options: Options | None = None):
        self.options = options or Options()
        self._rules = None
        self._model = None
        self._model_error: AssessError | None = None
        self.versions = {"assess": __version__}

    # Detectors are loaded on first use so `assess parse` never pays for them.
    @property
    def rules(self):
        if self._rules is None and self.options.use_rules:
            from .rules import load_rules

            self._rules = load_rules(self.options.rules_dir, select=self.options.select, ignore=self.options.ignore)
            self.versions["rules"] = getattr(self._rules, "version", None)
        return self._rules

    @property
    def model(self):
        if self._model is None and self.options.use_model and self._model_error is None:
            try:
                from .model import load_classifier
            except ImportError:  # the classifier package is optional at this stage
                return None
            try:
                self._model = load_classifier(self.options.model_dir, threshold=self.options.threshold)
                self.versions["model"] = getattr(self._model, "version", None)
            except AssessError as e:
                self._model_error = e
        return self._model

    @property
    def model_error(self) -> AssessError | None:
        return self._model_error

    def review(self, path: str | Path) -> DocumentResult:
        result = DocumentResult(path=str(path))
        t0 = time.perf_counter()
        try:
            doc = load_document(path, self.options.limits)
        except AssessError as e:
            result.error = e
            return result
        result.timings["read"] = time.perf_counter() - t0
        return self.review_document(doc, result)

    def review_document(self, doc: Document, result: DocumentResult | None = None) -> DocumentResult:
        result = result or DocumentResult(path=doc.path)
        result.document = doc
        t = time.perf_counter()
        tree = build_tree(doc)
        units = tree.units()
        result.tree = tree
        result.clauses = len(units)
        result.timings["structure"] = time.perf_counter() - t

        from .doctype import guess_doc_type

        result.doc_type = guess_doc_type(doc)
        findings: list[Finding] = []
        if self.rules is not None:
            t = time.perf_counter()
            findings.extend(merge_same_clause(self.rules.detect(doc, tree, units)))
            result.timings["rules"] = time.perf_counter() - t
        model = self.model
        if model is not None:
            t = time.perf_counter()
            findings = model.combine(doc, tree, units, findings)
            result.timings["model"] = time.perf_counter() - t
        floor = SEVERITY_RANK[self.options.min_severity]
        findings = [f for f in findings if SEVERITY_RANK[f.severity] >= floor]
        result.findings = finalise(findings)
        return result


def review(path: str | Path, options: Options | None = None, **kwargs) -> DocumentResult:
    """Review one document. `kwargs` are `Options` fields (select=, ignore=, use_model=…)."""
    return Reviewer(options or Options(**kwargs)).review(path)


def review_many(paths: Sequence[str | Path], options: Options | None = None, **kwargs) -> Report:
    """Review several documents; one failing never stops the others."""
    reviewer = Reviewer(options or Options(**kwargs))
    report = Report()
    for p in paths:
        report.documents.append(reviewer.review(p))
    report.versions = dict(reviewer.versions)
    return report
