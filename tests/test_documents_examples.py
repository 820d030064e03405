"""The sample documents in examples/ read as intended, and the generator reproduces them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assess.documents import Limits, load_document
from assess.structure import build_tree

EX = Path(__file__).resolve().parent.parent / "examples"
VILLAGE = EX / "某村村规民约（修订草案）.docx"
POLICY = EX / "某县促进就业若干措施（征求意见稿）.docx"
PLAN = EX / "某镇妇女权益保障工作方案.pdf"
CHARTER = EX / "某村股份经济合作社章程.txt"


def units_by_label(doc):
    return {u.label: u for u in build_tree(doc).units()}


def test_village_rules():
    doc = load_document(VILLAGE)
    assert doc.title == "某村村规民约（修订草案）"
    units = units_by_label(doc)
    arts = [label for label in units if label.startswith("第") and label.endswith("条")]
    assert len(arts) == 25
    assert units["第十条"].text.startswith("第十条 本村女子嫁到外村的")  # auto-numbered in Word
    assert units["第十九条"].text.startswith("第十九条 育龄妇女")  # typed by hand
    numbered = [b for b in doc.blocks if b.prefix]
    assert len(numbered) == 15 and doc.meta["numbered_paragraphs"] == 15
    assert any("修订" in n for n in doc.notes)
    assert "页眉：某村村民委员会" in doc.excluded
    tree = build_tree(doc)
    chapters = [c for c in tree.root.children if c.kind == "chapter"]
    assert len(chapters) == 6 and chapters[2].title == "土地管理与集体收益分配"


def test_employment_policy_table():
    doc = load_document(POLICY)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 5 and rows[0].header[2] == "性别"
    male = [b for b in rows if "性别：男" in doc.text[b.start : b.end]]
    assert len(male) == 1 and male[0].row == 2
    units = units_by_label(doc)
    assert "男性优先" in units["一、（二）"].text
    assert "表1第3行" in units


@pytest.mark.parametrize("engine", ["auto", "pdfplumber"])
def test_township_plan_pdf(engine):
    doc = load_document(PLAN, Limits(pdf_engine=engine))
    assert doc.pages == 3 and doc.title == "某镇妇女权益保障工作方案"
    assert any("某镇人民政府办公室" in x for x in doc.excluded)
    assert "征求意见稿" not in doc.text and "—" not in doc.text
    texts = [doc.text[b.start : b.end] for b in doc.blocks]
    assert any(t.startswith("（四）开展“最美家庭”和“贤内助”评选活动") and t.endswith("照顾老人和教育子女上。") for t in texts)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 5 and "工作任务：村规民约性别平等审查" in doc.text
    assert {b.page for b in doc.blocks} == {1, 2, 3}


def test_charter_gbk():
    raw = CHARTER.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = load_document(CHARTER)
    assert doc.encoding == "gb18030"
    units = units_by_label(doc)
    assert "第六条第（三）项" in units
    assert "丧失本社成员资格" in units["第五条"].text


def test_generator_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_examples", EX / "make_examples.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.village_rules(tmp_path / VILLAGE.name)
    mod.employment_policy(tmp_path / POLICY.name)
    mod.charter_txt(tmp_path / CHARTER.name)
    for p in (VILLAGE, POLICY, CHARTER):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name
