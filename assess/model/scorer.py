"""The numpy scorer: loads the shipped artifact and scores clauses without scikit-learn or spaCy.

Artifact (models/, written by `assess train`; nothing in it can run code when loaded):
    model-card.json      versions, corpus sha256, tokenizer, threshold, metrics, scalar weights
    vocabulary.json      feature strings in column order
    idf.npy              TF-IDF idf per column                 (float64, allow_pickle=False)
    coef.npy             disc-vs-ok weights per column         (float64)
    cat_coef.npy         category head weights, categories × columns
    cat_intercept.npy    category head intercepts

Scoring reproduces the training pipeline exactly:
    counts → 1 + log(count) → × idf → L2 normalise → w·x + b → sigmoid calibration
    p = 1 / (1 + exp(A·(w·x + b) + B))     (scikit-learn's _SigmoidCalibration)
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .features import Analyzer, FeatureConfig, display

FORMAT = "assess-model/1"
CARD = "model-card.json"
VOCAB = "vocabulary.json"
ARRAYS = ("idf", "coef", "cat_coef", "cat_intercept")

E_MISSING = "E301"  # artifact missing or unreadable
E_STALE = "E302"  # corpus or dictionary changed since training
E_INCOMPATIBLE = "E303"  # artifact format / library versions do not fit this program
E_THRESHOLD = "E304"  # bad threshold


def corpus_sha256(corpus_dir: Path) -> str:
    """sha256 over corpus/data/*.jsonl (names and bytes, sorted by name)."""
    h = hashlib.sha256()
    for p in sorted(Path(corpus_dir, "data").glob("*.jsonl")):
        h.update(p.name.encode("utf-8") + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def file_sha256(path: Path) -> str | None:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


class Scored:
    """One clause's score. The category head is evaluated on first use: only clauses that become
    model findings (or are shown one by one) need it, and that is a small share of those scored."""

    __slots__ = ("probability", "cols", "values", "_scorer", "_category")

    def __init__(self, probability: float, cols: np.ndarray, values: np.ndarray, scorer: "Scorer"):
        self.probability = probability
        self.cols = cols  # feature columns present
        self.values = values  # their tf-idf values (normalised)
        self._scorer = scorer
        self._category: tuple[str, float] | None = None

    @property
    def category(self) -> str:
        if self._category is None:
            self._category = self._scorer.category(self.cols, self.values)
        return self._category[0]

    @property
    def category_probability(self) -> float:
        self.category  # noqa: B018 - computes both
        return self._category[1]


class Scorer:
    """Clause → calibrated probability of being discriminatory, predicted category, top features."""

    def __init__(self, model_dir: Path, card: dict, vocab: list[str], arrays: dict[str, np.ndarray]):
        self.model_dir = Path(model_dir)
        self.card = card
        self.features = vocab
        self.index = {f: i for i, f in enumerate(vocab)}
        self.idf = arrays["idf"]
        self.coef = arrays["coef"]
        self.cat_coef = arrays["cat_coef"]
        self.cat_intercept = arrays["cat_intercept"]
        s = card["scorer"]
        self.intercept = float(s["intercept"])
        self.cal_a = float(s["calibration_a"])
        self.cal_b = float(s["calibration_b"])
        self.sublinear = bool(s.get("sublinear_tf", True))
        self.categories: list[str] = list(card["categories"])
        self.config = FeatureConfig.from_dict(card["features"])
        self.analyzer = Analyzer(self.config)
        self._build_char_index()

    # -- loading

    @classmethod
    def load(cls, model_dir: Path, corpus_dir: Path | None = None, userdict: Path | None = None) -> "Scorer":
        model_dir = Path(model_dir)
        card_path = model_dir / CARD
        if not card_path.is_file():
            raise ModelError(f"找不到分类模型（缺少 {CARD}）；请运行 assess train 生成模型，或用 --no-model 只用规则", code=E_MISSING, path=str(model_dir))
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
            vocab = json.loads((model_dir / VOCAB).read_text(encoding="utf-8"))["features"]
            arrays = {n: np.load(model_dir / f"{n}.npy", allow_pickle=False) for n in ARRAYS}
        except (OSError, ValueError, KeyError) as e:
            raise ModelError(f"分类模型文件不完整或已损坏（{type(e).__name__}: {e}）；请运行 assess train 重新生成", code=E_MISSING, path=str(model_dir)) from None
        check_card(card, vocab, arrays, corpus_dir=corpus_dir, userdict=userdict)
        return cls(model_dir, card, vocab, arrays)

    # -- scoring

    def vector(self, feats: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        index = self.index
        for f in feats:
            j = index.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.sublinear:
            tf = np.log(tf) + 1.0
        vals = tf * self.idf[cols]
        norm = math.sqrt(float(vals @ vals))
        if norm > 0:
            vals = vals / norm
        return cols, vals

    def decision(self, cols: np.ndarray, vals: np.ndarray) -> float:
        return float(vals @ self.coef[cols]) + self.intercept

    def calibrate(self, d: float) -> float:
        z = self.cal_a * d + self.cal_b
        if z >= 0:
            e = math.exp(-z)
            return e / (1.0 + e)
        return 1.0 / (1.0 + math.exp(z))

    def category(self, cols: np.ndarray, vals: np.ndarray) -> tuple[str, float]:
        logits = self.cat_coef[:, cols] @ vals + self.cat_intercept
        logits = logits - logits.max()
        p = np.exp(logits)
        p /= p.sum()
        k = int(p.argmax())
        return self.categories[k], float(p[k])

    def score_features(self, feats: list[str]) -> Scored:
        cols, vals = self.vector(feats)
        p = self.calibrate(self.decision(cols, vals))
        return Scored(p, cols, vals, self)

    def score(self, text: str) -> Scored:
        return self.score_features(self.analyzer.features(text))

    def score_many(self, texts: list[str], chunk: int = 4000) -> list[Scored]:
        """Vectorised scoring of many clauses (same arithmetic as `score`, done per chunk)."""
        from .features import normalise_many

        out: list[Scored] = []
        for a in range(0, len(texts), chunk):
            out.extend(self.score_normalised(normalise_many(texts[a : a + chunk]), chunk))
        return out

    def score_normalised(self, norms: list[str], chunk: int = 4000) -> list[Scored]:
        """`score_many` of clauses already passed through `features.normalise`."""
        out: list[Scored] = []
        for a in range(0, len(norms), chunk):
            part = norms[a : a + chunk]
            if self._char_keys is not None:
                out.extend(self._aggregate(len(part), *self._ids_fast(part)))
            else:
                out.extend(self._batch(self.analyzer.features_normalised(part)))
        return out

    # Character n-grams of up to 3 characters are looked up in numpy: each n-gram is packed
    # into one integer (21 bits per code point, +1 so that shorter n-grams differ), and the
    # vocabulary's packed n-grams are searched with searchsorted. Words stay in a dict.

    @staticmethod
    def _pack(gram: str) -> int:
        key = 0
        for i, ch in enumerate(gram):
            key |= (ord(ch) + 1) << (21 * i)
        return key

    def _build_char_index(self) -> None:
        self._char_keys = None
        if self.config.char_max > 3:
            return
        grams, cols, words = [], [], {}
        for j, f in enumerate(self.features):
            if f.startswith("c:"):
                grams.append(f[2:])
                cols.append(j)
            else:
                words[f] = j
        lens = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
        codes = np.frombuffer("".join(g.ljust(3, "\0") for g in grams).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.reshape(-1, 3).astype(np.uint64) + 1
        codes[np.arange(3)[None, :] >= lens[:, None]] = 0  # same packing as _pack
        keys = codes[:, 0] | (codes[:, 1] << np.uint64(21)) | (codes[:, 2] << np.uint64(42))
        order = np.argsort(keys, kind="stable")
        self._char_keys = keys[order]
        self._char_cols = np.asarray(cols, dtype=np.int64)[order]
        self._words = {f[2:]: j for f, j in words.items() if f.startswith("w:")}
        # "b:a|b" keyed by the pair (a, b); a bigram whose words hold "|" themselves is entered
        # under every split, so a pair is found exactly when "|".join(pair) is in the vocabulary.
        self._bigram_pairs = {}
        for f, j in words.items():
            if f.startswith("b:"):
                body = f[2:]
                for i, ch in enumerate(body):
                    if ch == "|":
                        self._bigram_pairs.setdefault((body[:i], body[i + 1 :]), j)

    def _ids_fast(self, norms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        from .features import PUNCT

        cfg = self.config
        n = len(norms)
        lengths = np.fromiter((len(t) for t in norms), dtype=np.int64, count=n)
        codes = np.frombuffer("".join(norms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64) + 1
        total = int(codes.size)
        row_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        ends = np.cumsum(lengths)[row_of] if total else np.zeros(0, dtype=np.int64)
        pos = np.arange(total, dtype=np.int64)
        padded = np.concatenate([codes, np.zeros(3, dtype=np.uint64)])
        # The n-grams of every length are looked up together: one searchsorted, one compare.
        keys, rows = [], []
        key = np.zeros(total, dtype=np.uint64)
        for k in range(1, cfg.char_max + 1):
            key = key | (padded[k - 1 : k - 1 + total] << np.uint64(21 * (k - 1)))
            if k < cfg.char_min:
                continue
            ok = pos + k <= ends
            keys.append(key[ok])
            rows.append(row_of[ok])
        rows_parts, cols_parts = [], []
        if keys and self._char_keys.size:
            q = np.concatenate(keys)
            idx = np.searchsorted(self._char_keys, q)
            idx[idx >= self._char_keys.size] = 0
            hit = self._char_keys[idx] == q
            rows_parts.append(np.concatenate(rows)[hit])
            cols_parts.append(self._char_cols[idx[hit]])
        if cfg.words:
            # Same features as `word_features`, looked up without building the prefixed strings:
            # words in one dict, bigrams keyed by the (a, b) tuples zip() yields, through map().
            wget, bget = self._words.get, self._bigram_pairs.get
            wr, wc = [], []
            for i, toks in enumerate(self.analyzer.segmenter.tokens_many(norms)):
                toks = [t for t in toks if t not in PUNCT]
                ids = [j for j in map(wget, toks) if j is not None]
                if cfg.word_bigrams:
                    ids += [j for j in map(bget, zip(toks, toks[1:])) if j is not None]
                wc.extend(ids)
                wr.extend([i] * len(ids))
            rows_parts.append(np.asarray(wr, dtype=np.int64))
            cols_parts.append(np.asarray(wc, dtype=np.int64))
        if not rows_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows_parts), np.concatenate(cols_parts)

    def _batch(self, feats_list: list[list[str]]) -> list[Scored]:
        n = len(feats_list)
        if n == 0:
            return []
        get = self.index.get
        ids: list[int] = []
        lengths = []
        for feats in feats_list:
            row = [j for j in map(get, feats) if j is not None]
            ids.extend(row)
            lengths.append(len(row))
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        return self._aggregate(n, rows, np.asarray(ids, dtype=np.int64))

    def _aggregate(self, n: int, rows: np.ndarray, ids: np.ndarray) -> list[Scored]:
        if n == 0:
            return []
        V = len(self.features)
        key = rows * V + ids
        if n * V < 2**31:
            key = key.astype(np.int32)  # sorts faster; np.unique is most of this function's time
        key, counts = np.unique(key, return_counts=True)
        r = key // V
        c = key % V
        tf = counts.astype(np.float64)
        if self.sublinear:
            tf = np.log(tf) + 1.0
        v = tf * self.idf[c]
        norms = np.sqrt(np.bincount(r, weights=v * v, minlength=n))
        v = v / np.where(norms > 0, norms, 1.0)[r]
        dec = np.bincount(r, weights=v * self.coef[c], minlength=n) + self.intercept
        z = self.cal_a * dec + self.cal_b
        p = np.where(z >= 0, np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))), 1.0 / (1.0 + np.exp(-np.abs(z))))
        starts = np.searchsorted(r, np.arange(n + 1))
        return [Scored(float(p[i]), c[starts[i] : starts[i + 1]], v[starts[i] : starts[i + 1]], self) for i in range(n)]

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return np.array([s.probability for s in self.score_many(texts)])

    def top_features(self, s: Scored, k: int = 5) -> list[list]:
        """Features pushing the clause towards 'discriminatory', largest first, without repeats
        (a character n-gram inside an already listed word or n-gram is skipped)."""
        if s.cols.size == 0:
            return []
        contrib = s.values * self.coef[s.cols]
        order = np.argsort(-contrib, kind="stable")
        out: list[list] = []
        shown: list[str] = []
        for j in order:
            c = float(contrib[j])
            if c <= 0 or len(out) >= k:
                break
            name = display(self.features[int(s.cols[j])])
            if len(name) < 2 or any(name in prev for prev in shown):
                continue
            shown.append(name)
            out.append([name, round(c, 3)])
        return out


def check_card(card: dict, vocab: list, arrays: dict, *, corpus_dir: Path | None, userdict: Path | None) -> None:
    """Raise ModelError (E302 stale, E303 incompatible) when the artifact does not fit."""
    if card.get("format") != FORMAT:
        raise ModelError(f"分类模型格式为 {card.get('format')}，本程序需要 {FORMAT}；请运行 assess train 重新生成模型", code=E_INCOMPATIBLE)
    n = len(vocab)
    shapes = {"idf": (n,), "coef": (n,), "cat_coef": (len(card.get("categories", [])), n), "cat_intercept": (len(card.get("categories", [])),)}
    for name, shape in shapes.items():
        if arrays[name].shape != shape or arrays[name].dtype != np.float64:
            raise ModelError(f"分类模型数组 {name}.npy 的形状或类型与词表不符（{arrays[name].shape}，应为 {shape}）；请运行 assess train 重新生成", code=E_INCOMPATIBLE)
    trained_np = str(card.get("versions", {}).get("numpy", "0")).split(".")[0]
    if trained_np != np.__version__.split(".")[0]:
        raise ModelError(f"分类模型由 numpy {card['versions'].get('numpy')} 生成，当前为 numpy {np.__version__}，主版本不同；请运行 assess train 重新生成", code=E_INCOMPATIBLE)
    if userdict is not None:
        want = card.get("userdict_sha256")
        have = file_sha256(userdict)
        if want and have and want != have:
            raise ModelError("分类模型已过期：分词词典 models/userdict.txt 在训练后被修改；请运行 assess train 重新训练", code=E_STALE)
    if corpus_dir is not None and Path(corpus_dir, "data").is_dir():
        want = card.get("corpus", {}).get("sha256")
        have = corpus_sha256(Path(corpus_dir))
        if want != have:
            raise ModelError(
                f"分类模型已过期：训练语料 corpus/ 在训练后被修改（模型语料 {str(want)[:12]}，当前 {have[:12]}）；请运行 assess train 重新训练",
                code=E_STALE,
            )
