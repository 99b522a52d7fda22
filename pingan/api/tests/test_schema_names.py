"""OpenAPI components are named after the schema classes: two classes with one name would
make one endpoint document (and validate against) the other's answer."""

from __future__ import annotations

import importlib
import pkgutil

from ninja import Schema

import pingan.api.v1 as v1


def test_no_two_api_schemas_share_a_name():
    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(v1.__path__):
        module = importlib.import_module(f"{v1.__name__}.{info.name}")
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and issubclass(obj, Schema)
                and obj is not Schema
                and obj.__module__ == module.__name__
            ):
                if name in seen and seen[name] != module.__name__:
                    clashes.append(f"{name}: {seen[name]} and {module.__name__}")
                seen[name] = module.__name__
    assert not clashes, clashes
