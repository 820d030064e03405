"""JSON: the machine-readable `assess-report/1` contract (schema in assess/schema/report.schema.json)."""

from __future__ import annotations

import json

from .base import Reporter


class JsonReporter(Reporter):
    name = "json"
    extension = ".json"
    stream = True

    def render(self, report) -> str:
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
