"""JSON contract (validated against assess/schema/report.schema.json), Markdown, and the whole
`assess check --format ...` run producing every format at once."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from assess.reports import get_reporter, write_reports
from assess.reports.json import report_dict
from test_reports_fixtures import AUTHOR, docx_result, make_report, sample_docx, txt_result

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "assess" / "schema" / "report.schema.json").read_text(encoding="utf-8"))


def validate(data):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


@pytest.fixture
def report(tmp_path):
    _, r1 = docx_result(tmp_path)
    _, r2 = txt_result(tmp_path)
    return make_report(r1, r2)


def test_json_validates_and_is_complete(report):
    data = json.loads(get_reporter("json").render(report))
    validate(data)
    assert data["schema"] == "assess-report/1"
    for doc in data["documents"]:
        assert doc["verdict"] in ("建议通过", "建议修改后通过", "建议不予通过") and doc["doc_type"]
        for f in doc["findings"]:
            for k in ("id", "fingerprint", "rule", "source", "category", "severity", "score", "text", "match", "location",
                      "message", "legal_basis", "suggestion"):
                assert k in f
            loc = f["location"]
            assert doc["path"] and loc["clause_label"] and loc["end"] > loc["start"]
            assert all({"law", "article", "summary"} <= set(lb) for lb in f["legal_basis"])
    d1, d2 = data["documents"]
    assert any("paragraph" in f["location"] for f in d1["findings"])
    assert any("table" in f["location"] for f in d1["findings"])
    assert all("line" in f["location"] for f in d2["findings"])
    assert sum(1 for f in d1["findings"] if f["decision"]) == 1  # reviewed, not hidden
    assert d1["stale_decisions"][0]["fingerprint"] == "0123456789abcdef"
    assert d2["location_meta"] == {"township": "城关镇", "village": "东村"}
    assert any(m["kind"] == "share_target" for m in d1["positive_measures"])


def test_schema_rejects_broken_findings(report):
    data = report_dict(report)
    del data["documents"][0]["findings"][0]["legal_basis"][0]["law"]
    with pytest.raises(jsonschema.ValidationError):
        validate(data)
    data = report_dict(report)
    data["documents"][0]["findings"][0]["severity"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        validate(data)
    data = report_dict(report)
    data["documents"][0]["verdict"] = None
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_markdown(report):
    md = get_reporter("md").render(report)
    rows = [line for line in md.splitlines() if line.startswith("| F")]
    assert len(rows) == sum(len(r.findings) for r in report.documents)
    assert all(line.count(" | ") == 7 for line in rows)  # pipes inside cells are escaped
    assert "**限男性**" in md
    assert "已审：误报" in md and "0123456789abcdef" in md
    assert "### 积极措施" in md and "### 引用的法律依据" in md


def test_write_reports_all_formats(report, tmp_path):
    out = tmp_path / "out"
    written = write_reports(report, ["json", "md", "html", "xlsx", "docx", "text"], out)
    names = sorted(p.name for p in written)
    assert names == sorted(["审查报告.json", "审查报告.md", "审查报告.html", "审查报告.xlsx", "审查报告.txt",
                            "村规民约.审查.docx", "章程.审查.docx"])


# ---------------------------------------------------------------------------------------------
# The real command, with the rule engine


VILLAGE_TXT = (
    "某村村规民约\n\n"
    "第一条 为维护本村秩序，根据有关法律制定本规约。\n"
    "第二条 出嫁女及其子女不再享有本村集体经济组织成员待遇，不参与土地补偿款分配。\n"
    "第三条 离婚妇女户口未迁出的，其承包地由村集体收回。\n"
    "第四条 村民代表中妇女代表不少于三分之一。\n"
    "第五条 招用保洁员限男性。\n"
)


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_check_writes_every_format_consistently(tmp_path):
    import docx
    import openpyxl

    txt = tmp_path / "村规民约.txt"
    txt.write_text(VILLAGE_TXT, encoding="utf-8")
    dx = sample_docx(tmp_path / "样例.docx")
    before = {p: p.read_bytes() for p in (txt, dx)}
    out = tmp_path / "out"
    r = run("check", "--no-model", str(txt), str(dx), "--format", "json,md,html,xlsx,docx", "-o", str(out))
    assert r.returncode in (0, 1), r.stderr
    assert {p: p.read_bytes() for p in (txt, dx)} == before  # inputs untouched
    data = json.loads((out / "审查报告.json").read_text(encoding="utf-8"))
    validate(data)
    n_findings = [len(d["findings"]) for d in data["documents"]]
    assert n_findings[0] > 0, "the rule engine should flag the sample village rules"
    wb = openpyxl.load_workbook(out / "审查报告.xlsx")
    assert wb["问题台账"].max_row - 1 == sum(n_findings)
    for doc, stem in zip(data["documents"], ("村规民约", "样例")):
        d = docx.Document(out / f"{stem}.审查.docx")
        ours = [c for c in d.comments if c.author == AUTHOR]
        assert len(ours) == len(doc["findings"])
        texts = "\n".join(c.text for c in ours)
        for f in doc["findings"]:
            assert f["message"] in texts
    html = (out / "审查报告.html").read_text(encoding="utf-8")
    assert html.count('class="card ') == sum(n_findings)
    assert (out / "审查报告.md").read_text(encoding="utf-8").count("\n| F") == sum(n_findings)


def test_check_decisions_shown_in_every_format(tmp_path):
    txt = tmp_path / "村规民约.txt"
    txt.write_text(VILLAGE_TXT, encoding="utf-8")
    first = run("check", "--no-model", str(txt), "-f", "json")
    fp = json.loads(first.stdout)["documents"][0]["findings"][0]["fingerprint"]
    dec = tmp_path / "decisions.yaml"
    dec.write_text(
        f"- fingerprint: {fp}\n  decision: false-positive\n  reviewer: 测试员\n  reason: 测试\n"
        "- fingerprint: ffffffffffffffff\n  decision: accepted\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = run("check", "--no-model", str(txt), "--decisions", str(dec), "-f", "json,md,html,xlsx,docx", "-o", str(out))
    assert r.returncode in (0, 1), r.stderr
    data = json.loads((out / "审查报告.json").read_text(encoding="utf-8"))
    doc = data["documents"][0]
    assert [f["decision"]["decision"] for f in doc["findings"] if f["decision"]] == ["false-positive"]
    assert doc["stale_decisions"][0]["fingerprint"] == "ffffffffffffffff"
    for name in ("审查报告.md", "审查报告.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "已审：误报" in text and "ffffffffffffffff" in text, name
    import docx
    import openpyxl

    d = docx.Document(out / "村规民约.审查.docx")
    assert any("已审：误报" in c.text for c in d.comments)
    assert "ffffffffffffffff" in "\n".join(p.text for p in d.paragraphs)
    wb = openpyxl.load_workbook(out / "审查报告.xlsx")
    assert any("误报" in str(v) for row in wb["问题台账"].iter_rows(values_only=True) for v in row)
    assert any("ffffffffffffffff" in str(v) for row in wb["文件汇总"].iter_rows(values_only=True) for v in row)


def test_single_output_file_for_one_document(tmp_path):
    import docx

    txt = tmp_path / "村规民约.txt"
    txt.write_text(VILLAGE_TXT, encoding="utf-8")
    target = tmp_path / "意见.docx"
    r = run("check", "--no-model", str(txt), "-f", "docx", "-o", str(target))
    assert r.returncode in (0, 1), r.stderr
    assert target.is_file()
    assert "男女平等评估意见书" in "\n".join(p.text for p in docx.Document(target).paragraphs)


def test_text_report_shows_decisions_in_chinese(tmp_path):
    txt = tmp_path / "村规民约.txt"
    txt.write_text(VILLAGE_TXT, encoding="utf-8")
    fp = json.loads(run("check", "--no-model", str(txt), "-f", "json").stdout)["documents"][0]["findings"][0]["fingerprint"]
    dec = tmp_path / "d.yaml"
    dec.write_text(f"- fingerprint: {fp}\n  decision: not-applicable\n- fingerprint: eeeeeeeeeeeeeeee\n  decision: accepted\n",
                   encoding="utf-8")
    out = run("check", "--no-model", str(txt), "--decisions", str(dec)).stdout
    assert "已审：不适用" in out and "eeeeeeeeeeeeeeee" in out
