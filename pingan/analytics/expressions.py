"""Counting rules as data: small expressions over one row (an event fact, an event, one
of a fact's assignment tokens) that evaluate in Python and render as SQL. A rule written
once this way serves the upkeep inside the transaction (Python, one event at a time) and
the set-based rebuild and fact scans (SQL, millions of rows at once) alike.

Columns compared here are never NULL in the facts (blank strings and 0 stand for
"none"), except where `NotNull` tests for it, so Python's and SQL's truth agree.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Ctx:
    """Where the SQL finds the row: the table's `alias`, and `token`, the SQL of the
    current assignment token (for rules over a fact's assignments)."""

    alias: str = "f"
    token: str = "t.tok"


def literal(value: str | int) -> str:
    """SQL literal of a constant of the code (a status, a choice value, a number)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not a rule constant: {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def column(ctx: Ctx, name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a column name: {name!r}")
    return f"{ctx.alias}.{name}"


class Expr(ABC):
    """A value of one row: in Python (`py`, the in-transaction upkeep) and in SQL (`sql`,
    the set-based rebuild), both from one declaration."""

    @abstractmethod
    def py(self, row: Mapping[str, Any]) -> Any:
        """The value for one row given as a mapping of column → value."""

    @abstractmethod
    def sql(self, ctx: Ctx) -> str:
        """The same value as an SQL expression over the row aliased `ctx.alias`."""


class Pred(Expr):
    """A condition on one row (py: bool)."""


@dataclass(frozen=True)
class Col(Expr):
    """A column of the row as it is."""

    name: str

    def py(self, row: Mapping[str, Any]) -> Any:
        return row[self.name]

    def sql(self, ctx: Ctx) -> str:
        return column(ctx, self.name)


@dataclass(frozen=True)
class Const(Expr):
    value: str | int

    def py(self, row: Mapping[str, Any]) -> Any:
        return self.value

    def sql(self, ctx: Ctx) -> str:
        return literal(self.value)


ONE = Const(1)


@dataclass(frozen=True)
class Eq(Pred):
    name: str
    value: str | int

    def py(self, row: Mapping[str, Any]) -> bool:
        return bool(row[self.name] == self.value)

    def sql(self, ctx: Ctx) -> str:
        return f"{column(ctx, self.name)} = {literal(self.value)}"


@dataclass(frozen=True)
class Ne(Pred):
    name: str
    value: str | int

    def py(self, row: Mapping[str, Any]) -> bool:
        return bool(row[self.name] != self.value)

    def sql(self, ctx: Ctx) -> str:
        return f"{column(ctx, self.name)} <> {literal(self.value)}"


@dataclass(frozen=True)
class In(Pred):
    name: str
    values: tuple[str, ...]

    def __init__(self, name: str, values: Iterable[str]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", tuple(sorted(str(v) for v in values)))

    def py(self, row: Mapping[str, Any]) -> bool:
        return row[self.name] in self.values

    def sql(self, ctx: Ctx) -> str:
        return f"{column(ctx, self.name)} IN ({', '.join(literal(v) for v in self.values)})"


@dataclass(frozen=True)
class NotNull(Pred):
    name: str

    def py(self, row: Mapping[str, Any]) -> bool:
        return row[self.name] is not None

    def sql(self, ctx: Ctx) -> str:
        return f"{column(ctx, self.name)} IS NOT NULL"


@dataclass(frozen=True)
class IsTrue(Pred):
    """A boolean column that is true (NULL counts as not true)."""

    name: str

    def py(self, row: Mapping[str, Any]) -> bool:
        return row[self.name] is True or row[self.name] == 1

    def sql(self, ctx: Ctx) -> str:
        # A bare boolean: true on PostgreSQL, non-zero on SQLite.
        return column(ctx, self.name)


@dataclass(frozen=True)
class IsNull(Pred):
    name: str

    def py(self, row: Mapping[str, Any]) -> bool:
        return row[self.name] is None

    def sql(self, ctx: Ctx) -> str:
        return f"{column(ctx, self.name)} IS NULL"


@dataclass(frozen=True)
class NotBlank(Pred):
    """A text column neither NULL nor empty."""

    name: str

    def py(self, row: Mapping[str, Any]) -> bool:
        return bool(row[self.name])

    def sql(self, ctx: Ctx) -> str:
        col = column(ctx, self.name)
        return f"({col} IS NOT NULL AND {col} <> '')"


@dataclass(frozen=True)
class All(Pred):
    preds: tuple[Pred, ...]

    def __init__(self, *preds: Pred) -> None:
        object.__setattr__(self, "preds", preds)

    def py(self, row: Mapping[str, Any]) -> bool:
        return all(p.py(row) for p in self.preds)

    def sql(self, ctx: Ctx) -> str:
        return "(" + " AND ".join(p.sql(ctx) for p in self.preds) + ")"


@dataclass(frozen=True)
class Count(Expr):
    """1 when the condition holds, else 0: a count measure's contribution."""

    when: Pred

    def py(self, row: Mapping[str, Any]) -> int:
        return 1 if self.when.py(row) else 0

    def sql(self, ctx: Ctx) -> str:
        return f"CASE WHEN {self.when.sql(ctx)} THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Amount(Expr):
    """A numeric column, 0 when NULL: a sum measure's contribution."""

    name: str

    def py(self, row: Mapping[str, Any]) -> Any:
        return row[self.name] or 0

    def sql(self, ctx: Ctx) -> str:
        return f"COALESCE({column(ctx, self.name)}, 0)"


@dataclass(frozen=True)
class Hundredths(Expr):
    """A non-NULL numeric column × 100, rounded to an integer (a handling time in
    hundredths of a working day: the histograms' bucket)."""

    name: str

    def py(self, row: Mapping[str, Any]) -> int:
        return round(row[self.name] * 100)

    def sql(self, ctx: Ctx) -> str:
        return f"CAST(ROUND({column(ctx, self.name)} * 100) AS INTEGER)"


@dataclass(frozen=True)
class Case(Expr):
    """The value of the first condition that holds, else `default`."""

    whens: tuple[tuple[Pred, Expr], ...]
    default: Expr

    def py(self, row: Mapping[str, Any]) -> Any:
        for when, value in self.whens:
            if when.py(row):
                return value.py(row)
        return self.default.py(row)

    def sql(self, ctx: Ctx) -> str:
        whens = " ".join(f"WHEN {w.sql(ctx)} THEN {v.sql(ctx)}" for w, v in self.whens)
        return f"CASE {whens} ELSE {self.default.sql(ctx)} END"
