"""The key-person categories every county starts with (the data migration 0002 writes
them once; the back office changes them afterwards): their sensitivity labels and visit
frequencies (docs/registry.md). `categories_ensure` puts back the missing ones — for a
database emptied and rebuilt without its migrations (the tests' flushes)."""

from __future__ import annotations

from pingan.registry.models import KeyPersonCategory

CATEGORIES: tuple[tuple[str, str, str, int, int], ...] = (
    # code, name, label, every N days, reminder days before
    ("corrections", "社区矫正", "corrections", 7, 2),
    ("released", "刑满释放", "stability", 30, 7),
    ("mental", "严重精神障碍", "stability", 30, 7),
    ("drug", "吸毒", "stability", 30, 7),
    ("petition", "重点信访", "petition", 15, 3),
    ("youth", "重点青少年", "stability", 30, 7),
)


def categories_ensure() -> int:
    """Create the default categories that are missing (never changes existing ones);
    the number created."""
    made = 0
    for order, (code, name, label, every, window) in enumerate(CATEGORIES, start=1):
        _, created = KeyPersonCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sensitivity": label,
                "visit_every_days": every,
                "visit_window_days": window,
                "order": order,
            },
        )
        made += created
    return made
