import os

import pytest

from assess.decisions import apply_decisions, assign_stale, load_decisions, save_decisions
from assess.errors import AssessError
from assess.pipeline import DocumentResult
from assess.util import atomic_write_text


class F:
    def __init__(self, fp):
        self.fingerprint = fp
        self.decision = None


def test_round_trip_and_apply(tmp_path):
    path = tmp_path / "d.yaml"
    save_decisions(path, [{"fingerprint": "aa", "decision": "false-positive", "reviewer": "张三", "reason": "引用法条"}])
    decisions = load_decisions(path)
    a, b = DocumentResult("a.docx"), DocumentResult("b.docx")
    a.findings = [F("aa")]
    stale = apply_decisions([a, b], decisions + [{"fingerprint": "zz", "decision": "accepted", "path": "b.docx"}])
    assert a.findings[0].decision["reviewer"] == "张三"
    assert [d["fingerprint"] for d in stale] == ["zz"]
    assign_stale([a, b], stale)
    assert a.stale_decisions == [] and len(b.stale_decisions) == 1


def test_stale_without_path_shown_once(tmp_path):
    a, b = DocumentResult("a.docx"), DocumentResult("b.docx")
    assign_stale([a, b], [{"fingerprint": "x", "decision": "accepted"}])
    assert len(a.stale_decisions) + len(b.stale_decisions) == 1


@pytest.mark.parametrize("content", ["- {decision: accepted}", "- fingerprint: a\n  decision: maybe", "{{{{"])
def test_bad_decisions_file_is_a_chinese_error(tmp_path, content):
    p = tmp_path / "d.yaml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(AssessError) as e:
        load_decisions(p)
    assert "审查决定文件" in str(e.value)


def test_atomic_write_uses_umask_mode(tmp_path):
    p = tmp_path / "r.txt"
    atomic_write_text(p, "报告")
    mask = os.umask(0)
    os.umask(mask)
    assert os.stat(p).st_mode & 0o777 == 0o666 & ~mask
    assert [x.name for x in tmp_path.iterdir()] == ["r.txt"]  # no temp file left behind
