"""Throughput of `assess batch` (not a timed test): per-core rate, floor ratio, parallel efficiency, scale.

    .venv/bin/python benchmarks/batch.py                 # everything (about 5-10 minutes)
    .venv/bin/python benchmarks/batch.py --quick         # fewer generated files, corpus parts 100/1000
    .venv/bin/python benchmarks/batch.py --no-corpus     # generated documents only
    .venv/bin/python benchmarks/batch.py --json out.json # also write the figures as JSON

Part 1, generated born-digital 5-page documents (tests/docgen.py: about 50 articles, a table,
header/footer; docx from python-docx, PDF from reportlab with a CID font), every file different:
  - floor, as the issue defines it: in this process, one core, per file: read + decode
    (load_document), one segmentation pass (the pipeline's fast word segmenter over the whole
    text) and one keyword pass (the rule engine's Aho-Corasick automaton of every rule literal);
  - batch --jobs 1 and --jobs 2 over the same files (rules + classifier, as `assess batch` runs;
    --no-model: rules only; ASSESS_NO_MEMO=1: no memo of repeated clauses),
    `processing` = first dispatched document to last result (start-up reported separately);
  - per-core rate (files/s at --jobs 1), batch/floor ratio (wall: -j1 processing time, start-up
    excluded; CPU: the workers' per-document CPU), 2-job speedup.
Part 2, the law corpus (../shared/corpora/laws-cn.tar.xz, 3,043 Markdown files, 55 MB) unpacked
to a temporary folder: documents/s and MB/s at --jobs 1 and 2, peak RSS per worker, processing
time of the first 100 / 1,000 / all files (linearity), and the projected time for 500,000
village-rule documents on one 8-core machine from the measured per-core rate and 2-job efficiency.
Every run writes its results store and JSONL like a real batch (the ledger xlsx is skipped for the
rate figures and timed once separately).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import docgen  # noqa: E402
from lawcorpus import CORPUS_TAR, corpus_dir  # noqa: E402
from assess.batch.runner import BatchConfig, run_batch  # noqa: E402
from assess.batch.store import Store  # noqa: E402
from assess.documents import Limits, load_document  # noqa: E402
from assess.pipeline import Options, Reviewer  # noqa: E402

TABLE = [["序号", "事项", "责任单位", "完成时限"], ["1", "清理村规民约", "各村委会", "6月底前"],
         ["2", "公开财务收支", "村务监督委员会", "每季度"], ["3", "培训妇女代表", "镇妇联", "9月底前"]]


def log(msg: str) -> None:
    print(msg, flush=True)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ------------------------------------------------------------------ generated documents
def five_pages(seed: int) -> list:
    arts = docgen.varied_articles(50, seed=seed)
    out: list = ["为规范本村村规民约的制定和修订工作，结合本村实际，制定本规约。"]
    for i, a in enumerate(arts, 1):
        out.append(f"第{docgen.cn(i)}条 {a}")
        if i == 25:
            out.append(("table", TABLE))
    return out


def make_docx(path: Path, paras: list) -> None:
    docgen.paragraphs_docx(path, paras, "某村村规民约", header="某镇人民政府")


def generate(tmp: Path, n: int, n_lo: int = 0) -> dict[str, Path]:
    dirs = {"docx": tmp / "gen-docx", "pdf": tmp / "gen-pdf"}
    done = tmp / f"generated-{n}-{n_lo}.ok"
    if done.exists():  # --workdir kept from an earlier run
        if (tmp / "gen-pdf-lo").exists():
            dirs["pdf-libreoffice"] = tmp / "gen-pdf-lo"
        return dirs
    for d in ("gen-docx", "gen-pdf", "gen-pdf-lo", "lo-src"):
        shutil.rmtree(tmp / d, ignore_errors=True)
    if n_lo and docgen.soffice():
        # PDFs exported by LibreOffice from docx (embedded fonts, the most Word-like); one soffice call
        import subprocess

        src = tmp / "lo-src"
        src.mkdir()
        for i in range(n_lo):
            make_docx(src / f"村规民约{i:04d}.docx", five_pages(5000 + i))
        out = tmp / "gen-pdf-lo" / "第1镇" / "第1村"
        out.mkdir(parents=True)
        subprocess.run([docgen.soffice(), "--headless", "--convert-to", "pdf", "--outdir", str(out), *map(str, sorted(src.glob("*.docx")))],
                       capture_output=True, timeout=3600)
        if any(out.glob("*.pdf")):
            dirs["pdf-libreoffice"] = tmp / "gen-pdf-lo"
    for fmt, d in list(dirs.items())[:2]:
        for i in range(n):
            sub = d / f"第{i % 5 + 1}镇" / f"第{i % 17 + 1}村"
            sub.mkdir(parents=True, exist_ok=True)
            paras = five_pages(1000 + i)
            if fmt == "docx":
                make_docx(sub / f"村规民约{i:04d}.docx", paras)
            else:
                docgen.reportlab_pdf(sub / f"村规民约{i:04d}.pdf", paras, header="某镇村规民约汇编", title="某村村规民约")
    done.write_text("ok")
    return dirs


def files_of(d: Path) -> list[Path]:
    return sorted(p for p in d.rglob("*") if p.is_file() and not p.name.startswith("."))


def floor(files: list[Path], options: Options) -> tuple[float, float]:
    """Read + decode, one segmentation pass and one keyword pass, one core, warm: (wall s, CPU s)."""
    from assess.nlp import Segmenter

    reviewer = Reviewer(options)
    rules = reviewer.rules
    pf = getattr(getattr(rules, "engine", None), "pf", None)
    seg = Segmenter("fast")
    limits = options.limits
    seg.tokens(load_document(files[0], limits).text)  # warm imports and the dictionary
    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        doc = load_document(f, limits)
        seg.tokens(doc.text)
        if pf is not None:
            pf.hits(doc.text)
    return time.perf_counter() - t0, time.process_time() - c0


def floor_isolated(files: list[Path], options: Options) -> tuple[float, float]:
    """`floor` in a forked child, so this process (the batches' parent) never loads the rules."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def run() -> None:
        child.send(floor(files, options))

    proc = ctx.Process(target=run)
    proc.start()
    out = parent.recv()
    proc.join()
    return out


REPEAT = 1
ONLY: list = []  # generated formats to measure (docx, pdf, pdf-libreoffice); empty = all


def batch(paths, out: Path, jobs: int, options: Options, formats=("jsonl",)):
    """The fastest of REPEAT runs."""
    best = None
    for _ in range(REPEAT):
        s = _batch_once(paths, out, jobs, options, formats)
        if best is None or s.processing < best.processing:
            best = s
    return best


def pair(paths, out1: Path, out2: Path, options: Options):
    """-j1 and -j2, alternating REPEAT times (both see similar background load); the fastest of each."""
    b1 = b2 = None
    for _ in range(REPEAT):
        s1 = _batch_once(paths, out1, 1, options)
        s2 = _batch_once(paths, out2, 2, options)
        b1 = s1 if b1 is None or s1.processing < b1.processing else b1
        b2 = s2 if b2 is None or s2.processing < b2.processing else b2
    return b1, b2


def _batch_once(paths, out: Path, jobs: int, options: Options, formats=("jsonl",)):
    if out.exists():
        shutil.rmtree(out)
    ru0, ch0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    s = run_batch(BatchConfig(paths=[str(p) for p in paths], outdir=out, options=options, jobs=jobs,
                              formats=list(formats), progress=False, wait_all_workers=True), log=lambda m: None)
    ru1, ch1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    s.main_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    s.workers_cpu = (ch1.ru_utime - ch0.ru_utime) + (ch1.ru_stime - ch0.ru_stime)  # includes rules/model loading
    st = Store(out, create=False, readonly=True)
    try:
        s.doc_cpu = sum(json.loads(d["timings"] or "{}").get("cpu") or 0 for d in st.documents())
    finally:
        st.close()
    if s.failed:
        log(f"  注意：{s.failed} 个文件出错")
    return s


def peak_rss(out: Path) -> float:
    st = Store(out, create=False, readonly=True)
    try:
        vals = [json.loads(d["timings"] or "{}").get("rss_mb") or 0 for d in st.documents()]
    finally:
        st.close()
    return max(vals) if vals else 0.0


def part_generated(tmp: Path, n: int, options: Options, res: dict, n_lo: int = 0) -> None:
    log(f"\n== 生成的 5 页文件（docx、reportlab PDF 各 {n} 个；LibreOffice 导出的 PDF {n_lo} 个） ==")
    t = time.perf_counter()
    dirs = generate(tmp, n, n_lo)
    log(f"生成用时 {time.perf_counter() - t:.1f} 秒")
    for fmt, d in dirs.items():
        if ONLY and fmt not in ONLY:
            continue
        files = files_of(d)
        n = len(files)
        mb = sum(f.stat().st_size for f in files) / 1e6
        # -j1, -j2 and the floor in turn, REPEAT times: this VM's speed drifts by 20-30% over
        # minutes, so each -j1 run is compared with the floor measured right after it (paired
        # ratio, median reported) as well as best with best.
        s1 = s2 = None
        fls, paired = [], []
        for _ in range(max(1, REPEAT)):
            a = _batch_once([d], tmp / f"out-{fmt}-j1", 1, options)
            b = _batch_once([d], tmp / f"out-{fmt}-j2", 2, options)
            f = floor_isolated(files, options)
            fls.append(f)
            paired.append(a.processing / f[0])
            s1 = a if s1 is None or a.processing < s1.processing else s1
            s2 = b if s2 is None or b.processing < s2.processing else s2
        fl, fl_cpu = min(fls, key=lambda x: x[0])
        r = {
            "files": n, "MB": round(mb, 2),
            "floor_wall_s": round(fl, 3), "floor_cpu_s": round(fl_cpu, 3), "floor_files_per_cpu_s": round(n / fl_cpu, 1),
            "j1_processing_s": round(s1.processing, 3), "j1_files_per_s": round(n / s1.processing, 1),
            "j1_review_cpu_s": round(s1.doc_cpu, 3), "j1_files_per_cpu_s": round(n / s1.doc_cpu, 1),
            "j1_total_cpu_s": round(s1.workers_cpu + s1.main_cpu, 3), "j1_main_cpu_s": round(s1.main_cpu, 3),
            "j1_startup_s": round(s1.startup, 2), "j1_elapsed_s": round(s1.elapsed, 2),
            "j2_processing_s": round(s2.processing, 3), "j2_files_per_s": round(n / s2.processing, 1),
            "j2_review_cpu_s": round(s2.doc_cpu, 3), "j2_total_cpu_s": round(s2.workers_cpu + s2.main_cpu, 3),
            # with no other load, 2 workers finish in max(worker CPU) ~ total/2: speedup bound from CPU time
            "speedup_j2_cpu_bound": round((s1.workers_cpu + s1.main_cpu) / ((s2.workers_cpu + s2.main_cpu) / 2), 2),
            "ratio_batch_to_floor_wall": round(s1.processing / fl, 2),
            "ratio_batch_to_floor_cpu": round(s1.doc_cpu / fl_cpu, 2),
            "ratio_paired_median": round(sorted(paired)[len(paired) // 2], 2),
            "ratio_paired_all": [round(x, 2) for x in paired],
            "speedup_j2": round(s1.processing / s2.processing, 2),
            "findings": s1.findings,
        }
        res[f"generated_{fmt}"] = r
        log(f"{fmt}（{n} 个，{mb:.1f} MB）：")
        log(f"  下限（读取+解码+一次分词+一次关键词扫描）：{fl:.2f} 秒墙钟，{fl_cpu:.2f} 秒 CPU，{r['floor_files_per_cpu_s']} 个/CPU秒")
        log(f"  batch -j1：处理 {s1.processing:.2f} 秒墙钟 = {r['j1_files_per_s']} 个/秒；逐件审查 CPU {s1.doc_cpu:.2f} 秒 = {r['j1_files_per_cpu_s']} 个/CPU秒；"
            f"全部进程 CPU {r['j1_total_cpu_s']} 秒（主进程 {r['j1_main_cpu_s']}，含启动加载）；启动 {r['j1_startup_s']} 秒，全程 {r['j1_elapsed_s']} 秒")
        log(f"  批量/下限：墙钟 {r['ratio_batch_to_floor_wall']}×（-j1 处理时间，不含启动，各取最快），CPU {r['ratio_batch_to_floor_cpu']}×（逐件审查 CPU）；"
            f"逐轮配对 {r['ratio_paired_all']}，中位数 {r['ratio_paired_median']}×")
        log(f"  batch -j2：处理 {s2.processing:.2f} 秒 = {r['j2_files_per_s']} 个/秒，加速 {r['speedup_j2']}×（墙钟）；"
            f"全部 CPU {r['j2_total_cpu_s']} 秒，按 CPU 时间算的加速上限 {r['speedup_j2_cpu_bound']}×")


def part_corpus(tmp: Path, options: Options, parts: list[int], res: dict) -> None:
    dest = corpus_dir()  # unpacked once, shared with the other benchmarks (benchmarks/lawcorpus.py)
    if dest is None:
        log(f"\n（跳过法律语料：{CORPUS_TAR} 不存在）")
        return
    log("\n== 法律语料 ==")
    files = files_of(dest)
    mb = sum(f.stat().st_size for f in files) / 1e6
    log(f"{len(files)} 个文件，{mb:.1f} MB")
    out = {"files": len(files), "MB": round(mb, 1)}
    runs = dict(zip((1, 2), pair([dest], tmp / "laws-j1", tmp / "laws-j2", options)))
    for jobs in (1, 2):
        s = runs[jobs]
        out[f"j{jobs}"] = {
            "processing_s": round(s.processing, 2), "docs_per_s": round(len(files) / s.processing, 1),
            "MB_per_s": round(mb / s.processing, 2), "startup_s": round(s.startup, 2), "elapsed_s": round(s.elapsed, 2),
            "peak_rss_per_worker_MB": peak_rss(tmp / f"laws-j{jobs}"), "findings": s.findings, "failed": s.failed,
            "review_cpu_s": round(s.doc_cpu, 2), "docs_per_cpu_s": round(len(files) / s.doc_cpu, 1),
            "total_cpu_s": round(s.workers_cpu + s.main_cpu, 2), "main_cpu_s": round(s.main_cpu, 2),
        }
        log(f"-j{jobs}: {out[f'j{jobs}']['docs_per_s']} 个/秒，{out[f'j{jobs}']['MB_per_s']} MB/秒，处理 {s.processing:.1f} 秒（启动 {s.startup:.1f} 秒），"
            f"每进程峰值内存 {out[f'j{jobs}']['peak_rss_per_worker_MB']} MB，问题 {s.findings} 处，出错 {s.failed}；"
            f"逐件 CPU {s.doc_cpu:.1f} 秒 = {out[f'j{jobs}']['docs_per_cpu_s']} 个/CPU秒，全部 CPU {out[f'j{jobs}']['total_cpu_s']} 秒（主进程 {out[f'j{jobs}']['main_cpu_s']}）")
    out["speedup_j2"] = round(out["j1"]["processing_s"] / out["j2"]["processing_s"], 2)
    out["speedup_j2_cpu_bound"] = round(out["j1"]["total_cpu_s"] / (out["j2"]["total_cpu_s"] / 2), 2)
    log(f"-j2 / -j1 加速 {out['speedup_j2']}×（墙钟），按 CPU 时间算的上限 {out['speedup_j2_cpu_bound']}×")
    # ledger timing once, from the -j2 store
    t = time.perf_counter()
    from assess.batch.ledger import write_outputs

    st = Store(tmp / "laws-j2", create=False)
    write_outputs(st, tmp / "laws-j2", ["xlsx"])
    st.close()
    out["ledger_xlsx_s"] = round(time.perf_counter() - t, 2)
    log(f"台账 xlsx 生成 {out['ledger_xlsx_s']} 秒")
    # linearity: the first N files (sorted), -j2
    lin = {}
    for n in parts + [len(files)]:
        n = min(n, len(files))
        if n == len(files) and "j2" in out:
            lin[n] = out["j2"]["processing_s"]
        else:
            s = batch(files[:n], tmp / f"laws-first{n}", 2, options)
            lin[n] = round(s.processing, 2)
        sub_mb = sum(f.stat().st_size for f in files[:n]) / 1e6
        log(f"前 {n} 个文件（{sub_mb:.1f} MB）：{lin[n]} 秒（{lin[n] / n * 1000:.2f} 毫秒/个，{lin[n] / sub_mb:.2f} 秒/MB）")
    out["linearity_s"] = lin
    res["laws"] = out


def project(res: dict) -> None:
    """500,000 documents / (per-core rate x 8 cores x parallel efficiency)."""
    log("\n== 50 万份村规民约、8 核一台机器的预计用时 ==")
    measured = [res[k]["speedup_j2"] / 2 for k in ("laws", "generated_docx") if k in res]
    effs = sorted({round(min(max(measured), 1.0), 2) if measured else 0.85, 0.85})
    proj = {}
    rates = (
        ("docx 5 页（墙钟）", res.get("generated_docx", {}).get("j1_files_per_s")),
        ("docx 5 页（CPU）", res.get("generated_docx", {}).get("j1_files_per_cpu_s")),
        ("pdf 5 页（墙钟）", res.get("generated_pdf", {}).get("j1_files_per_s")),
        ("pdf 5 页（CPU）", res.get("generated_pdf", {}).get("j1_files_per_cpu_s")),
        ("LibreOffice pdf 5 页（CPU）", res.get("generated_pdf-libreoffice", {}).get("j1_files_per_cpu_s")),
        ("法律语料（墙钟）", res.get("laws", {}).get("j1", {}).get("docs_per_s")),
        ("法律语料（CPU）", res.get("laws", {}).get("j1", {}).get("docs_per_cpu_s")),
    )
    for label, rate in rates:
        if not rate:
            continue
        for eff in effs:
            hours = 500_000 / (rate * 8 * eff) / 3600
            proj[f"{label} eff={eff}"] = round(hours, 2)
            log(f"按{label}每核 {rate} 个/秒、并行效率 {eff}：{hours:.2f} 小时")
    res["projection_500k_8core_hours"] = proj


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--no-generated", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="generated files per format (default 400, --quick 120)")
    ap.add_argument("--no-model", action="store_true", help="rules only (default: rules + classifier, as `assess batch` runs)")
    ap.add_argument("--model", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for old command lines
    ap.add_argument("--lo", type=int, default=0, help="also N PDFs exported by LibreOffice from docx (slow to make)")
    ap.add_argument("--pdf-engine", default="auto", choices=["auto", "pdfium", "pdfplumber"])
    ap.add_argument("--rules", default=None, help="rules folder (default: the shipped rules/)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep generated files here and reuse them on the next run")
    ap.add_argument("--only", default="", help="generated formats to measure: docx,pdf,pdf-libreoffice (default all)")
    ap.add_argument("--repeat", type=int, default=1, help="run each batch N times and keep the fastest (noisy machines)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    global REPEAT
    REPEAT = max(1, args.repeat)
    ONLY[:] = [x for x in (args.only or "").split(",") if x]
    options = Options(use_model=not args.no_model, rules_dir=args.rules, limits=Limits(pdf_engine=args.pdf_engine))
    res: dict = {"cpus": os.cpu_count(), "loadavg_start": loadavg(), "python": sys.version.split()[0], "pdf_engine": args.pdf_engine,
                 "model": not args.no_model, "memo": not os.environ.get("ASSESS_NO_MEMO"), "repeat": REPEAT}
    log(f"CPU {os.cpu_count()} 核，负载 {res['loadavg_start']}；{'规则 + 分类模型' if res['model'] else '只用规则'}，"
        f"重复条款记忆{'开' if res['memo'] else '关（ASSESS_NO_MEMO=1）'}")
    with tempfile.TemporaryDirectory(prefix="assess-batch-bench-") as t:
        tmp = args.workdir or Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        if not args.no_generated:
            part_generated(tmp, args.n or (120 if args.quick else 400), options, res, args.lo)
        if not args.no_corpus:
            part_corpus(tmp, options, [100, 1000], res)
    project(res)
    res["loadavg_end"] = loadavg()
    log(f"\n负载（开始 / 结束）：{res['loadavg_start']} / {res['loadavg_end']}")
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
