import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=cwd)


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("assess ")


def test_no_args_prints_help():
    r = run()
    assert r.returncode == 0 and "assess check" in r.stdout


def test_parse_json(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("第一条 本村村民平等享有权利。\n第二条 爱护公共设施。\n", encoding="utf-8")
    r = run("parse", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["clauses"] == 2
    assert [c["label"] for c in data["tree"]] == ["第一条", "第二条"]


def _file(name, data):
    def make(p):
        (p / name).write_bytes(data)
        return p / name

    return make


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p / "missing.txt", "文件不存在"),
        (lambda p: p, "assess batch"),
        (_file("empty.txt", b""), "文件为空"),
        (_file("junk.txt", bytes(range(256)) * 40), "不是文本"),
        (_file("old.doc", b"x"), ".docx"),
    ],
)
def test_bad_input_is_one_chinese_line(tmp_path, make, reason):
    path = make(tmp_path)
    r = run("check", "--no-model", str(path), "-f", "json")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and reason in lines[0] and str(path) in lines[0]
    data = json.loads(r.stdout)
    assert data["errors"][0]["path"] == str(path)


def test_one_bad_file_does_not_stop_others(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("第一条 爱护环境。\n", encoding="utf-8")
    r = run("check", "--no-model", str(tmp_path / "nope.txt"), str(good), "-f", "json")
    assert r.returncode == 2
    data = json.loads(r.stdout)
    assert len(data["documents"]) == 2
    assert data["documents"][1]["error"] is None and data["documents"][1]["clauses"] == 1
    assert data["schema"] == "assess-report/1"


def test_input_is_never_modified(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("第一条 爱护环境。\n", encoding="utf-8")
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    run("check", "--no-model", str(f), "-f", "json,md", "-o", str(tmp_path / "out"))
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


# ---------------------------------------------------------------- click's own words in Chinese
def _columns(line: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("command", [[], ["check"], ["batch"], ["parse"], ["report"], ["rules"], ["rules", "list"],
                                     ["rules", "show"], ["rules", "test"], ["serve"], ["train"], ["evaluate"]])
def test_help_is_chinese_and_fits_80_columns(command):
    import os

    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), *command, "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("用法：assess") and "选项：" in out and "显示本帮助并退出。" in out
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default:", "[required]", "[OPTIONS]",
                    "INTEGER", " TEXT", "FLOAT"):
        assert english not in out, english
    too_wide = [line for line in out.splitlines() if _columns(line) > 80]
    assert not too_wide, too_wide


def test_help_keeps_latin_words_whole():
    import os

    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", "--help"], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "80"})
    joined = "".join(line.strip() for line in r.stdout.splitlines())
    assert "xlsx（台账）、jsonl、json、html、md、text。" in joined  # click split "tex|t" across lines
    assert "[默认：xlsx,jsonl]" in joined and "[必填]" in joined


@pytest.mark.parametrize("args, words", [
    (["batch", "--bogus"], ["没有选项 '--bogus'。", "是不是 '--jobs'？"]),
    (["batch"], ["缺少参数 'PATHS...'。"]),
    (["chek"], ["没有命令 'chek'。", "是不是 'check'？"]),
    (["batch", "x", "-o", "out", "-j", "abc"], ["的值无效", "'abc' 不是有效的数值。"]),
    (["check", "x", "--min-severity", "huge"], ["'huge' 不是 'low', 'medium', 'high' 之一。"]),
    (["check", "x", "--fail-on"], ["选项 '--fail-on' 后面需要一个值。"]),
])
def test_usage_errors_are_one_chinese_line(tmp_path, args, words):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：用法错误："), r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    assert not any(e in lines[0] for e in ("No such", "Missing", "Invalid value", "is not", "requires", "Did you mean"))


def test_wrap_by_display_width():
    sys.path.insert(0, str(ROOT))
    import cli_zh

    text = "汇总输出格式（逗号分隔）：xlsx（台账）、jsonl、json、html、md、text。审查决定文件（YAML/JSON）。" * 2
    lines = cli_zh._wrap(text, 30)
    assert all(cli_zh._width(line) <= 30 for line in lines)
    assert "".join(lines) == text.replace(" ", "")
    assert not any(line[0] in "，。、；：）" for line in lines)  # no closing mark starts a line
    assert not any(line[-1] in "（“" for line in lines)  # no opening mark ends one
    assert cli_zh._wrap("a" * 50 + " b", 20) == ["a" * 50, "b"]  # a longer word stays whole
    assert cli_zh._join(["第一行中文", "接着 second", "line"]) == "第一行中文接着 second line"
