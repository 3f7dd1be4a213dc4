"""No record changes: ``extract`` (the JSON export) and ``text`` of every committed sample give
what they gave when the golden files were made (tests/data/golden/make_golden.py, from main
before the speed work of issue 15). A speed-up must read the same records; a change that is
meant to change them regenerates the golden files and shows the difference in its commit.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

GOLDEN = Path(__file__).parent / "data" / "golden"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_golden = _generator()
CASES = list(make_golden.golden_files())


def test_every_input_has_a_golden_file() -> None:
    missing = [str(golden.relative_to(GOLDEN)) for golden, _, _ in CASES if not golden.exists()]
    assert not missing, f"run tests/data/golden/make_golden.py: {missing}"
    assert len(CASES) > 100  # samples, fixtures and excerpts: none silently left out


@pytest.mark.parametrize(
    ("golden", "kind", "relative"), CASES, ids=[f"{kind}:{rel}" for _, kind, rel in CASES]
)
def test_same_as_golden(golden: Path, kind: str, relative: str) -> None:
    expected = golden.read_text(encoding="utf-8")
    now = make_golden.produce(kind, relative)
    if now != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), now.splitlines(keepends=True), "golden", "now"
            )
        )
        pytest.fail(f"{kind} of {relative} changed:\n{diff[:4000]}")
