"""Labelled sets built from the real citizen messages in shared/data (TipDM Cup 2020,
problem C, attachment 4; not committed here: located beside the repository).

The messages carry no category, so a topic label is derived from the message *subject*
(留言主题) by a few unambiguous keyword groups, and only the *details* (留言详情) are given
to the classifier: it must recognise the topic from the body text. Messages whose subject
hits no group or several are left out.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from pingan.core.shared_data import shared_file

MESSAGES = Path("data") / "messages" / "messages_with_replies.csv"

TOPICS: list[tuple[str, str]] = [
    ("education", r"学校|教育|学生|幼儿园|老师|教师|学费|校"),
    ("traffic", r"交通|公交|道路|修路|路灯|红绿灯|车站|停车|出租车|地铁|高速|驾"),
    ("property", r"物业|业委会|电梯|小区"),
    ("environment", r"噪音|污染|扰民|环境|垃圾|臭|排放|油烟|粉尘"),
    ("social_security", r"社保|医保|养老|工资|欠薪|就业|退休|公积金|人才"),
    ("housing", r"房|拆迁|安置|征收|开发商|楼盘|产权|不动产"),
    ("health", r"医院|医疗|医生|看病|卫生"),
    ("utilities", r"停水|自来水|供水|停电|燃气|天然气|电费|水费"),
]


def topic_of(subject: str) -> str:
    hits = [name for name, rx in TOPICS if re.search(rx, subject)]
    return hits[0] if len(hits) == 1 else ""


def topic_rows(path: Path | None = None) -> list[tuple[str, str]]:
    """(details, topic) for every message whose subject names exactly one topic."""
    path = path or shared_file(MESSAGES)
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            topic = topic_of(row["留言主题"])
            text = row["留言详情"].strip()
            if topic and text:
                out.append((text, topic))
    return out


def write_topic_csv(target: Path, path: Path | None = None) -> int:
    """Write the labelled set as CSV (columns text, label); returns the row count."""
    rows = topic_rows(path)
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows(rows)
    return len(rows)
