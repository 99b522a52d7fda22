"""Importing departments and categories in bulk (`manage.py import_catalogue`).

A CSV or Excel file and a YAML mapping (docs/import.md, "Departments and categories"):
`kind: departments` loads departments; `kind: categories` loads the two-level category
tree with default departments, deadlines and sensitivity, and may name each row's
department in a `department` block (created or brought up to date on the way). Rows are
upserted by code through the services (`org.services.department_upsert`,
`events.catalogue.category_save`), which check every rule; a bad row is reported and
skipped, never half-written. Parents are resolved across the whole file: top-level rows
are written first. Running the same file twice changes nothing; a dry run does the same
work in a transaction it rolls back.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from pingan.access.actor import Actor
from pingan.core.errors import Invalid
from pingan.events.catalogue import KEEP, Deadline, category_save, deadline_check
from pingan.events.choices import Urgency
from pingan.events.models import Category
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_list
from pingan.importer.catalogue_mapping import (
    CatalogueMapping,
    DepartmentMapping,
    load_catalogue_mapping,
)
from pingan.importer.mapping import Field
from pingan.importer.services import RowError
from pingan.org.models import Department
from pingan.org.services import department_upsert
from pingan.triage.tabular import read_rows


def group_code(prefix: str, name: str) -> str:
    """The code of a parent known only by its name: the prefix and the name's ASCII slug,
    or a short hash of the name when it has none (Chinese names) or is too long."""
    slug = slugify(name)
    if slug and len(prefix) + len(slug) <= 32:
        return f"{prefix}{slug}"
    return f"{prefix}g{hashlib.sha1(name.encode()).hexdigest()[:10]}"  # noqa: S324 (a name, not a secret)


# ---- the report -------------------------------------------------------------------------


@dataclass
class CatalogueReport:
    total: int = 0
    departments: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def summary(self) -> str:
        d, c = self.departments, self.categories
        counts = " ".join(
            f"{what}_{o}={n[o]}"
            for what, n in (("departments", d), ("categories", c))
            for o in ("created", "updated", "unchanged")
        )
        head = "试运行，未写入；" if self.dry_run else ""
        return (
            f"total={self.total} {counts} errors={self.failed}（{head}"
            f"部门 新增 {d['created']}、更新 {d['updated']}、未变 {d['unchanged']}；"
            f"分类 新增 {c['created']}、更新 {c['updated']}、未变 {c['unchanged']}；"
            f"出错 {self.failed} 条）"
        )


# ---- one run ----------------------------------------------------------------------------


class _Failed(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


def _value(f: Field | None, row: dict[str, str], name: str) -> str | None:
    """The cell's value by the field (None when empty); _Failed on a value not mapped."""
    if f is None:
        return None
    value, error = f.value(row)
    if error:
        raise _Failed(name, error)
    return value.strip() if value else None


class _Run:
    """One import: the file's rows, what this run wrote, the report."""

    def __init__(self, m: CatalogueMapping, rows: list[dict[str, str]], report: CatalogueReport):
        self.m, self.rows, self.report = m, rows, report
        self.departments: dict[str, Department] = {}  # code → written in this run
        self.categories: dict[str, Category] = {}  # code → written in this run
        self.regions: dict[str, Region] = {}
        self.by_code: dict[str, int] = {}  # file row's code → index
        self.by_name: dict[str, list[int]] = {}
        self._pending: list[tuple[str, str, Any, str]] = []  # the current row's writes

    # ---- look-ups ---------------------------------------------------------------------

    def region(self, key: str | None, name: str) -> Region:
        key = key or ""
        if key not in self.regions:
            if key:
                found = region_list().filter(code=key).first()
                if found is None:
                    named = list(region_list().filter(name=key)[:2])
                    if len(named) > 1:
                        raise _Failed(name, f"区划名称“{key}”不唯一，请使用代码")
                    found = named[0] if named else None
                if found is None:
                    raise _Failed(name, f"区划“{key}”不存在")
            else:
                counties = list(region_list(level=Level.COUNTY)[:2])
                if len(counties) != 1:
                    raise _Failed(name, "所属区划为空（库中不是只有一个县，须写明区划）")
                found = counties[0]
            self.regions[key] = found
        return self.regions[key]

    def department_named(self, key: str) -> Department:
        if key in self.departments:
            return self.departments[key]
        found = Department.objects.filter(code=key).first()
        if found is None:
            named = list(Department.objects.filter(name=key)[:2])
            if len(named) > 1:
                raise _Failed("default_department", f"部门名称“{key}”不唯一，请使用编码")
            found = named[0] if named else None
        if found is None:
            raise _Failed("default_department", f"部门“{key}”不存在")
        return found

    # ---- writes -------------------------------------------------------------------------

    def department(self, dm: DepartmentMapping, row: dict[str, str], where: str) -> Department:
        code = _value(dm.code, row, f"{where}code") or ""
        name = _value(dm.name, row, f"{where}name") or ""
        if code in self.departments:
            dept = self.departments[code]
            if name and name != dept.name:
                raise _Failed(f"{where}name", f"部门“{code}”在文件中的名称不一致（{dept.name}）")
            return dept
        region = self.region(_value(dm.region, row, f"{where}region"), f"{where}region")
        stored = Department.objects.filter(code=code).first() if code else None
        email = _value(dm.email, row, f"{where}email") if dm.email else None
        if email is None:
            email = stored.email if stored is not None and dm.email is None else ""
        if stored is not None and (stored.name, stored.region_id, stored.email) == (
            name,
            region.pk,
            email,
        ):
            outcome, dept = "unchanged", stored
        else:
            dept = self._service(
                where, lambda: department_upsert(code=code, name=name, region=region, email=email)
            )
            outcome = "created" if stored is None else "updated"
        self._pending.append(("department", code, dept, outcome))
        return dept

    def _service(self, where: str, call: Any) -> Any:
        try:
            return call()
        except Invalid as exc:
            (name, reason), *_ = exc.fields.items() or [("", exc.message)]
            raise _Failed(f"{where}{name}", reason) from None

    def parent(self, key: str, index: int) -> Category:
        """The parent a row names: a row of this file (by code, then name), a stored
        category, or (create_parents) a new top-level category made from the name."""
        hit = self.by_code.get(key)
        if hit is None:
            named = [i for i in self.by_name.get(key, []) if i != index]
            if len(named) > 1:
                raise _Failed("parent", f"文件中有多个名为“{key}”的分类，请使用编码")
            hit = named[0] if named else None
        if hit == index:
            raise _Failed("parent", "上级分类不能是自身")
        if hit is not None:
            code = self._code(hit)
            if self.has_parent(hit):
                raise _Failed("parent", f"分类只有两级：上级分类“{key}”本身是小类")
            if code not in self.categories:
                raise _Failed("parent", f"上级分类“{key}”有误，未导入")
            return self.categories[code]
        stored = Category.objects.filter(code=key).first()
        if stored is not None:
            return stored
        code = group_code(self.m.parent_code_prefix, key)
        if self.m.create_parents:
            # A group this importer made before (same code, same name) is counted again.
            if code in self.categories and self.categories[code].name == key:
                return self.categories[code]
            if Category.objects.filter(code=code, name=key, parent=None).exists():
                return self._group(code, key)
        named_cats = list(Category.objects.filter(name=key, parent=None)[:2])
        if len(named_cats) > 1:
            raise _Failed("parent", f"名为“{key}”的大类不唯一，请使用编码")
        if named_cats:
            return named_cats[0]
        if not self.m.create_parents:
            raise _Failed("parent", f"上级分类“{key}”不存在")
        if (
            code in self.by_code
            or code in self.categories
            or Category.objects.filter(code=code).exists()
        ):
            raise _Failed("parent", f"为“{key}”生成的编码“{code}”已被其他分类使用")
        return self._group(code, key)

    def _group(self, code: str, name: str) -> Category:
        saved = self._service("parent.", lambda: category_save(code=code, name=name, parent=None))
        self._pending.append(("category", code, saved.category, saved.outcome))
        return saved.category

    def has_parent(self, index: int) -> bool:
        if self.m.parent is None:
            return False
        value, _e = self.m.parent.value(self.rows[index])
        return bool((value or "").strip())

    def _code(self, index: int) -> str:
        return (self.m.code.value(self.rows[index])[0] or "").strip()

    def category(self, row: dict[str, str], index: int) -> None:
        m = self.m
        code = _value(m.code, row, "code") or ""
        name = _value(m.name, row, "name") or ""
        if m.department is not None:
            self.department(m.department, row, "department.")
        kwargs: dict[str, Any] = {}
        if m.parent is not None:
            key = _value(m.parent, row, "parent")
            kwargs["parent"] = self.parent(key, index) if key else None
        if m.default_department is not None:
            key = _value(m.default_department, row, "default_department")
            kwargs["default_department"] = self.department_named(key) if key else None
        if m.sort is not None:
            text = _value(m.sort, row, "sort")
            if text is not None:
                if not text.isdigit() or int(text) > 2**31 - 1:
                    raise _Failed("sort", "排序应为非负整数")
                kwargs["sort"] = int(text)
        if m.sensitivity is not None:
            kwargs["sensitivity"] = _value(m.sensitivity, row, "sensitivity") or ""
        deadlines: dict[str, Deadline] = {}
        for urgency, spec in m.deadlines.items():
            where = "" if list(m.deadlines) == [Urgency.NORMAL] else f"{urgency}."
            values = {k: _value(f, row, f"{where}{k}") for k, f in spec.items()}
            if values["handle_amount"] is None:
                continue  # no deadline for this urgency on this row: the stored one stays
            if values["ack_amount"] is None:
                raise _Failed(f"{where}ack_amount", "签收时限为空")
            try:
                deadlines[urgency] = deadline_check(
                    urgency=urgency, **{k: v or "" for k, v in values.items()}
                )
            except Invalid as exc:
                (fname, reason), *_ = exc.fields.items()
                raise _Failed(f"{where}{fname}", reason) from None
        given = {k: kwargs.get(k, KEEP) for k in ("parent", "default_department", "sort")}
        saved = self._service(
            "",
            lambda: category_save(
                code=code,
                name=name,
                deadlines=deadlines,
                sensitivity=kwargs.get("sensitivity", KEEP),
                **given,
            ),
        )
        self._pending.append(("category", code, saved.category, saved.outcome))

    # ---- rows ---------------------------------------------------------------------------

    def apply(self, index: int) -> None:
        """One row in its own savepoint: all of it is written, or none and an error."""
        row, n = self.rows[index], index + 1
        code = self._code(index)
        self._pending = []
        try:
            with transaction.atomic():
                if self.m.kind == "departments":
                    assert self.m.department is not None
                    self.department(self.m.department, row, "")
                else:
                    self.category(row, index)
        except _Failed as exc:
            self.report.errors.append(RowError(n, code, exc.field, exc.reason))
            return
        for what, key, obj, outcome in self._pending:
            if what == "department":
                self.departments[key] = obj
                self.report.departments[outcome] += 1
            else:
                self.categories[key] = obj
                self.report.categories[outcome] += 1

    def run(self) -> None:
        for i, row in enumerate(self.rows):
            code = (self.m.code.value(row)[0] or "").strip()
            if code in self.by_code:
                n = i + 1
                self.report.errors.append(RowError(n, code, "code", "文件内编码重复"))
                continue
            if code:
                self.by_code[code] = i
            name = (self.m.name.value(row)[0] or "").strip()
            self.by_name.setdefault(name, []).append(i)
        firsts = sorted(self.by_code.values()) + [
            i for i, r in enumerate(self.rows) if not (self.m.code.value(r)[0] or "").strip()
        ]
        # Parents before children: top-level rows (no parent cell) first.
        for i in sorted(firsts, key=lambda i: (self.has_parent(i), i)):
            self.apply(i)
        self.report.errors.sort(key=lambda e: e.row)


def import_catalogue_rows(
    rows: Iterable[dict[str, str]], mapping: CatalogueMapping, *, dry_run: bool = False
) -> CatalogueReport:
    """Load the rows by the mapping; with dry_run, the same work rolled back."""
    report = CatalogueReport(dry_run=dry_run)
    items = list(rows)
    report.total = len(items)
    with transaction.atomic():
        _Run(mapping, items, report).run()
        if dry_run:
            transaction.set_rollback(True)
    return report


def import_catalogue(
    *, path: str | Path, mapping_text: str, dry_run: bool = False, actor: Actor | None = None
) -> CatalogueReport:
    """Import a CSV or Excel catalogue file by a YAML mapping (MappingError when the
    mapping is wrong, before any row is read); the run is audited unless dry."""
    mapping = load_catalogue_mapping(mapping_text)
    report = import_catalogue_rows(read_rows(path), mapping, dry_run=dry_run)
    if not dry_run:
        (actor or Actor.system("import_catalogue")).audit(
            "importer.catalogue",
            object_type="catalogue",
            detail={
                "file": Path(path).name,
                "kind": mapping.kind,
                "total": report.total,
                **{
                    what: {o: counts[o] for o in ("created", "updated", "unchanged")}
                    for what, counts in (
                        ("departments", report.departments),
                        ("categories", report.categories),
                    )
                },
                "failed": report.failed,
            },
        )
    return report
