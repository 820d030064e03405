"""The one interface every report format implements.

A reporter either renders the whole `Report` into one output (`render`), or, when
`per_document` is set, one output per reviewed document (`render_document`; the annotated Word
copy). `write_reports` in this package handles file names, folders and atomic writes, so a
reporter only turns results into bytes or text. Adding a format = one module + one line in
`REPORTERS` (assess/reports/__init__.py).
"""

from __future__ import annotations

from ..pipeline import DocumentResult, Report


class Reporter:
    name: str = ""
    extension: str = ""  # with the dot: ".json"
    binary: bool = False  # bytes (docx, xlsx) rather than text
    per_document: bool = False
    stream: bool = False  # can be printed to the terminal when no -o is given

    def __init__(self, **options):
        self.options = options

    def render(self, report: Report) -> str | bytes:
        raise NotImplementedError

    def render_document(self, result: DocumentResult, report: Report) -> str | bytes:
        raise NotImplementedError
