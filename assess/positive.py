"""Positive measures (积极措施) found in a document, for the 评估意见书 and the other reports.

A gender-equality assessment does not only list problems: it also records what a document does
well, e.g. a floor on women's share among village representatives, an explicit statement that
married-out women keep equal rights, or a clause that bans discrimination. A handful of patterns
over sentences is enough for that list; it never changes the verdict.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

# (kind, Chinese name, pattern). Patterns run over one sentence at a time.
_WOMEN = r"(?:妇女|女性|女职工|女村民|女代表|女干部|女委员|女成员)"
PATTERNS: list[tuple[str, str, re.Pattern]] = [
    (
        "share_target",
        "妇女比例或名额要求",
        re.compile(
            rf"{_WOMEN}[^。；;！？]{{0,30}}(?:不少于|不低于|至少|应当占|应占|达到|保持在)[^。；;！？]{{0,12}}"
            r"(?:三分之一|[一二三四五六七八九十]+分之[一二三四五六七八九十]+|[0-9０-９]+\s*[%％]|百分之[一二三四五六七八九十]+|[0-9０-９一二两三四五]+\s*[名人个]|一定比例|适当名额|一名|1名)"
        ),
    ),
    (
        "share_target",
        "妇女比例或名额要求",
        re.compile(rf"(?:三分之一|一定比例|适当名额|至少一名|至少1名)[^。；;！？]{{0,16}}{_WOMEN}|{_WOMEN}(?:成员|代表|委员)?应当有适当(?:名额|比例)"),
    ),
    (
        "gender_assessment",
        "性别平等评估或妇女参与机制",
        re.compile(r"性别平等(?:评估|审查)|男女平等(?:评估|审查)|妇女议事会|妇女代表会议|听取妇女(?:代表|组织|联合会)?的?意见|妇联组织[^。；;]{0,10}参与"),
    ),
    ("equality", "男女平等原则", re.compile(r"男女平等|性别平等|男女享有平等|男女一律平等|不分男女|男女同工同酬|同工同酬")),
    (
        "equal_rights",
        "妇女同等享有权益",
        re.compile(
            r"(?:同等享有|平等享有|享有同等|享有平等|同等待遇|同等权利|同样享有|同等的权利)"
            rf"|{_WOMEN}[^。；;！？]{{0,20}}(?:与男子|和男子|与男性|同男子)[^。；;！？]{{0,8}}(?:平等|同等|相同)"
        ),
    ),
    (
        "non_discrimination",
        "禁止性别歧视",
        re.compile(
            rf"(?:不得|禁止|严禁|不准)[^。；;！？]{{0,20}}(?:歧视|侵害|剥夺|损害)[^。；;！？]{{0,8}}{_WOMEN}"
            r"|(?:不得|禁止|严禁)[^。；;！？]{0,10}性别歧视|(?:不得|禁止)以(?:性别|婚姻|婚育)"
        ),
    ),
    (
        "married_out_rights",
        "保障出嫁女等妇女的成员权益",
        re.compile(
            r"(?:出嫁女|外嫁女|离婚妇女|丧偶妇女|入赘)[^。；;！？]{0,30}"
            r"(?:同等享有|平等享有|依法享有|同等对待|保障|保留|不受影响|不得(?:取消|收回|剥夺|降低|减少|调整))"
        ),
    ),
]

_SENT = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")


@dataclass
class PositiveMeasure:
    kind: str
    name: str  # Chinese name of the kind
    text: str  # the sentence
    start: int
    end: int
    clause_label: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def find_positive(text: str, units=None) -> list[PositiveMeasure]:
    """Positive measures in `text`, one per sentence (the first kind that matches wins).

    `units` (from `ClauseTree.units()`) give clause labels when available.
    """
    out: list[PositiveMeasure] = []
    for m in _SENT.finditer(text):
        sent = m.group(0)
        if len(sent.strip()) < 4:
            continue
        for kind, name, rx in PATTERNS:
            if rx.search(sent):
                if _negated(sent):
                    break
                lead = len(sent) - len(sent.lstrip())
                start = m.start() + lead
                out.append(PositiveMeasure(kind, name, sent.strip(), start, m.end(), _label_at(units, start)))
                break
    return out


# A sentence that mentions equality only to deny it is not a positive measure.
_NEGATION = re.compile(
    r"(?:不|不再|不能|不得|不予|无权)(?:享有|享受|给予|参与|分配|同等)|不同等|取消[^。；;]{0,6}(?:待遇|资格)"
    r"|只享有|只能享有|减半|按[^。；;]{0,6}(?:比例|百分之)[^。；;]{0,6}(?:计|发放|分配)"
)


def _negated(sentence: str) -> bool:
    return bool(_NEGATION.search(sentence))


def _label_at(units, offset: int) -> str:
    if not units:
        return ""
    best = ""
    for u in units:
        if u.start <= offset < u.end:
            return u.label
        if u.start <= offset:
            best = u.label
    return best


def positive_measures(result) -> list[PositiveMeasure]:
    """Positive measures of a reviewed document (`pipeline.DocumentResult`); [] when unread."""
    doc = getattr(result, "document", None)
    if doc is None:
        return []
    units = None
    if getattr(result, "tree", None) is not None:
        try:
            units = result.tree.units()
        except Exception:  # noqa: BLE001 - labels are a nicety; the list still works without them
            units = None
    return find_positive(doc.text, units)
