"""Metrics of `assess evaluate` and its handling of held-out files (labels disc/ok/any)."""

from __future__ import annotations

import numpy as np
import pytest

from assess.model.evaluate import binary_metrics, metrics_table, ranking_metrics, read_clauses


def test_ranking_metrics_match_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300) * 0.6 + y * 0.3, 2)  # ties on purpose
    m = ranking_metrics(y, s)
    assert m["pr_auc"] == pytest.approx(sk.average_precision_score(y, s), abs=1e-4)
    p, r, _ = sk.precision_recall_curve(y, s)
    assert m["precision_at_recall90"] == pytest.approx(p[r >= 0.9].max(), abs=1e-4)


def test_binary_metrics_counts():
    m = binary_metrics([1, 1, 0, 0], [0.9, 0.2, 0.8, 0.1], threshold=0.5)
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert m["precision"] == m["recall"] == m["f1"] == 0.5


def test_any_is_left_out_and_categories_reported(tmp_path):
    f = tmp_path / "dev.tsv"
    f.write_text("id\tlabel\tcategory\ttext\tsource\n"
                 "a\tdisc\temployment\t限男性\tx\n"
                 "b\tok\temployment\t男女不限\tx\n"
                 "c\tany\tcollective_rights\t户口迁出的不再分配\tx\n", encoding="utf-8")
    rows = read_clauses(f)
    assert [r["label"] for r in rows] == ["disc", "ok", "any"]
    t = metrics_table(rows, np.array([0.9, 0.1, 0.99]), np.array([0.0, 0.0, 1.0]), 0.5)
    assert t["combined"]["overall"]["n"] == 2 and t["combined"]["overall"]["fp"] == 0
    assert set(t["rules"]["per_category"]) == {"employment"}
