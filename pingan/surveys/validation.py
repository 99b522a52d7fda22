"""Checking what a survey's editor and a respondent send: 422 naming the field
(`questions[2].options`, `answers.17`) and the reason in Chinese. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from pingan.cases.fields import text as _text
from pingan.core.errors import invalid
from pingan.surveys.choices import QuestionKind, SurveyKind
from pingan.surveys.models import Question

MAX_QUESTIONS = 60
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 1000
MAX_QUOTA = 1_000_000

__all__ = ["CleanQuestion", "answers_clean", "date_of", "questions_clean", "quotas_clean"]


@dataclass
class CleanQuestion:
    text: str
    kind: str
    required: bool
    headline: bool
    scale_max: int
    options: list[tuple[str, bool]] = field(default_factory=list)


def date_of(value: Any, name: str, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid(name, gettext("%(label)s应为日期（如2026-03-01）") % {"label": label})


def _bool(value: Any, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    raise invalid(name, gettext("应为 true 或 false"))


def _options(raw: Any, at: str) -> list[tuple[str, bool]]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise invalid(at + "options", gettext("选择题至少需要两个选项"))
    if len(raw) > MAX_OPTIONS:
        raise invalid(at + "options", gettext("选项不能超过%(n)d个") % {"n": MAX_OPTIONS})
    out: list[tuple[str, bool]] = []
    for j, opt in enumerate(raw):
        name = f"{at}options[{j}]"
        if isinstance(opt, str):
            opt = {"text": opt}
        if not isinstance(opt, dict):
            raise invalid(name, gettext("选项格式不正确"))
        label = _text({name: opt.get("text")}, name, gettext("选项"), max_len=200)
        out.append((label, _bool(opt.get("positive"), name + ".positive", False)))
    if len({t for t, _ in out}) != len(out):
        raise invalid(at + "options", gettext("选项不能重复"))
    return out


def questions_clean(raw: Any, kind: str) -> list[CleanQuestion]:
    """The questions of a survey, checked; the headline question is a single-choice one with
    at least one positive option; a 安全感 survey must have one."""
    if not isinstance(raw, list) or not raw:
        raise invalid("questions", gettext("请至少填写一道题目"))
    if len(raw) > MAX_QUESTIONS:
        raise invalid("questions", gettext("题目不能超过%(n)d道") % {"n": MAX_QUESTIONS})
    out: list[CleanQuestion] = []
    for i, q in enumerate(raw):
        at = f"questions[{i}]."
        if not isinstance(q, dict):
            raise invalid(f"questions[{i}]", gettext("题目格式不正确"))
        text = _text({at + "text": q.get("text")}, at + "text", gettext("题目"), max_len=500)
        qkind = q.get("kind") or QuestionKind.SINGLE
        if qkind not in QuestionKind.values:
            raise invalid(
                at + "kind",
                gettext("题型应为 %(values)s") % {"values": "、".join(QuestionKind.values)},
            )
        headline = _bool(q.get("headline"), at + "headline", False)
        required = _bool(q.get("required"), at + "required", True) or headline
        scale_max = 5
        options: list[tuple[str, bool]] = []
        if qkind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = _options(q.get("options"), at)
        elif qkind == QuestionKind.SCALE:
            raw_max = q.get("scale_max", 5)
            if isinstance(raw_max, bool) or not isinstance(raw_max, int) or not 2 <= raw_max <= 10:
                raise invalid(at + "scale_max", gettext("最高分应为2到10的整数"))
            scale_max = raw_max
        if headline:
            if qkind != QuestionKind.SINGLE:
                raise invalid(at + "headline", gettext("核心题应为单选题"))
            if not any(p for _, p in options):
                raise invalid(at + "options", gettext("核心题至少要有一个计为肯定回答的选项"))
            if all(p for _, p in options):
                raise invalid(at + "options", gettext("核心题不能每个选项都计为肯定回答"))
        out.append(CleanQuestion(text, qkind, required, headline, scale_max, options))
    heads = [i for i, q in enumerate(out) if q.headline]
    if len(heads) > 1:
        raise invalid(f"questions[{heads[1]}].headline", gettext("只能有一道核心题"))
    if kind == SurveyKind.SECURITY and not heads:
        raise invalid(
            "questions", gettext("安全感满意率调查须有一道核心题（如：您觉得本地安全吗）")
        )
    return out


def quotas_clean(raw: Any, towns: dict[int, Any]) -> dict[int, int]:
    """{town id: target}; each town of the county at most once."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise invalid("quotas", gettext("配额格式不正确"))
    out: dict[int, int] = {}
    for i, row in enumerate(raw):
        at = f"quotas[{i}]"
        if not isinstance(row, dict):
            raise invalid(at, gettext("配额格式不正确"))
        town, target = row.get("town"), row.get("target")
        if isinstance(town, bool) or not isinstance(town, int) or town not in towns:
            raise invalid(at + ".town", gettext("应为本县的镇（街道）ID"))
        if town in out:
            raise invalid(at + ".town", gettext("同一镇（街道）只能有一个配额"))
        if isinstance(target, bool) or not isinstance(target, int) or not 0 < target <= MAX_QUOTA:
            raise invalid(at + ".target", gettext("样本量应为正整数"))
        out[town] = target
    return out


def _option_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def answers_clean(raw: Any, questions: list[Question]) -> tuple[dict[str, Any], bool | None]:
    """The answers keyed by question id (text), checked against the questions, and whether
    the headline answer is a positive one (None without a headline question)."""
    if not isinstance(raw, dict):
        raise invalid("answers", gettext("答案格式不正确"))
    known = {str(q.pk) for q in questions}
    unknown = [k for k in raw if str(k) not in known]
    if unknown:
        raise invalid(f"answers.{unknown[0]}", gettext("本问卷没有这道题"))
    given = {str(k): v for k, v in raw.items()}
    out: dict[str, Any] = {}
    positive: bool | None = None
    for q in questions:
        key = str(q.pk)
        name = f"answers.{key}"
        value = given.get(key)
        empty = value is None or value == "" or value == []
        if empty:
            if q.required:
                raise invalid(name, gettext("第%(n)d题必须作答") % {"n": q.order})
            continue
        options = {o.pk: o for o in q.options.all()}
        if q.kind == QuestionKind.SINGLE:
            oid = _option_id(value)
            if oid not in options:
                raise invalid(name, gettext("第%(n)d题的选项不正确") % {"n": q.order})
            out[key] = oid
            if q.headline:
                positive = options[oid].positive
        elif q.kind == QuestionKind.MULTIPLE:
            items = value if isinstance(value, list) else [value]
            ids = [_option_id(v) for v in items]
            if any(i not in options for i in ids) or len(set(ids)) != len(ids):
                raise invalid(name, gettext("第%(n)d题的选项不正确") % {"n": q.order})
            out[key] = sorted(i for i in ids if i is not None)
        elif q.kind == QuestionKind.SCALE:
            score = _option_id(value)
            if score is None or not 1 <= score <= q.scale_max:
                raise invalid(
                    name,
                    gettext("第%(n)d题应打1到%(max)d分") % {"n": q.order, "max": q.scale_max},
                )
            out[key] = score
        else:
            if not isinstance(value, str):
                raise invalid(name, gettext("第%(n)d题应填写文字") % {"n": q.order})
            answer = value.strip()
            if len(answer) > MAX_TEXT_ANSWER:
                raise invalid(
                    name,
                    gettext("第%(n)d题不能超过%(max)d字") % {"n": q.order, "max": MAX_TEXT_ANSWER},
                )
            if answer:
                out[key] = answer
            elif q.required:
                raise invalid(name, gettext("第%(n)d题必须作答") % {"n": q.order})
    return out, positive
