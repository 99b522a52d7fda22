"""manage.py classifier train|predict|evaluate: the event text classifier."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.core.errors import DomainError
from pingan.triage import classifier, services
from pingan.triage.tabular import read_rows


def labelled(path: str, text_cols: str, label_col: str) -> tuple[list[str], list[str]]:
    cols = [c.strip() for c in text_cols.split(",") if c.strip()]
    texts, labels = [], []
    for i, row in enumerate(read_rows(path), start=2):
        missing = [c for c in [*cols, label_col] if c not in row]
        if missing:
            raise CommandError(f"第{i}行缺少列：{'、'.join(missing)}")
        label = row[label_col].strip()
        text = "\n".join(row[c] for c in cols).strip()
        if label and text:
            texts.append(text)
            labels.append(label)
    return texts, labels


class Command(BaseCommand):
    help = "事件文本分类器：训练、预测、评估"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        train = sub.add_parser("train", help="训练（默认用平台历史事件）")
        train.add_argument("--from", dest="src")
        train.add_argument("--text-col", default="")
        train.add_argument("--label-col", default="")
        predict = sub.add_parser("predict", help="预测一段文字的分类与部门")
        predict.add_argument("text")
        ev = sub.add_parser("evaluate", help="分层交叉验证，并与基线比较")
        ev.add_argument("--from", dest="src", required=True)
        ev.add_argument("--text-col", required=True)
        ev.add_argument("--label-col", required=True)
        ev.add_argument("--folds", type=int, default=5)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['op']}")(opts)

    def _train(self, opts: dict[str, Any]) -> None:
        try:
            if opts["src"]:
                if not opts["text_col"] or not opts["label_col"]:
                    raise CommandError("--from 需同时给出 --text-col 和 --label-col")
                texts, labels = labelled(opts["src"], opts["text_col"], opts["label_col"])
                bundle = services.classifier_train(texts=texts, labels=labels)
            else:
                bundle = services.classifier_train()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for name in ("category", "department"):
            model = getattr(bundle, name)
            if model is not None:
                self.stdout.write(f"{name}: {model.samples} samples, {len(model.classes)} classes")
        self.stdout.write(f"saved {classifier.model_path()}")

    def _predict(self, opts: dict[str, Any]) -> None:
        bundle = classifier.load()
        if bundle is None:
            raise CommandError("尚无模型，请先运行 manage.py classifier train")
        for name in ("category", "department"):
            model = getattr(bundle, name)
            if model is not None:
                label, conf = model.predict([opts["text"]])[0]
                self.stdout.write(f"{name}={label} confidence={conf:.3f}")

    def _evaluate(self, opts: dict[str, Any]) -> None:
        if opts["folds"] < 2:
            raise CommandError("--folds 至少为 2")
        texts, labels = labelled(opts["src"], opts["text_col"], opts["label_col"])
        try:
            result = classifier.evaluate(texts, labels, folds=opts["folds"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"samples={result.samples} folds={opts['folds']}")
        for label, n in sorted(result.dropped.items()):
            self.stdout.write(f"dropped class {label}: {n} samples (fewer than folds)")
        self.stdout.write(result.report)
        self.stdout.write(result.summary)
