"""Classifier throughput on one core.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 \
        .venv/bin/python bench/classify_speed.py

Trains on the labelled set built from the real citizen messages (pingan.triage.labelled),
then times predictions of those messages and of 2,000 event reports as grid workers write
them (pingan.demo.texts: only their length matters here), in batches of 1,000 (the
training task, re-scoring) and one text per call (a new event at intake). Rates are per
second of CPU time of the (single-threaded) process.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from pingan.demo.texts import TEMPLATES, report_text  # noqa: E402
from pingan.triage import classifier, labelled  # noqa: E402


def rate(model: classifier.TextModel, texts: list[str], batch: int) -> float:
    """Predictions per second of this process's CPU time (one thread): the figure does
    not depend on what else the machine is doing, unlike wall-clock time."""
    t0 = time.process_time()
    for i in range(0, len(texts), batch):
        model.predict(texts[i : i + batch])
    return len(texts) / (time.process_time() - t0)


def main() -> None:
    rows = labelled.topic_rows()
    texts = [t for t, _ in rows]
    labels = [y for _, y in rows]
    t0 = time.perf_counter()
    model = classifier.TextModel.fit(texts, labels)
    print(f"trained on {len(texts)} texts in {time.perf_counter() - t0:.1f}s")
    rng = random.Random(0)
    events = []
    for _ in range(2000):
        code = rng.choice(sorted(TEMPLATES))
        title, description = report_text(rng, code, "城东村")
        events.append(f"{title}\n{description}")
    model.predict(texts[:10])  # warm up jieba's dictionary
    for name, sample in (("real messages", texts), ("event reports", events)):
        mean = sum(min(len(t), classifier.MAX_CHARS) for t in sample) / len(sample)
        print(
            f"{name} ({len(sample)} texts, {mean:.0f} characters read on average): "
            f"batch of 1000 {rate(model, sample, 1000):,.0f}/s, "
            f"one per call {rate(model, sample[:500], 1):,.0f}/s"
        )


if __name__ == "__main__":
    main()
