"""Tests of the legal-basis library (rules/laws/*.yaml).

Plain PyYAML only, so the library can be checked without the rule engine.

* schema: every law has a name, a version and at least one article with a non-empty summary;
* every ``legal_basis`` citation in rules/packs/*.yaml resolves to a law and an article;
* when the law corpus ``../shared/corpora/laws-cn.tar.xz`` exists (or ``LAWS_CN_DIR`` points to an
  unpacked copy), every article number of the corpus-verified laws exists in that law's text.
  Without the corpus these checks are skipped.
"""
from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
LAWS_DIR = ROOT / "rules" / "laws"
PACKS_DIR = ROOT / "rules" / "packs"
CORPUS_TAR = ROOT.parent / "shared" / "corpora" / "laws-cn.tar.xz"

LAW_FIELDS = {"name", "version", "articles"}

# Law key -> corpus file(s) (paths inside laws-cn/) the article numbers were checked against.
# A path ending in "/" means every .md file in that folder (民法典 is split by book).
# Laws not listed here (招聘行为通知) are not in the corpus and are marked "verified: false".
CORPUS_FILES: dict[str, list[str]] = {
    "宪法": ["宪法/宪法.md"],
    "妇女权益保障法": ["社会法/妇女权益保障法(2022-10-30).md"],
    "村民委员会组织法": ["宪法相关法/村民委员会组织法(2018-12-29).md"],
    "农村土地承包法": ["民法商法/农村土地承包法(2018-12-29).md"],
    "农村集体经济组织法": ["社会法/农村集体经济组织法(2024-06-28).md"],
    "民法典": ["民法典/"],
    "就业促进法": ["社会法/就业促进法(2015-04-24).md"],
    "劳动法": ["社会法/劳动法(2018-12-29).md"],
    "劳动合同法": ["社会法/劳动合同法(2012-12-28).md"],
    "女职工劳动保护特别规定": ["行政法规/女职工劳动保护特别规定(2012-04-28).md"],
    "人口与计划生育法": ["行政法/人口与计划生育法(2021-08-20).md"],
    "反家庭暴力法": ["社会法/反家庭暴力法(2015-12-27).md"],
    "人力资源市场暂行条例": ["行政法规/人力资源市场暂行条例(2018-06-29).md"],
    "监狱法": ["行政法/监狱法(2012-10-26).md"],
    "教育法": ["行政法/教育法(2021-04-29).md"],
    "义务教育法": ["行政法/义务教育法(2018-12-29).md"],
    "行政处罚法": ["行政法/行政处罚法(2021-01-22).md"],
    "土地承包纠纷司法解释": [
        "司法解释/最高人民法院关于审理涉及农村土地承包纠纷案件适用法律问题的解释(2020-12-29).md"
    ],
}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE_HEAD = re.compile(r"^第([零〇一二两三四五六七八九十百千]{1,8})条", re.M)


def cn_to_int(text: str) -> int:
    """Chinese numeral (up to thousands) to int: 一千零一十五 -> 1015, 十八 -> 18."""
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return total + digit


def article_numbers(text: str) -> set[int]:
    """Article numbers that head a line (第X条 …) in a law's Markdown text."""
    return {cn_to_int(m.group(1)) for m in _ARTICLE_HEAD.finditer(text)}


# --------------------------------------------------------------------------- loading

def _law_files() -> list[Path]:
    return sorted(LAWS_DIR.glob("*.yaml"))


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def merged_library() -> dict[str, dict[str, str]]:
    """Law key -> {article: summary}, merged across all library files."""
    merged: dict[str, dict[str, str]] = {}
    for path in _law_files():
        for key, law in (_load(path).get("laws") or {}).items():
            for art, summary in ((law or {}).get("articles") or {}).items():
                merged.setdefault(str(key), {})[str(art)] = summary
    return merged


# --------------------------------------------------------------------------- schema

def test_library_files_exist():
    assert _law_files(), "no rules/laws/*.yaml found"
    assert (LAWS_DIR / "core.yaml").exists()


@pytest.mark.parametrize("path", _law_files(), ids=lambda p: p.name)
def test_schema(path: Path):
    data = _load(path)
    assert set(data) == {"laws"}, f"{path.name}: top level must be exactly 'laws'"
    laws = data["laws"]
    assert isinstance(laws, dict) and laws, f"{path.name}: 'laws' must be a non-empty mapping"
    for key, law in laws.items():
        where = f"{path.name}: {key}"
        assert isinstance(law, dict), f"{where}: must be a mapping"
        unknown = set(law) - LAW_FIELDS
        assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
        for field in ("name", "version"):
            assert isinstance(law.get(field), str) and law[field].strip(), f"{where}: empty {field}"
        articles = law.get("articles")
        assert isinstance(articles, dict) and articles, f"{where}: no articles"
        for art, summary in articles.items():
            assert re.fullmatch(r"[0-9]{1,4}", str(art)), f"{where}#{art}: article must be arabic digits"
            assert isinstance(summary, str) and summary.strip(), f"{where}#{art}: empty summary"


def test_no_conflicting_duplicates():
    """The engine merges articles of one law across files; the same article must not be summarised twice."""
    seen: dict[tuple[str, str], str] = {}
    names: dict[str, tuple[str, str]] = {}
    for path in _law_files():
        for key, law in (_load(path).get("laws") or {}).items():
            name = (law or {}).get("name")
            if key in names and name:
                assert name == names[key][0], (
                    f"{path.name}: {key} has name {name!r}, {names[key][1]} says {names[key][0]!r}")
            elif name:
                names[key] = (name, path.name)
            for art in ((law or {}).get("articles") or {}):
                k = (str(key), str(art))
                assert k not in seen, f"{key}#{art} defined in both {seen[k]} and {path.name}"
                seen[k] = path.name


def test_pack_citations_resolve():
    library = merged_library()
    bad = []
    for path in sorted(PACKS_DIR.glob("*.yaml")):
        for rule in (_load(path).get("rules") or []):
            for cite in (rule or {}).get("legal_basis") or []:
                law, _, art = str(cite).partition("#")
                if art not in library.get(law, {}):
                    bad.append(f"{path.name} {rule.get('code')}: {cite}")
    assert not bad, "unresolved citations:\n" + "\n".join(bad)


def test_cn_numerals():
    assert cn_to_int("一千零一十五") == 1015
    assert cn_to_int("十八") == 18
    assert cn_to_int("五十六") == 56
    assert cn_to_int("二百六十五") == 265
    assert cn_to_int("一百零九") == 109


# --------------------------------------------------------------------------- corpus

def _wanted(name: str) -> str | None:
    """Corpus-relative path of a member we need (or None)."""
    rel = name.split("/", 1)[1] if name.startswith("laws-cn/") else name
    for paths in CORPUS_FILES.values():
        for p in paths:
            if rel == p or (p.endswith("/") and rel.startswith(p) and rel.endswith(".md")):
                return rel
    return None


@pytest.fixture(scope="session")
def corpus_texts() -> dict[str, str]:
    """Corpus-relative path -> text, for the files in CORPUS_FILES only."""
    texts: dict[str, str] = {}
    unpacked = os.environ.get("LAWS_CN_DIR")
    if unpacked and Path(unpacked).is_dir():
        base = Path(unpacked)
        for f in base.rglob("*.md"):
            rel = _wanted(f.relative_to(base).as_posix())
            if rel:
                texts[rel] = f.read_text(encoding="utf-8")
    elif CORPUS_TAR.exists():
        with tarfile.open(CORPUS_TAR, "r|xz") as tar:  # stream: one pass over the archive
            for member in tar:
                rel = _wanted(member.name) if member.isfile() else None
                if rel:
                    texts[rel] = tar.extractfile(member).read().decode("utf-8")
    else:
        pytest.skip("law corpus not available (../shared/corpora/laws-cn.tar.xz or LAWS_CN_DIR)")
    return texts


def _law_text(key: str, texts: dict[str, str]) -> str:
    parts = []
    for p in CORPUS_FILES[key]:
        if p.endswith("/"):
            parts += [t for rel, t in sorted(texts.items()) if rel.startswith(p)]
        elif p in texts:
            parts.append(texts[p])
    return "\n".join(parts)


def test_corpus_has_every_verified_law(corpus_texts):
    missing = [k for k in CORPUS_FILES if not _law_text(k, corpus_texts)]
    assert not missing, f"corpus files not found for: {missing}"


def test_article_numbers_exist_in_corpus(corpus_texts):
    library = merged_library()
    bad = []
    for key, articles in library.items():
        if key not in CORPUS_FILES:
            continue  # verified: false
        present = article_numbers(_law_text(key, corpus_texts))
        bad += [f"{key}#{a}" for a in articles if int(a) not in present]
    assert not bad, "article numbers not found in the law text: " + ", ".join(bad)


def test_unverified_laws_are_marked():
    """In core.yaml, every law key outside the corpus map must say `verified: false` in its comment."""
    for path in [LAWS_DIR / "core.yaml"]:
        text = path.read_text(encoding="utf-8")
        for key in (_load(path).get("laws") or {}):
            if key in CORPUS_FILES:
                continue
            block = text.split(f"\n  {key}:", 1)[0].rsplit("\n\n", 1)[-1]
            assert "verified: false" in block, f"{path.name}: {key} is not in the corpus; mark it 'verified: false'"
