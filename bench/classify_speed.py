"""Classifier throughput on one core.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 \
        .venv/bin/python bench/classify_speed.py

Trains on the labelled set built from the real citizen messages (pingan.triage.labelled),
then times predictions of the whole set: in batches of 1,000 (the training task, the
importer, re-scoring) and one text per call (a new event at intake).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from pingan.triage import classifier, labelled  # noqa: E402


def main() -> None:
    rows = labelled.topic_rows()
    texts = [t for t, _ in rows]
    labels = [y for _, y in rows]
    t0 = time.perf_counter()
    model = classifier.TextModel.fit(texts, labels)
    print(f"trained on {len(texts)} texts in {time.perf_counter() - t0:.1f}s")
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"mean text length {chars:.0f} characters")
    model.predict(texts[:10])  # warm up jieba's dictionary
    t0 = time.perf_counter()
    for i in range(0, len(texts), 1000):
        model.predict(texts[i : i + 1000])
    batch = len(texts) / (time.perf_counter() - t0)
    short = [t[:120] for t in texts]
    t0 = time.perf_counter()
    for i in range(0, len(short), 1000):
        model.predict(short[i : i + 1000])
    batch_short = len(short) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for t in short[:500]:
        model.predict([t])
    single = 500 / (time.perf_counter() - t0)
    print(f"batch of 1000, full texts: {batch:,.0f} predictions/s")
    print(f"batch of 1000, first 120 characters: {batch_short:,.0f} predictions/s")
    print(f"one per call, first 120 characters: {single:,.0f} predictions/s")


if __name__ == "__main__":
    main()
