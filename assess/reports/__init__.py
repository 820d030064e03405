"""Report writers behind one interface (`base.Reporter`).

`REPORTERS` maps a format name to "module:Class"; modules are imported only when their format is
asked for (openpyxl and python-docx cost start-up time).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import OutputError
from ..util import atomic_write_bytes
from .base import Reporter

REPORTERS = {
    "text": "assess.reports.text:TextReporter",
    "json": "assess.reports.json:JsonReporter",
    "md": "assess.reports.markdown:MarkdownReporter",
    "html": "assess.reports.html:HtmlReporter",
    "docx": "assess.reports.docx:DocxReporter",
    "xlsx": "assess.reports.xlsx:XlsxReporter",
}


def available() -> list[str]:
    out = []
    for name, spec in REPORTERS.items():
        mod = spec.split(":")[0]
        if importlib.util.find_spec(mod) is not None:
            out.append(name)
    return out


def get_reporter(name: str, **options) -> Reporter:
    spec = REPORTERS.get(name)
    if spec is None:
        raise OutputError(f"不支持的报告格式：{name}（可用：{'、'.join(available())}）", code="E401")
    mod, cls = spec.split(":")
    try:
        module = importlib.import_module(mod)
    except ModuleNotFoundError as e:
        if e.name == mod:
            raise OutputError(f"报告格式 {name} 尚未提供（可用：{'、'.join(available())}）", code="E401") from None
        raise
    return getattr(module, cls)(**options)


def _safe_stem(path: str) -> str:
    stem = Path(path).stem or "document"
    return "".join(ch if ch not in '\\/:*?"<>|' else "_" for ch in stem)


def output_name(result_path: str, reporter: Reporter, used: set[str]) -> str:
    """File name for a per-document output: <原文件名>.审查<ext>, made unique within one run."""
    base = f"{_safe_stem(result_path)}.审查"
    name = base + reporter.extension
    n = 2
    while name in used:
        name = f"{base}-{n}{reporter.extension}"
        n += 1
    used.add(name)
    return name


def write_reports(report, formats: list[str], out: Path, single_file: bool = False, **options) -> list[Path]:
    """Write every requested format; `out` is a folder, or a file when `single_file`.

    Outputs are written atomically (temp file + rename). Input files are never touched.
    """
    written: list[Path] = []
    used: set[str] = set()
    for fmt in formats:
        reporter = get_reporter(fmt, **options)
        try:
            if reporter.per_document:
                for r in report.documents:
                    if r.error is not None:
                        continue
                    data = reporter.render_document(r, report)
                    target = out / output_name(r.path, reporter, used) if not single_file else out
                    _write(target, data)
                    written.append(target)
            else:
                data = reporter.render(report)
                target = out if single_file else out / f"审查报告{reporter.extension}"
                _write(target, data)
                written.append(target)
        except OSError as e:
            raise OutputError(f"无法写入报告（{e.strerror or e}）", code="E402", path=str(out)) from None
    return written


def _write(target: Path, data: str | bytes) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    atomic_write_bytes(target, data)
