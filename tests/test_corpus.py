"""Consistency of the training corpus (corpus/data/*.jsonl); see corpus/README.md."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from assess.findings import CATEGORIES, GENDER_CATEGORIES, normalise_clause

ROOT = Path(__file__).resolve().parent.parent
STATS = ROOT / "corpus" / "stats.py"

pytestmark = pytest.mark.skipif(not STATS.is_file(), reason="no corpus/ (installed package)")


@pytest.fixture(scope="module")
def stats():
    spec = importlib.util.spec_from_file_location("corpus_stats", STATS)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows(stats):
    return stats.load()


def test_schema(stats, rows):
    problems = stats.schema_problems(rows)
    assert not problems, "\n".join(problems[:30])


def test_ids_unique(rows):
    dup = [i for i, n in Counter(r["id"] for r in rows).items() if n > 1]
    assert not dup, f"duplicate ids: {dup[:20]}"


def test_no_exact_duplicates_across_labels(rows):
    seen: dict[str, dict] = {}
    clashes = []
    for r in rows:
        key = normalise_clause(r["text"])
        prev = seen.get(key)
        if prev is not None and prev["label"] != r["label"]:
            clashes.append((prev["id"], r["id"]))
        seen.setdefault(key, r)
    assert not clashes, f"same text with different labels: {clashes[:20]}"


def test_no_near_duplicates_across_labels(stats, rows):
    pairs = stats.near_duplicates(rows, 0.85)
    report = "\n".join(f"{j:.3f} {d['id']} / {o['id']}: {d['text']} | {o['text']}" for j, d, o in pairs[:20])
    assert not pairs, f"{len(pairs)} disc/ok pairs with char-3gram Jaccard ≥ 0.85 (delete or rewrite one of each):\n{report}"


def test_every_category_populated(rows):
    for c in CATEGORIES:
        n = sum(r["category"] == c for r in rows)
        assert n >= 40, f"category {c} has only {n} clauses"
    for c in GENDER_CATEGORIES:
        assert sum(r["category"] == c and r["label"] == "disc" for r in rows) >= 30, c
        assert sum(r["category"] == c and r["label"] == "ok" for r in rows) >= 30, c


def test_size_and_balance(rows):
    n = len(rows)
    disc = sum(r["label"] == "disc" for r in rows)
    ok = [r for r in rows if r["label"] == "ok"]
    hard = sum(r["hard_negative"] for r in ok)
    templated = sum(r["origin"] == "templated" for r in rows)
    assert n >= 2500, n
    assert disc >= 800, disc
    assert hard >= 0.40 * len(ok), f"{hard}/{len(ok)} hard negatives"
    assert templated <= n / 3, f"{templated}/{n} templated"


def test_groups_hold_clauses_of_one_writer(rows):
    """Grouped cross-validation relies on groups; a group id never spans two files."""
    files: dict[str, set] = {}
    for r in rows:
        files.setdefault(r["group"], set()).add(r["_file"].split(":")[0])
    spread = {g: f for g, f in files.items() if len(f) > 1}
    assert not spread, f"groups in several files: {list(spread.items())[:10]}"
