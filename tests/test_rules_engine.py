"""Unit tests of the rule engine (assess/rules/): nodes, exclusions, context scoring, document
rules, select/ignore, the prefilter, schema errors with file:line, regex safety.

Most tests use a small rules folder written to tmp_path, so they do not depend on the packs.
"""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from assess.documents import from_text
from assess.errors import RuleError
from assess.rules import load_rules
from assess.rules.prefilter import regex_required
from assess.rules.schema import article_label, cn_number, regex_problems
from assess.rules.selftest import parse_example, run as selftest_run
from assess.structure import build_tree

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_rules_cache(monkeypatch):
    """Tests write many small rule folders: keep them out of the user's compiled-rules cache."""
    monkeypatch.setenv("ASSESS_RULES_CACHE", "0")

TERMS = """\
terms:
  marriage_out: [出嫁女, 外嫁女, 外嫁, 出嫁]
  protective: [不得以, 平等享有]
"""

LAWS = """\
laws:
  妇女权益保障法:
    name: 中华人民共和国妇女权益保障法
    version: 2022年修订
    articles:
      "56": 测试用摘要一。
      "55": 测试用摘要二。
  民法典:
    name: 中华人民共和国民法典
    version: 2020年
    articles:
      "1126": 测试用摘要三。
"""

EXAMPLES = """\
    examples:
      match: ['<m>甲</m>', '<m>乙</m>']
      no_match: ['丙', '丁']
"""


def rule_yaml(code: str, match: str, *, category: str = "collective_rights", extra: str = "", severity: str = "high",
              score: float = 0.9) -> str:
    """One rule as YAML text (indented for the `rules:` list); `match` is a YAML flow node."""
    return (
        f"  - code: {code}\n"
        f"    name: 测试规则{code}\n"
        f"    category: {category}\n"
        f"    severity: {severity}\n"
        f"    score: {score}\n"
        f"    match: {match}\n"
        f"{extra}"
        f"    message: 测试说明。\n"
        f"    suggestion: 测试建议。\n"
        f"    legal_basis: [妇女权益保障法#56]\n"
        f"{EXAMPLES}"
    )


def make_rules(tmp_path: Path, rules: str, *, terms: str = TERMS, laws: str = LAWS, pack_name: str = "test.yaml") -> Path:
    d = tmp_path / "rules"
    (d / "terms").mkdir(parents=True, exist_ok=True)
    (d / "laws").mkdir(exist_ok=True)
    (d / "packs").mkdir(exist_ok=True)
    (d / "terms" / "common.yaml").write_text(terms, encoding="utf-8")
    (d / "laws" / "core.yaml").write_text(laws, encoding="utf-8")
    (d / "packs" / pack_name).write_text("pack:\n  id: test\nrules:\n" + rules, encoding="utf-8")
    return d


def load(tmp_path, rules: str, **kw):
    return load_rules(make_rules(tmp_path, rules), **kw)


def spans(findings, code=None):
    return [(f.rule, f.match) for f in findings if code is None or f.rule == code]


# ---------------------------------------------------------------- node types


def test_terms_leftmost_longest(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁, 外嫁女]}"))
    fs = rs.check_text("五、本组外嫁女一律不再参与分红。")
    assert spans(fs) == [("CR001", "外嫁女")]
    f = fs[0]
    assert (f.location.start, f.location.end) == (4, 7)


def test_termset_and_regex(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{all: [{termset: marriage_out}, {regex: '不再[^。；]{0,6}分红'}]}"))
    assert spans(rs.check_text("出嫁女不再参与分红。")) == [("CR001", "出嫁女")]
    assert rs.check_text("出嫁女照常参与分红。") == []
    assert rs.check_text("村民不再参与分红。") == []


def test_any_and_focus(tmp_path):
    m = "{all: [{regex: '不再[^。；]{0,6}分红', focus: true}, {any: [{terms: [外嫁女]}, {regex: '嫁出[^。]{0,2}女儿'}]}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    assert spans(rs.check_text("嫁出的女儿不再参与分红。")) == [("CR001", "不再参与分红")]
    assert spans(rs.check_text("外嫁女不再参与分红。")) == [("CR001", "不再参与分红")]


def test_focus_on_inner_all(tmp_path):
    m = "{all: [{all: [{terms: [外嫁]}, {terms: [女]}], focus: true}, {terms: [分红]}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    assert spans(rs.check_text("外嫁的女儿不分红。")) == [("CR001", "外嫁的女")]


def test_all_within(tmp_path):
    m = "{all: [{terms: [外嫁女]}, {terms: [分红]}], within: 8}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    assert spans(rs.check_text("外嫁女不得分红。")) == [("CR001", "外嫁女")]
    assert rs.check_text("外嫁女户口迁出后，按照本村第三次村民会议的决定不参与年终分红。") == []


def test_within_searches_combinations(tmp_path):
    m = "{all: [{terms: [外嫁女]}, {terms: [分红]}], within: 6}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    # the first 外嫁女 is far from 分红, the second is close: the rule must still fire
    fs = rs.check_text("外嫁女的户口问题另行研究，外嫁女不分红。")
    assert len(fs) == 1 and fs[0].location.start == 13


def test_not(tmp_path):
    m = "{all: [{terms: [外嫁女]}, {not: {terms: [平等]}}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    assert len(rs.check_text("外嫁女不分红。")) == 1
    assert rs.check_text("外嫁女与其他村民平等分红。") == []


def test_inside_uses_enclosing_article(tmp_path):
    m = "{all: [{terms: [出嫁女]}, {inside: {regex: '不参与[^。；]{0,6}分配'}}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    text = "第五条 下列人员不参与集体收益分配：（一）出嫁女；（二）服刑人员。"
    fs = rs.check_text(text)
    assert spans(fs) == [("CR001", "出嫁女")]
    assert fs[0].location.clause_label.endswith("第（一）项")
    # without the article's lead-in the clause alone does not match
    assert rs.check_text("第五条 下列人员名单另行公布：（一）出嫁女；（二）服刑人员。") == []


def test_no_focus_reports_first_clause_leaf(tmp_path):
    m = "{all: [{inside: {terms: [分配]}}, {terms: [出嫁女]}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    fs = rs.check_text("第五条 下列人员不参与分配：（一）出嫁女；（二）服刑人员。")
    assert spans(fs) == [("CR001", "出嫁女")]


# ---------------------------------------------------------------- exclusions, context, scoring


def test_exclude(tmp_path):
    extra = "    exclude:\n      - termset: protective\n      - regex: '不因[^。；]{0,10}丧失'\n"
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁女]}", extra=extra))
    assert len(rs.check_text("外嫁女不分红。")) == 1
    assert rs.check_text("不得以外嫁女为由取消分红。") == []
    assert rs.check_text("外嫁女不因婚姻丧失成员资格。") == []
    dbg = rs.check_text("不得以外嫁女为由取消分红。", debug=True)
    assert dbg and dbg[0].explanation["excluded_by"]["node"].startswith("exclude[0].termset")
    assert dbg[0].explanation["kept"] is False


def test_context_boost_and_damp(tmp_path):
    extra = (
        "    context:\n      window: 10\n"
        "      boost: {terms: [分红], by: 0.05}\n"
        "      damp: {terms: [依法], by: 0.3}\n"
    )
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁女]}", extra=extra, score=0.7))
    f = rs.check_text("外嫁女不分红。")[0]
    assert f.score == pytest.approx(0.75)
    assert f.explanation["context"] == {"boost": ["分红"], "damp": []}
    # damp inside the window: 0.7 - 0.3 < 0.5 -> dropped
    assert rs.check_text("依法外嫁女事宜。") == []
    # damp outside the window (more than 10 characters away): kept at base score
    f = rs.check_text("依法办理一二三四五六七八九十外嫁女事宜。")[0]
    assert f.score == pytest.approx(0.7)


def test_threshold_base_score(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁女]}", score=0.4))
    assert rs.check_text("外嫁女不分红。") == []
    assert len(rs.check_text("外嫁女不分红。", debug=True)) == 1


def test_document_rule(tmp_path):
    extra = "    scope: document\n    document:\n      lacks: {regex: '妇女[^。；]{0,15}(三分之一|1/3)'}\n"
    rs = load(tmp_path, rule_yaml("PP001", "{regex: '村民代表[^。；]{0,20}每户'}", category="political_participation", extra=extra))
    bad = "第一条 村民代表按每户一人推选。\n第二条 其他事项另行规定。"
    good = bad + "\n第三条 妇女代表应占村民代表的三分之一以上。"
    fs = rs.check_text(bad)
    assert spans(fs) == [("PP001", "村民代表按每户")]
    assert fs[0].location.clause_label == "第一条"
    assert rs.check_text(good) == []


def test_document_rule_has(tmp_path):
    extra = "    scope: document\n    document:\n      has: {terms: [村规民约]}\n"
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁女]}", extra=extra))
    assert len(rs.check_text("本村村规民约如下。\n外嫁女不分红。")) == 1
    assert rs.check_text("本办法如下。\n外嫁女不分红。") == []


def test_one_finding_per_rule_and_unit_sorted_by_severity(tmp_path):
    rules = rule_yaml("CR001", "{terms: [外嫁女]}", severity="low") + rule_yaml("CR002", "{terms: [外嫁女]}", severity="high")
    rs = load(tmp_path, rules)
    fs = rs.check_text("外嫁女不分红，外嫁女不分地。")
    assert [f.rule for f in fs] == ["CR002", "CR001"]


def test_finding_fields(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{terms: [外嫁女]}"))
    doc = from_text("村规民约\n第一条 总则。\n第二条 外嫁女不分红。\n")
    fs = rs.detect(doc, build_tree(doc))
    assert len(fs) == 1
    f = fs[0]
    assert f.source == "rule" and f.category == "collective_rights" and f.severity == "high"
    assert doc.text[f.location.start : f.location.end] == "外嫁女" == f.match
    assert f.location.line == 3
    assert f.location.clause_label == "第二条"
    assert f.text == "第二条 外嫁女不分红。"
    assert doc.text[f.location.clause_start : f.location.clause_end] == f.text
    lb = f.legal_basis[0]
    assert (lb.law, lb.article, lb.key) == ("中华人民共和国妇女权益保障法", "第五十六条", "妇女权益保障法#56")
    assert f.explanation["matched"][0]["text"] == "外嫁女"
    assert f.explanation["excluded_by"] is None
    assert f.fingerprint and f.name == "测试规则CR001"


# ---------------------------------------------------------------- select / ignore


def test_select_ignore_longest_prefix(tmp_path):
    rules = (
        rule_yaml("CR001", "{terms: [甲]}")
        + rule_yaml("CR002", "{terms: [甲]}")
        + rule_yaml("EM001", "{terms: [甲]}", category="employment")
        + rule_yaml("UN001", "{terms: [甲]}", category="unlawful_non_gender")
    )
    d = make_rules(tmp_path, rules)
    codes = lambda rs: sorted(r.code for r in rs.rules)  # noqa: E731
    assert codes(load_rules(d)) == ["CR001", "CR002", "EM001", "UN001"]
    assert codes(load_rules(d, select=["CR"])) == ["CR001", "CR002"]
    assert codes(load_rules(d, select="CR,EM001")) == ["CR001", "CR002", "EM001"]
    assert codes(load_rules(d, ignore=["UN"])) == ["CR001", "CR002", "EM001"]
    assert codes(load_rules(d, select=["CR002"], ignore=["CR"])) == ["CR002"]  # longer select wins
    assert codes(load_rules(d, select=["CR"], ignore=["CR002"])) == ["CR001"]  # longer ignore wins
    assert codes(load_rules(d, select=["employment"])) == ["EM001"]  # category id = its prefix
    with pytest.raises(RuleError, match="ZZ"):
        load_rules(d, select=["ZZ"])


def test_deprecated_runs_only_when_selected(tmp_path):
    rules = rule_yaml("CR001", "{terms: [甲]}", extra="    status: deprecated\n") + rule_yaml("CR002", "{terms: [甲]}")
    d = make_rules(tmp_path, rules)
    assert [r.code for r in load_rules(d).rules] == ["CR002"]
    assert [r.code for r in load_rules(d, select=["CR001"]).rules] == ["CR001"]


# ---------------------------------------------------------------- prefilter


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("外嫁女", {"外嫁女"}),
        ("(出嫁|外嫁)的?(女儿|女子)", [{"女儿", "女子"}, {"出嫁", "外嫁"}]),
        ("[男女]职工", {"男职工", "女职工"}),
        ("不得[^。]{0,8}(怀孕|生育)", {"不得"}),
        ("(a|b)?c", {"c"}),
        ("x{2}", {"xx"}),
        (".{0,3}", None),
        ("(?i)abc", None),
        ("[^。]+", None),
        ("户无男性|纯女户", {"户无男性", "纯女户"}),
    ],
)
def test_regex_required(pattern, expected):
    got = regex_required(pattern)
    assert got in expected if isinstance(expected, list) else got == expected


def test_regex_required_is_sound():
    """Every match of the pattern contains one of the derived literals."""
    samples = "出嫁的女儿不再享受分配；外嫁女子；男职工、女职工；不得在三年内怀孕；不得生育；嫁出女孩"
    for pattern in [
        "(出嫁|外嫁|嫁出)的?(女儿|女子|女孩)",
        "[男女]职工",
        "不得[^。；]{0,8}(怀孕|生育)",
        "(不得|不准)?(怀孕|生育)",
        "(外|出)嫁(女|的女儿)?",
    ]:
        lits = regex_required(pattern)
        assert lits, pattern
        for m in re.finditer(pattern, samples):
            assert any(lit in m.group(0) for lit in lits), (pattern, m.group(0), lits)


def _sample_texts(rs) -> list[str]:
    texts = []
    for r in rs.all_rules:
        for kind in ("match", "no_match", "todo_match", "todo_no_match"):
            texts.extend(parse_example(t)[0] for t in getattr(r.examples, kind))
    return texts


def test_prefilter_equivalence_on_packs():
    """Same findings with and without the prefilter, on every example of every pack joined into documents."""
    rs = load_rules(strict=False)
    if not rs.rules:
        pytest.skip("no rule packs yet")
    texts = _sample_texts(rs)
    # whole documents of 20 examples each, so `inside` and document rules see neighbours too
    for i in range(0, len(texts), 20):
        doc = from_text("\n".join(f"第{n + 1}条 {t}" for n, t in enumerate(texts[i : i + 20])))
        tree = build_tree(doc)
        units = tree.units()
        a = [(f.rule, f.location.start, f.location.end, f.score) for f in rs.detect(doc, tree, units)]
        b = [(f.rule, f.location.start, f.location.end, f.score) for f in rs.detect(doc, tree, units, prefilter=False)]
        assert a == b


def test_prefilter_equivalence_fixture(tmp_path):
    rules = (
        rule_yaml("CR001", "{all: [{termset: marriage_out}, {regex: '不再[^。；]{0,6}分红'}]}")
        + rule_yaml("CR002", "{all: [{not: {terms: [平等]}}, {inside: {terms: [分配]}}]}")
        + rule_yaml("CR003", "{regex: '[^。]{0,3}分红'}")
    )
    rs = load(tmp_path, rules)
    doc = from_text("第五条 下列人员不参与分配：（一）出嫁女；（二）平等对待。\n第六条 外嫁女不再参与分红。\n第七条 其他。")
    tree = build_tree(doc)
    a = [(f.rule, f.location.start) for f in rs.detect(doc, tree)]
    b = [(f.rule, f.location.start) for f in rs.detect(doc, tree, prefilter=False)]
    assert a == b and a


def test_never_tells_when_a_rule_cannot_match(tmp_path):
    """`Engine.never` skips candidates that cannot match; findings equal the plain evaluation."""
    rs = load(tmp_path, rule_yaml("CR001", "{all: [{regex: '外嫁女'}, {all: [{regex: '不[^。]{0,3}分红'}, {terms: [村]}]}, "
                                           "{any: [{regex: '一律'}, {regex: '均'}]}, {not: {regex: '平等'}}, {inside: {regex: '分配'}}]}")
                            + rule_yaml("CR002", "{regex: '出嫁女'}") + rule_yaml("CR003", "{any: [{regex: '嫁'}, {terms: [出门子]}]}")
                            + rule_yaml("CR004", "{any: [{regex: '嫁'}, {not: {terms: [平等]}}]}"))
    never = rs.engine.never
    assert never[3] is None  # a `not` under `any` may match anywhere
    pf = rs.engine.pf
    for text, expect in [("本村外嫁女一律不再分红。", [False, True, False]), ("本村外嫁女均不分红，平等", [False, True, False]),
                         ("外嫁女不分红。", [True, True, False]), ("闺女出门子", [True, True, False]), ("男女平等", [True, True, True])]:
        assert [never[i](text, pf.found(text)) for i in range(3)] == expect, text
    doc = from_text("第一条 本村外嫁女一律不再分红，不参与分配。\n第二条 出嫁女同等对待。\n第三条 外嫁女与男子平等分红。\n第四条 闺女出门子。")
    tree = build_tree(doc)
    a = [(f.rule, f.location.start) for f in rs.detect(doc, tree)]
    b = [(f.rule, f.location.start) for f in rs.detect(doc, tree, prefilter=False)]
    assert a == b and {r for r, _ in a} == {"CR001", "CR002", "CR003", "CR004"}


def test_long_unit_regex_windows(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{regex: '外嫁女[^。]{0,4}分红'}"))
    text = "甲" * 9000 + "外嫁女不得分红"  # one unit, longer than the regex window
    fs = rs.check_text(text)
    assert len(fs) == 1 and fs[0].location.start == 9000


# ---------------------------------------------------------------- schema errors name file:line


def _error(tmp_path, rules, **kw) -> str:
    with pytest.raises(RuleError) as ei:
        load_rules(make_rules(tmp_path, rules, **kw))
    return str(ei.value)


def test_error_unknown_key(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{terms: [甲]}", extra="    severty: high\n"))
    assert "rules/packs/test.yaml:10:" in msg and "severty" in msg


def test_error_unknown_node_key(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{term: [甲]}"))
    assert "rules/packs/test.yaml:9:" in msg and "term" in msg


def test_error_bad_regex(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{regex: '(未闭合'}"))
    assert "rules/packs/test.yaml:9:" in msg and "E203" in msg


def test_error_word_boundary(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", r"{regex: '\bfoo'}"))
    assert "\\b" in msg and "test.yaml:9:" in msg
    msg = _error(tmp_path, rule_yaml("CR001", r"{regex: '\W外嫁女'}"))
    assert "\\W" in msg


@pytest.mark.parametrize("pattern", ["(a+)+b", "(外嫁.*)*女", "(x{1,5})*y", "([^。]{0,5}女)+", "([^。]{0,40}){0,40}x", "(女{0,9}){5}x"])
def test_error_catastrophic_regex(tmp_path, pattern):
    msg = _error(tmp_path, rule_yaml("CR001", "{regex: '%s'}" % pattern))
    assert "灾难性回溯" in msg and "test.yaml:9:" in msg


def test_catastrophic_check_allows_bounded():
    assert regex_problems("(出嫁|外嫁)[^。；]{0,10}(女儿){1,2}") == []
    assert regex_problems("(?:[^。；]{0,6}的)?(女性|女士)") == []  # optional group around a bounded repeat
    assert regex_problems("(?:男{1,2}){2}") == []


def test_error_empty_match_regex(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{regex: '(外嫁)?'}"))
    assert "空字符串" in msg


def test_error_unknown_termset(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{termset: marriage}"))
    assert "marriage" in msg and "test.yaml:9:" in msg and "E204" in msg


# ---------------------------------------------------------------- regex fragments

FRAGMENT_TERMS = TERMS + """\
fragments:
  married_out: '出嫁女|外嫁女|(?:出嫁|外嫁)的(?:女儿|女子)'
  deny: '不再|不得|取消'
  deny_share: '{{deny}}[^。；]{0,6}(?:分红|分配)'
  protective: '不得以[^。；]{0,20}为由'
"""


def test_fragments_expand_where_referenced(tmp_path):
    rules = rule_yaml("CR001", "{regex: '{{married_out}}[^。；]{0,10}{{deny_share}}'}",
                      extra="    exclude:\n    - regex: '{{protective}}'\n")
    rs = load_rules(make_rules(tmp_path, rules, terms=FRAGMENT_TERMS))
    node = rs.rules[0].match
    assert node.pattern == "(?:出嫁女|外嫁女|(?:出嫁|外嫁)的(?:女儿|女子))[^。；]{0,10}(?:(?:不再|不得|取消)[^。；]{0,6}(?:分红|分配))"
    assert node.written == "{{married_out}}[^。；]{0,10}{{deny_share}}"  # shown in catalogues and explanations
    assert rs.rules[0].exclude[0].pattern == "不得以[^。；]{0,20}为由"  # a whole-pattern reference: no group around it
    assert spans(rs.check_text("出嫁的女儿一律不再参与分红。")) == [("CR001", "出嫁的女儿一律不再参与分红")]
    assert rs.check_text("不得以出嫁女为由不再参与分红。") == []
    f = rs.check_text("外嫁女取消分配。")[0]
    assert f.explanation["matched"][0]["node"].endswith("{{married_out}}[^。；]{0,10}{{deny_share}}")


@pytest.mark.parametrize("fragments, words", [
    ("  a: '{{b}}x'\n  b: '{{a}}y'\n", ["循环引用", "common.yaml:"]),
    ("  a: '{{nowhere}}'\n", ["未定义的正则片段 {{nowhere}}", "common.yaml:5:"]),
    ("  a: '(未闭合'\n", ["无法编译", "common.yaml:5:"]),
    ("  a: x\n  a: y\n", ["common.yaml:6:"]),
    ("  甲: x\n", ["只能由英文字母"]),
    ("  a: '\\bx'\n", ["正则片段“a”", "\\b", "common.yaml:5:"]),
])
def test_fragment_errors_name_the_line(tmp_path, fragments, words):
    msg = _error(tmp_path, rule_yaml("CR001", "{terms: [甲]}"), terms=TERMS + "fragments:\n" + fragments)
    for w in words:
        assert w in msg, msg


def test_unknown_fragment_in_a_rule(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{regex: '{{marriage}}不再分红'}"), terms=FRAGMENT_TERMS)
    assert "未定义的正则片段 {{marriage}}" in msg and "test.yaml:9:" in msg and "E204" in msg


def test_error_unresolved_citation(tmp_path):
    r = rule_yaml("CR001", "{terms: [甲]}").replace("[妇女权益保障法#56]", "[妇女权益保障法#999, 婚姻法#3]")
    msg = _error(tmp_path, r)
    assert "妇女权益保障法#999" in msg and "婚姻法#3" in msg and "test.yaml:12:" in msg


def test_error_duplicate_code_and_prefix(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{terms: [甲]}") + rule_yaml("CR001", "{terms: [乙]}"))
    assert "重复" in msg and "E206" in msg
    msg = _error(tmp_path, rule_yaml("EM001", "{terms: [甲]}"))
    assert "前缀" in msg and "test.yaml:4:" in msg


def test_error_missing_required_and_bad_values(tmp_path):
    r = rule_yaml("CR001", "{terms: [甲]}").replace("    message: 测试说明。\n", "").replace("severity: high", "severity: fatal")
    msg = _error(tmp_path, r)
    assert "message" in msg and "severity" in msg and "fatal" in msg


def test_error_yaml_syntax_and_duplicate_key(tmp_path):
    msg = _error(tmp_path, rule_yaml("CR001", "{terms: [甲]"))
    assert "YAML" in msg and "rules/packs/test.yaml:" in msg
    msg = _error(tmp_path, rule_yaml("CR001", "{terms: [甲]}", extra="    name: 重名\n"))
    assert "重复" in msg and "test.yaml:10:" in msg


def test_error_duplicate_termset(tmp_path):
    d = make_rules(tmp_path, rule_yaml("CR001", "{terms: [甲]}"))
    (d / "terms" / "more.yaml").write_text("terms:\n  marriage_out: [外嫁女]\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"rules/terms/more.yaml:2: .*marriage_out"):
        load_rules(d)


def test_errors_collected_and_non_strict(tmp_path):
    rules = rule_yaml("CR001", "{terms: [甲]}") + rule_yaml("CR002", "{termset: nope}") + rule_yaml("CR003", "{regex: '(('}")
    d = make_rules(tmp_path, rules)
    with pytest.raises(RuleError) as ei:
        load_rules(d)
    assert len(ei.value.errors) == 2
    rs = load_rules(d, strict=False)
    assert [r.code for r in rs.rules] == ["CR001"] and len(rs.errors) == 2


def test_no_word_boundary_in_packs():
    """Loader rejects \\b and \\W; the packs load, so none of their regexes use them."""
    rs = load_rules(strict=False)
    for r in rs.all_rules:
        for n in r.nodes():
            if n.kind == "regex":
                assert not regex_problems(n.pattern), (r.code, n.pattern)


def test_catastrophic_pattern_would_hang():
    """The rejected shape really is dangerous (sanity check of the rule, bounded runtime)."""
    t = time.perf_counter()
    re.search("(a+)+b", "a" * 18)
    assert time.perf_counter() - t > 0.001
    assert regex_problems("(a+)+b")


# ---------------------------------------------------------------- helpers, hash, self-test


def test_cn_numbers_and_article_labels():
    assert [cn_number(n) for n in (1, 10, 12, 20, 56, 105, 110, 265, 1010, 1126)] == [
        "一", "十", "十二", "二十", "五十六", "一百零五", "一百一十", "二百六十五", "一千零一十", "一千一百二十六"]
    assert article_label("56") == "第五十六条"
    assert article_label("56-2") == "第五十六条第二款"
    assert article_label("0") == "全文"


def test_hash_changes_with_files(tmp_path):
    d = make_rules(tmp_path, rule_yaml("CR001", "{terms: [甲]}"))
    h1 = load_rules(d).sha256
    assert load_rules(d).sha256 == h1
    (d / "terms" / "common.yaml").write_text(TERMS + "  extra: [乙]\n", encoding="utf-8")
    assert load_rules(d).sha256 != h1
    assert len(load_rules(d).version) == 12


def test_selftest_reports_failures(tmp_path):
    r = rule_yaml("CR001", "{terms: [外嫁女]}")
    r = r.replace("match: ['<m>甲</m>', '<m>乙</m>']", "match: ['<m>外嫁女</m>不分红', '外嫁女<m>不</m>分红', '没有命中']")
    r = r.replace("no_match: ['丙', '丁']", "no_match: ['外嫁女平等分红', '丁']")
    rs = load(tmp_path, r)
    report = selftest_run(rs)
    failed = sorted(o.case.id for o in report.failures)
    assert failed == ["CR001:match:2", "CR001:match:3", "CR001:no_match:1"]
    assert not report.ok


def test_selftest_lint_warnings(tmp_path):
    m = "{any: [{terms: [甲]}, {terms: [乙]}, {terms: [从未出现]}]}"
    rs = load(tmp_path, rule_yaml("CR001", m))
    report = selftest_run(rs)
    assert report.ok  # warnings do not fail
    assert any("从未出现" in w for w in report.warnings)
    assert any("触发词" in w for w in report.warnings)


def test_parse_example():
    assert parse_example("第九条 <m>出嫁的女儿</m>不再享受。") == ("第九条 出嫁的女儿不再享受。", (4, 9), None)
    assert parse_example("没有标记") == ("没有标记", None, None)
    assert parse_example("<m>a</m><m>b</m>")[2]
    assert parse_example("<m>a")[2]


def test_regex_groups_conjunction():
    from assess.rules.prefilter import regex_groups

    groups = regex_groups("(女儿|女子)[^。；]{0,9}(不得|无权)[^。；]{0,4}继承")
    assert set(map(frozenset, groups)) == {frozenset({"女儿", "女子"}), frozenset({"不得", "无权"}), frozenset({"继承"})}
    assert regex_groups("[^。]{0,5}") == []


def test_prefilter_candidates_need_every_group(tmp_path):
    rs = load(tmp_path, rule_yaml("CR001", "{regex: '(女儿|女子)[^。；]{0,9}(不得|无权)[^。；]{0,4}继承'}"))
    pf = rs.engine.pf
    assert pf.candidates(pf.found("女儿不得继承")) == {0}
    assert pf.candidates(pf.found("女儿可以继承")) == set()  # 不得/无权 missing
    assert pf.candidates(pf.found("儿子不得继承")) == set()


def _law_sample(n_files: int = 12) -> list[str]:
    """Texts of the first law files of the corpus (streamed from the tarball), or []."""
    import os
    import tarfile

    folder = os.environ.get("LAWS_CN_DIR")
    if folder and Path(folder).is_dir():
        return [p.read_text(encoding="utf-8") for p in sorted(Path(folder).rglob("*.md"))[:n_files]]
    tar = ROOT.parent / "shared" / "corpora" / "laws-cn.tar.xz"
    if not tar.exists():
        return []
    out = []
    with tarfile.open(tar) as tf:
        for m in tf:
            if m.isfile() and m.name.endswith(".md"):
                out.append(tf.extractfile(m).read().decode("utf-8"))
                if len(out) >= n_files:
                    break
    return out


def test_prefilter_equivalence_on_law_corpus_sample():
    """Prefilter on/off give the same findings (debug=True: also excluded and low-score ones)."""
    texts = _law_sample()
    if not texts:
        pytest.skip("law corpus not available")
    rs = load_rules(strict=False)
    if not rs.rules:
        pytest.skip("no rule packs yet")
    total = 0
    for t in texts:
        doc = from_text(t, fmt="md")
        tree = build_tree(doc)
        units = tree.units()
        total += len(units)
        a = [(f.rule, f.location.start, f.location.end, f.score) for f in rs.detect(doc, tree, units, debug=True)]
        b = [(f.rule, f.location.start, f.location.end, f.score) for f in rs.detect(doc, tree, units, prefilter=False, debug=True)]
        assert a == b
    assert total > 300


def test_compiled_rules_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESS_RULES_CACHE", "1")
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(tmp_path / "cache"))
    d = make_rules(tmp_path, rule_yaml("CR001", "{all: [{terms: [外嫁女]}, {regex: '不[^。]{0,3}分红'}]}"))
    first = load_rules(d)
    files = list((tmp_path / "cache").glob("rules-*.pickle"))
    assert len(files) == 1
    second = load_rules(d)  # from the cache
    assert second.sha256 == first.sha256
    assert spans(second.check_text("外嫁女不得分红。")) == spans(first.check_text("外嫁女不得分红。")) == [("CR001", "外嫁女")]
    # a change of the files is a different key; a broken cache file is ignored
    files[0].write_bytes(b"not a pickle")
    assert len(load_rules(d).rules) == 1
    # a cached broken pack still raises in strict mode
    (d / "packs" / "test.yaml").write_text("pack:\n  id: t\nrules:\n" + rule_yaml("CR001", "{termset: nope}"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(RuleError, match="nope"):
            load_rules(d)


def test_any_is_ordered_choice(tmp_path):
    """The first child of `any` that matches gives the span, even if a later child matches earlier."""
    m = "{any: [{regex: '罚[0-9]{1,4}元'}, {regex: '每次罚[0-9]{1,4}元'}], focus: true}"
    rs = load(tmp_path, rule_yaml("UN001", m, category="unlawful_non_gender"))
    assert spans(rs.check_text("乱倒垃圾的，每次罚20元。")) == [("UN001", "罚20元")]


def test_lookaround_literals_are_required():
    from assess.rules.prefilter import regex_dnf

    (alt,) = regex_dnf("由(?=[^。]{0,6}(父亲|兄弟)[^。]{0,6}代管)")
    assert set(alt) == {frozenset({"父亲", "兄弟"}), frozenset({"代管"})}  # 1-char 由 dropped: longer groups exist
    assert regex_dnf("株连|一人违[^。]{0,6}全家") == [[frozenset({"株连"})], [frozenset({"一人违"}), frozenset({"全家"})]]
    assert regex_dnf("女(?!婿)") == [[frozenset({"女"})]]


def test_text_outside_bmp(tmp_path):
    """Characters outside the BMP (rare CJK, emoji) switch the automaton to plain text; offsets hold."""
    rs = load(tmp_path, rule_yaml("CR001", "{all: [{terms: [外嫁女]}, {regex: '不[^。]{0,3}分红'}]}"))
    text = "第九条 𠀀😀外嫁女不得分红。"
    fs = rs.check_text(text)
    assert len(fs) == 1 and fs[0].location.start == text.index("外嫁女") and fs[0].match == "外嫁女"


def test_quiet_clauses_are_remembered_with_their_article():
    """A clause on which no rule matched is skipped the next time — but only with the same
    article text around it: the same item under another lead-in is evaluated again."""
    rs = load_rules(strict=False)
    fair = "第五条 下列人员平等参与土地补偿款分配：\n（一）出嫁女；\n（二）服刑人员。"
    unfair = "第五条 下列人员不参与土地补偿款分配：\n（一）出嫁女；\n（二）服刑人员。"
    assert rs.check_text(fair) == []
    assert rs.engine._quiet  # the fair items were remembered
    assert [(f.rule, f.match) for f in rs.check_text(unfair)] == [("CR043", "出嫁女")]
    # and the same document twice gives the same findings
    doc = from_text(unfair + "\n第六条 外嫁女不再参与分红。")
    tree = build_tree(doc)
    first = [f.to_dict() for f in rs.detect(doc, tree)]
    assert first and first == [f.to_dict() for f in rs.detect(doc, tree)]
