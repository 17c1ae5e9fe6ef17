"""The test tree collects in any combination of folders (``pytest tests/reports tests/tracking``).

pytest's default import mode puts each test folder on ``sys.path`` and imports every
``conftest.py`` as a module named ``conftest``: a test that does ``from conftest import ...``
gets whichever folder's conftest was imported first. Shared helpers therefore live in modules
with names unique across the tree (``report_fakes``, ``tracking_fakes``, ``mc_fakes``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def test_no_test_module_imports_conftest() -> None:
    offenders = [str(p.relative_to(TESTS)) for p in TESTS.rglob("*.py")
                 if "conftest" in _imported_modules(p)]
    assert offenders == []


def test_module_names_other_than_conftest_are_unique() -> None:
    counts = Counter(p.name for p in TESTS.rglob("*.py") if p.name != "conftest.py")
    assert [name for name, n in counts.items() if n > 1] == []


def test_two_folders_with_conftests_collect_together() -> None:
    folders = [str(TESTS / f) for f in ("reports", "tracking", "sensors", "montecarlo")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *folders, "--collect-only", "-q", "-n", "0",
         "-p", "no:cacheprovider"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "error" not in done.stdout.splitlines()[-1]
