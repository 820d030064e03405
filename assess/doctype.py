"""A guess at the kind of document, from its title and wording.

Used in reports (评估意见书 shows it) and by rules that only make sense in one kind of document.
Kinds: village_rules, policy, recruitment, contract, other.
"""

from __future__ import annotations

import re

from .documents import Document

DOC_TYPES = {
    "village_rules": "村规民约/自治章程",
    "policy": "规范性文件/政策",
    "recruitment": "招聘公告/简章",
    "contract": "劳动合同/规章制度",
    "other": "其他",
}

# Title words weigh more than body words: a title says what the document is.
_SIGNALS = {
    "village_rules": ["村规民约", "自治章程", "村民公约", "居民公约", "股份经济合作社章程", "经济合作社章程", "集体经济组织章程", "村民会议", "村民代表会议", "本村", "本组", "村委会", "村民委员会", "村民小组", "本社", "社员", "分配方案", "规约"],
    "recruitment": ["招聘", "招录", "招考", "报名", "岗位表", "职位表", "应聘", "简章", "录用"],
    "contract": ["劳动合同", "聘用合同", "甲方", "乙方", "员工手册", "承诺书", "规章制度", "考勤"],
    "policy": ["办法", "规定", "条例", "通知", "意见", "方案", "规划", "措施", "实施细则", "决定"],
}
# Title patterns: a village's own document (某村…, 第三村民小组…, not 农村…), and the endings of
# laws and normative documents (…法, …条例, …的解释, …规划（2021-2025年）).
_TITLE_PATTERNS = {
    "village_rules": (re.compile(r"(?<!农)村(?!镇)|村民小组|居委会|经济合作社|股份合作社"), 4.0),
    "policy": (re.compile(r"(?:法|条例|规定|办法|规则|细则|解释|纲要|规划|意见|通知|决定|方案|措施)(?:[（(][^）)]*[）)])*$"), 3.0),
}
# A law's or regulation's title (劳动合同法, 女职工劳动保护特别规定) outweighs the topic words in it.
_LAW_TITLE = re.compile(r"(?:法|条例|特别规定|司法解释|的解释|实施细则)(?:[（(][^）)]*[）)])*$")
# Body words that also occur in passing (按规定, 有关通知) count for little.
_BODY_WEIGHT = {"policy": 0.15}


_AUTOMATON = None


def _body_counts(body: str) -> dict[str, int]:
    """Occurrences of every signal word in `body`, in one Aho-Corasick pass (45 str.count calls
    cost more than the rest of the guess). No signal word overlaps itself, so these are the
    counts str.count gives (tests/test_model_doctype.py)."""
    global _AUTOMATON
    if _AUTOMATON is None:
        import ahocorasick

        a = ahocorasick.Automaton()
        for words in _SIGNALS.values():
            for w in words:
                a.add_word(w, w)
        a.make_automaton()
        _AUTOMATON = a
    counts: dict[str, int] = {}
    for _end, w in _AUTOMATON.iter(body):
        counts[w] = counts.get(w, 0) + 1
    return counts


def guess_doc_type(doc: Document) -> str:
    title = (doc.title or "").strip()
    counts = _body_counts(doc.text[:20000])
    best, best_score = "other", 0.0
    for kind, words in _SIGNALS.items():
        score = 0.0
        bw = _BODY_WEIGHT.get(kind, 0.4)
        for w in words:
            if w in title:
                score += 5
            score += min(counts.get(w, 0), 10) * bw
        pat = _TITLE_PATTERNS.get(kind)
        if pat and title and pat[0].search(title):
            score += pat[1]
        if kind == "policy" and title and _LAW_TITLE.search(title) and not _TITLE_PATTERNS["village_rules"][0].search(title):
            score += 8
        if score > best_score:
            best, best_score = kind, score
    return best if best_score >= 1.2 else "other"


def doc_type_zh(kind: str | None) -> str:
    return DOC_TYPES.get(kind or "other", "其他")


