"""`assess train` reproduces the shipped model, and the numpy scorer equals the sklearn pipeline.

Retrains from corpus/ into a temporary folder (about two minutes): the arrays, vocabulary and
cross-validated metrics must equal the shipped ones, and the scorer's probabilities on every corpus
clause must equal the scikit-learn Pipeline's within 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assess.resources import data_path

ROOT = Path(__file__).resolve().parent.parent
MODELS = data_path("models")

pytestmark = pytest.mark.skipif(
    not (ROOT / "corpus" / "data").is_dir() or not (MODELS / "model-card.json").is_file(),
    reason="needs corpus/ and the shipped model",
)


@pytest.fixture(scope="module")
def retrained(tmp_path_factory):
    from assess.model.train import train

    out = tmp_path_factory.mktemp("model")
    card, pipe = train(out_dir=out, log=lambda *a: None, return_pipeline=True)
    return out, card, pipe


def test_retrained_arrays_equal_shipped(retrained):
    out, card, _ = retrained
    shipped = json.loads((MODELS / "model-card.json").read_text(encoding="utf-8"))
    assert card["corpus"]["sha256"] == shipped["corpus"]["sha256"], "shipped model is stale: run `assess train`"
    assert json.loads((out / "vocabulary.json").read_text(encoding="utf-8")) == json.loads(
        (MODELS / "vocabulary.json").read_text(encoding="utf-8"))
    for name in ("idf", "coef", "cat_coef", "cat_intercept"):
        a = np.load(out / f"{name}.npy", allow_pickle=False)
        b = np.load(MODELS / f"{name}.npy", allow_pickle=False)
        assert a.shape == b.shape, name
        assert np.allclose(a, b, rtol=0, atol=1e-9), name
    for key in ("scorer", "threshold", "cv_metrics", "comparison", "categories", "features", "classifier"):
        assert card[key] == shipped[key], key


def test_scorer_equals_sklearn_pipeline(retrained):
    from assess.model.scorer import Scorer
    from assess.model.train import load_corpus

    out, _, pipe = retrained
    texts = load_corpus().texts
    want = pipe.predict_proba(texts)[:, 1]
    got = Scorer.load(out).probabilities(texts)
    assert np.max(np.abs(want - got)) < 1e-6
