"""Real Thai government PDFs (../shared/realdocs) through ``extract``: none crashes it.

They are not integrity-measure reports (MANIFEST.tsv: MOPH ITA evidence documents and blank
local-administration forms), so each must end in a clear ``InputError`` naming the file:
no report table, or a table whose columns are not a report's. Their text layers carry the
real defects of domain.md, so this is where a crash on a broken font or an odd page would
show. Skipped where ../shared is not present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import NoReportTableError, UnrecognisedColumnsError, extract_file

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"
PDFS = sorted(REALDOCS.rglob("*.pdf")) if REALDOCS.is_dir() else []

pytestmark = [
    pytest.mark.realdocs,
    pytest.mark.skipif(not PDFS, reason=f"{REALDOCS} is not present"),
]


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_not_a_report_is_said_in_one_line(path: Path) -> None:
    with pytest.raises((NoReportTableError, UnrecognisedColumnsError)) as caught:
        extract_file(path)
    line = caught.value.one_line()
    assert line.startswith(f"{path}: ")
    assert "\n" not in line
