"""Writes of the safety app: one town's figures for a month (entered or corrected), the
evidence with them, and a workbook of many (all or nothing). docs/safety-production.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from pingan.access.actor import Actor, as_actor
from pingan.cases.fields import text as _text
from pingan.core import clock
from pingan.core.errors import Forbidden, Invalid, NotFound, invalid
from pingan.core.uploads import read_limited
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.safety.choices import Source
from pingan.safety.models import SafetyFigure
from pingan.safety.permissions import EDITORS, can_edit, figure_scope_q

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
MAX_COUNT = 100_000
MAX_LOSS = Decimal("9999999999.99")
MONTH_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")

__all__ = ["figure_save", "figure_update", "figures_import", "month_of"]


def month_of(value: Any, field: str = "month") -> dt.date:
    """The first day of a month given as 「2026-03」, 「2026年3月」 or a date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = MONTH_RE.match(str(value or "").strip())
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= 2100:
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    raise invalid(field, gettext("月份应写作2026-03"))


def _count(value: Any, field: str, label: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool):
        raise invalid(field, gettext("%(label)s应为0或正整数") % {"label": label})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise invalid(field, gettext("%(label)s应为0或正整数") % {"label": label})
    return value


def _loss(value: Any, field: str = "direct_loss") -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool):
        raise invalid(field, gettext("直接经济损失应为不小于0的数（万元，最多两位小数）"))
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, gettext("直接经济损失应为不小于0的数（万元，最多两位小数）")) from None
    if not d.is_finite() or d < 0 or d > MAX_LOSS or d != d.quantize(Decimal("0.01")):
        raise invalid(field, gettext("直接经济损失应为不小于0的数（万元，最多两位小数）"))
    return d.quantize(Decimal("0.01"))


def _evidence(upload: Any) -> tuple[bytes, str, str]:
    data = read_limited(
        upload,
        limit=EVIDENCE_MAX_BYTES,
        too_big=invalid("evidence", gettext("佐证材料不能超过10MB")),
        empty=invalid("evidence", gettext("请选择佐证材料")),
    )
    if data.startswith(b"%PDF-"):
        return data, "pdf", "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return data, "jpg", "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "png", "image/png"
    raise invalid("evidence", gettext("佐证材料应为 PDF、JPEG 或 PNG 文件"))


def _town(actor: Actor, town_id: Any) -> Region:
    try:
        pk = int(town_id)
    except (TypeError, ValueError):
        raise invalid("town", gettext("请选择镇（街道）")) from None
    town = Region.objects.filter(pk=pk, level=Level.TOWN).first()
    if town is None:
        raise invalid("town", gettext("请选择镇（街道）"))
    if not can_edit(actor, town.path):
        raise Forbidden(gettext("只能填报本镇（街道）的安全生产数据"))
    return town


@dataclass
class Clean:
    accidents: int
    deaths: int
    direct_loss: Decimal
    note: str


def _clean(data: dict[str, Any], prefix: str = "") -> Clean:
    return Clean(
        accidents=_count(data.get("accidents"), prefix + "accidents", gettext("事故起数")),
        deaths=_count(data.get("deaths"), prefix + "deaths", gettext("死亡人数")),
        direct_loss=_loss(data.get("direct_loss"), prefix + "direct_loss"),
        note=_text(
            {prefix + "note": data.get("note")},
            prefix + "note",
            gettext("备注"),
            required=False,
            max_len=500,
        ),
    )


def _attach(figure: SafetyFigure, evidence: tuple[bytes, str, str] | None) -> None:
    if evidence is None:
        return
    data, ext, ctype = evidence
    name = f"{figure.town.code}-{figure.month:%Y%m}-{hashlib.sha256(data).hexdigest()[:12]}.{ext}"
    figure.evidence.save(name, ContentFile(data), save=False)
    figure.evidence_type = ctype


def figure_save(
    *, actor: Actor | Any, town_id: Any, month: Any, data: dict[str, Any], evidence: Any = None
) -> tuple[SafetyFigure, bool]:
    """Enter (or correct) a town's figures for a month: (the row, whether it is new).
    403 not the town's dispatchers nor the office, 422 bad fields."""
    actor = as_actor(actor)
    town = _town(actor, town_id)
    first = month_of(month)
    clean = _clean(data)
    proof = _evidence(evidence) if evidence is not None else None
    with transaction.atomic():
        figure = SafetyFigure.objects.select_for_update().filter(town=town, month=first).first()
        created = figure is None
        if figure is None:
            figure = SafetyFigure(town=town, month=first)
        for name, value in vars(clean).items():
            setattr(figure, name, value)
        figure.source = Source.ENTERED
        figure.entered_by = actor.user
        figure.entered_at = clock.now()
        _attach(figure, proof)
        figure.save()
        actor.audit(
            "safety.figure",
            object_type="safety_figure",
            object_id=figure.pk,
            detail={"town": town.pk, "month": f"{first:%Y-%m}", "new": created},
        )
    return figure, created


def figure_update(
    *, actor: Actor | Any, figure_id: int, data: dict[str, Any], evidence: Any = None
) -> SafetyFigure:
    """Correct a month's figures (the fields sent); 404 out of scope, 403 read-only."""
    actor = as_actor(actor)
    found = (
        SafetyFigure.objects.filter(figure_scope_q(actor), pk=figure_id)
        .select_related("town")
        .first()
    )
    if found is None:
        raise NotFound(gettext("安全生产数据不存在"))
    merged = {
        "accidents": found.accidents,
        "deaths": found.deaths,
        "direct_loss": found.direct_loss,
        "note": found.note,
        **{k: v for k, v in data.items() if v is not None},
    }
    figure, _created = figure_save(
        actor=actor, town_id=found.town_id, month=found.month, data=merged, evidence=evidence
    )
    return figure


# ---- the workbook ----------------------------------------------------------------------------

HEADER = (
    gettext_noop("镇街代码"),
    gettext_noop("镇街名称"),
    gettext_noop("月份"),
    gettext_noop("事故起数"),
    gettext_noop("死亡人数"),
    gettext_noop("直接经济损失（万元）"),
    gettext_noop("备注"),
)


def figures_import(*, actor: Actor | Any, upload: Any) -> dict[str, int]:
    """Every row of the workbook (the template's columns) or none: a row that fails stops
    the import with 「第N行 field: reason」 and nothing is written. {"created", "updated"}."""
    from openpyxl import load_workbook

    actor = as_actor(actor)
    if not actor.holding(EDITORS):
        raise Forbidden(gettext("只能填报本镇（街道）的安全生产数据"))
    data = read_limited(
        upload,
        limit=IMPORT_MAX_BYTES,
        too_big=invalid("file", gettext("文件不能超过5MB")),
        empty=invalid("file", gettext("请选择要导入的文件")),
    )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:  # noqa: BLE001 - a hostile or broken file makes openpyxl raise anything
        raise invalid("file", gettext("无法读取该文件，请使用下载的模板（.xlsx）")) from None
    body = [r for r in rows[1:] if any(c not in (None, "") for c in r)]
    if not body:
        raise invalid("file", gettext("文件中没有数据行"))
    if len(body) > IMPORT_MAX_ROWS:
        raise invalid("file", gettext("一次最多导入%(n)d行") % {"n": IMPORT_MAX_ROWS})
    towns = {t.code: t for t in Region.objects.filter(level=Level.TOWN)}
    plan: dict[tuple[int, dt.date], tuple[Region, Clean]] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(c not in (None, "") for c in row):
            continue
        cells = list(row) + [None] * (len(HEADER) - len(row))
        try:
            code = str(cells[0] or "").strip()
            town = towns.get(code)
            if town is None:
                raise invalid("town", gettext("镇街代码不存在"))
            if not can_edit(actor, town.path):
                raise invalid("town", gettext("不能填报该镇（街道）的数据"))
            first = month_of(cells[2])
            clean = _clean(
                {
                    "accidents": cells[3],
                    "deaths": cells[4],
                    "direct_loss": cells[5],
                    "note": "" if cells[6] is None else str(cells[6]),
                }
            )
            if (town.pk, first) in plan:
                raise invalid("month", gettext("同一镇街同一月份重复"))
        except Invalid as e:
            field, reason = next(iter(e.fields.items()))
            raise invalid(
                "file",
                gettext("第%(n)d行 %(field)s: %(reason)s")
                % {"n": n, "field": field, "reason": reason},
            ) from None
        plan[(town.pk, first)] = (town, clean)
    created = updated = 0
    now = clock.now()
    with transaction.atomic():
        for (town_pk, first), (town, clean) in plan.items():
            figure = (
                SafetyFigure.objects.select_for_update()
                .filter(town_id=town_pk, month=first)
                .first()
            )
            if figure is None:
                figure = SafetyFigure(town=town, month=first)
                created += 1
            else:
                updated += 1
            for name, value in vars(clean).items():
                setattr(figure, name, value)
            figure.source = Source.IMPORTED
            figure.entered_by = actor.user
            figure.entered_at = now
            figure.save()
        actor.audit(
            "safety.import",
            object_type="safety_figure",
            detail={"created": created, "updated": updated},
        )
    return {"created": created, "updated": updated}


def template_xlsx(towns: list[Region], year: int) -> bytes:
    """The import template: the header and one row per town and month of `year`."""
    from openpyxl import Workbook

    from pingan.core.spreadsheet import safe_row

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("安全生产月度数据")
    sheet.append(safe_row([gettext(h) for h in HEADER]))
    for t in towns:
        for m in range(1, 13):
            sheet.append(safe_row([t.code, t.name, f"{year}-{m:02d}", None, None, None, None]))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
