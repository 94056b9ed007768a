"""Layers point one way: the core never imports streamlit, the UI and the pages import no torch,
and no test module imports another (DESIGN.md "Layers" and "Habits")."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import ganlab

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "ganlab"
UI = PKG / "ui"


def core_modules() -> list[str]:
    """Every module of the package outside ganlab.ui, found by walking the package (not listed by
    hand, so a new module is checked the day it lands). `__main__` is the CLI entry point:
    importing it runs the command."""
    found = [m.name for m in pkgutil.walk_packages(ganlab.__path__, prefix="ganlab.")]
    return [
        "ganlab",
        *sorted(
            name
            for name in found
            if not (name == "ganlab.ui" or name.startswith("ganlab.ui."))
            and name.rsplit(".", 1)[-1] != "__main__"
        ),
    ]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every absolute import in a file, at any depth (lazy ones too)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.lineno, node.module)]
    return out


def offenders(files, banned: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imports(path)
        if module == banned or module.startswith(banned + ".")
    ]


def core_files() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if UI not in p.parents)


# A fresh interpreter: imports each module in turn and names the first one that pulls streamlit in.
_PROBE = """
import importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    if "streamlit" in sys.modules:
        print(name)
        break
"""


def test_discovery_finds_the_core_modules():
    mods = core_modules()
    assert {"ganlab.training", "ganlab.config", "ganlab.targets"} <= set(mods)
    assert not any(m.startswith("ganlab.ui") for m in mods)


@pytest.mark.slow  # a fresh interpreter importing torch, scipy, altair, pandas: ~8 s
def test_importing_every_core_module_does_not_import_streamlit():
    mods = core_modules()
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(mods)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    culprit = done.stdout.strip()
    assert not culprit, f"importing {culprit} imports streamlit (checked {len(mods)} modules)"


def test_the_ui_imports_no_torch():
    files = sorted(UI.rglob("*.py"))
    assert files
    bad = offenders(files, "torch")
    assert not bad, "ganlab/ui must not import torch:\n" + "\n".join(bad)


def test_the_core_imports_no_streamlit():
    bad = offenders(core_files(), "streamlit")
    assert not bad, "only ganlab/ui may import streamlit:\n" + "\n".join(bad)


def test_pages_and_app_import_no_torch():
    files = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    bad = offenders(files, "torch")
    assert not bad, "pages call a view from ganlab.ui and import no torch:\n" + "\n".join(bad)


def test_no_test_module_imports_another():
    """Shared helpers live in helper modules (chart_checks.py, ui_pages.py) or conftest.py."""
    tests = sorted(Path(__file__).parent.glob("test_*.py"))
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in tests
        for line, module in imports(path)
        if module.rsplit(".", 1)[-1].startswith("test_") or module.startswith("tests.test_")
    ]
    assert not bad, "move shared helpers out of test modules:\n" + "\n".join(bad)


# What pages draw from is plain data: a chart, a table or a variant's words can be built in a
# notebook (or a process that never trains) without loading torch.
TORCH_FREE = [
    "ganlab.config",
    "ganlab.variants",
    "ganlab.result",
    "ganlab.report",
    "ganlab.metrics",
    "ganlab.compare",
    "ganlab.lessons",
    "ganlab.charts.training",
    "ganlab.charts.compare",
    "ganlab.charts.frames",
    "ganlab.timeline",
    "ganlab.service",
    "ganlab.export",
    "ganlab.dirac",
    "ganlab.charts.dirac",
]


@pytest.mark.slow
def test_what_pages_draw_from_loads_no_torch():
    probe = (
        "import importlib, sys\n"
        f"for name in {TORCH_FREE!r}:\n"
        "    importlib.import_module(name)\n"
        "    assert 'torch' not in sys.modules, name + ' imports torch'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
