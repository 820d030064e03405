"""Clause features shared by training (scikit-learn) and inference (the numpy scorer).

One analyzer turns a clause into feature strings; training counts them with scikit-learn, the
scorer looks them up in the saved vocabulary. Both call `Analyzer.features` on the same
normalised text, so a clause gets exactly the same features in both (tests/test_model.py checks
the probabilities agree within 1e-6 on the whole corpus).

Feature strings carry a prefix so the kinds never collide:
    c:外嫁女   character n-gram
    w:外嫁女   word (token of the segmenter)
    b:外嫁女|分配  word bigram
This module imports neither scikit-learn nor spaCy (numpy only inside `normalise_many`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

# Clause numbering at the start (第六条, 三、, （二）, 2., ③): structure, not content.
_LABEL = re.compile(
    r"^\s*(第[一二三四五六七八九十百千零〇0-9]+[编章节条款项目]|[一二三四五六七八九十]+[、．.]|"
    r"[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+(?:[、．]|\.(?![0-9]))|[①-⑳])\s*"
)
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Ranges "18-35" / "18~35": jieba keeps "18-35" whole where spaCy's zh tokenizer splits it, so
# the range sign becomes 至 (as in 18至35岁) and both segmenters agree; other hyphens become —.
_RANGE = re.compile(r"(?<=[0-9])\s*[-~～–]\s*(?=[0-9])")
_HYPHEN = re.compile(r"[-–]")


# Full-width ASCII (！ … ～) and the ideographic space, mapped as NFKC maps them. Chinese text is
# full of ，；：（） so it is almost never NFKC-normal as written; after this table it usually is,
# and the (slower) full normalisation runs only for the rest. NFKC(table(t)) == NFKC(t).
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters), no leading label, no whitespace, digits → 0."""
    t = (text or "").translate(_FULLWIDTH)
    if not unicodedata.is_normalized("NFKC", t):
        t = unicodedata.normalize("NFKC", t)
    for _ in range(2):  # "第六条（二）" has two labels
        t2 = _LABEL.sub("", t, count=1)
        if t2 == t:
            break
        t = t2
    t = _SPACE.sub("", t).lower()
    t = _RANGE.sub("至", t)
    t = _HYPHEN.sub("—", t)
    return _DIGITS.sub("0", t)


# `normalise_many` works on the clauses joined by NUL, which no step can match across: NUL is not
# whitespace, a digit or a label character, and never composes under NFKC.
_SEP = "\x00"
_RANGE_SIGNS = re.compile("[-~～–]")  # without one of these, _RANGE and _HYPHEN have nothing to do


def normalise_many(texts: list[str]) -> list[str]:
    """`[normalise(t) for t in texts]`, a few times faster on a document's clauses.

    Each step runs once over the joined text instead of once per clause. The full-width table is
    applied with numpy (str.translate looks up every CJK character in a dict, the costliest step
    before); labels are matched at each clause's start only; whitespace goes by str.split (the
    same characters as \\s); the range and hyphen passes run only when a sign is present.
    """
    if not texts:
        return []
    joined = _SEP.join(t or "" for t in texts)
    if joined.count(_SEP) != len(texts) - 1:  # a clause holds a NUL itself
        return [normalise(t) for t in texts]
    import numpy as np

    a = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    a[(a >= 0xFF01) & (a <= 0xFF5E)] -= 0xFEE0
    a[a == 0x3000] = 0x20
    t = a.tobytes().decode("utf-32-le", "surrogatepass")
    if not unicodedata.is_normalized("NFKC", t):
        t = unicodedata.normalize("NFKC", t)
    parts = t.split(_SEP)
    label = _LABEL.match
    for i, p in enumerate(parts):
        m = label(p)
        if m is not None:  # up to two labels, as in `normalise`: 第六条（二）
            p = p[m.end() :]
            m = label(p)
            parts[i] = p[m.end() :] if m is not None else p
    t = "".join(_SEP.join(parts).split()).lower()
    if _RANGE_SIGNS.search(t) is not None:
        t = _HYPHEN.sub("—", _RANGE.sub("至", t))
    return _DIGITS.sub("0", t).split(_SEP)


@dataclass(frozen=True)
class FeatureConfig:
    char_min: int = 1
    char_max: int = 3
    words: bool = True
    word_bigrams: bool = True

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureConfig":
        return cls(**{k: d[k] for k in ("char_min", "char_max", "words", "word_bigrams") if k in d})

    def describe(self) -> str:
        s = f"char {self.char_min}-{self.char_max}"
        if self.words:
            s += " + words" + (" + word bigrams" if self.word_bigrams else "")
        return s


PUNCT = set("，。；：、,.;:！？!?“”\"'‘’（）()【】[]《》<>—-…·")


def char_features(norm: str, lo: int, hi: int) -> list[str]:
    n = len(norm)
    out = ["c:" + ch for ch in norm if ch not in PUNCT] if lo <= 1 else []
    for k in range(max(lo, 2), hi + 1):
        out += ["c:" + norm[i : i + k] for i in range(n - k + 1)]
    return out


def word_features(tokens: list[str], bigrams: bool) -> list[str]:
    toks = [t for t in tokens if t not in PUNCT]
    out = ["w:" + t for t in toks]
    if bigrams:
        out.extend(f"b:{a}|{b}" for a, b in zip(toks, toks[1:]))
    return out


class Analyzer:
    """Feature strings of clauses; words come from `assess.nlp.Segmenter` on the normalised text."""

    def __init__(self, config: FeatureConfig, segmenter=None):
        self.config = config
        self._segmenter = segmenter

    @property
    def segmenter(self):
        if self._segmenter is None and self.config.words:
            from ..nlp import Segmenter

            self._segmenter = Segmenter("fast")
        return self._segmenter

    def features(self, text: str, tokens: list[str] | None = None) -> list[str]:
        norm = normalise(text)
        feats = char_features(norm, self.config.char_min, self.config.char_max)
        if self.config.words:
            if tokens is None:
                tokens = self.segmenter.tokens(norm)
            feats.extend(word_features(tokens, self.config.word_bigrams))
        return feats

    def features_many(self, texts: list[str]) -> list[list[str]]:
        return self.features_normalised(normalise_many(texts))

    def features_normalised(self, norms: list[str]) -> list[list[str]]:
        """`features_many` of texts already passed through `normalise`."""
        toks = self.segmenter.tokens_many(norms) if self.config.words else [None] * len(norms)
        cfg = self.config
        out = []
        for norm, tk in zip(norms, toks):
            feats = char_features(norm, cfg.char_min, cfg.char_max)
            if cfg.words:
                feats.extend(word_features(tk, cfg.word_bigrams))
            out.append(feats)
        return out


def display(feature: str) -> str:
    """Human-readable form of a feature string: 'c:外嫁' → 外嫁, 'b:出嫁女|分配' → 出嫁女 分配."""
    kind, _, body = feature.partition(":")
    return body.replace("|", " ") if kind == "b" else body
