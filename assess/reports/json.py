"""JSON: the machine-readable `assess-report/1` contract (schema in assess/schema/report.schema.json)."""

from __future__ import annotations

import json

from .base import Reporter


def report_dict(report) -> dict:
    """`Report.to_dict()` plus what the reports add per document: positive measures, stale
    reviewed decisions and, when known, where the document comes from (`location_meta`)."""
    from ..positive import positive_measures
    from .opinion import location_meta

    data = report.to_dict()
    for r, d in zip(report.documents, data["documents"]):
        if r.error is None:
            d["positive_measures"] = [m.to_dict() for m in positive_measures(r)]
        d["stale_decisions"] = list(r.stale_decisions)
        meta = location_meta(r)
        if meta:
            d["location_meta"] = meta
    return data


class JsonReporter(Reporter):
    name = "json"
    extension = ".json"
    stream = True

    def render(self, report) -> str:
        return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"
