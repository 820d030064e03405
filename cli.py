"""`assess` command line: a thin click layer over the `assess` library.

Every command parses options, calls the library and formats output. Expected failures are
`AssessError`s and print as one Chinese line (exit 2); `--debug` shows tracebacks.
Heavy imports happen inside commands so `assess --version` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

import assess
import cli_zh
from assess.errors import AssessError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
SEVERITY_CHOICE = click.Choice(["low", "medium", "high"])

_debug = False


def _split(values) -> list[str]:
    out = []
    for v in values or ():
        out.extend(x.strip() for x in str(v).split(",") if x.strip())
    return out


def _err(msg: str) -> None:
    click.echo(click.style("错误：", fg="red") + msg if sys.stderr.isatty() else "错误：" + msg, err=True)


# Click's own words (Usage:, Options, its usage errors) in Chinese; before any command is
# declared, since click evaluates some of them at declaration time.
cli_zh.install()


@click.group(cls=cli_zh.ChineseGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(assess.__version__, "--version", "-V", prog_name="assess", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="出错时显示详细的调试信息（traceback）。")
def cli(debug: bool) -> None:
    """assess：规范性文件与村规民约性别平等审查工具（男女平等评估）。

    \b
    常用命令：
      assess check 文件...            审查一个或多个文件，列出问题条款
      assess check 文件 -f docx,xlsx -o 输出目录
                                      生成带批注的 Word、评估意见书和台账
      assess parse 文件               查看文件被拆分成的条款结构
      assess rules list               查看规则目录
    """
    global _debug
    _debug = debug


# ---------------------------------------------------------------- parse
@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--pdf-engine", type=click.Choice(["auto", "pdfplumber", "pdfium"]), default="auto", show_default=True, help="PDF 读取方式。")
def parse(file: Path, fmt: str, pdf_engine: str) -> None:
    """显示 FILE 的条款结构（编号、标题层级、字符位置），用于核对和调试。"""
    import json

    from assess.documents import Limits, load_document
    from assess.structure import build_tree, render_tree

    doc = load_document(file, Limits(pdf_engine=pdf_engine))
    tree = build_tree(doc)
    if fmt == "json":
        out = {"document": doc.summary(), "clauses": tree.count(), "tree": tree.to_dict()["children"] if tree.root.children else []}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(f"{doc.title}  （{doc.format}，{len(doc.text)} 字，{tree.count()} 个条款）")
    for note in doc.notes:
        click.echo(f"注：{note}")
    click.echo(render_tree(tree))


# ---------------------------------------------------------------- check
def review_options(f):
    """Options shared by every command that reviews documents."""
    options = [
        click.option("--select", multiple=True, help="只用这些规则（代码或前缀，逗号分隔，如 CR,EM003）。"),
        click.option("--ignore", multiple=True, help="不用这些规则（代码或前缀）。"),
        click.option("--no-model", is_flag=True, help="只用规则，不用分类模型。"),
        click.option("--threshold", type=float, default=None, help="分类模型判定阈值（默认取模型卡中的值）。"),
        click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="使用其他规则目录。"),
        click.option("--model", "model_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="使用其他模型目录。"),
        click.option("--max-size", type=float, default=50, show_default=True, help="单个文件大小上限（MB）。"),
        click.option("--pdf-engine", type=click.Choice(["auto", "pdfplumber", "pdfium"]), default="auto", show_default=True, help="PDF 读取方式：pdfplumber 版面分析更细（表格），pdfium 快 20 倍以上。"),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def make_options(select, ignore, no_model, threshold, rules_dir, model_dir, max_size, pdf_engine, min_severity="low"):
    from assess.documents import Limits
    from assess.pipeline import Options

    return Options(
        select=_split(select),
        ignore=_split(ignore),
        use_model=not no_model,
        threshold=threshold,
        rules_dir=str(rules_dir) if rules_dir else None,
        model_dir=str(model_dir) if model_dir else None,
        min_severity=min_severity,
        limits=Limits(max_file_bytes=int(max_size * 1024 * 1024), pdf_engine=pdf_engine),
    )


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "-f", "formats", default="text", show_default=True, help="报告格式，可多个（逗号分隔）：text, json, md, html, docx, xlsx。")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="输出文件或目录（docx、xlsx、html 或多种格式时为目录，默认 out/）。")
@click.option("--min-severity", type=SEVERITY_CHOICE, default="low", show_default=True, help="只报告不低于此严重程度的问题。")
@click.option("--fail-on", type=SEVERITY_CHOICE, default="low", show_default=True, help="有不低于此严重程度的问题时退出码为 1。")
@click.option("--decisions", type=click.Path(path_type=Path, dir_okay=False), default=None, help="审查决定文件（YAML/JSON），已审问题会标注。")
@review_options
def check(files, formats, output, min_severity, fail_on, decisions, **opts) -> None:
    """审查 FILES，列出可能歧视妇女的条款，并给出理由、法律依据和修改建议。

    退出码：0 没有问题；1 发现问题；2 用法错误或有文件无法读取（其余文件照常审查）。
    """
    from assess.findings import SEVERITY_RANK
    from assess.pipeline import Report, Reviewer
    from assess.reports import get_reporter, write_reports

    fmts = _split([formats])
    reporters = [get_reporter(f) for f in fmts]  # fail early on an unknown format
    options = make_options(min_severity=min_severity, **opts)
    reviewer = Reviewer(options)
    decision_list = None
    if decisions:
        from assess.decisions import load_decisions

        decision_list = load_decisions(decisions)

    stream_only = all(r.stream for r in reporters)
    to_terminal = output is None and stream_only and len(fmts) == 1
    report = Report()
    for path in files:
        result = reviewer.review(path)
        report.documents.append(result)
        if result.error is not None and to_terminal and fmts[0] != "text":
            _err(str(result.error))  # the text report lists errors itself
    report.versions = dict(reviewer.versions)
    if reviewer.model_error is not None:
        _err(f"{reviewer.model_error}（本次只用规则审查）")
    if decision_list is not None:
        from assess.decisions import apply_decisions, assign_stale

        stale = apply_decisions(report.documents, decision_list)
        assign_stale(report.documents, stale)
        if stale:
            _err(f"审查决定文件中有 {len(stale)} 条已无对应问题（条款可能已修改）")

    if to_terminal:
        colour = sys.stdout.isatty()
        click.echo(get_reporter(fmts[0], colour=colour).render(report), nl=False)
    else:
        out = output or Path("out")
        single = (
            len(fmts) == 1
            and out.suffix.lower() == reporters[0].extension
            and (not reporters[0].per_document or sum(1 for r in report.documents if r.error is None) == 1)
        )  # -o 审查.docx with one input writes that file; otherwise -o names a folder
        written = write_reports(report, fmts, out, single_file=single)
        # The terminal always gets the short list too, so nobody has to open a file to see the result.
        click.echo(get_reporter("text", colour=sys.stdout.isatty()).render(report), nl=False)
        for p in written:
            click.echo(f"已写入：{p}")

    if report.errors:
        sys.exit(EXIT_ERROR)
    floor = SEVERITY_RANK[fail_on]
    failing = [
        f
        for r in report.documents
        for f in r.findings
        if SEVERITY_RANK[f.severity] >= floor and not (f.decision and f.decision.get("decision") in ("false-positive", "not-applicable"))
    ]
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


# ---------------------------------------------------------------- rules
@cli.group()
def rules() -> None:
    """规则库：列出、查看和自测规则。"""


@rules.command("list")
@click.option("--select", multiple=True, help="只列出这些代码或前缀（如 CR,EM003）。")
@click.option("--ignore", multiple=True, help="不列出这些代码或前缀。")
@click.option("--all", "include_all", is_flag=True, help="也列出已停用（deprecated）的规则。")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), default=None)
def rules_list(select, ignore, include_all, rules_dir) -> None:
    """列出规则目录（代码、严重程度、类别、名称）。"""
    from assess.rules import load_rules
    from assess.rules.catalog import list_rules

    click.echo(list_rules(load_rules(rules_dir, select=_split(select), ignore=_split(ignore)), include_all=include_all))


@rules.command("show")
@click.argument("code")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), default=None)
def rules_show(code, rules_dir) -> None:
    """显示一条规则的全部内容：匹配方式、理由、法律依据、修改建议和例句。"""
    from assess.errors import RuleError
    from assess.rules import load_rules
    from assess.rules.catalog import show_rule

    text = show_rule(load_rules(rules_dir), code)
    if text is None:
        raise RuleError(f"没有代码为 {code} 的规则（可用 assess rules list 查看全部规则）", code="E208")
    click.echo(text)


@rules.command("test")
@click.option("--select", multiple=True, help="只测试这些代码或前缀。")
@click.option("--ignore", multiple=True, help="不测试这些代码或前缀。")
@click.option("--verbose", "-v", is_flag=True, help="也列出待办（todo）例句。")
@click.option("--quiet", "-q", is_flag=True, help="不列出警告。")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path, file_okay=False), default=None)
def rules_test(select, ignore, verbose, quiet, rules_dir) -> None:
    """运行每条规则自带的例句测试并检查规则包；有失败时退出码为 1。"""
    from assess.rules import load_rules
    from assess.rules.selftest import render, run

    report = run(load_rules(rules_dir, select=_split(select), ignore=_split(ignore), strict=False))
    click.echo(render(report, verbose=verbose, show_warnings=not quiet))
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


# ---------------------------------------------------------------- model (train / evaluate)
@cli.command()
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="训练语料目录（默认 corpus/）。")
@click.option("--output", "-o", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="模型输出目录（默认 models/，即随工具发布的模型）。")
@click.option("--choice", "choices", multiple=True, help="只比较这些特征/模型方案（默认全部）。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度。")
def train(corpus_dir, out_dir, choices, quiet) -> None:
    """只用 corpus/ 重新训练分类模型（结果确定、可复现），写出模型文件和模型卡。"""
    from assess.model.train import train as run_train

    card = run_train(corpus_dir, out_dir, choices=_split(choices) or None, log=(lambda *a: None) if quiet else click.echo)
    m = card["cv_metrics"]["classifier"]
    click.echo(f"分组交叉验证：F1 {m['f1']:.3f}，PR-AUC {m['pr_auc']:.3f}，90% 召回率下精确率 {m['precision_at_recall90']:.3f}（阈值 {card['threshold']}）")


@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--model", "model_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="使用其他模型目录。")
@click.option("--threshold", type=float, default=None, help="分类模型判定阈值（默认取模型卡中的值）。")
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="不给 FILE 时交叉验证所用的语料目录。")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
def evaluate(file, model_dir, threshold, corpus_dir, fmt) -> None:
    """评估检出效果：规则、分类模型、两者结合的精确率、召回率、F1、PR-AUC 和 90% 召回率下的精确率。

    不给 FILE：在 corpus/ 上按组做 5 折交叉验证。

    给 FILE（TSV：id, label, category, text, source；或同字段的 JSONL）：用发布的模型和规则评估这些
    条款（不参与训练）；label 为 any 的边界条款不计入指标，只列出结果。
    """
    import json

    from assess.model.evaluate import evaluate_corpus, evaluate_file, render

    log = (lambda *a: None) if fmt == "json" else (lambda m: click.echo(m, err=True))
    result = evaluate_file(file, model_dir, threshold, log=log) if file else evaluate_corpus(corpus_dir, log=log, model_dir=model_dir, threshold=threshold)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        click.echo(render(result), nl=False)


# ---------------------------------------------------------------- batch / report
@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", "outdir", required=True, type=click.Path(path_type=Path, file_okay=False), help="输出目录（结果数据库 batch.sqlite、台账等都写在这里；重新运行同一命令会接着上次继续）。")
@click.option("--jobs", "-j", type=int, default=None, help="并行进程数（默认：全部 CPU 核）。")
@click.option("--formats", default="xlsx,jsonl", show_default=True, help="汇总输出格式（逗号分隔）：xlsx（台账）、jsonl、json、html、md、text。")
@click.option("--per-document", default="", help="逐件报告格式（逗号分隔）：docx（带批注的 Word）、html；写在 输出目录/逐件报告/ 下。")
@click.option("--since", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None, help="上一轮的输出目录：标出新增、仍存在、已整改的问题，并沿用已有的审查决定。")
@click.option("--decisions", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="审查决定文件（YAML/JSON）。")
@click.option("--layout", default="auto", show_default=True, help="目录结构：auto（按“镇/乡/街道”“村/社区”识别），或如 {township}/{village}、{county}/{township}/{village}（{_} 跳过一级），none 不取。")
@click.option("--timeout", type=float, default=120, show_default=True, help="单个文件处理时间上限（秒），超时的文件记为出错并继续。")
@click.option("--max-memory", type=int, default=None, help="每个审查进程的内存上限（MB）。")
@click.option("--retry-errors", is_flag=True, help="重新审查上次出错且未改动的文件（默认跳过）。")
@click.option("--log-interval", type=float, default=10, show_default=True, help="非终端输出时每隔多少秒打印一行进度。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度。")
@click.option("--min-severity", type=SEVERITY_CHOICE, default="low", show_default=True, help="只记录不低于此严重程度的问题。")
@review_options
def batch(paths, outdir, jobs, formats, per_document, since, decisions, layout, timeout, max_memory, retry_errors, log_interval, quiet, min_severity, **opts) -> None:
    """批量审查 PATHS（文件夹会递归查找 .docx、.pdf、.txt、.md），结果存入 -o 目录。

    乡镇、村取自目录结构（如 档案/城关镇/东村/村规民约.docx）。中断（Ctrl-C）后重新运行同一命令会
    跳过已完成的文件接着审查。随时可用 assess report 输出目录 重新生成台账。

    退出码：0 没有问题；1 发现问题；2 有文件无法审查（其余照常）；130 被中断。
    """
    from assess.batch.discover import parse_layout
    from assess.batch.runner import BatchConfig, run_batch
    from assess.reports import get_reporter

    fmts = _split([formats])
    per_doc = _split([per_document])
    for f in fmts:
        if f != "jsonl":
            get_reporter(f)  # fail early on an unknown format
    for f in per_doc:
        get_reporter(f)
    try:
        parse_layout(layout)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--layout") from None
    if jobs is not None and jobs < 1:
        raise click.BadParameter("至少 1 个进程", param_hint="--jobs")
    cfg = BatchConfig(
        paths=list(paths), outdir=outdir, options=make_options(min_severity=min_severity, **opts), jobs=jobs,
        formats=fmts, per_document=per_doc, since=since, decisions=decisions, layout=layout, timeout=timeout,
        max_memory_mb=max_memory, retry_errors=retry_errors, progress=not quiet, log_interval=log_interval,
        argv=sys.argv[1:],
    )
    log = (lambda m: None) if quiet else (lambda m: click.echo(m, err=True))
    s = run_batch(cfg, log=log)
    t = s.totals
    if s.interrupted:
        _err(f"已中断：本次已完成的 {s.reviewed + s.failed} 个文件结果已保存在 {s.database}；重新运行同一命令即可接着审查")
        sys.exit(130)
    click.echo(
        f"完成：本次审查 {s.reviewed} 个文件，跳过已完成 {s.skipped} 个，出错 {s.failed} 个，不支持 {s.unsupported} 个，"
        f"发现问题 {s.findings} 处，用时 {s.elapsed:.1f} 秒"
    )
    click.echo(f"全部结果：已审查 {t.get('done', 0)}，无法审查 {t.get('error', 0)}，不支持 {t.get('unsupported', 0)}，问题 {t.get('findings', 0)} 处（数据库 {s.database}）")
    for p in s.written:
        click.echo(f"已写入：{p}")
    sys.exit(s.exit_code)


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--formats", default="xlsx,jsonl", show_default=True, help="输出格式（逗号分隔）：xlsx、jsonl、json、html、md、text。")
@click.option("--since", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None, help="与上一轮的输出目录对比（默认沿用 assess batch --since 的设置）。")
@click.option("--decisions", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="审查决定文件（YAML/JSON）。")
@click.option("--per-document", default="", help="补做逐件报告（docx、html）：重新审查内容未变的文件后生成。")
@review_options
def report(outdir, formats, since, decisions, per_document, **opts) -> None:
    """由 OUTDIR 中的结果数据库重新生成台账和汇总（批量审查进行中或中断后也可用）。"""
    from assess.batch import regenerate

    per_doc = _split([per_document])
    written, code = regenerate(outdir, _split([formats]), since=since, decisions=decisions, log=lambda m: click.echo(m, err=True),
                               per_document=per_doc, options=make_options(**opts) if per_doc else None)
    for p in written:
        click.echo(f"已写入：{p}")
    sys.exit(code)


# ---------------------------------------------------------------- serve (web page)
@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只允许本机访问）。")
@click.option("--port", type=int, default=8765, show_default=True, help="端口（0 = 任选一个空闲端口）。")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="数据目录：上传的文件、结果数据库、审查决定（默认 ~/.assess/web）。")
@click.option("--allow-remote", is_flag=True, help="允许在非本机地址上提供服务（会生成访问令牌，每次访问都须提供）。")
@click.option("--retention-days", type=float, default=30, show_default=True, help="上传的文件保存天数，过期自动删除（审查记录保留）。")
@click.option("--max-upload", type=float, default=200, show_default=True, help="一次上传的总大小上限（MB）。")
@click.option("--max-files", type=int, default=50, show_default=True, help="一次上传最多审查的文件数（含压缩包内的文件）。")
@click.option("--timeout", type=float, default=120, show_default=True, help="单个文件处理时间上限（秒），超时的文件记为出错。")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="审查子进程数：一次上传多个文件时并行审查（默认 2，单核电脑为 1；每个约占 130 MB 内存）。")
@review_options
def serve(host, port, data_dir, allow_remote, retention_days, max_upload, max_files, timeout, jobs, **opts) -> None:
    """启动本机网页界面：在浏览器中上传文件、查看标出的问题、标记审查决定、下载报告。"""
    try:
        import flask  # noqa: F401
    except ImportError:
        raise AssessError("网页界面需要 Flask：请运行 pip install 'assess[web]'", code="E605") from None
    from assess.web import serve as run_server
    from assess.web.uploads import UploadLimits

    options = make_options(**opts)
    limits = UploadLimits(
        max_request_bytes=int(max_upload * 1024 * 1024),
        max_file_bytes=options.limits.max_file_bytes,
        max_files=max_files,
    )
    try:
        run_server(host, port, data_dir, allow_remote=allow_remote, retention_days=retention_days, options=options, limits=limits,
                   echo=click.echo, timeout=timeout, jobs=jobs or min(2, os.cpu_count() or 1))
    except OSError as e:
        raise AssessError(f"无法在 {host}:{port} 上启动服务（{e.strerror or e}）；端口可能已被占用，可换一个 --port", code="E606") from None


# ---------------------------------------------------------------- entry point
def main(argv=None) -> None:
    try:
        cli.main(args=argv, prog_name="assess", standalone_mode=False)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.exceptions.NoArgsIsHelpError as e:
        click.echo(e.ctx.get_help())
        sys.exit(EXIT_OK)
    except click.exceptions.Abort:
        _err("已取消")
        sys.exit(130)
    except click.UsageError as e:
        _err(_usage_zh(e))
        sys.exit(EXIT_ERROR)
    except AssessError as e:
        if _debug:
            raise
        _err(str(e))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _err("已中断（已完成的结果已保存）")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as e:  # noqa: BLE001 - last line of defence: one line, not a traceback
        if _debug:
            raise
        _err(f"内部错误：{type(e).__name__}: {e}（加 --debug 查看详情，并请报告此问题）")
        sys.exit(EXIT_INTERNAL)


def _usage_zh(e: click.UsageError) -> str:
    msg = cli_zh.usage_message(e)
    cmd = e.ctx.command_path if e.ctx else "assess"
    return f"用法错误：{msg}（运行 {cmd} --help 查看用法）"


if __name__ == "__main__":
    main()
