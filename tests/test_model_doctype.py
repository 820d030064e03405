"""The document-type guess (assess/doctype.py): keyword heuristic, title words weigh most."""

from __future__ import annotations

import pytest

from assess.doctype import DOC_TYPES, doc_type_zh, guess_doc_type
from assess.documents import from_text

CASES = [
    ("某村村规民约\n第一条 为加强村民自治，经村民会议讨论通过，制定本村规民约。\n第二条 村民应当遵守法律。", "village_rules"),
    ("某村股份经济合作社章程\n第一条 本社由本村集体经济组织成员组成。", "village_rules"),
    ("某村征地补偿款分配方案\n一、经村民代表会议讨论，本组土地补偿款按人口平均分配。", "village_rules"),
    ("某县人民政府办公室关于印发促进就业若干措施的通知\n各乡镇人民政府，县直各单位：现将《措施》印发给你们，请认真贯彻执行。", "policy"),
    ("某县妇女发展规划（2021-2025年）\n一、指导思想\n二、主要目标\n（一）妇女与经济", "policy"),
    ("中华人民共和国某某法\n第一章 总则\n第一条 为了规范……，制定本法。", "policy"),
    ("2026年某公司招聘简章\n一、招聘岗位\n行政文员2名。\n二、报名方式\n应聘者请发送简历。", "recruitment"),
    ("某县事业单位公开招聘工作人员岗位表\n岗位名称 招聘人数 学历要求", "recruitment"),
    ("劳动合同\n甲方（用人单位）：某公司\n乙方（劳动者）：\n第一条 合同期限", "contract"),
    ("某公司员工手册\n第一章 考勤制度\n员工应按时上下班。", "contract"),
    ("今天天气很好。我们去公园散步。", "other"),
]


@pytest.mark.parametrize("text,kind", CASES, ids=[c[1] + str(i) for i, c in enumerate(CASES)])
def test_guess(text, kind):
    assert guess_doc_type(from_text(text)) == kind


def test_body_words_without_title():
    doc = from_text("第一条 本村村民享有平等权利。\n第二条 村委会负责实施本规约，村民会议讨论决定。")
    doc.title = ""
    assert guess_doc_type(doc) == "village_rules"


def test_policy_body_word_規定_alone_is_not_enough():
    # "按规定" in a job ad must not make it a policy document.
    doc = from_text("招聘启事\n招聘保安两名，按规定缴纳社会保险，有意者请报名。")
    assert guess_doc_type(doc) == "recruitment"


def test_names():
    assert set(DOC_TYPES) == {"village_rules", "policy", "recruitment", "contract", "other"}
    assert doc_type_zh("policy") == "规范性文件/政策" and doc_type_zh(None) == "其他"


def test_law_title_beats_topic_words():
    doc = from_text("中华人民共和国劳动合同法\n第一条 为了完善劳动合同制度，制定本法。\n第二条 甲方乙方……")
    assert guess_doc_type(doc) == "policy"


def test_one_pass_counts_equal_str_count():
    from assess.doctype import _SIGNALS, _body_counts

    words = [w for ws in _SIGNALS.values() for w in ws]
    for w in words:  # no word overlaps itself, so counting every occurrence = str.count
        assert not any(w[:k] == w[-k:] for k in range(1, len(w))), w
    body = "本村村民委员会召开村民代表会议，讨论分配方案和招聘简章；甲方乙方签订劳动合同。村民委员会村民委员会规约本组本社" * 3
    counts = _body_counts(body)
    assert {w: body.count(w) for w in words if body.count(w)} == counts
