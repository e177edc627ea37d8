"""Fixtures for test/metrics.test.ts: scikit-learn's classification metrics on a few cases.

    ~/torch-venv/bin/pip install scikit-learn
    ~/torch-venv/bin/python scripts/make_metrics_fixtures.py   # writes test/fixtures/metrics.json
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import classification_report, confusion_matrix, precision_recall_fscore_support, top_k_accuracy_score

rng = np.random.default_rng(2026)
cases = []


def case(name, y_true, y_pred, labels, target_names=None, scores=None):
    y_true = [int(v) for v in y_true]
    y_pred = [int(v) for v in y_pred]
    c = {
        "name": name,
        "yTrue": y_true,
        "yPred": y_pred,
        "numClasses": len(labels),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "reports": {},
        "prf": {},
    }
    if target_names is not None:
        c["targetNames"] = target_names
    for digits in (2, 4):
        c["reports"][str(digits)] = classification_report(y_true, y_pred, labels=labels, target_names=target_names, digits=digits, zero_division=0)
    for average in ("macro", "weighted", "micro", None):
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average, zero_division=0)
        to = (lambda v: v.tolist()) if average is None else (lambda v: None if v is None else float(v))
        c["prf"][str(average)] = {"precision": to(p), "recall": to(r), "f1": to(f), "support": to(s) if average is None else None}
    if scores is not None:
        c["scores"] = scores.tolist()
        c["topk"] = {str(k): float(top_k_accuracy_score(y_true, scores, k=k, labels=labels)) for k in (1, 2, 3)}
    cases.append(c)


# MNIST-like: 10 classes, 300 samples, predictions right about 80% of the time, with scores for top-k
y = rng.integers(0, 10, 300)
scores = rng.normal(size=(300, 10))
scores[np.arange(300), y] += rng.choice([3.0, 0.0], size=300, p=[0.8, 0.2])
scores = np.round(scores, 2)  # short in JSON, exact as float64 on both sides
case("ten classes", y, scores.argmax(1), list(range(10)), scores=scores)
# a class never predicted and one never present (zero division)
y2 = rng.integers(0, 4, 60)
p2 = np.where(y2 == 2, 0, y2)
y2 = np.where(y2 == 3, 1, y2)
case("zero division", y2, p2, [0, 1, 2, 3])
# three classes with names, scikit-learn's own documentation example
case("named", [0, 1, 2, 2, 2], [0, 0, 2, 2, 1], [0, 1, 2], target_names=["class 0", "class 1", "class 2"])
# ties when rounding to 2 digits (0.125, 0.375, ...): Python rounds half to even
case("ties", [0] * 8 + [1] * 8, [0] * 1 + [1] * 7 + [1] * 3 + [0] * 5, [0, 1])

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "metrics.json")
with open(out, "w") as f:
    json.dump({"sklearn": sklearn.__version__, "cases": cases}, f)
print(f"wrote {out}")
