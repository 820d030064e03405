"""The clause classifier at inference: numpy only (no scikit-learn, no spaCy).

    model = load_classifier(model_dir=None, threshold=None)   # models/ by default
    findings = model.combine(doc, tree, units, rule_findings)

`combine` keeps the rule findings as the explained ones, attaches the classifier's probability to
every finding (`Finding.model_score`; `source` becomes "rule+model" when the model agrees), and
adds a model finding for each clause above the threshold that no gender rule caught: category from
the category head, severity "medium" or "low" by probability, the top contributing n-grams/words
as explanation, legal basis from the category's general articles (resolved in the rule engine's
law library) and a category-specific rewrite advice.

Training and evaluation live in assess.model.train / assess.model.evaluate (scikit-learn).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelError
from ..findings import CATEGORIES, GENDER_CATEGORIES, Finding, LegalBasis, Location, fingerprint
from ..resources import data_path
from .features import normalise_many

__all__ = ["load_classifier", "Classifier", "ModelError", "CATEGORY_LAW", "CATEGORY_ADVICE"]

# General articles per category (keys of rules/laws/*.yaml).
CATEGORY_LAW: dict[str, list[str]] = {
    "collective_rights": ["妇女权益保障法#55", "妇女权益保障法#56", "农村集体经济组织法#18", "村民委员会组织法#27"],
    "political_participation": ["妇女权益保障法#14", "村民委员会组织法#6", "宪法#48"],
    "employment": ["妇女权益保障法#43", "就业促进法#27", "妇女权益保障法#48"],
    "reproductive_control": ["妇女权益保障法#32", "妇女权益保障法#21", "人口与计划生育法#17"],
    "family": ["妇女权益保障法#61", "民法典#1041", "民法典#1055", "妇女权益保障法#65"],
    "stereotype": ["妇女权益保障法#2", "妇女权益保障法#28", "宪法#48"],
    "education": ["妇女权益保障法#37", "教育法#37", "义务教育法#4"],
}

# Generic, category-specific rewrite advice (our own wording).
CATEGORY_ADVICE: dict[str, str] = {
    "collective_rights": "成员资格、土地承包、收益分配和征地补偿应以户籍、成员身份等对男女一致适用的条件认定，删除以结婚、离婚、丧偶、户内无男性或“出嫁”“招婿”为由减少或取消权益的内容；确需排除的，只写法定情形（如已在其他集体经济组织取得成员身份）。",
    "political_participation": "选举、表决和村务参与的资格应对男女一致，不以户主、户内男性或婚姻状况代替本人参与；村（居）委会和村民代表中应保证适当数量的妇女。",
    "employment": "招聘、录用、待遇、晋升和解聘条件只写与岗位相关的能力要求，删除性别限制、“男性优先”和婚育状况要求；对女职工的特殊保护按《女职工劳动保护特别规定》执行，不得借此排斥或降低待遇。",
    "reproductive_control": "删除以上环、结扎、孕检、生育证明等作为享受待遇或办理事项前提的内容和相关押金、罚款；生育由夫妻双方自主决定并共同承担责任，服务条款应尊重妇女本人意愿。",
    "family": "婚姻家庭条款应体现婚姻自由、夫妻地位平等和共同承担家庭责任，删除限制妇女结婚、离婚、再婚或继承的内容，对家庭暴力写明制止与救助途径。",
    "stereotype": "改为对男女一致适用的表述，不以“妇道”“贤惠”“相夫教子”等性别角色要求妇女；评选表彰的标准应与性别无关，或同时面向男女。",
    "education": "入学、升学、资助和奖励条件对男女一致，删除按性别设置的限制、名额或不同标准（国家规定的特殊专业除外）。",
}

# The classifier only adds findings for clauses that say something about sex, marriage, family,
# childbirth or appearance: a clause with none of these cues cannot discriminate against women on
# its face, and the rules handle indirect criteria (户主, 一户一票 …). Every disc clause of the
# corpus contains a cue (tests/test_model.py); the gate removes the model's guesses on unrelated
# short text (“（七）外交部；”, “46．瓦斯计”) that the training data never covered.
GENDER_CUES = (
    "女 妇 男 婚 嫁 孕 育 婿 媳 妻 夫 寡 偶 户主 性别 姑娘 闺女 儿子 儿媳 无儿 儿女 儿孙 姓 娶 赘 上门 哺乳 经期 月经 "
    "月子 身高 体重 相貌 外貌 长相 形象 家务 家庭 男丁 姐 妹 母 父 妈 爸 奶 娘 宗 祠 族 继承 怀 胎 上环 结扎 嫂 媒 彩礼 "
    "老婆 老公 丈 爱人 配偶 贞 妆 裙 年轻 单身 身材 亲属 孩 产假 产期 产检 分娩 流产 引产 超生 出生 生孩 生娃 生儿 "
    "生女 生子 生育 独生 户口 迁"
).split()
_CUE_SEARCH = None


def has_gender_cue(text: str) -> bool:
    global _CUE_SEARCH
    if _CUE_SEARCH is None:
        import re

        # Two searches: a character class of the one-character cues (a C scan), then the longer
        # cues that contain none of those characters. One alternation of both was 5x slower:
        # the class and every literal were tried at each position.
        single = [c for c in GENDER_CUES if len(c) == 1]
        multi = sorted((c for c in GENDER_CUES if len(c) > 1 and not any(ch in single for ch in c)), key=len, reverse=True)
        _CUE_SEARCH = (re.compile("[" + "".join(single) + "]").search, re.compile("|".join(map(re.escape, multi))).search)
    one, longer = _CUE_SEARCH
    return one(text) is not None or longer(text) is not None


def model_text(doc, unit) -> str:
    """What the classifier reads for a unit: the clause, preceded by its article's lead-in when
    the clause is a list item under one (“下列人员不参与分配：” + “（二）出嫁女；”, or
    “不得实施下列行为：” + “（一）限定为男性……”), since the lead-in decides what the item means."""
    text = unit.text
    if unit.start > unit.context_start:
        head = doc.text[unit.context_start : min(unit.start, unit.context_end)]
        first = head.split("\n", 1)[0].rstrip()
        if first.endswith(("：", ":")) and len(first) <= 120 and first.strip() != text.strip():
            return first + text
    return text


MESSAGE = ("分类模型判断本条款与语料中歧视妇女的条款相似（概率 {p:.2f}，可能属于“{zh}”），没有规则命中；"
           "请人工核对条款原意。主要依据的词语：{words}。")
NAME = "模型提示：疑似{zh}方面的性别歧视"


def _default_corpus_dir(model_dir: Path) -> Path | None:
    """The source checkout's corpus/ next to models/ (none in an installed package)."""
    c = Path(model_dir).resolve().parent / "corpus"
    return c if (c / "data").is_dir() else None


def load_classifier(model_dir=None, threshold: float | None = None, *, check_corpus: bool = True) -> "Classifier":
    """Load the artifact in `model_dir` (default: the bundled models/).

    Raises ModelError: E301 missing/corrupt, E302 stale (corpus or dictionary changed since
    training — only checked where corpus/ sits next to models/), E303 incompatible, E304 bad
    threshold.
    """
    from .scorer import E_THRESHOLD, Scorer

    model_dir = Path(model_dir) if model_dir else data_path("models")
    default_dir = Path(model_dir).resolve() == data_path("models").resolve()
    corpus_dir = _default_corpus_dir(model_dir) if (check_corpus and default_dir) else None
    userdict = data_path("models") / "userdict.txt" if default_dir else None
    scorer = Scorer.load(model_dir, corpus_dir=corpus_dir, userdict=userdict)
    if threshold is not None and not (0.0 < float(threshold) < 1.0):
        raise ModelError(f"分类模型阈值必须在 0 和 1 之间（收到 {threshold}）", code=E_THRESHOLD)
    return Classifier(scorer, threshold)


SEEN_MAX = 20000  # remembered clause probabilities per process (a few MB)


class _Remembered:
    """A clause scored earlier, below the threshold: only its probability is needed."""

    __slots__ = ("probability",)

    def __init__(self, probability: float):
        self.probability = probability


class Classifier:
    """The loaded model: scores clauses and merges its judgement with the rule findings."""

    def __init__(self, scorer, threshold: float | None = None):
        self.scorer = scorer
        card = scorer.card
        self.threshold = float(threshold) if threshold is not None else float(card["threshold"])
        self.medium_from = float(card.get("severity", {}).get("medium_from", 0.85))
        self.version = f"{card['classifier']['choice']}@{card['corpus']['sha256'][:12]}"
        self._laws = None
        # normalised clause -> probability, for clauses below the threshold (ASSESS_NO_MEMO=1: off)
        self._seen: dict[str, float] | None = None if os.environ.get("ASSESS_NO_MEMO") else {}

    name = "model"

    @property
    def card(self) -> dict:
        return self.scorer.card

    # -- law library (the rule engine's), loaded once on the first model finding

    def legal_basis(self, category: str) -> list[LegalBasis]:
        if self._laws is None:
            try:
                from ..rules.loader import load_packs
                from ..rules import default_rules_dir

                self._laws = load_packs(default_rules_dir(), strict=False).laws
            except Exception:  # noqa: BLE001 - no law library: findings without citations
                self._laws = {}
        from ..rules.schema import article_label

        out = []
        for key in CATEGORY_LAW.get(category, []):
            law_key, art = key.split("#", 1)
            law = self._laws.get(law_key)
            summary = law and law["articles"].get(art)
            if summary:
                out.append(LegalBasis(law=law["name"], article=article_label(art), summary=summary, key=key))
        return out

    # -- the pipeline API

    def predict(self, text: str) -> dict:
        """Probability, category and top features of one clause (for the web page and tests)."""
        s = self.scorer.score(text)
        return {"probability": s.probability, "category": s.category, "category_probability": s.category_probability,
                "features": self.scorer.top_features(s), "flagged": s.probability >= self.threshold}

    def combine(self, doc, tree, units, rule_findings: list[Finding], scored=None) -> list[Finding]:
        """Rule findings with model scores attached, plus model findings for what no rule caught.
        `scored` may pass precomputed `scorer.score_many(unit texts)` (benchmarks)."""
        texts = [model_text(doc, u) for u in units]
        cues = [has_gender_cue(t) for t in texts]
        if scored is None:
            # Only clauses that can produce output are scored: those with a gender cue (the only
            # ones the model may flag) and those a rule found (their findings carry the score).
            # On ordinary documents most clauses have neither.
            rule_spans = {(f.location.clause_start, f.location.clause_end) for f in rule_findings}
            wanted = [i for i, u in enumerate(units) if cues[i] or (u.start, u.end) in rule_spans]
            scored = [None] * len(units)
            # Village rules are copied from a township's model text, so the same clause comes
            # back in document after document, often with other dates, ages or amounts: its
            # probability is remembered (per process, bounded) under its normalised text, which
            # is all the model sees (digits are already 0 there). Only clauses below the
            # threshold are remembered; one that may become a model finding is always scored in
            # full (category and features).
            seen = self._seen
            todo, todo_norms = [], []
            for i, norm in zip(wanted, normalise_many([texts[i] for i in wanted])):
                p = seen.get(norm) if seen is not None else None
                if p is None:
                    todo.append(i)
                    todo_norms.append(norm)
                else:
                    scored[i] = _Remembered(p)
            for i, norm, s in zip(todo, todo_norms, self.scorer.score_normalised(todo_norms)):
                scored[i] = s
                if seen is not None and s.probability < self.threshold:
                    if len(seen) >= SEEN_MAX:
                        seen.clear()
                    seen[norm] = s.probability
        by_span = {(u.start, u.end): s for u, s in zip(units, scored) if s is not None}
        caught: set[tuple[int, int]] = set()
        for f in rule_findings:
            key = (f.location.clause_start, f.location.clause_end)
            s = by_span.get(key)
            if s is None:
                s = self.scorer.score(f.text)
            f.model_score = round(s.probability, 4)
            if f.category in GENDER_CATEGORIES:
                caught.add(key)
                if s.probability >= self.threshold:
                    f.source = "rule+model"
        out = list(rule_findings)
        for u, cue, s in zip(units, cues, scored):
            if not cue or s is None or s.probability < self.threshold or (u.start, u.end) in caught:
                continue
            out.append(self._finding(doc, u, s))
        return out

    def _finding(self, doc, unit, s) -> Finding:
        cat = s.category if s.category in GENDER_CATEGORIES else "stereotype"
        zh = CATEGORIES.get(cat, cat)
        feats = self.scorer.top_features(s)
        p = round(s.probability, 4)
        block = unit.block
        loc = Location(
            clause_label=unit.label,
            start=unit.start,
            end=unit.end,
            clause_start=unit.start,
            clause_end=unit.end,
            line=doc.line_of(unit.start) if hasattr(doc, "line_of") else None,
            page=getattr(block, "page", None),
            paragraph=getattr(block, "paragraph", None),
            table=getattr(block, "table", None),
            row=getattr(block, "row", None),
            heading_path=list(unit.heading_path or []),
        )
        words = "、".join(f"“{w}”" for w, _ in feats[:5]) or "（无）"
        return Finding(
            rule=None,
            source="model",
            category=cat,
            severity="medium" if s.probability >= self.medium_from else "low",
            score=p,
            text=unit.text,
            match=unit.text,
            location=loc,
            message=MESSAGE.format(p=s.probability, zh=zh, words=words),
            legal_basis=self.legal_basis(cat),
            suggestion=CATEGORY_ADVICE.get(cat, ""),
            name=NAME.format(zh=zh),
            explanation={"model": {"probability": p, "features": feats, "category": cat,
                                   "category_probability": round(s.category_probability, 4), "threshold": self.threshold,
                                   "model": self.version}},
            model_score=p,
            fingerprint=fingerprint(None, cat, unit.text),
        )
