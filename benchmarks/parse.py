"""Parse throughput of `assess.documents.load_document`: documents/s and MB/s per format.

    .venv/bin/python benchmarks/parse.py            # generated 5- and 50-page documents + law corpus
    .venv/bin/python benchmarks/parse.py --quick    # fewer repetitions, corpus sample of 300 files
    .venv/bin/python benchmarks/parse.py --no-corpus

Generated documents (tests/docgen.py, about 10 articles per page): txt (UTF-8 and GBK), docx
(one run per paragraph, and "multi-run" with 3-9 character runs like real Word files), PDF
made by reportlab (CID font STSong-Light, running header, page numbers, a table every 5 pages)
and, if LibreOffice is installed, PDF exported from the docx (the most Word-like). Every PDF is
read with each engine (pdfium, pdfplumber, auto). Timing: CPU time of this process
(`time.process_time`, so other jobs on the machine inflate it little), warm process, the same file
re-read, median of the repetitions; docs/s, MB/s and pages/s are per core. The law corpus (/work/shared/corpora/laws-cn.tar.xz, 3,043 Markdown
files) is unpacked to a temporary directory and read once, file by file; skipped with a message
if absent. MB/s counts bytes on disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import docgen  # noqa: E402
from assess.documents import Limits, load_document  # noqa: E402
from assess.errors import InputError  # noqa: E402

CORPUS = Path(os.environ.get("ASSESS_LAW_CORPUS", ROOT.parent / "shared" / "corpora" / "laws-cn.tar.xz"))
ARTICLES_PER_PAGE = 10


def paragraphs(pages: int, table_every_pages: int = 5) -> list:
    arts = docgen.varied_articles(pages * ARTICLES_PER_PAGE, seed=pages)
    out: list = ["为规范本县村规民约的制定和修订工作，结合本县实际，制定本办法。"]
    for i, a in enumerate(arts, 1):
        out.append(f"第{docgen.cn(i) if i < 100 else i}条 {a}")
        if table_every_pages and i % (ARTICLES_PER_PAGE * table_every_pages) == 0:
            out.append(("table", [["序号", "事项", "责任单位", "完成时限"], ["1", "清理村规民约", "各村委会", "6月底前"],
                                  ["2", "公开财务收支", "村务监督委员会", "每季度"], ["3", "培训妇女代表", "镇妇联", "9月底前"]]))
    return out


def make_docx(path: Path, paras: list, multi_run: bool) -> Path:
    return docgen.paragraphs_docx(path, paras, "某县村规民约管理办法", header="某县人民政府办公室", table_style="Table Grid",
                                  multi_run=multi_run)


def make_files(tmp: Path, with_lo: bool) -> list[tuple[str, str, Path]]:
    """(format label, size label, path)"""
    files = []
    for pages in (5, 50):
        paras = paragraphs(pages)
        text = "某县村规民约管理办法\n" + "\n".join(p for p in paras if isinstance(p, str)) + "\n"
        t = tmp / f"doc{pages}.txt"
        t.write_text(text, encoding="utf-8")
        files.append(("txt utf-8", f"{pages}p", t))
        g = tmp / f"doc{pages}.gbk.txt"
        g.write_bytes(text.encode("gbk"))
        files.append(("txt gbk", f"{pages}p", g))
        files.append(("docx simple", f"{pages}p", make_docx(tmp / f"doc{pages}.docx", paras, False)))
        files.append(("docx multi-run", f"{pages}p", make_docx(tmp / f"doc{pages}m.docx", paras, True)))
        files.append(("pdf reportlab", f"{pages}p", docgen.reportlab_pdf(tmp / f"doc{pages}.pdf", paras, title="某县村规民约管理办法")))
        if with_lo:
            pdf = docgen.soffice_pdf(tmp / f"doc{pages}.docx", tmp / "lo")
            if pdf:
                files.append(("pdf libreoffice", f"{pages}p", pdf))
    return files


CLOCK = time.process_time  # CPU time of this process: robust when other jobs share the cores


def time_file(path: Path, limits: Limits, reps: int) -> tuple[float, object]:
    doc = load_document(path, limits)  # warm-up (imports, OS cache)
    times = []
    for _ in range(reps):
        t0 = CLOCK()
        doc = load_document(path, limits)
        times.append(CLOCK() - t0)
    return statistics.median(times), doc


def python_docx_baseline(path: Path, reps: int) -> float:
    import docx

    times = []
    for _ in range(reps):
        t0 = CLOCK()
        d = docx.Document(path)
        _ = [p.text for p in d.paragraphs]
        _ = [c.text for t in d.tables for r in t.rows for c in r.cells]
        times.append(CLOCK() - t0)
    return statistics.median(times)


def bench_generated(reps: int, with_lo: bool) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "lo").mkdir()
        for fmt, size, path in make_files(tmp, with_lo):
            engines = ["pdfium", "auto", "pdfplumber"] if fmt.startswith("pdf") else [None]
            for engine in engines:
                limits = Limits(pdf_engine=engine or "auto")
                n = reps if engine != "pdfplumber" else max(2, reps // 4)
                t, doc = time_file(path, limits, n)
                mb = path.stat().st_size / 1e6
                label = fmt + (f" [{engine}]" if engine else "")
                pages = doc.pages or int(size[:-1])
                rows.append([label, size, f"{path.stat().st_size / 1024:.0f}", f"{len(doc.text)}", f"{t * 1000:.2f}",
                             f"{1 / t:.0f}", f"{mb / t:.1f}", f"{pages / t:.0f}"])
            if fmt == "docx multi-run" or fmt == "docx simple":
                t = python_docx_baseline(path, max(3, reps // 2))
                rows.append([f"({fmt}: python-docx paragraphs+tables, reference)", size, f"{path.stat().st_size / 1024:.0f}",
                             "", f"{t * 1000:.2f}", f"{1 / t:.0f}", f"{path.stat().st_size / 1e6 / t:.1f}", f"{int(size[:-1]) / t:.0f}"])
    return rows


def bench_corpus(limit: int | None) -> list[str] | None:
    if not CORPUS.exists():
        print(f"[law corpus] skipped: {CORPUS} not found")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with tarfile.open(CORPUS) as tar:
            tar.extractall(tmp, filter="data")
        unpack = time.perf_counter() - t0
        files = sorted(p for p in Path(tmp).rglob("*") if p.is_file() and p.suffix.lower() in (".md", ".txt"))
        if limit:
            step = max(1, len(files) // limit)
            files = files[::step][:limit]
        total_bytes = sum(p.stat().st_size for p in files)
        for p in files[:20]:
            p.read_bytes()
        ok = errors = chars = 0
        t0, w0 = CLOCK(), time.perf_counter()
        for p in files:
            try:
                chars += len(load_document(p).text)
                ok += 1
            except InputError:
                errors += 1
        t, wall = CLOCK() - t0, time.perf_counter() - w0
    print(f"[law corpus] {len(files)} files, {total_bytes / 1e6:.1f} MB, unpacked in {unpack:.1f}s; "
          f"read {ok} ok, {errors} InputError, {chars / 1e6:.1f} M chars in {t:.2f}s CPU ({wall:.2f}s wall)")
    return ["law corpus (md, utf-8)", f"{len(files)} files", f"{total_bytes / 1024:.0f}", f"{chars}", f"{t / len(files) * 1000:.2f}",
            f"{len(files) / t:.0f}", f"{total_bytes / 1e6 / t:.1f}", ""]


def table(rows: list[list[str]]) -> str:
    head = ["document", "size", "kB", "chars", "CPU ms/doc", "docs/s", "MB/s", "pages/s"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions; corpus sample of 300 files")
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice-exported PDFs")
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()
    reps = args.reps or (3 if args.quick else 9)
    rows = bench_generated(reps, with_lo=not args.no_libreoffice and docgen.soffice() is not None)
    if not args.no_corpus:
        row = bench_corpus(300 if args.quick else None)
        if row:
            rows.append(row)
    print(table(rows))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
