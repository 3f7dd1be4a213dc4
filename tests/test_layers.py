"""The layers cost only what they use: reading the store imports neither pandas nor
pythainlp, and ``ita-etl compare`` does not import pandas (issue 9). Each check runs in a
fresh interpreter, since this test process has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ITA_ETL, SAMPLES

HEAVY = ("pandas", "pythainlp", "nlpo3", "bs4", "pdfminer", "pdfplumber")


def _imported_after(code: str) -> set[str]:
    """The top-level packages among HEAVY that ``code`` leaves in sys.modules."""
    report = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\nimport sys, json\n{report}"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out.splitlines()[-1])) & set(HEAVY)


def test_the_store_layer_imports_no_pandas_and_no_thai_dictionary() -> None:
    loaded = _imported_after(
        "import loaders, loaders.store, loaders.queries, loaders.search, loaders.locks"
    )
    assert loaded == set()


def test_the_library_object_imports_no_pandas_until_a_dataframe_is_asked_for() -> None:
    assert _imported_after("import etl; etl.Database") == set()
    assert "pandas" in _imported_after("import etl; etl.measures")


def test_compare_prints_without_pandas(tmp_path: Path) -> None:
    db = tmp_path / "ita.db"
    for name in ("dla_2566.txt", "dla_2567.html"):
        subprocess.run(
            [*ITA_ETL, "ingest", str(SAMPLES / name), "--db", str(db), "--workers", "0", "-q"],
            check=True,
            capture_output=True,
        )
    code = (
        "import sys\n"
        "from etl.app.cli import app\n"
        f"app(['compare', '--agency', 'สถ.', '--from', '2566', '--to', '2567', '--db', {str(db)!r},"
        " '-f', 'json'], standalone_mode=False)"
    )
    loaded = _imported_after(code)
    assert "pandas" not in loaded
    assert "pythainlp" not in loaded
