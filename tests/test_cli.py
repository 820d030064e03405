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
