"""Warm a new web process before it takes requests (gunicorn's `post_worker_init`).

A fresh process pays, on its first requests, for importing every view module and the
API's routers (the URLconf: ~1 s of CPU), compiling each page's templates (tens of ms
each) and loading the translation catalogues. Under load that cost lands on the people
whose requests arrive first, at start-up and after every worker recycling
(docs/performance.md, "Load"). `warm()` pays it before the process accepts a
connection, while the other processes serve.

It touches no database: the connections opened by the imports, if any, are closed again,
so the process starts with none, as Django expects.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation


def _template_names() -> list[str]:
    """The project's own templates (its apps' `templates` directories): the pages people
    open. Third-party ones (the admin's) compile when first used."""
    ours = Path(__file__).resolve().parent.parent  # the pingan package
    names: set[str] = set()
    for directory in get_app_template_dirs("templates"):
        root = Path(directory).resolve()
        if root.is_relative_to(ours) and root.is_dir():
            names.update(p.relative_to(root).as_posix() for p in root.rglob("*.html"))
    return sorted(names)


def warm() -> dict[str, float | int]:
    """Load the URLconf, compile every template into the cached loaders and load the
    translation catalogues; returns what was done and its CPU seconds."""
    started = time.process_time()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (imports every view module)
    resolver.reverse_dict  # noqa: B018 (the reverse lookup table, built once)
    templates = 0
    for name in _template_names():
        for engine in engines.all():
            try:
                engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):
                # A fragment meant for inclusion elsewhere may not stand alone; its page
                # compiles it when first used, as without the warm-up.
                continue
            templates += 1
            break
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("事件")
    connections.close_all()
    return {"templates": templates, "cpu_s": round(time.process_time() - started, 3)}
