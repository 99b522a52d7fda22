"""The region-path rule (`pingan.geo.scope`), and a walk of the source that keeps it the
only place comparing region paths (issue 15, "Actor and scope")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pingan.geo import scope
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.geo.selectors import region_subtree
from pingan.geo.services import region_upsert

COUNTY = "330424/"
TOWN_A = "330424/330424001/"
TOWN_B = "330424/330424002/"
GRID_A1 = "330424/330424001/330424001001/"
# A code that starts with town A's code: a string prefix, not a region inside town A.
LOOKALIKE = "330424/3304240011/"


# ---- the rule, in Python --------------------------------------------------------------


def test_narrowest_drops_paths_inside_others_shortest_first():
    assert scope.narrowest([GRID_A1, TOWN_B, TOWN_A, TOWN_A]) == [TOWN_A, TOWN_B]
    assert scope.narrowest([GRID_A1, COUNTY, TOWN_B]) == [COUNTY]
    assert scope.narrowest([]) == []


def test_narrowest_keeps_a_lookalike_code_that_is_not_inside():
    assert scope.narrowest([TOWN_A, LOOKALIKE]) == [TOWN_A, LOOKALIKE]


def test_within_a_path_covers_itself_and_its_subtree_only():
    assert scope.within(TOWN_A, [TOWN_A])
    assert scope.within(GRID_A1, [TOWN_B, TOWN_A])
    assert scope.within(GRID_A1, [COUNTY])
    assert not scope.within(TOWN_A, [GRID_A1])
    assert not scope.within(GRID_A1, [TOWN_B])
    assert not scope.within(LOOKALIKE, [TOWN_A])
    assert not scope.within(TOWN_A, [])


def test_overlaps_either_way_but_not_between_siblings():
    assert scope.overlaps(TOWN_A, [GRID_A1])
    assert scope.overlaps(GRID_A1, [TOWN_A])
    assert scope.overlaps(TOWN_A, [TOWN_A])
    assert not scope.overlaps(TOWN_A, [TOWN_B])
    assert not scope.overlaps(TOWN_A, [LOOKALIKE])
    assert not scope.overlaps(TOWN_A, [])


# ---- the rule, as a query -------------------------------------------------------------


@pytest.fixture
def tree(db) -> dict[str, Region]:
    county, _ = region_upsert(code="330424", name="海盐县", level=Level.COUNTY)
    town_a, _ = region_upsert(code="330424001", name="武原街道", level=Level.TOWN, parent=county)
    town_b, _ = region_upsert(code="330424002", name="西塘桥街道", level=Level.TOWN, parent=county)
    lookalike, _ = region_upsert(
        code="3304240011", name="另一街道", level=Level.TOWN, parent=county
    )
    grid_a1, _ = region_upsert(
        code="330424001001", name="城东第一网格", level=Level.GRID, parent=town_a
    )
    grid_b1, _ = region_upsert(
        code="330424002001", name="西塘第一网格", level=Level.GRID, parent=town_b
    )
    return {
        "county": county,
        "town_a": town_a,
        "town_b": town_b,
        "lookalike": lookalike,
        "grid_a1": grid_a1,
        "grid_b1": grid_b1,
    }


def _codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_within_q_selects_the_subtrees_of_the_given_paths(tree):
    # given two paths, one inside the other, and a sibling town
    paths = [tree["town_a"].path, tree["grid_a1"].path, tree["grid_b1"].path]
    # when filtering the tree
    found = _codes(Region.objects.filter(scope.within_q("path", paths)))
    # then town A's subtree and grid B1, not town B, not the look-alike code
    assert found == {"330424001", "330424001001", "330424002001"}


def test_within_q_without_paths_selects_nothing(tree):
    assert not Region.objects.filter(scope.within_q("path", [])).exists()


def test_within_q_follows_a_relation(tree):
    # the children of the regions inside town A: filtering through the parent's path
    q = scope.within_q("parent__path", [tree["town_a"].path])
    assert _codes(Region.objects.filter(q)) == {"330424001001"}


def test_region_subtree_and_contains_use_the_rule(tree):
    assert _codes(region_subtree(tree["town_a"])) == {"330424001", "330424001001"}
    assert tree["town_a"].contains(tree["grid_a1"])
    assert tree["town_a"].contains(tree["town_a"])
    assert not tree["town_a"].contains(tree["lookalike"])
    assert not tree["grid_a1"].contains(tree["town_a"])


def test_moving_a_town_moves_its_subtree_and_nothing_else(tree):
    # when town A moves under town B
    region_upsert(code="330424001", name="武原街道", level=Level.TOWN, parent=tree["town_b"])
    # then its grid's path follows, and the look-alike town stays where it was
    grid = Region.objects.get(code="330424001001")
    assert grid.path == "330424/330424002/330424001/330424001001/"
    assert Region.objects.get(code="3304240011").path == "330424/3304240011/"


# ---- nothing else compares region paths ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]  # the repository: pingan/ lives here
RULE = "pingan/geo/scope.py"

# A query lookup on a path column: path__startswith, region_path__startswith,
# region__path__startswith, or a computed field f"{field}__startswith".
_LOOKUP = re.compile(r"(?:\bpath|_path|\})__startswith\b")
# A str.startswith call: the receiver and its first argument.
_CALL = re.compile(r"([\w.\[\]]+)\.startswith\(\s*([^,)]*)")
# An expression naming a region path: x.path, x_path, path (and `p`, the usual loop name).
_PATHISH = re.compile(r"(?:^|[._])path$|^p$")


def _constant(arg: str) -> bool:
    """A literal, a setting or a module constant: a URL prefix, not a region path."""
    arg = arg.strip()
    return not arg or arg[0] in "\"'(" or arg.startswith("settings.") or arg.isupper()


def compares_region_paths(line: str) -> bool:
    """Whether a line of source compares region paths by prefix (`request.path` checks
    against URL prefixes are not region scope)."""
    if line.lstrip().startswith("#"):
        return False
    if _LOOKUP.search(line):
        return True
    for m in _CALL.finditer(line):
        receiver, arg = m.group(1), m.group(2).strip()
        if receiver.endswith("request.path"):
            continue
        if _PATHISH.search(receiver) and not _constant(arg):
            return True
        if _PATHISH.search(arg):
            return True
    return False


def _sources() -> list[Path]:
    assert (ROOT / RULE).is_file(), f"the walk starts at the wrong place: {ROOT}"
    out = []
    for path in sorted((ROOT / "pingan").rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts or rel.as_posix() == RULE:
            continue
        out.append(path)
    return out


def _offences() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if compares_region_paths(line):
                found.setdefault(rel, []).append(f"{rel}:{n}: {line.strip()}")
    return found


@pytest.mark.parametrize(
    "line",
    [
        "qs.filter(region_path__startswith=region.path)",
        "Region.objects.filter(path__startswith=old_path)",
        "q |= Q(region__path__startswith=t.path)",
        'q |= Q(**{f"{field}__startswith": p})',
        "return other.path.startswith(self.path)",
        "any(lead.region_path.startswith(r.path) for r in regions)",
        "any(path.startswith(p) for p in paths)",
        "[p for p in paths if p.startswith(region.path)]",
        "any(r.grid_path.startswith(p) for p in paths)",
    ],
)
def test_the_walk_finds_a_region_path_comparison(line):
    assert compares_region_paths(line)


@pytest.mark.parametrize(
    "line",
    [
        'if request.path.startswith("/api/"):',
        "if request.path.startswith(settings.STATIC_URL):",
        "if request.path.startswith(prefix):",
        'if not path or path.startswith(("http://", "https://")):',
        'path.startswith("/login/") or path == "/api/v1/auth/token"',
        "if path.startswith(settings.STATIC_URL) or path == '/healthz':",
        'if key.startswith("town:"):',
        "return scope.within(other.path, (self.path,))",
        "# region_path__startswith, in a comment",
    ],
)
def test_the_walk_leaves_url_and_other_prefixes_alone(line):
    assert not compares_region_paths(line)


def test_no_region_path_comparison_outside_the_scope_module():
    offences = _offences()
    assert not offences, (
        "Region paths are compared in pingan.geo.scope only (narrowest, within, overlaps, "
        "within_q) or through the actor (pingan.access):\n"
        + "\n".join(line for lines in offences.values() for line in lines)
    )
