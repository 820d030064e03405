"""Shared fixtures for the report tests (imported by tests/test_reports_*.py), and tests of the
positive-measure detector they rely on.

Findings are built directly (not by the rule engine) so the report tests pin the writers, not
the rules: each helper finds given words in a reviewed document and makes a `Finding` there.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from assess.findings import Finding, LegalBasis, Location, finalise
from assess.pipeline import Options, Report, Reviewer
from assess.positive import find_positive, positive_measures

AUTHOR = "assess 审查"

LAW_WOMEN = "中华人民共和国妇女权益保障法"
LAW_LAND = "中华人民共和国农村土地承包法"


def review_plain(path) -> object:
    """A DocumentResult with document and clause tree but no findings (no rules, no model)."""
    return Reviewer(Options(use_rules=False, use_model=False)).review(path)


def add_finding(result, match: str, *, rule="CR002", category="collective_rights", severity="high", nth=0,
                score=0.91, name="测试规则", suggestion=None, laws=None):
    text = result.document.text
    i = -1
    for _ in range(nth + 1):
        i = text.find(match, i + 1)
    assert i >= 0, f"{match!r} not in document text"
    units = result.tree.units()
    unit = next((u for u in units if u.start <= i < u.end), None)
    assert unit is not None, f"no clause holds {match!r}"
    block = result.document.block_at(i)
    loc = Location(
        clause_label=unit.label,
        start=i,
        end=i + len(match),
        clause_start=unit.start,
        clause_end=unit.end,
        line=result.document.line_of(i) if result.document.format in ("txt", "md") else None,
        page=block.page if block else None,
        paragraph=block.paragraph if block else None,
        table=block.table if block else None,
        row=block.row if block else None,
    )
    laws = laws or [LegalBasis(LAW_WOMEN, "第五十六条", "村规民约不得以婚姻状况为由侵害妇女的集体经济权益。", "妇女权益保障法#56")]
    f = Finding(
        rule=rule,
        source="rule",
        category=category,
        severity=severity,
        score=score,
        text=text[unit.start : unit.end],
        match=match,
        location=loc,
        message=f"“{match}”一句以婚姻状况或性别为条件限制妇女的权益（测试说明 {rule}）。",
        legal_basis=list(laws),
        suggestion=suggestion if suggestion is not None else f"删除“{match}”的限制，改为男女同等适用。",
        name=name,
    )
    result.findings.append(f)
    return f


def finish(result):
    result.findings = finalise(result.findings)
    return result


def make_report(*results) -> Report:
    return Report(documents=list(results), versions={"assess": "test", "rules": "test-rules"})


# ---------------------------------------------------------------------------------------------
# A Word file that exercises what the annotated report must preserve and anchor


def sample_docx(path: Path) -> Path:
    import docx
    from docx.oxml import OxmlElement

    from docgen import add_numbering, number, split_runs

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "某村村民委员会"
    d.add_heading("某村村规民约（测试稿）", 0)
    nid = add_numbering(d)
    p = d.add_paragraph()
    p.add_run("为维护本村生产生活秩序，制定本规约。")
    number(p, nid)
    p = d.add_paragraph()
    split_runs(p, "本村出嫁女及其子女不再享有集体收益分配，承包地由村民小组收回。")
    number(p, nid)
    p = d.add_paragraph()
    r = p.add_run("离婚妇女户口未迁出的，")
    p.add_run("其宅基地使用权由村集体收回。")
    number(p, nid)
    d.add_comment(r, text="起草人原有批注：此条请再核实", author="张三", initials="ZS")
    p = d.add_paragraph()
    p.add_run("家庭事务\t以男方意见为准")
    br = OxmlElement("w:br")
    p.runs[0]._r.append(br)
    p.add_run("，妇女应当以家庭为重。")
    number(p, nid)
    d.add_paragraph("第五条 村民代表中妇女代表不少于三分之一，村民委员会成员中应当有妇女成员。")
    t = d.add_table(rows=3, cols=3)
    t.style = "Table Grid"
    for i, row in enumerate([["岗位", "人数", "条件"], ["护林员", "2", "限男性，身体健康"], ["会计", "1", "大专以上学历"]]):
        for j, v in enumerate(row):
            t.cell(i, j).text = v
    frame = d.add_table(rows=1, cols=1)
    frame.style = "Table Grid"
    frame.cell(0, 0).text = "村民小组长一般由男性户主担任。"
    d.add_paragraph("第六条 本规约自村民会议通过之日起施行。")
    d.save(path)
    return path


SAMPLE_TXT = (
    "某村股份经济合作社章程（测试稿）\n\n"
    "第一章 总则\n"
    "第一条 为规范本社管理，制定本章程。\n"
    "第二条 本社成员男女平等，妇女与男子同等享有各项权益。\n"
    "第二章 成员\n"
    "第三条 外嫁女户口未迁出的，只享有一半股份。\n"
    "第四条 户主由户内男性成员担任。\n"
    "第五条 理事会成员中妇女不少于一名。\n"
)


def sample_txt(path: Path) -> Path:
    path.write_text(SAMPLE_TXT, encoding="utf-8")
    return path


def docx_result(tmp_path: Path):
    """The sample .docx reviewed, with six findings (overlapping spans, table cell, text frame,
    run boundaries, tab and line break) and a reviewed decision on one of them."""
    src = sample_docx(tmp_path / "村规民约.docx")
    r = review_plain(src)
    add_finding(r, "出嫁女及其子女", rule="CR017", severity="high")
    add_finding(r, "出嫁女", rule="CR002", severity="medium")
    add_finding(r, "离婚妇女", rule="CR019", severity="high")
    add_finding(r, "以男方意见为准", rule="FA010", category="family", severity="medium", laws=[
        LegalBasis("中华人民共和国民法典", "第一千零五十五条", "夫妻在婚姻家庭中地位平等。", "民法典#1055")])
    add_finding(r, "妇女应当以家庭为重", rule="ST001", category="stereotype", severity="low")
    add_finding(r, "限男性", rule="EM001", category="employment", severity="high", laws=[
        LegalBasis(LAW_WOMEN, "第四十三条", "招聘不得限定男性或者规定男性优先。", "妇女权益保障法#43")])
    add_finding(r, "由男性户主担任", rule="PP003", category="political_participation", severity="medium")
    finish(r)
    ff = next(f for f in r.findings if f.rule == "CR019")
    ff.decision = {"fingerprint": ff.fingerprint, "decision": "false-positive", "reviewer": "李四", "reason": "测试用", "date": "2026-11-28"}
    r.stale_decisions = [{"fingerprint": "0123456789abcdef", "decision": "accepted", "reviewer": "王五"}]
    return src, r


def txt_result(tmp_path: Path):
    src = sample_txt(tmp_path / "章程.txt")
    r = review_plain(src)
    add_finding(r, "外嫁女户口未迁出的，只享有一半股份", rule="CR005", severity="high")
    add_finding(r, "户主由户内男性成员担任", rule="FA013", category="family", severity="medium")
    finish(r)
    r.location_meta = {"township": "城关镇", "village": "东村"}
    return src, r


# ---------------------------------------------------------------------------------------------
# External programs


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_convert(path: Path, fmt: str, out_dir: Path) -> Path:
    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir", str(out_dir), str(path)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=240,
        )
    out = out_dir / (path.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not convert {path.name} to {fmt}"
    return out


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def screenshot(html_path: Path, png: Path, size=(1280, 1600)) -> Path:
    exe = chromium()
    if not exe:
        pytest.skip("Chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", html_path.resolve().as_uri()],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
        )
    assert png.exists()
    return png


# ---------------------------------------------------------------------------------------------
# Positive measures


def test_positive_measures_found_with_labels(tmp_path):
    r = review_plain(sample_txt(tmp_path / "a.txt"))
    kinds = {(m.kind, m.clause_label) for m in positive_measures(r)}
    assert ("equality", "第二条") in kinds
    assert ("share_target", "第五条") in kinds


@pytest.mark.parametrize(
    "text, kind",
    [
        ("村民代表中妇女代表应当占三分之一以上。", "share_target"),
        ("村民委员会成员中应当有妇女成员，妇女成员不少于1名。", "share_target"),
        ("出嫁女与本村其他村民同等享有集体收益分配。", "equal_rights"),
        ("用人单位不得以性别为由拒绝录用妇女。", "non_discrimination"),
        ("坚持男女平等基本国策。", "equality"),
        ("出嫁女户口未迁出的，与其他村民同等享有集体收益分配。", "equal_rights"),
        ("离婚妇女的承包地不得收回。", "married_out_rights"),
        ("村规民约草案报镇妇联进行性别平等审查。", "gender_assessment"),
    ],
)
def test_positive_patterns(text, kind):
    found = find_positive(text)
    assert found and found[0].kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "出嫁女不再享有同等待遇。",
        "出嫁女不享受同等待遇。",
        "出嫁女户口未迁出的，不得参与集体收益分配。",
        "外嫁女只享有一半股份。",
        "离婚妇女的承包地按百分之五十计发。",
        "村民应当爱护公共环境。",
        "户主由男性担任。",
    ],
)
def test_not_positive(text):
    assert find_positive(text) == []
