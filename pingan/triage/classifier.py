"""The text classifier: jieba words + character n-grams, TF-IDF, a linear SVM with
calibrated confidences. Pure machine learning: no database here (services feed it).

One `TextModel` predicts one label (a category code or a department code). A `Bundle`
holds the two models the platform uses and is stored with joblib under var/classifier/.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from django.conf import settings
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, classification_report, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from pingan.triage.text import normalise, words

MODEL_VERSION = 1
CALIBRATION_FOLDS = 3
# Only the first characters of a text are read: what a matter is about is said early, and
# segmentation time grows with length (macro-F1 on the real messages: 0.829 at 150
# characters, 0.839 whole; prediction about 2.5× faster).
MAX_CHARS = 200


def clip(texts: Sequence[str]) -> list[str]:
    return [t[:MAX_CHARS] for t in texts]


def model_path() -> Path:
    """Where the trained bundle lives (never downloaded: trained here)."""
    return Path(settings.VAR_DIR) / "classifier" / "model.joblib"


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=words, sublinear_tf=True, ngram_range=(1, 1))),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    preprocessor=normalise,
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=300_000,
                ),
            ),
        ]
    )


def _estimator(labels: Sequence[str]) -> Any:
    smallest = min(Counter(labels).values())
    svm = LinearSVC(C=0.5, class_weight="balanced")
    if smallest >= CALIBRATION_FOLDS:
        return CalibratedClassifierCV(svm, cv=CALIBRATION_FOLDS, method="sigmoid", ensemble=False)
    return svm


def _softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _tfidf(vec: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """`vec.transform(texts)` for a fitted vectorizer with sublinear tf and l2 norm, without
    the per-call validation (a test checks it equals scikit-learn's)."""
    analyze = vec.build_analyzer()
    vocab = vec.vocabulary_
    idf = vec.idf_
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        counts: dict[int, int] = {}
        for token in analyze(text):
            j = vocab.get(token)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        cols = sorted(counts)
        w = np.array([(1.0 + math.log(counts[j])) * idf[j] for j in cols], dtype=np.float64)
        norm = math.sqrt(float(w @ w)) if len(w) else 0.0
        if norm:
            w /= norm
        indices.extend(cols)
        values.extend(w.tolist())
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), indptr),
        shape=(len(texts), len(idf)),
    )


@dataclass
class TextModel:
    """A fitted pipeline for one label and what it was trained on.

    `coef`, `intercept`, `sig_a`, `sig_b` are the fitted linear SVM and its sigmoid
    calibration as plain arrays: predicting with them is the same arithmetic as
    `predict_proba` without scikit-learn's per-call checks, which cost more than the
    arithmetic for one text.
    """

    pipeline: Pipeline
    classes: list[str]
    samples: int
    coef: Any = None
    intercept: Any = None
    sig_a: Any = None
    sig_b: Any = None

    @classmethod
    def fit(cls, texts: Sequence[str], labels: Sequence[str]) -> TextModel:
        if len(set(labels)) < 2:
            raise ValueError("至少需要两个类别的样本")
        pipe = Pipeline([("features", _features()), ("clf", _estimator(labels))])
        pipe.fit(clip(texts), list(labels))
        model = cls(pipeline=pipe, classes=[str(c) for c in pipe.classes_], samples=len(texts))
        clf = pipe.named_steps["clf"]
        if isinstance(clf, CalibratedClassifierCV) and len(clf.calibrated_classifiers_) == 1:
            calibrated = clf.calibrated_classifiers_[0]
            svm = calibrated.estimator
            model.coef = np.asarray(svm.coef_, dtype=np.float64)
            model.intercept = np.asarray(svm.intercept_, dtype=np.float64)
            model.sig_a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
            model.sig_b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        return model

    def features(self, texts: Sequence[str]) -> Any:
        # The union's own transform goes through joblib even on one core; stacking the
        # two vectorizers' outputs directly is the same matrix at a fraction of the cost.
        union = self.pipeline.named_steps["features"]
        clipped = clip(texts)
        return sp.hstack([_tfidf(t, clipped) for _n, t in union.transformer_list]).tocsr()

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, columns in `classes` order."""
        x = self.features(texts)
        if self.coef is not None:
            scores = np.asarray(x @ self.coef.T) + self.intercept
            p = 1.0 / (1.0 + np.exp(self.sig_a * scores + self.sig_b))
            if len(self.classes) == 2:
                return np.column_stack([1.0 - p[:, 0], p[:, 0]])
            total = p.sum(axis=1, keepdims=True)
            uniform = total[:, 0] == 0
            p[uniform] = 1.0 / len(self.classes)
            total[uniform] = 1.0
            return np.clip(p / total, 0.0, 1.0)
        clf = self.pipeline.named_steps["clf"]
        if hasattr(clf, "predict_proba"):
            return np.asarray(clf.predict_proba(x))
        scores = clf.decision_function(x)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        return _softmax(scores * 3.0)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, confidence in 0..1) per text."""
        proba = self.proba(texts)
        best = proba.argmax(axis=1)
        return [(self.classes[i], float(proba[row, i])) for row, i in enumerate(best)]


@dataclass
class Bundle:
    """The models the platform uses: category (leaf code) and department (code)."""

    category: TextModel | None = None
    department: TextModel | None = None
    trained_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    version: int = MODEL_VERSION

    def save(self, path: Path | None = None) -> Path:
        path = path or model_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        joblib.dump(self, tmp, compress=3)
        tmp.replace(path)
        _cache.clear()
        return path


_cache: dict[str, tuple[float, Bundle]] = {}


def load(path: Path | None = None) -> Bundle | None:
    """The stored bundle (cached per process, reloaded when the file changes), or None."""
    path = path or model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    hit = _cache.get(str(path))
    if hit and hit[0] == mtime:
        return hit[1]
    bundle = joblib.load(path)
    if not isinstance(bundle, Bundle) or bundle.version != MODEL_VERSION:
        return None
    _cache[str(path)] = (mtime, bundle)
    return bundle


# ---- evaluation --------------------------------------------------------------------------


@dataclass
class Evaluation:
    report: str
    macro_f1: float
    accuracy: float
    baseline_macro_f1: float
    dropped: dict[str, int]
    samples: int

    @property
    def summary(self) -> str:
        return (
            f"macro_f1={self.macro_f1:.4f} accuracy={self.accuracy:.4f} "
            f"baseline_macro_f1={self.baseline_macro_f1:.4f}"
        )


def _baseline() -> Pipeline:
    """Plain TF-IDF + linear SVM with library defaults (no segmentation, no n-grams)."""
    return Pipeline([("tfidf", TfidfVectorizer()), ("svm", LinearSVC())])


def evaluate(
    texts: Sequence[str], labels: Sequence[str], *, folds: int = 5, seed: int = 0
) -> Evaluation:
    """Stratified k-fold cross-validation of our model and of the baseline on the same
    folds. Classes with fewer members than folds cannot be stratified and are dropped
    (reported in `dropped`)."""
    counts = Counter(labels)
    dropped = {c: n for c, n in counts.items() if n < folds}
    keep = [i for i, y in enumerate(labels) if y not in dropped]
    x = np.array([texts[i] for i in keep], dtype=object)
    y = np.array([labels[i] for i in keep], dtype=object)
    if len(set(y)) < 2:
        raise ValueError("至少需要两个类别、每类不少于折数的样本")
    ours = np.empty(len(y), dtype=object)
    base = np.empty(len(y), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y):
        model = TextModel.fit(list(x[train]), list(y[train]))
        ours[test] = [label for label, _ in model.predict(list(x[test]))]
        b = _baseline().fit(list(x[train]), list(y[train]))
        base[test] = b.predict(list(x[test]))
    y_list, ours_list, base_list = list(y), list(ours), list(base)
    return Evaluation(
        report=classification_report(y_list, ours_list, digits=3, zero_division=0),
        macro_f1=float(f1_score(y_list, ours_list, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y_list, ours_list)),
        baseline_macro_f1=float(f1_score(y_list, base_list, average="macro", zero_division=0)),
        dropped=dropped,
        samples=len(y),
    )


def is_confident(confidence: float, threshold: float) -> bool:
    """True when a prediction clears the threshold (NaN never does)."""
    return not math.isnan(confidence) and confidence >= threshold
