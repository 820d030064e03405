"""`assess evaluate`: detection quality of the rules, the classifier and both together.

Without a file: grouped 5-fold cross-validation on corpus/ (the classifier scores every clause
with a model that never saw its group; the rules are fixed and run on every clause). With a TSV
(id, label disc/ok/any, category, text, source) or JSONL (same fields): the shipped model and
rules on those clauses, which are never trained on. `any` clauses are borderline: they are left
out of precision/recall and listed with what the system did.

Metrics, overall and per category: precision, recall, F1 at the operating point, PR-AUC (average
precision) and the best precision at ≥ 90% recall. Per category, the clauses whose gold category
is that category are scored (discriminatory vs. lawful clauses of the same topic).
Scores: rules = the highest gender-category rule score (0 when none fires); classifier = the
calibrated probability (0 for a clause without any gender cue, as in `assess check`); combined =
max(probability, 1 if a rule fired).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..findings import CATEGORIES, GENDER_CATEGORIES
from ..util import ljust_display


def binary_metrics(y, score, threshold: float) -> dict:
    """Precision, recall, F1 at `threshold`, PR-AUC and precision at 90% recall."""
    y = np.asarray(y, dtype=np.int64)
    s = np.asarray(score, dtype=np.float64)
    pred = s >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    out = {"n": int(len(y)), "positives": int(y.sum()), "threshold": round(float(threshold), 4), "tp": tp, "fp": fp, "fn": fn,
           "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}
    out.update(ranking_metrics(y, s))
    return out


def ranking_metrics(y: np.ndarray, s: np.ndarray) -> dict:
    """PR-AUC (average precision, ties grouped) and max precision at recall ≥ 0.9."""
    pos = int(y.sum())
    if pos == 0 or pos == len(y):
        return {"pr_auc": None, "precision_at_recall90": None}
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    # Distinct-score cut points (as sklearn's precision_recall_curve).
    last = np.r_[np.flatnonzero(np.diff(ss)), len(ss) - 1]
    tps = np.cumsum(ys)[last]
    fps = (last + 1) - tps
    precision = tps / (tps + fps)
    recall = tps / pos
    prev = np.r_[0.0, recall[:-1]]
    ap = float(np.sum((recall - prev) * precision))
    ok = recall >= 0.9 - 1e-12
    p90 = float(precision[ok].max()) if ok.any() else 0.0
    return {"pr_auc": round(ap, 4), "precision_at_recall90": round(p90, 4)}


# ---------------------------------------------------------------- data


def read_clauses(path: Path) -> list[dict]:
    """TSV with a header (id, label, category, text, source) or JSONL with the same fields."""
    path = Path(path)
    rows = []
    if path.suffix.lower() in (".jsonl", ".json"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                rows.append(r)
    for r in rows:
        r["label"] = (r.get("label") or "").strip()
        r["category"] = (r.get("category") or "").strip()
    return rows


# ---------------------------------------------------------------- evaluation


def gate(texts: list[str], p: np.ndarray) -> np.ndarray:
    """As in `assess check`: the classifier flags nothing in a clause without a gender cue."""
    from . import has_gender_cue

    return np.where([has_gender_cue(t) for t in texts], p, 0.0)


def _systems(rows, p_model, rule_score, threshold):
    hit = rule_score > 0
    combined = np.maximum(p_model, np.where(hit, 1.0, 0.0))
    return {
        "rules": (rule_score, 1e-9),
        "classifier": (p_model, threshold),
        "combined": (combined, threshold),
    }


def metrics_table(rows: list[dict], p_model: np.ndarray, rule_score: np.ndarray, threshold: float) -> dict:
    """{system: {"overall": metrics, "per_category": {cat: metrics}, "flagged_by_category": …}}."""
    labels = np.array([r["label"] for r in rows])
    keep = labels != "any"
    y = (labels == "disc").astype(np.int64)
    cats = np.array([r.get("category", "") for r in rows])
    out = {}
    for name, (score, thr) in _systems(rows, p_model, rule_score, threshold).items():
        res = {"overall": binary_metrics(y[keep], score[keep], thr), "per_category": {}}
        for c in sorted(set(cats[keep].tolist())):
            m = keep & (cats == c)
            mm = binary_metrics(y[m], score[m], thr)
            if mm["positives"] == 0:  # only lawful clauses of this kind: report false alarms
                mm = {"n": mm["n"], "positives": 0, "fp": mm["fp"], "false_positive_rate": round(mm["fp"] / max(1, mm["n"]), 4)}
            res["per_category"][c] = mm
        out[name] = res
    return out


def evaluate_corpus(corpus_dir=None, log=print, model_dir=None, threshold: float | None = None) -> dict:
    """Grouped-CV evaluation of the shipped model's configuration (and threshold) on corpus/."""
    from .scorer import CARD
    from .train import CHOICES, load_corpus, out_of_fold, rule_scores
    from ..resources import data_path

    card = json.loads((Path(model_dir or data_path("models")) / CARD).read_text(encoding="utf-8"))
    if threshold is not None:
        card["threshold"] = float(threshold)
    choice = CHOICES[card["classifier"]["choice"]]
    corpus = load_corpus(corpus_dir)
    log(f"语料分组交叉验证（{len(corpus.rows)} 条，按 group 分 5 折）…")
    p = gate(corpus.texts, out_of_fold(choice, corpus))
    rscore, _ = rule_scores(corpus.texts)
    from .train import threshold_table

    table = metrics_table(corpus.rows, p, rscore, card["threshold"])
    sweep = [r for r in threshold_table(corpus.y, p, rscore > 0) if round(r["threshold"] * 100) % 5 == 0]
    return {"data": "corpus (grouped 5-fold CV)", "threshold": card["threshold"], "model": card["classifier"]["choice"],
            "metrics": table, "threshold_table": sweep}


def evaluate_file(path: Path, model_dir=None, threshold: float | None = None, log=print) -> dict:
    """The shipped model and rules on held-out labelled clauses (never trained on)."""
    from . import load_classifier
    from .train import rule_scores

    rows = read_clauses(path)
    clf = load_classifier(model_dir, threshold=threshold)
    texts = [r["text"] for r in rows]
    p = gate(texts, clf.scorer.probabilities(texts))
    rscore, found = rule_scores(texts)
    t = clf.threshold
    table = metrics_table(rows, p, rscore, t)
    items = []
    for r, pi, rs, fs in zip(rows, p, rscore, found):
        flagged = bool(rs > 0 or pi >= t)
        items.append({
            "id": r.get("id"), "label": r["label"], "category": r.get("category"),
            "rules": sorted({f.rule for f in fs}), "probability": round(float(pi), 4), "flagged": flagged,
            "outcome": _outcome(r["label"], flagged),
        })
    return {"data": str(path), "threshold": t, "model": clf.version, "metrics": table, "clauses": items}


def _outcome(label: str, flagged: bool) -> str:
    if label == "any":
        return "flagged (borderline)" if flagged else "not flagged (borderline)"
    if label == "disc":
        return "TP" if flagged else "FN"
    return "FP" if flagged else "TN"


def render(result: dict, show_items: bool = True) -> str:
    """Plain-text tables for the terminal."""
    lines = [f"数据：{result['data']}    模型：{result['model']}    阈值：{result['threshold']}", ""]
    head = f"{'':<40}{'n':>6}{'  正例'}{'P':>8}{'R':>8}{'F1':>8}{'PR-AUC':>8}{'P@R90':>8}"
    names = {"rules": "规则", "classifier": "分类模型", "combined": "规则+模型"}
    for system, res in result["metrics"].items():
        lines.append(f"== {names[system]} ({system})")
        lines.append(head)
        rows = [("overall 总体", res["overall"])] + [(f"{c} {CATEGORIES.get(c, '')}", m) for c, m in res["per_category"].items()]
        for label, m in rows:
            if "precision" not in m:
                lines.append(f"{ljust_display(label, 39)} {m['n']:>6}{0:>6}   误报 {m['fp']}（{m['false_positive_rate']:.1%}）")
                continue
            lines.append(f"{ljust_display(label, 39)} {m['n']:>6}{m['positives']:>6}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                         f"{_f(m['pr_auc']):>8}{_f(m['precision_at_recall90']):>8}")
        lines.append("")
    if result.get("threshold_table"):
        lines.append("阈值扫描（分类模型单独 / 规则+模型）：")
        lines.append(f"{'阈值':>6}{'P':>8}{'R':>8}{'F1':>8}   {'P':>8}{'R':>8}{'F1':>8}")
        for r in result["threshold_table"]:
            lines.append(f"{r['threshold']:>6.2f}{r['precision']:>8.3f}{r['recall']:>8.3f}{r['f1']:>8.3f}   "
                         f"{r['combined_precision']:>8.3f}{r['combined_recall']:>8.3f}{r['combined_f1']:>8.3f}")
        lines.append("")
    if show_items and result.get("clauses"):
        lines.append("逐条结果（any 为边界条款，不计入精确率/召回率）：")
        for it in result["clauses"]:
            lines.append(f"  {it['id']}\t{it['label']}\t{it['outcome']}\tp={it['probability']:.3f}\t规则={','.join(it['rules']) or '-'}")
    return "\n".join(lines) + "\n"


def _f(v) -> str:
    return "-" if v is None else f"{v:.3f}"


__all__ = ["binary_metrics", "ranking_metrics", "metrics_table", "evaluate_corpus", "evaluate_file", "read_clauses", "render",
           "GENDER_CATEGORIES"]
