from assess.documents import from_text
from assess.structure import build_tree, split_sentences

REGULATION = """某县农村集体经济组织收益分配办法
第一章 总则
第一条 为规范本县农村集体经济组织收益分配，制定本办法。
第二条 本办法适用于本县行政区域内的农村集体经济组织。
第二章 分配
第三条 收益分配应当遵循公开、公平、公正的原则。
集体经济组织成员平等享有收益分配权。
有下列情形之一的，应当重新确认成员资格：
（一）因结婚迁入本村的；
（二）因离婚迁回本村的；
（三）其他经成员大会确认的。
第四条 分配方案经成员大会讨论通过后公示。
"""

VILLAGE = """某村村规民约
一、社会治安
（一）村民应当遵纪守法。
（二）邻里之间互谅互让。
二、集体收益分配
（一）分配原则
1.本村成员平等参与分配。
2.分配方案须经村民会议通过。
"""


def labels(text):
    tree = build_tree(from_text(text))
    return [u.label for u in tree.units()], tree


def test_regulation_labels_follow_article_paragraph_item():
    got, tree = labels(REGULATION)
    assert "第一条" in got
    assert "第三条第一款" in got
    assert "第三条第二款" in got
    assert "第三条第三款" in got
    assert "第三条第三款第（二）项" in got
    assert "第四条" in got
    # chapter headings are structure, not clauses
    assert not any(l.startswith("第二章") for l in got)


def test_heading_path_and_context():
    tree = build_tree(from_text(REGULATION))
    unit = next(u for u in tree.units() if u.label == "第三条第三款第（二）项")
    assert unit.text == "（二）因离婚迁回本村的；"
    assert unit.heading_path == ["第二章 分配"]
    assert unit.context.startswith("第三条 收益分配")
    assert "（三）其他经成员大会确认的。" in unit.context


def test_spans_are_exact():
    doc = from_text(REGULATION)
    tree = build_tree(doc)
    for u in tree.units():
        assert doc.text[u.start : u.end] == u.text
        assert u.text == u.text.strip()


def test_village_rules_nesting():
    got, _ = labels(VILLAGE)
    assert "一、（一）" in got
    assert "二、（一）1." in got
    assert "二、（一）2." in got


def test_inline_items_are_split():
    got, tree = labels("第八条 下列人员不参与分配：（一）外出务工人员；（二）服刑人员。")
    assert got == ["第八条", "第八条第（一）项", "第八条第（二）项"]
    item = tree.units()[1]
    assert "下列人员不参与分配" in item.context


def test_long_paragraph_split_into_sentences_respecting_quotes():
    text = "总体目标。" * 1 + "开展“清理。整改”专项行动，推进工作落实。" + "加强队伍建设，" * 15 + "完善机制。"
    spans = split_sentences(text)
    parts = [text[a:b] for a, b in spans]
    assert parts[1] == "开展“清理。整改”专项行动，推进工作落实。"
    got, _ = labels("前言\n" + text)
    assert any(l.endswith("第2句") for l in got)


def test_seed_plan_structure(seed_plan):
    from assess.documents import load_document

    tree = build_tree(load_document(seed_plan))
    got = [u.label for u in tree.units()]
    # 一、/（一）/1. levels, with the 主要目标 / 策略措施 headings in the label
    assert "一、（二）1." in got
    assert any(l.startswith("二、（八）策略措施 2.") for l in got)
    unit = next(u for u in tree.units() if "清理村规民约" in u.text)
    assert unit.label.startswith("二、（八）策略措施 2.")


def test_seed_plan_has_no_rule_finding_and_passes(seed_plan):
    """The county plan promotes equality (and quotes 清理…歧视妇女的条款): a good reviewer finds nothing."""
    from assess.pipeline import Options, Reviewer

    result = Reviewer(Options(use_model=False)).review(seed_plan)
    assert result.error is None
    assert [f.rule for f in result.findings] == []
    assert result.verdict == "建议通过"


def test_seed_plan_with_model_still_passes(seed_plan):
    """With the classifier on, at most low-severity hints for a human to check; the verdict stays 建议通过."""
    from assess.pipeline import Reviewer

    result = Reviewer().review(seed_plan)
    assert result.error is None
    assert all(f.severity == "low" and f.source == "model" for f in result.findings)
    assert result.verdict == "建议通过"


def test_one_label_regex_equals_the_ordered_patterns():
    """_label_of's single alternation gives what trying _LABELS in order gives."""
    from assess.structure import _LABELS, _label_of

    def in_order(text):
        for kind, rank, rx in _LABELS:
            m = rx.match(text)
            if m:
                return kind, rank, m.group(0)
        return None

    samples = ["第一编 总则", "第三章", "第二节", "第十二条 出嫁女", "一、总则", "（一）出嫁女", "(二)", "1. 村民", "1.5倍",
               "12、", "（3）", "①", "第三条的规定", "第", "", "一", "二十、", "１．", "（１）", "第５条", "十一．", "⑳项"]
    for t in samples:
        assert _label_of(t) == in_order(t), t
