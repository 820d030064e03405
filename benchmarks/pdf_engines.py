"""PDF read throughput per engine: documents per CPU-second of `load_document`, one file at a time.

    .venv/bin/python benchmarks/batch.py --no-corpus --n 200 --workdir /tmp/benchwd   # makes the PDFs once
    .venv/bin/python benchmarks/pdf_engines.py                       # /tmp/benchwd/gen-pdf/*/*/*.pdf
    .venv/bin/python benchmarks/pdf_engines.py DIR_OR_PDF ... [--engines pdfium,auto] [--repeat 3]

Every file is read once per engine per round (engines interleaved file by file, so a slower
moment of a shared machine hits all of them alike); the CPU time of this process
(`time.process_time`) is summed per engine; with --repeat N the fastest round per engine is kept.
Prints docs/CPU-s, ms per document, table pages found and the ratio to pdfium. One warm-up read
per engine comes first (imports, PDFium's font set-up).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assess.documents import Limits, load_document  # noqa: E402

DEFAULT = Path("/tmp/benchwd/gen-pdf")


def pdfs(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for a in args or [str(DEFAULT)]:
        p = Path(a)
        out.extend(sorted(p.rglob("*.pdf")) if p.is_dir() else [p])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help=f"PDF files or folders (default {DEFAULT})")
    ap.add_argument("--engines", default="pdfium,auto,pdfplumber")
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the fastest per engine is kept")
    args = ap.parse_args()
    files = pdfs(args.paths)
    if not files:
        sys.exit("no PDF found (make them with benchmarks/batch.py --workdir /tmp/benchwd, or name files)")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    limits = {e: Limits(pdf_engine=e) for e in engines}
    for e in engines:
        load_document(files[0], limits[e])
    best = {e: float("inf") for e in engines}
    tables = {e: 0 for e in engines}
    pages = 0
    for r in range(max(args.repeat, 1)):
        spent = {e: 0.0 for e in engines}
        for f in files:
            for e in engines:
                t0 = time.process_time()
                doc = load_document(f, limits[e])
                spent[e] += time.process_time() - t0
                if r == 0:
                    tables[e] += len(doc.meta.get("table_pages", []))
                    if e == engines[0]:
                        pages += doc.pages
        for e in engines:
            best[e] = min(best[e], spent[e])
    base = best.get("pdfium")
    print(f"{len(files)} PDFs, {pages} pages, rounds {max(args.repeat, 1)}")
    print(f"{'engine':<11} {'docs/CPU-s':>10} {'ms/doc':>8} {'table pages':>12} {'x pdfium':>9}")
    for e in engines:
        t = best[e]
        ratio = f"{t / base:.2f}" if base else "-"
        print(f"{e:<11} {len(files) / t:>10.1f} {1000 * t / len(files):>8.2f} {tables[e]:>12} {ratio:>9}")


if __name__ == "__main__":
    main()
