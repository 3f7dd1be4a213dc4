"""Real Thai government PDFs (../shared/realdocs) through ``extract``: none crashes it.

They are not integrity-measure reports (MANIFEST.tsv: MOPH ITA evidence documents and blank
local-administration forms), so each must end in a clear ``InputError`` naming the file:
no report table, or a table whose columns are not a report's. Their text layers carry the
real defects of docs/domain.md, so this is where a crash on a broken font or an odd page would
show. Skipped where ../shared is not present.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REALDOCS, needs_realdocs

from etl import NoReportTableError, UnrecognisedColumnsError, extract_file

PDFS = sorted(REALDOCS.rglob("*.pdf")) if REALDOCS.is_dir() else []

pytestmark = [
    pytest.mark.realdocs,
    needs_realdocs("each of its PDFs must end in one clear line, none crash extract"),
]


@pytest.mark.parametrize("path", PDFS or [None], ids=[p.name for p in PDFS] or ["realdocs"])
def test_not_a_report_is_said_in_one_line(path: Path) -> None:
    assert path is not None, f"no PDF in {REALDOCS}"
    with pytest.raises((NoReportTableError, UnrecognisedColumnsError)) as caught:
        extract_file(path)
    line = caught.value.one_line()
    assert line.startswith(f"{path}: ")
    assert "\n" not in line
