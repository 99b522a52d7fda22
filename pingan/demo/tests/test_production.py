"""Production leaves the demo out (issue 15, item 7): with PINGAN_ENV=production the app is
not installed, no demo command exists, and nothing imports pingan.demo, so a production
tree without the folder works too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from pingan.web.tests.test_security_pages import deploy_env

BASE_DIR = Path(settings.BASE_DIR)
DEMO_COMMANDS = {
    p.stem
    for p in (Path(__file__).resolve().parents[1] / "management" / "commands").glob("*.py")
    if not p.stem.startswith("_")
}
# manage.py with pingan.demo unimportable: any import of it, direct or not, fails.
WITHOUT_DEMO = (
    "import runpy, sys; sys.modules['pingan.demo'] = None; "
    "sys.argv = ['manage.py', *sys.argv[1:]]; runpy.run_path('manage.py', run_name='__main__')"
)


def test_the_demo_commands_are_the_ones_make_demo_and_the_benchmarks_use():
    assert {"load_demo", "load_field_demo", "demo_accounts", "channel_demo", "open311_demo"} <= (
        DEMO_COMMANDS
    )
    assert "generate_events" in DEMO_COMMANDS
    assert "load_catalogue" not in DEMO_COMMANDS  # production set-up: pingan/routing


@pytest.mark.slow  # fresh processes with production settings (about 25 s)
def test_production_installs_no_demo_and_never_imports_it(tmp_path):
    run = {"cwd": BASE_DIR, "env": deploy_env(tmp_path), "capture_output": True, "text": True}

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", WITHOUT_DEMO, *args], **run)

    migrated = manage("migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    checked = manage("check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = manage("help")
    assert listed.returncode == 0, listed.stderr
    commands = {line.strip() for line in listed.stdout.splitlines() if line.startswith("    ")}
    assert "[demo]" not in listed.stdout
    assert not commands & DEMO_COMMANDS
    assert {"load_catalogue", "import_regions", "channel_setup", "migrate"} <= commands
    installed = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.apps import apps; print(apps.is_installed('pingan.demo'))",
    )
    assert installed.stdout.strip() == "False", installed.stderr
    # Outside production the demo is there.
    dev = {**run["env"], "PINGAN_ENV": "development"}
    dev_help = subprocess.run([sys.executable, "manage.py", "help"], **{**run, "env": dev})
    dev_commands = {line.strip() for line in dev_help.stdout.splitlines()}
    assert dev_commands >= DEMO_COMMANDS, dev_help.stderr
