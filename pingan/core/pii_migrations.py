"""Data migrations of personal data: encrypt the plain values of existing rows (and fill
their blind indexes), or decrypt them again when the migration is reversed.

Used from the migrations of the apps that switched a column to
`pingan.core.pii.EncryptedTextField` (the pattern of `events/0002_personal_data`), with the
keys configured when the migration runs. Raw SQL on the table, so the model's current
state does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pingan.core import pii


def convert(
    schema_editor: Any,
    *,
    table: str,
    columns: tuple[str, ...],
    indexes: dict[str, tuple[str, str]] | None = None,
    forward: bool,
) -> None:
    """Encrypt (forward) or decrypt `columns` of every row of `table`.

    `indexes` maps a blind-index column to (the plain column it indexes, its kind); going
    forward it is filled, going back it is emptied (the reverse migration drops it next).
    """
    indexes = indexes or {}
    conn = schema_editor.connection
    q = conn.ops.quote_name
    with conn.cursor() as cur:
        cur.execute(f"SELECT id, {', '.join(q(c) for c in columns)} FROM {q(table)}")  # noqa: S608 - names from the migration, quoted
        rows = cur.fetchall()
    sets = [*columns, *indexes]
    sql = f"UPDATE {q(table)} SET {', '.join(f'{q(c)} = %s' for c in sets)} WHERE id = %s"  # noqa: S608
    step: Callable[[str], str] = pii.encrypt if forward else pii.decrypt
    with conn.cursor() as cur:
        for pk, *values in rows:
            plain = dict(zip(columns, (v or "" for v in values), strict=True))
            new = [step(plain[c]) for c in columns]
            if forward:
                new += [pii.blind_index(plain[src], kind=kind) for src, kind in indexes.values()]
            else:
                new += ["" for _ in indexes]
            cur.execute(sql, [*new, pk])


def encrypting(
    table: str,
    columns: tuple[str, ...],
    indexes: dict[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[Any, Any], None], Callable[[Any, Any], None]]:
    """The (forward, backward) pair for `migrations.RunPython`."""

    def forward(apps: Any, schema_editor: Any) -> None:
        convert(schema_editor, table=table, columns=columns, indexes=indexes, forward=True)

    def backward(apps: Any, schema_editor: Any) -> None:
        convert(schema_editor, table=table, columns=columns, indexes=indexes, forward=False)

    return forward, backward
