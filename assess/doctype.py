"""A guess at the kind of document, from its title and wording.

Used in reports (评估意见书 shows it) and by rules that only make sense in one kind of document.
Kinds: village_rules, policy, recruitment, contract, other.
"""

from __future__ import annotations


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
    "village_rules": ["村规民约", "自治章程", "村民公约", "居民公约", "股份经济合作社章程", "经济合作社章程", "集体经济组织章程", "村民会议", "村民代表会议", "本村", "本组", "村委会"],
    "recruitment": ["招聘", "招录", "招考", "报名", "岗位表", "职位表", "应聘", "简章", "录用"],
    "contract": ["劳动合同", "聘用合同", "甲方", "乙方", "员工手册", "承诺书", "规章制度", "考勤"],
    "policy": ["办法", "规定", "条例", "通知", "意见", "方案", "规划", "措施", "实施细则", "决定"],
}


def guess_doc_type(doc: Document) -> str:
    title = doc.title or ""
    body = doc.text[:20000]
    best, best_score = "other", 0.0
    for kind, words in _SIGNALS.items():
        score = 0.0
        for w in words:
            if w in title:
                score += 5
            score += min(body.count(w), 10) * 0.3
        if score > best_score:
            best, best_score = kind, score
    return best if best_score >= 1.5 else "other"


def doc_type_zh(kind: str | None) -> str:
    return DOC_TYPES.get(kind or "other", "其他")


