"""The web process warms itself before taking requests (deploy/gunicorn.conf.py)."""

from __future__ import annotations

import runpy
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines

from pingan.ops.warmup import _template_names, warm


def test_warming_compiles_every_page_template_without_touching_the_database():
    # No `db` fixture: pytest-django refuses any query, so warm() must make none.
    names = _template_names()
    assert "web/event_list.html" in names and "web/base.html" in names
    assert not any(n.startswith("admin/") for n in names)  # third-party ones wait
    done = warm()
    assert done["templates"] == len(names)
    assert all(c.connection is None for c in connections.all())  # none left open
    # The cached loader now answers from memory: the same compiled template object.
    engine = engines.all()[0]
    assert (
        engine.get_template("web/event_list.html").template
        is engine.get_template("web/event_list.html").template
    )


def test_gunicorn_warms_each_worker_before_it_accepts(monkeypatch):
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    called = []
    monkeypatch.setattr(
        "pingan.ops.warmup.warm", lambda: called.append(1) or {"templates": 1, "cpu_s": 0}
    )

    class Log:
        def info(self, *args):
            called.append(args)

    class Worker:
        log = Log()

    conf["post_worker_init"](Worker())
    assert called[0] == 1 and "warmed" in called[1][0]
