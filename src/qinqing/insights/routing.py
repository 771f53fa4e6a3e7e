"""Routing suggestions: which category (or department) an appeal most likely belongs to, with a confidence.

The model is a linear SVM over two TF-IDF views of the same text, both after the pipeline in ``text.py``:
word 1-2-grams (the meaning) and character 1-4-grams (robust to segmentation differences between jieba versions,
domain dictionaries and pre-segmented training rows). Classes are balanced so small categories are not drowned,
and scores are calibrated (Platt, 3-fold) so the confidence shown to a dispatcher means something.
Chosen against a plain jieba + TF-IDF + LinearSVC baseline on the real messages; figures in docs/insights.md.

Models are versioned files in ``settings.QINQING_MODEL_DIR`` with a JSON manifest per scope, so a deployment can
retrain on its own appeals (``manage.py train_routing``) and roll back by editing one line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from django.conf import settings
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from qinqing.insights import text as pipeline

SCOPES = ("category", "department", "csv")


class RoutingError(Exception):
    """A clear, user-facing problem with training or loading a model (message in Chinese)."""


@dataclass
class Suggestion:
    label: str
    confidence: float


@dataclass
class RoutingModel:
    word_vec: TfidfVectorizer
    char_vec: TfidfVectorizer
    classifier: Any  # a fitted sklearn classifier (LinearSVC, or CalibratedClassifierCV around one); untyped
    labels: list[str]
    meta: dict = field(default_factory=dict)

    def _features(self, analysed: list[str]):
        return sp.hstack(
            [
                self.word_vec.transform(analysed),
                self.char_vec.transform([pipeline.chars_of(a) for a in analysed]),
            ]
        ).tocsr()

    def scores(self, analysed: list[str]) -> np.ndarray:
        X = self._features(analysed)
        if hasattr(self.classifier, "predict_proba"):
            return self.classifier.predict_proba(X)
        dec = self.classifier.decision_function(X)
        if dec.ndim == 1:  # two classes
            dec = np.column_stack([-dec, dec])
        e = np.exp(dec - dec.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, analysed: list[str]) -> list[str]:
        if not analysed:
            return []
        classes = np.asarray(self.classifier.classes_)
        return list(classes[self.scores(analysed).argmax(axis=1)])

    def suggest(self, raw_text: str, k: int = 3) -> list[Suggestion]:
        analysed = pipeline.analyse(raw_text)
        if not analysed:
            return []
        probs = self.scores([analysed])[0]
        classes = list(self.classifier.classes_)
        order = np.argsort(-probs)[:k]
        return [Suggestion(str(classes[i]), round(float(probs[i]), 4)) for i in order]


def fit(analysed: list[str], labels: list[str], *, calibrate: bool = True) -> RoutingModel:
    """Train on already analysed texts (``text.analyse`` or ``text.words_from_tokens`` joined by spaces)."""
    pairs = [(a, y) for a, y in zip(analysed, labels, strict=True) if a and y]
    counts = Counter(y for _, y in pairs)
    if len(counts) < 2:
        raise RoutingError("训练数据至少需要两个类别且每条都有文本")
    docs = [a for a, _ in pairs]
    y = np.array([y for _, y in pairs])
    big = len(docs) >= 1000
    word_vec = TfidfVectorizer(
        token_pattern=r"(?u)\S+",
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=2 if big else 1,
        dtype=np.float32,
    )
    char_vec = TfidfVectorizer(
        analyzer="char",
        sublinear_tf=True,
        ngram_range=(1, 4),
        min_df=2 if big else 1,
        max_features=300_000,
        dtype=np.float32,
    )
    X = sp.hstack(
        [word_vec.fit_transform(docs), char_vec.fit_transform([pipeline.chars_of(d) for d in docs])]
    ).tocsr()
    svm = LinearSVC(C=1.0, class_weight="balanced")
    if calibrate and min(counts.values()) >= 3:
        classifier = CalibratedClassifierCV(svm, cv=3, method="sigmoid", ensemble=False).fit(X, y)
    else:
        classifier = svm.fit(X, y)
    return RoutingModel(
        word_vec, char_vec, classifier, sorted(counts), {"n_samples": len(docs), "counts": dict(counts)}
    )


def metrics(truth: list[str], predicted: list[str]) -> dict:
    labels = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return {
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "per_class_f1": {label: round(float(v), 4) for label, v in zip(labels, per_class, strict=True)},
    }


# ---------------------------------------------------------------- storage


def model_dir() -> Path:
    path = Path(settings.QINQING_MODEL_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _manifest_path(scope: str) -> Path:
    return model_dir() / f"routing-{scope}.json"


def manifest(scope: str) -> dict:
    path = _manifest_path(scope)
    if not path.exists():
        return {"scope": scope, "active": None, "versions": []}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def save(model: RoutingModel, scope: str, *, source: str, evaluation: dict | None = None) -> int:
    """Store the model as the next version of ``scope`` and make it the active one. Returns the version."""
    if scope not in SCOPES:
        raise RoutingError(f"未知的模型范围：{scope}")
    current = manifest(scope)
    version = max((v["version"] for v in current["versions"]), default=0) + 1
    filename = f"routing-{scope}-v{version}.joblib"
    model.meta.update({"scope": scope, "version": version})
    tmp = model_dir() / (filename + ".tmp")
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, model_dir() / filename)
    current["versions"].append(
        {
            "version": version,
            "file": filename,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": source,
            "n_samples": model.meta.get("n_samples"),
            "labels": model.labels,
            "evaluation": evaluation or {},
        }
    )
    current["active"] = version
    _write_atomic(_manifest_path(scope), json.dumps(current, ensure_ascii=False, indent=2).encode("utf-8"))
    return version


_cache: dict[str, tuple[int, RoutingModel]] = {}
_cache_lock = threading.Lock()


def load(scope: str, version: int | None = None) -> RoutingModel | None:
    """The active (or a given) version of a scope, cached per process; None when no model was trained yet."""
    info = manifest(scope)
    version = version or info.get("active")
    if not version:
        return None
    cached = _cache.get(scope)
    if cached and cached[0] == version:
        return cached[1]
    entry = next((v for v in info["versions"] if v["version"] == version), None)
    if entry is None:
        raise RoutingError(f"模型版本 {version} 不存在")
    with _cache_lock:
        model = joblib.load(model_dir() / entry["file"])
        _cache[scope] = (version, model)
    return model
