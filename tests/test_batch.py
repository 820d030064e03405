"""`assess batch` / `assess report`: archives with bad input, resume, re-audit, failures while running.

Worker processes are forked from the test process on Linux, so monkeypatching `Reviewer.review`
here reaches the workers (hangs, crashes, files changing mid-review).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assess.batch.discover import location_of, parse_layout, walk
from assess.batch.runner import BatchConfig, run_batch
from assess.batch.store import Store
from assess.errors import AssessError, OutputError
from assess.pipeline import Options, Reviewer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork-based worker patching")

# Clauses written for these tests.
VILLAGE_RULES = """东坡村村规民约

第一条 为加强村民自治，维护本村生产生活秩序，经村民会议讨论通过，制定本规约。
第二条 出嫁到外村的女儿，户口未迁出的，不再参与本村土地征收补偿款的分配。
第三条 离婚后仍居住在本村的妇女，其承包地由村民小组收回另行发包。
第四条 村民应当爱护公共设施，不得在道路上堆放杂物。
第五条 招赘女婿及其子女不享受本村集体经济组织成员待遇。
"""
CLEAN = """南岭村环境卫生公约

第一条 村民应当爱护公共环境，生活垃圾分类投放到指定地点。
第二条 每户门前实行三包责任制，保持房前屋后整洁。
第三条 禁止在山林焚烧秸秆，进山人员不得携带火种。
"""


def cli(*args, cwd=None, **kw):
    args = [str(a) for a in args]
    if args[0] in ("batch", "report") and _RULES:
        args += ["--rules", _RULES[0]]
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=cwd, **kw)


_RULES: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def frozen_rules(tmp_path_factory):
    """A private copy of rules/: the rules version (part of the resume key) must not change mid-test."""
    dst = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(os.environ.get("ASSESS_BATCH_TEST_RULES", ROOT / "rules"), dst)
    _RULES[:] = [str(dst)]
    yield dst


def opts(**kw) -> Options:
    return Options(use_model=False, rules_dir=_RULES[0] if _RULES else None, **kw)


def cfg(paths, out, **kw) -> BatchConfig:
    kw.setdefault("options", opts())
    kw.setdefault("progress", False)
    kw.setdefault("jobs", 2)
    return BatchConfig(paths=[str(p) for p in paths], outdir=Path(out), **kw)


def rows(out) -> dict[str, dict]:
    s = Store(out, create=False, readonly=True)
    try:
        return {d["rel_path"]: d for d in s.documents()}
    finally:
        s.close()


def findings_by_doc(out) -> dict[str, list]:
    s = Store(out, create=False, readonly=True)
    try:
        all_f = s.all_findings()
        out_ = {}
        for d in s.documents():
            out_[d["rel_path"]] = [{k: v for k, v in f.items() if k != "_row"} for f in all_f.get(d["id"], [])]
        return out_
    finally:
        s.close()


@pytest.fixture
def archive(tmp_path) -> Path:
    a = tmp_path / "档案"
    (a / "城关镇" / "东坡村").mkdir(parents=True)
    (a / "城关镇" / "南岭村").mkdir(parents=True)
    (a / "河口乡" / "北山村").mkdir(parents=True)
    (a / "城关镇" / "东坡村" / "村规民约.txt").write_text(VILLAGE_RULES, encoding="utf-8")
    (a / "城关镇" / "南岭村" / "卫生公约.txt").write_text(CLEAN, encoding="utf-8")
    for src in EXAMPLES.glob("*.docx"):
        shutil.copy(src, a / "河口乡" / "北山村" / src.name)
    for src in EXAMPLES.glob("*.pdf"):
        shutil.copy(src, a / "河口乡" / src.name)
    return a


@pytest.fixture
def bad_archive(archive) -> Path:
    bad = archive / "河口乡" / "北山村"
    (bad / "损坏.docx").write_bytes(b"PK\x03\x04" + os.urandom(300))
    (bad / "损坏.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(300))
    (bad / "空白.txt").write_bytes(b"")
    (bad / "旧版.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (bad / "照片.xyz").write_bytes(b"xyz")
    (bad / "~$临时.docx").write_bytes(b"lock")
    (bad / "超大.txt").write_text("村民应当遵守本规约。\n" * 120_000, encoding="utf-8")  # > 1 MB
    try:
        from reportlab.pdfgen import canvas

        c = canvas.Canvas(str(bad / "加密.pdf"), encrypt="secret")
        c.drawString(100, 700, "encrypted")
        c.save()
    except ImportError:
        pass
    return archive


# ------------------------------------------------------------------ discovery and location
def test_location_from_folders():
    assert location_of("档案", ["城关镇", "东坡村"], None) == {"township": "城关镇", "village": "东坡村"}
    assert location_of("城关镇", ["东坡村"], None) == {"township": "城关镇", "village": "东坡村"}  # root named after the township
    assert location_of("档案", ["2024年", "城关镇", "东坡社区"], None) == {"township": "城关镇", "village": "东坡社区"}
    assert location_of("档案", ["一片区", "二组"], None) == {"village": "二组"}
    assert location_of("档案", ["甲", "乙"], None) == {"township": "甲", "village": "乙"}  # positional fallback
    layout = parse_layout("{county}/{township}/{village}")
    assert location_of("x", ["嘉禾县", "城关镇", "东坡村", "2024"], layout) == {"county": "嘉禾县", "township": "城关镇", "village": "东坡村"}
    assert location_of("x", ["a", "b", "c"], parse_layout("{_}/{township}")) == {"township": "b"}
    assert parse_layout("none") == [] and location_of("x", ["a"], []) == {}
    with pytest.raises(ValueError):
        parse_layout("township/village")


def test_walk_lists_unsupported_and_ignores_system_files(bad_archive, tmp_path):
    ignored = []
    entries = {e.rel: e for e in walk([bad_archive], ignored=ignored)}
    assert entries["河口乡/北山村/旧版.doc"].kind == "unsupported" and "另存为 .docx" in entries["河口乡/北山村/旧版.doc"].reason
    assert entries["河口乡/北山村/照片.xyz"].kind == "unsupported"
    assert "河口乡/北山村/~$临时.docx" not in entries and any(p.endswith("~$临时.docx") for p in ignored)
    assert entries["城关镇/东坡村/村规民约.txt"].location == {"township": "城关镇", "village": "东坡村"}
    assert entries["河口乡/某镇妇女权益保障工作方案.pdf"].location == {"township": "河口乡"}


# ------------------------------------------------------------------ a whole archive with bad input
def test_batch_archive_with_bad_input(bad_archive, tmp_path):
    out = tmp_path / "结果"
    r = cli("batch", bad_archive, "-o", out, "--no-model", "--max-size", "1", "-j", "2", "--log-interval", "0")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert "进度：" in r.stderr  # plain progress lines when not on a terminal
    docs = rows(out)
    codes = {k.split("/")[-1]: (d["status"], d["error_code"]) for k, d in docs.items()}
    assert codes["村规民约.txt"] == ("done", None)
    assert codes["损坏.docx"][1] == "E108" and codes["损坏.pdf"][1] == "E108"
    assert codes["空白.txt"] == ("error", "E104")
    assert codes["超大.txt"] == ("error", "E105")
    assert codes["旧版.doc"] == ("unsupported", "E106") and codes["照片.xyz"][0] == "unsupported"
    if "加密.pdf" in codes:
        assert codes["加密.pdf"] == ("error", "E109")
    assert "~$临时.docx" not in codes
    for d in docs.values():  # every error has a Chinese message
        if d["status"] != "done":
            assert d["error_message"] and any("\u4e00" <= ch <= "\u9fff" for ch in d["error_message"])
    assert docs["城关镇/东坡村/村规民约.txt"]["township"] == "城关镇"
    assert docs["城关镇/东坡村/村规民约.txt"]["n_findings"] >= 2
    # outputs generated from the database
    lines = (out / "批量审查结果.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(docs)
    first = json.loads(next(l for l in lines if "村规民约.txt" in l))
    assert first["location_meta"] == {"township": "城关镇", "village": "东坡村"} and first["findings"]
    from openpyxl import load_workbook

    wb = load_workbook(out / "批量审查台账.xlsx")
    assert {"问题台账", "乡镇汇总", "文件汇总", "分类统计", "运行信息"} <= set(wb.sheetnames)
    towns = [row[0] for row in wb["乡镇汇总"].iter_rows(min_row=2, values_only=True)]
    assert "城关镇" in towns and "河口乡" in towns
    ledger_rows = list(wb["问题台账"].iter_rows(min_row=2, values_only=True))
    assert any(row[2] == "城关镇" and row[3] == "东坡村" for row in ledger_rows)
    status = [row[-1] for row in wb["文件汇总"].iter_rows(min_row=2, values_only=True)]
    assert "不支持的格式" in status and "无法审查" in status


def test_exit_codes_clean_and_findings(tmp_path):
    clean = tmp_path / "clean" / "城关镇"
    clean.mkdir(parents=True)
    (clean / "公约.txt").write_text(CLEAN, encoding="utf-8")
    r = cli("batch", tmp_path / "clean", "-o", tmp_path / "o1", "--no-model", "-q")
    assert r.returncode == 0, r.stderr
    (clean / "村规民约.txt").write_text(VILLAGE_RULES, encoding="utf-8")
    r = cli("batch", tmp_path / "clean", "-o", tmp_path / "o1", "--no-model", "-q")
    assert r.returncode == 1, r.stderr
    assert "跳过已完成 1 个" in r.stdout  # resumed: the clean file was not reviewed again


# ------------------------------------------------------------------ resume
def test_rerun_skips_done_and_reviews_changed(archive, tmp_path):
    out = tmp_path / "out"
    s1 = run_batch(cfg([archive], out))
    assert s1.reviewed == s1.files and s1.skipped == 0
    s2 = run_batch(cfg([archive], out))
    assert s2.reviewed == 0 and s2.skipped == s1.files
    f = archive / "城关镇" / "南岭村" / "卫生公约.txt"
    f.write_text(CLEAN + "第四条 本公约自通过之日起施行。\n", encoding="utf-8")
    s3 = run_batch(cfg([archive], out))
    assert s3.reviewed == 1 and s3.skipped == s1.files - 1
    (archive / "城关镇" / "东坡村" / "村规民约.txt").unlink()  # deleted since: dropped from the store
    s4 = run_batch(cfg([archive], out))
    assert s4.forgotten == 1 and "城关镇/东坡村/村规民约.txt" not in rows(out)
    s5 = run_batch(cfg([archive], out, options=opts(select=["CR"])))  # other options: other findings
    assert s5.skipped == 0 and s5.reviewed == s4.files


def _many(tmp_path, n=240) -> Path:
    a = tmp_path / "many"
    for i in range(n):
        d = a / f"{['城关', '河口', '石桥'][i % 3]}镇" / f"第{i % 7}村"
        d.mkdir(parents=True, exist_ok=True)
        body = VILLAGE_RULES if i % 2 else CLEAN
        (d / f"文件{i:03d}.txt").write_text(body.replace("本规约", f"本规约（第{i}号）"), encoding="utf-8")
    return a


def test_kill_midway_then_resume_matches_uninterrupted_run(tmp_path):
    a = _many(tmp_path)
    ref = tmp_path / "ref"
    run_batch(cfg([a], ref))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(a), "-o", str(out), "--no-model", "-j", "1", "-q", "--rules", _RULES[0]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = out / "batch.sqlite"
    done = 0
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                done = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                c.close()
            except sqlite3.Error:
                pass
        if done >= 20:
            break
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.wait()
    interrupted = len(rows(out))
    assert 0 < interrupted < 240, "the batch was not interrupted midway"
    r = cli("batch", a, "-o", out, "--no-model", "-j", "2", "-q")
    assert r.returncode == 1, r.stderr
    assert f"跳过已完成 {interrupted} 个" in r.stdout
    got, want = findings_by_doc(out), findings_by_doc(ref)
    assert sorted(got) == sorted(want) and len(got) == 240  # every document exactly once (path is unique)
    for k in want:
        assert got[k] == want[k], k


@linux_only
def test_ctrl_c_keeps_finished_results(tmp_path):
    a = _many(tmp_path, 200)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(a), "-o", str(out), "--no-model", "-j", "1", "-q", "--rules", _RULES[0]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = out / "batch.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline:
        if db.exists():
            try:
                c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                n = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                c.close()
                if n >= 10:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "已中断" in stderr and "batch.sqlite" in stderr
    assert len(rows(out)) >= 10


# ------------------------------------------------------------------ failures while running
def _patch_review(monkeypatch, fn):
    orig = Reviewer.review

    def review(self, path):
        return fn(self, path, orig)

    monkeypatch.setattr(Reviewer, "review", review)


@linux_only
@pytest.mark.parametrize("jobs", [1, 2])
def test_hanging_and_crashing_documents(archive, tmp_path, monkeypatch, jobs):
    """Workers hold up to PIPELINE tasks: the ones queued behind a killed or dead worker's
    document are reviewed by its replacement, each exactly once."""
    (archive / "城关镇" / "挂起.txt").write_text(CLEAN, encoding="utf-8")
    (archive / "城关镇" / "崩溃.txt").write_text(CLEAN, encoding="utf-8")

    def review(self, path, orig):
        if str(path).endswith("挂起.txt"):
            time.sleep(600)
        if str(path).endswith("崩溃.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return orig(self, path)

    _patch_review(monkeypatch, review)
    from assess.batch import runner

    requeued = []
    take_back = runner.Pool._take_back

    def counting_take_back(self, w):
        requeued.append(len(w.tasks) - 1)
        return take_back(self, w)

    monkeypatch.setattr(runner.Pool, "_take_back", counting_take_back)
    s = run_batch(cfg([archive], tmp_path / "out", timeout=3, jobs=jobs))
    if jobs == 1:
        assert sum(requeued) >= 1  # a document waiting behind the hanging/crashing one was sent again
    docs = rows(tmp_path / "out")
    assert docs["城关镇/挂起.txt"]["error_code"] == "E111" and "超时" in docs["城关镇/挂起.txt"]["error_message"]
    assert docs["城关镇/崩溃.txt"]["error_code"] == "E505"
    assert docs["城关镇/东坡村/村规民约.txt"]["status"] == "done"
    assert s.failed == 2 and s.reviewed == s.files - 2 and s.exit_code == 2
    supported = [k for k, d in docs.items() if d["status"] != "unsupported"]
    assert len(supported) == s.files  # every file recorded, once (rows are keyed by path)
    assert all(docs[k]["status"] == "done" for k in supported if not k.endswith(("挂起.txt", "崩溃.txt")))


@linux_only
def test_file_deleted_or_changed_during_batch(archive, tmp_path, monkeypatch):
    gone = archive / "城关镇" / "删除.txt"
    changed = archive / "城关镇" / "修改.txt"
    gone.write_text(CLEAN, encoding="utf-8")
    changed.write_text(CLEAN, encoding="utf-8")

    def review(self, path, orig):
        if str(path).endswith("删除.txt"):
            os.unlink(path)
        result = orig(self, path)
        if str(path).endswith("修改.txt"):
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("第九条 新增内容。\n")
        return result

    _patch_review(monkeypatch, review)
    s = run_batch(cfg([archive], tmp_path / "out"))
    docs = rows(tmp_path / "out")
    assert docs["城关镇/删除.txt"]["error_code"] == "E101"
    assert docs["城关镇/修改.txt"]["error_code"] == "E506" and "修改" in docs["城关镇/修改.txt"]["error_message"]
    assert s.exit_code == 2
    monkeypatch.undo()
    s2 = run_batch(cfg([archive], tmp_path / "out"))  # the changed file is reviewed again; the deleted one is dropped
    assert rows(tmp_path / "out")["城关镇/修改.txt"]["status"] == "done"
    assert "城关镇/删除.txt" not in rows(tmp_path / "out") and s2.exit_code == 1


def test_unwritable_output_directory(archive, tmp_path):
    blocker = tmp_path / "一个文件"
    blocker.write_text("x")
    r = cli("batch", archive, "-o", blocker / "结果", "--no-model")
    assert r.returncode == 2 and "输出目录" in r.stderr and "Traceback" not in r.stderr
    if os.geteuid() != 0:  # root ignores permissions
        ro = tmp_path / "只读"
        ro.mkdir()
        ro.chmod(0o555)
        r = cli("batch", archive, "-o", ro, "--no-model")
        assert r.returncode == 2 and "不可写" in r.stderr


def test_unwritable_output_directory_readonly_check(archive, tmp_path, monkeypatch):
    ro = tmp_path / "只读"
    ro.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == ro else real_access(p, mode, **kw))
    with pytest.raises(AssessError) as e:
        run_batch(cfg([archive], ro))
    assert e.value.code == "E501" and "不可写" in e.value.message


def test_disk_full_while_recording_keeps_finished_results(archive, tmp_path, monkeypatch):
    out = tmp_path / "out"
    calls = {"n": 0}
    orig = Store._record

    def failing(self, doc, findings):
        calls["n"] += 1
        if calls["n"] > 3:
            raise sqlite3.OperationalError("database or disk is full")
        return orig(self, doc, findings)

    monkeypatch.setattr(Store, "_record", failing)
    with pytest.raises(AssessError) as e:
        run_batch(cfg([archive], out, jobs=1))
    assert e.value.code == "E502" and "磁盘空间已满" in e.value.message and "重新运行" in e.value.message
    monkeypatch.undo()
    kept = rows(out)
    assert len(kept) == 3
    s = run_batch(cfg([archive], out))  # after freeing space: resumes
    assert s.skipped == 3 and len(rows(out)) == s.files


def test_disk_full_while_writing_ledger(archive, tmp_path, monkeypatch):
    out = tmp_path / "out"
    import assess.util

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(assess.util, "atomic_write_bytes", full)
    with pytest.raises(OutputError) as e:
        run_batch(cfg([archive], out))
    assert "assess report" in e.value.message
    monkeypatch.undo()
    assert len(rows(out)) >= 4  # every review is in the database
    r = cli("report", out)
    assert r.returncode == 1, r.stderr
    assert (out / "批量审查台账.xlsx").exists() and (out / "批量审查结果.jsonl").exists()


def test_cli_disk_full_message(archive, tmp_path):
    """The CLI prints the store error as one Chinese line, exit 2 (full disk simulated via sitecustomize)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import sqlite3\n"
        "import assess.batch.store as s\n"
        "_o = s.Store._record\n"
        "_n = [0]\n"
        "def _r(self, d, f):\n"
        "    _n[0] += 1\n"
        "    if _n[0] > 2:\n"
        "        raise sqlite3.OperationalError('database or disk is full')\n"
        "    return _o(self, d, f)\n"
        "s.Store._record = _r\n",
        encoding="utf-8",
    )
    env = dict(os.environ, PYTHONPATH=f"{hook}{os.pathsep}{ROOT}")
    r = cli("batch", archive, "-o", tmp_path / "out", "--no-model", "-q", env=env)
    assert r.returncode == 2
    assert "磁盘空间已满" in r.stderr and "Traceback" not in r.stderr
    assert len(rows(tmp_path / "out")) == 2


# ------------------------------------------------------------------ re-audit
def test_since_marks_new_persisting_fixed_and_carries_decisions(archive, tmp_path):
    out1 = tmp_path / "第一轮"
    run_batch(cfg([archive], out1))
    f1 = findings_by_doc(out1)["城关镇/东坡村/村规民约.txt"]
    by_rule = {f["rule"]: f for f in f1}
    assert {"CR003", "CR019", "CR025"} <= set(by_rule)
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        f"- fingerprint: {by_rule['CR025']['fingerprint']}\n  decision: accepted\n  reviewer: 李四\n  reason: 已通知村委会修改\n",
        encoding="utf-8",
    )
    r = cli("report", out1, "--decisions", decisions)
    assert r.returncode == 1, r.stderr

    # round 2: the village fixed 第三条, renamed its file, and added a new bad clause
    a2 = tmp_path / "档案2"
    shutil.copytree(archive, a2)
    old = a2 / "城关镇" / "东坡村" / "村规民约.txt"
    text = VILLAGE_RULES.replace("第三条 离婚后仍居住在本村的妇女，其承包地由村民小组收回另行发包。", "第三条 妇女离婚后，其承包地等合法权益依法予以保障。")
    text += "第六条 女儿出嫁后户口仍在本村的，宅基地不予审批。\n"
    old.unlink()
    (a2 / "城关镇" / "东坡村" / "村规民约（2025修订）.txt").write_text(text, encoding="utf-8")
    out2 = tmp_path / "第二轮"
    r = cli("batch", a2, "-o", out2, "--no-model", "--since", out1, "-q")
    assert r.returncode == 1, r.stderr
    f2 = findings_by_doc(out2)["城关镇/东坡村/村规民约（2025修订）.txt"]
    st = {f["rule"]: f.get("round_status") for f in f2}
    assert st["CR003"] == "persisting" and st["CR025"] == "persisting"
    assert any(v == "new" for v in st.values())
    carried = next(f for f in f2 if f["rule"] == "CR025")["decision"]
    assert carried["decision"] == "accepted" and carried["reviewer"] == "李四"
    s = Store(out2, create=False, readonly=True)
    fixed = s.fixed()
    s.close()
    assert "CR019" in [x["data"]["rule"] for x in fixed]
    assert all("离婚" in x["data"]["text"] for x in fixed)  # only the rewritten clause is fixed
    from openpyxl import load_workbook

    wb = load_workbook(out2 / "批量审查台账.xlsx")
    assert "已整改问题" in wb.sheetnames
    header = [c.value for c in wb["问题台账"][1]]
    col = header.index("复查状态")
    values = {row[col] for row in wb["问题台账"].iter_rows(min_row=2, values_only=True)}
    assert {"新增", "仍存在"} <= values
    # `assess report` repeats the comparison from the stored --since folder
    r = cli("report", out2, "--formats", "jsonl")
    assert r.returncode == 1 and f"已整改 {len(fixed)}" in r.stderr


def test_report_without_database(tmp_path):
    r = cli("report", tmp_path)
    assert r.returncode == 2 and "assess batch" in r.stderr and "Traceback" not in r.stderr


def test_per_document_outputs(archive, tmp_path):
    out = tmp_path / "out"
    r = cli("batch", archive / "城关镇", "-o", out, "--no-model", "-q", "--per-document", "docx,html", "--formats", "xlsx,json")
    assert r.returncode == 1, r.stderr
    per = out / "逐件报告" / "东坡村" / "村规民约.txt.审查.docx"
    assert per.exists() and (out / "逐件报告" / "东坡村" / "村规民约.txt.审查.html").exists()
    assert (out / "审查报告.json").exists()
    data = json.loads((out / "审查报告.json").read_text(encoding="utf-8"))
    assert len(data["documents"]) == 2
    assert {d["location_meta"].get("village") for d in data["documents"]} == {"东坡村", "南岭村"}
    per.unlink()
    r = cli("report", out, "--formats", "jsonl", "--per-document", "docx", "--no-model")
    assert r.returncode == 1 and per.exists(), r.stderr
    r = cli("batch", archive, "-o", tmp_path / "o2", "--no-model", "--formats", "nope")
    assert r.returncode == 2 and "nope" in r.stderr


def test_progress_bar_and_plain_lines():
    import io

    from assess.batch.progress import Progress

    buf = io.StringIO()
    p = Progress(100, stream=buf, tty=True)
    p.update(40, 2, 7, force=True)
    p.close()
    out = buf.getvalue()
    assert out.startswith("\r[") and "40/100" in out and "个/秒" in out and "剩余约" in out and "出错 2" in out
    buf = io.StringIO()
    p = Progress(100, stream=buf, tty=False, interval=0)
    p.update(10, 0)
    p.update(20, 1)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("进度：20/100") and "预计剩余" in lines[1] and "\r" not in buf.getvalue()


@linux_only
def test_second_batch_on_same_output_folder_is_refused(archive, tmp_path):
    out = tmp_path / "out"
    first = Store(out)
    first.lock()
    try:
        with pytest.raises(AssessError) as e:
            run_batch(cfg([archive], out))
        assert "另一个 assess batch" in e.value.message
    finally:
        first.close()
    assert run_batch(cfg([archive], out)).reviewed > 0
