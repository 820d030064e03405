"""The fast segmenter (rjieba) gives exactly the tokens of the spaCy pipeline (blank zh + jieba)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assess.nlp import Segmenter, domain_words

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "corpus" / "data").glob("*.jsonl"))


def _texts() -> list[str]:
    out = []
    for p in CORPUS:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


def test_domain_words_kept_whole():
    seg = Segmenter("fast")
    for word, _ in domain_words()[:50]:
        assert word in seg.tokens(f"本村{word}的权益"), word


def _split_ranges(tokens: list[str]) -> list[str]:
    """Known difference: jieba (and rjieba) keep "18-35" whole, spaCy's zh tokenizer splits it
    into 18 / - / 35. The classifier never sees it (features.normalise writes ranges as 18至35)."""
    out = []
    for t in tokens:
        parts = re.split(r"(-)", t) if re.fullmatch(r"[0-9A-Za-z]+(-[0-9A-Za-z]+)+", t) else [t]
        out.extend(p for p in parts if p)
    return out


@pytest.mark.skipif(not CORPUS, reason="no corpus/")
def test_backends_agree_on_every_corpus_clause():
    """The classifier's input (normalised clauses) segments identically with both backends."""
    from assess.model.features import normalise

    texts = [normalise(t) for t in _texts()]
    fast = Segmenter("fast").tokens_many(texts)
    ref = Segmenter("spacy").tokens_many(texts)
    diff = [(t, a, b) for t, a, b in zip(texts, fast, ref) if a != b]
    shown = "\n".join(f"{t}\n  rjieba: {'/'.join(a)}\n  spacy : {'/'.join(b)}" for t, a, b in diff[:5])
    assert not diff, f"{len(diff)} of {len(texts)} clauses segment differently:\n{shown}"


@pytest.mark.skipif(not CORPUS, reason="no corpus/")
def test_backends_agree_on_raw_clauses_up_to_number_ranges():
    texts = _texts()
    fast = Segmenter("fast").tokens_many(texts)
    ref = Segmenter("spacy").tokens_many(texts)
    diff = [(t, a, b) for t, a, b in zip(texts, fast, ref) if _split_ranges(a) != b]
    shown = "\n".join(f"{t}\n  rjieba: {'/'.join(a)}\n  spacy : {'/'.join(b)}" for t, a, b in diff[:5])
    assert not diff, f"{len(diff)} of {len(texts)} clauses segment differently:\n{shown}"


def test_segmenter_names():
    assert Segmenter("fast").name == "rjieba+userdict"
    assert Segmenter("spacy").name.startswith("spacy:blank-zh+jieba")
    with pytest.raises(ValueError):
        Segmenter("nope")
