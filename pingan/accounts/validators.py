"""Password rule of GB/T 22239 level 3: long enough, mixed, not common (the last two by
Django's validators), here: at least three of four character classes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and other characters `password` uses."""
    return sum(
        [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("至少包含大写字母、小写字母、数字、符号中的 %(n)d 类。") % {"n": self.min_classes}


# Passwords printed in this repository (README, `make demo`, the test cast): anyone can read
# them, so production refuses every password that contains one (docs/security.md).
PUBLISHED_PASSWORDS = ("Pingan@2026",)


class PublishedPasswordValidator:
    """In production (PINGAN_ENV=production) refuses a password that contains one of the
    published demo passwords (any case): `Pingan@2026`, and what is made of it
    (`Pingan@2026-test`, `pingan@2026!`). Elsewhere the demo needs them and it passes."""

    def __init__(self, passwords: tuple[str, ...] = PUBLISHED_PASSWORDS) -> None:
        self.passwords = tuple(p.casefold() for p in passwords)

    def validate(self, password: str, user: Any = None) -> None:
        from django.conf import settings

        if getattr(settings, "PINGAN_ENV", "") != "production":
            return
        folded = password.casefold()
        if any(p in folded for p in self.passwords):
            raise ValidationError(_("不能使用公开的演示密码"), code="password_published")

    def get_help_text(self) -> str:
        return _("不能使用公开的演示密码")
