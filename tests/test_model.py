"""The classifier: artifact loading and checks, the numpy scorer, `combine`, and reproducibility."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assess.errors import ModelError
from assess.findings import GENDER_CATEGORIES
from assess.resources import data_path

ROOT = Path(__file__).resolve().parent.parent
MODELS = data_path("models")
HAS_MODEL = (MODELS / "model-card.json").is_file()
HAS_CORPUS = (ROOT / "corpus" / "data").is_dir()

needs_model = pytest.mark.skipif(not HAS_MODEL, reason="no shipped model")

DISC = "第九条 本村出嫁女户口未迁出的，土地补偿款按村民标准的一半发放。"


@pytest.fixture(scope="module")
def clf():
    from assess.model import load_classifier

    return load_classifier(check_corpus=False)


# ---------------------------------------------------------------- features


def test_normalise_strips_labels_spaces_digits():
    from assess.model.features import normalise

    assert normalise("第六条（二） 本组 18-35岁") == "本组0至0岁"
    assert normalise("３、ＡＢ　c") == "abc"


def test_char_features_skip_punctuation_unigrams():
    from assess.model.features import char_features

    f = char_features("女，男", 1, 2)
    assert "c:，" not in f and "c:女" in f and "c:女，" in f


# ---------------------------------------------------------------- loading and checks


@needs_model
def test_card_contents(clf):
    card = clf.card
    for key in ("versions", "corpus", "tokenizer", "threshold", "cv_metrics", "comparison", "created", "features"):
        assert key in card, key
    assert card["corpus"]["sha256"] and len(card["corpus"]["sha256"]) == 64
    assert {"numpy", "scikit-learn", "spacy", "jieba", "rjieba"} <= set(card["versions"])
    cv = card["cv_metrics"]["classifier"]
    assert cv["f1"] > 0.5 and cv["precision_at_recall90"] is not None
    assert len(card["comparison"]) >= 2
    assert 0 < card["threshold"] < 1


@needs_model
def test_artifact_is_json_and_npy_only():
    files = {p.name for p in MODELS.iterdir() if p.is_file()}
    assert not {f for f in files if f.endswith((".pkl", ".pickle", ".joblib", ".skops"))}
    for name in ("idf", "coef", "cat_coef", "cat_intercept"):
        np.load(MODELS / f"{name}.npy", allow_pickle=False)  # plain arrays, no objects


def test_missing_model_is_e301(tmp_path):
    from assess.model import load_classifier

    with pytest.raises(ModelError) as e:
        load_classifier(tmp_path)
    assert e.value.code == "E301" and "assess train" in e.value.message


@needs_model
def test_incompatible_format_is_e303(tmp_path):
    from assess.model import load_classifier

    d = tmp_path / "m"
    shutil.copytree(MODELS, d)
    card = json.loads((d / "model-card.json").read_text(encoding="utf-8"))
    card["format"] = "assess-model/0"
    (d / "model-card.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError) as e:
        load_classifier(d)
    assert e.value.code == "E303"


@needs_model
def test_stale_corpus_is_e302(tmp_path):
    from assess.model.scorer import Scorer

    corpus = tmp_path / "corpus"
    (corpus / "data").mkdir(parents=True)
    (corpus / "data" / "x.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(ModelError) as e:
        Scorer.load(MODELS, corpus_dir=corpus)
    assert e.value.code == "E302" and "过期" in e.value.message


@needs_model
@pytest.mark.skipif(not HAS_CORPUS, reason="no corpus/")
def test_shipped_model_is_current():
    """The shipped model was trained on the corpus as it is now (else: run `assess train`)."""
    from assess.model import load_classifier

    load_classifier()  # raises E302 when corpus/ or the dictionary changed since training


@needs_model
def test_bad_threshold_is_e304():
    from assess.model import load_classifier

    with pytest.raises(ModelError) as e:
        load_classifier(threshold=1.5, check_corpus=False)
    assert e.value.code == "E304"


# ---------------------------------------------------------------- inference


@needs_model
def test_inference_imports_neither_sklearn_nor_spacy():
    code = (
        "import sys, assess.model as m\n"
        "c = m.load_classifier(check_corpus=False)\n"
        f"p = c.predict({DISC!r})\n"
        "bad = [x for x in ('sklearn', 'spacy', 'scipy', 'jieba') if x in sys.modules]\n"
        "print(bad, p['probability'])\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


@needs_model
def test_batch_and_single_scores_agree(clf):
    texts = [DISC, "村民应当爱护公共设施。", "招聘文员一名，限女性，未婚。", "", "第三条"]
    batch = clf.scorer.score_many(texts)
    for t, b in zip(texts, batch):
        s = clf.scorer.score(t)
        assert abs(s.probability - b.probability) < 1e-12
        assert s.category == b.category


@needs_model
def test_discriminatory_clause_scores_higher(clf):
    hi = clf.predict(DISC)
    lo = clf.predict("村民应当爱护公共设施，不得损坏路灯。")
    assert hi["probability"] > 0.5 > lo["probability"]
    assert hi["category"] == "collective_rights"
    assert hi["features"] and all(isinstance(w, str) and isinstance(v, float) for w, v in hi["features"])


def _review(text, threshold=None):
    from assess.documents import from_text
    from assess.model import load_classifier
    from assess.rules import load_rules
    from assess.structure import build_tree

    doc = from_text(text)
    tree = build_tree(doc)
    units = tree.units()
    rules = load_rules(strict=False)
    rf = rules.detect(doc, tree, units)
    clf = load_classifier(threshold=threshold, check_corpus=False)
    return rf, clf.combine(doc, tree, units, list(rf)), clf


@needs_model
def test_combine_adds_model_findings_rules_missed():
    # A clause in no rule's vocabulary, flagged with a low threshold.
    text = "第五条 闺女出门子以后，村里的钱就跟她没关系了。\n第六条 村民应当爱护公共设施。"
    rf, fs, clf = _review(text, threshold=0.05)
    model = [f for f in fs if f.source == "model"]
    caught = {(f.location.clause_start, f.location.clause_end) for f in rf if f.category in GENDER_CATEGORIES}
    assert model, "expected a model finding at threshold 0.05"
    for f in model:
        assert (f.location.clause_start, f.location.clause_end) not in caught
        assert f.rule is None and f.category in GENDER_CATEGORIES
        assert f.severity in ("low", "medium")
        assert f.model_score == f.score == f.explanation["model"]["probability"]
        assert "分类模型" in f.message and f.suggestion and f.legal_basis
        assert all("#" in lb.key for lb in f.legal_basis)
        feats = f.explanation["model"]["features"]
        assert isinstance(feats, list) and all(len(x) == 2 for x in feats)


@needs_model
def test_combine_scores_every_rule_finding():
    rf, fs, clf = _review(DISC)
    for f in fs:
        assert f.model_score is not None and 0.0 <= f.model_score <= 1.0
    for f in fs:
        if f.rule and f.category in GENDER_CATEGORIES and f.model_score >= clf.threshold:
            assert f.source == "rule+model"


@needs_model
def test_category_legal_basis_resolves(clf):
    from assess.model import CATEGORY_ADVICE, CATEGORY_LAW

    for cat in GENDER_CATEGORIES:
        assert CATEGORY_ADVICE[cat]
        keys = [lb.key for lb in clf.legal_basis(cat)]
        assert keys == CATEGORY_LAW[cat], (cat, keys)
    assert [lb.key for lb in clf.legal_basis("employment")][:2] == ["妇女权益保障法#43", "就业促进法#27"]


@needs_model
@pytest.mark.skipif(not HAS_CORPUS, reason="no corpus/")
def test_numpy_ngram_path_equals_string_path(clf):
    """The packed-integer n-gram lookup gives the same scores as looking up feature strings."""
    from assess.model.train import load_corpus

    texts = load_corpus().texts + ["", "第三条", "𠀀𠀁女", "ＡＢ－１２", "男|女不得|继承", "||出嫁女||"]
    fast = clf.scorer.score_many(texts)
    slow = clf.scorer._batch(clf.scorer.analyzer.features_many(texts))
    assert max(abs(a.probability - b.probability) for a, b in zip(fast, slow)) < 1e-12
    assert [a.category for a in fast] == [b.category for b in slow]


@pytest.mark.skipif(not HAS_CORPUS, reason="no corpus/")
def test_every_discriminatory_corpus_clause_has_a_gender_cue():
    from assess.model import has_gender_cue
    from assess.model.train import load_corpus

    missing = [r["text"] for r in load_corpus().rows if r["label"] == "disc" and not has_gender_cue(r["text"])]
    assert not missing, missing[:10]


def test_cue_gate_and_lead_in():
    from assess.documents import from_text
    from assess.model import has_gender_cue, model_text
    from assess.structure import build_tree

    assert not has_gender_cue("（七）外交部；") and has_gender_cue("出嫁女不再分配")
    doc = from_text("第五条 下列人员不参与分配：\n（一）出嫁女；\n（二）服刑人员。")
    units = build_tree(doc).units()
    item = next(u for u in units if "出嫁女" in u.text and "下列" not in u.text)
    assert model_text(doc, item).startswith("第五条 下列人员不参与分配：")


def test_cue_regex_equals_plain_alternation():
    """The compact cue search (a class of the one-character cues, then the longer cues) finds what
    the plain alternation of every cue finds."""
    import re

    from assess.model import GENDER_CUES, has_gender_cue

    plain = re.compile("|".join(map(re.escape, GENDER_CUES)))
    samples = list(GENDER_CUES) + ["（七）外交部；", "第三条 村民应当爱护公共设施。", "户口迁入后享受待遇", "年满十八周岁的村民", "性别不限", ""]
    if HAS_CORPUS:
        from assess.model.train import load_corpus

        samples += load_corpus().texts
    for t in samples:
        assert has_gender_cue(t) == (plain.search(t) is not None), t


@needs_model
def test_scoring_only_cue_and_rule_clauses_changes_nothing():
    """`combine` scores only clauses with a gender cue or a rule finding; the findings are the
    same as when every clause is scored."""
    from assess.documents import from_text
    from assess.model import load_classifier, model_text
    from assess.rules import load_rules
    from assess.structure import build_tree

    text = ("第一条 为规范村务管理，制定本规约。\n第二条 出嫁女户口未迁出的，不再分配土地补偿款。\n"
            "第三条 闺女出门子以后，村里的钱就跟她没关系了。\n第四条 每户限一人参加村民代表会议，由户主参加。\n"
            "第五条 村民应当爱护公共设施，违者罚款五十元。\n第六条 妇女享有与男子平等的权利。")
    doc = from_text(text)
    tree = build_tree(doc)
    units = tree.units()
    rules = load_rules(strict=False)
    clf = load_classifier(threshold=0.05, check_corpus=False)  # low threshold: many model findings
    rf = rules.detect(doc, tree, units)
    gated = clf.combine(doc, tree, units, [f for f in rules.detect(doc, tree, units)])
    every = clf.combine(doc, tree, units, list(rf), scored=clf.scorer.score_many([model_text(doc, u) for u in units]))
    assert [f.to_dict() for f in gated] == [f.to_dict() for f in every]
    assert any(f.source == "model" for f in gated) and any(f.rule for f in gated)


def test_fullwidth_table_keeps_nfkc_result(monkeypatch):
    """normalise maps full-width ASCII by a table before NFKC; the result is NFKC's own."""
    from assess.model import features

    texts = ["第三条　（一）出嫁女；ＡＢ－１２，３０％", "Ａ\u0301ｂ", "ｶﾞ①㎡﹐︰", "𠀀𠀁女", "", "１８～３５岁", "Ｏ\u0308"]
    if HAS_CORPUS:
        from assess.model.train import load_corpus

        texts += load_corpus().texts
    fast = [features.normalise(t) for t in texts]
    monkeypatch.setattr(features, "_FULLWIDTH", {})
    assert fast == [features.normalise(t) for t in texts]


def test_normalise_many_equals_normalise():
    """The joined, numpy-translated batch form gives exactly `normalise` of each clause."""
    from assess.model.features import normalise, normalise_many

    texts = ["第三条　（一）出嫁女；ＡＢ－１２，３０％", "第六条（二） 本组 18-35岁", "三、　ΣΑΣ ΑΣ", "Ａ\u0301ｂ", "ｶﾞ①㎡﹐︰",
             "𠀀𠀁女", "", "  ", "１８～３５岁", "Ｏ\u0308", "\u0301开头的组合符", "含\x00空字符", "1.5倍", "12、女职工",
             "（１）１２３", "第一条\n第二条 两个标签", "ＩＪ\u0130", "第十条",
             "\x1c分隔\x1f符\u2028行\u3000尾", "18 - 35岁", "a～b", "１８～３５", "0.5-1.5倍", "—-–", "第三条 第四条 三、（一）"]
    if HAS_CORPUS:
        from assess.model.train import load_corpus

        texts += load_corpus().texts
    assert normalise_many(texts) == [normalise(t) for t in texts]
    for t in texts[:25]:
        assert normalise_many([t]) == [normalise(t)]
    assert normalise_many([]) == []


@needs_model
def test_remembered_clauses_give_the_same_findings():
    """A clause seen before (below the threshold) is not scored again; findings do not change."""
    from assess.documents import from_text
    from assess.model import load_classifier
    from assess.rules import load_rules
    from assess.structure import build_tree

    text = ("第一条 出嫁女户口未迁出的，不再分配土地补偿款。\n第二条 闺女出门子以后，村里的钱就跟她没关系了。\n"
            "第三条 村民代表会议由户主参加。\n第四条 家庭成员应当互相尊重。")
    doc = from_text(text)
    tree = build_tree(doc)
    units = tree.units()
    rules = load_rules(strict=False)
    clf = load_classifier(threshold=0.5, check_corpus=False)
    first = [f.to_dict() for f in clf.combine(doc, tree, units, rules.detect(doc, tree, units))]
    assert clf._seen  # some clauses were below 0.5 and are remembered
    calls = []
    score_normalised = clf.scorer.score_normalised
    clf.scorer.score_normalised = lambda norms: calls.append(list(norms)) or score_normalised(norms)
    second = [f.to_dict() for f in clf.combine(doc, tree, units, rules.detect(doc, tree, units))]
    assert first == second
    assert not any(t in clf._seen for batch in calls for t in batch)  # remembered ones were not rescored


@needs_model
def test_memo_key_is_what_the_model_reads():
    """Clauses that differ only in digits or full-width forms have the same features, so the
    second is answered from the memo, with the probability a fresh scorer gives it."""
    from assess.documents import from_text
    from assess.model import load_classifier
    from assess.structure import build_tree

    clf = load_classifier(threshold=0.99, check_corpus=False)
    fresh = load_classifier(threshold=0.99, check_corpus=False)
    fresh._seen = None
    a = from_text("第一条 妇女在15日内办理婚姻登记手续。")
    b = from_text("第一条 妇女在３０日内办理婚姻登记手续。")
    for doc in (a, b):
        tree = build_tree(doc)
        units = tree.units()
        calls = []
        score_normalised = clf.scorer.score_normalised
        clf.scorer.score_normalised = lambda norms: calls.append(list(norms)) or score_normalised(norms)
        got = [f.to_dict() for f in clf.combine(doc, tree, units, [])]
        del clf.scorer.score_normalised
        assert got == [f.to_dict() for f in fresh.combine(doc, tree, units, [])]
    assert calls == [[]]  # b: nothing left to score
    assert clf._seen == {"妇女在0日内办理婚姻登记手续。": pytest.approx(fresh.scorer.score(b.text).probability)}
