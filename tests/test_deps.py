"""requirements.txt (read by Community Cloud) and pyproject.toml (read by pip) ask for the same
packages with the same bounds, and constraints.txt (the versions CI tests) satisfies both."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"


def lines(name: str) -> list[str]:
    text = (ROOT / name).read_text()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def by_name(reqs) -> dict[str, Requirement]:
    out: dict[str, Requirement] = {}
    for text in reqs:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name not in out, f"{req.name} is listed twice"
        out[name] = req
    return out


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = by_name(PROJECT["dependencies"])
TEST = by_name(PROJECT["optional-dependencies"]["test"])
REQUIREMENTS = by_name(ln for ln in lines("requirements.txt") if not ln.startswith("-"))
PINS = {canonicalize_name(r.name): r for r in by_name(lines("constraints.txt")).values()}


def without_local(spec: str) -> str:
    """`==2.13.0+cpu` → `==2.13.0`: the CPU wheel's local label is the one allowed difference."""
    return spec.split("+")[0]


def test_requirements_name_the_same_packages_as_pyproject():
    assert sorted(REQUIREMENTS) == sorted(RUNTIME)


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_requirements_bounds_equal_pyprojects(name):
    ours, theirs = REQUIREMENTS[name], RUNTIME[name]
    assert ours.marker == theirs.marker and ours.extras == theirs.extras
    assert {without_local(str(s)) for s in ours.specifier} == {str(s) for s in theirs.specifier}


def test_only_torch_carries_the_cpu_label_and_the_cpu_index_is_named():
    labelled = [n for n, r in REQUIREMENTS.items() if "+" in str(r.specifier)]
    assert labelled == ["torch"] and str(REQUIREMENTS["torch"].specifier) == "==2.13.0+cpu"
    assert str(RUNTIME["torch"].specifier) == "==2.13.0"
    options = [ln for ln in lines("requirements.txt") if ln.startswith("-")]
    assert options == [CPU_INDEX]


def test_constraints_pin_exact_versions_and_not_ganlab():
    assert "ganlab" not in PINS
    for name, req in PINS.items():
        (spec,) = req.specifier
        assert spec.operator == "==" and "*" not in spec.version, f"{name}: pin it exactly"


@pytest.mark.parametrize(
    ("name", "where"),
    [(n, "pyproject.toml") for n in sorted({**RUNTIME, **TEST})]
    + [(n, "requirements.txt") for n in sorted(REQUIREMENTS)],
)
def test_constraints_satisfy_every_requirement(name, where):
    req = {**RUNTIME, **TEST}[name] if where == "pyproject.toml" else REQUIREMENTS[name]
    assert name in PINS, f"constraints.txt has no version of {name} ({where} needs it)"
    pinned = Version(next(iter(PINS[name].specifier)).version)
    assert req.specifier.contains(pinned, prereleases=True), f"{name} {pinned} ∉ {req}"


@pytest.mark.parametrize("name", sorted({**RUNTIME, **TEST}))
def test_this_environment_is_the_constrained_one(name):
    """CI installs with `-c constraints.txt`, so what the suite ran on is what the file says.
    (A laptop that installed without -c sees this fail: reinstall with it, or refresh the file.)"""
    try:
        installed = Version(version(name))
    except PackageNotFoundError:
        pytest.fail(f"{name} is not installed")
    assert installed == Version(next(iter(PINS[name].specifier)).version)
