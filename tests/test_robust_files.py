"""Hostile and damaged files (issue 13): each ends as one line naming the file and the reason,
exit 2, recorded at stage ``input`` in a batch and not tried again; none hangs, none runs the
machine out of memory, none is reported as an internal error.

The hostile files are made by tests/fixtures/hostile.py; benchmarks/robustness.py runs many
more (seeded mutations of the samples) through the same command.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import HANG_GUARD, ITA_ETL, SAMPLES, endless_pdf_bytes
from fixtures import hostile


def extract(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``ita-etl extract`` as a real process; a run past HANG_GUARD is a hang, and fails."""
    try:
        return subprocess.run(
            [*ITA_ETL, "extract", str(path), *options],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"extract {path.name} did not end")


def one_clean_line(done: subprocess.CompletedProcess[str], path: Path, reason: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: "), line
    assert reason in line, line


# --- not a file -------------------------------------------------------------------------------


def test_a_directory_named_like_a_report_is_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "x.pdf"
    folder.mkdir()
    one_clean_line(extract(folder), folder, "not a file: a folder")


def test_extract_on_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    one_clean_line(extract(fifo), fifo, "not a file: a named pipe (FIFO)")


# --- HTML cut short or damaged: loaded, but never silently -------------------------------


def extracted(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def items(doc: dict[str, Any]) -> int:
    return sum(len(entry["items"]) for entry in doc["entries"])


def test_html_cut_short_inside_its_table_says_so(tmp_path: Path) -> None:
    path = tmp_path / "dla_2567.html"
    path.write_bytes(hostile.truncated_html("dla_2567.html", 7410))
    doc = extracted(extract(path))
    assert items(doc) < 61  # the whole report has 61 items
    assert any("cut short" in w for w in doc["warnings"]), doc["warnings"]


def test_html_whose_table_tags_are_broken_says_so(tmp_path: Path) -> None:
    page = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    cut = page.index("</td>", page.index("<tbody>"))
    path = tmp_path / "dla_2567.html"
    path.write_text(page[:cut] + "</tf>" + page[cut + 5 :], encoding="utf-8")
    doc = extracted(extract(path))
    (warning,) = [w for w in doc["warnings"] if "repaired broken markup" in w]
    assert "Unexpected end tag : tf" in warning


def test_whole_html_reports_have_no_markup_warning() -> None:
    for name in ("dla_2566.html", "dla_2567.html", "obt_nongbua_2567.md"):
        doc = extracted(extract(SAMPLES / name))
        assert not [
            w for w in doc["warnings"] if "markup" in w or "cut short" in w or "fewer cells" in w
        ], name


@pytest.mark.parametrize("name", ["dla_2567.html", "obt_nongbua_2567.md"])
def test_a_table_row_that_lost_a_cell_says_so(tmp_path: Path, name: str) -> None:
    """The one silent partial robustness.py found: a chunk deleted with a whole cell in it
    leaves balanced markup, and the grid padded the row without a word."""
    page = (SAMPLES / name).read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"<tr[\s>]", page)]
    rows = [r for r in starts if page.count("<td", r, page.index("</tr>", r)) >= 3]
    row = rows[len(rows) // 2]  # a measure's row (not a heading) in the middle of the report
    start = page.index("<td", row)
    end = page.index("</td>", start) + len("</td>")
    assert page.index("</tr>", row) > end  # the cell is this row's own
    path = tmp_path / name
    path.write_text(page[:start] + page[end:], encoding="utf-8")
    doc = extracted(extract(path))
    (warning,) = [w for w in doc["warnings"] if "fewer cells" in w]
    assert re.match(r"table \d+: (row \d+ has|rows [\d, …]+ have) fewer cells", warning), warning


# --- extract and text run under ingest's limits -------------------------------------------


@pytest.mark.parametrize("command", ["extract", "text"])
def test_a_parse_that_never_ends_is_stopped_at_the_time_limit(tmp_path: Path, command: str) -> None:
    path = tmp_path / "endless.pdf"
    path.write_bytes(endless_pdf_bytes())
    try:
        done = subprocess.run(
            [*ITA_ETL, command, str(path), "--doc-timeout", "2", "--ocr", "never"],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{command} did not stop the endless parse")
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {path}: timed out after 2 s"


def test_a_document_over_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile.inflate_bomb_pdf(250))  # under the decoding budget: memory stops it
    done = extract(path, "--doc-memory", "300", "--ocr", "never")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"error: {path}: ran out of memory (over the worker's memory limit, --doc-memory)"
    )


# --- hostile PDFs: bad input, said at once ---------------------------------------------------


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (hostile.self_referencing_pdf, "the PDF is damaged (object 8 refers to itself)"),
        (
            hostile.reference_cycle_pdf,
            "the PDF is damaged (objects 8, 9 refer to one another in a cycle)",
        ),
        (hostile.deep_page_tree_pdf, "the PDF is damaged (objects nested too deeply to read)"),
    ],
    ids=["self-reference", "reference-cycle", "deep-page-tree"],
)
def test_a_pdf_that_would_loop_or_recurse_is_bad_input(
    tmp_path: Path, make: Callable[[], bytes], reason: str
) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(make())
    one_clean_line(extract(path, "--ocr", "never"), path, reason)


def test_a_decompression_bomb_stops_at_the_decoding_budget_not_the_memory_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile.inflate_bomb_pdf(1536))  # 1.5 MB that inflates to 1.5 GB
    done = extract(path, "--doc-memory", "1024", "--ocr", "never")
    one_clean_line(done, path, "the PDF's streams decode to more than 256 MB")


def test_pdfminer_warnings_are_the_documents_not_stray_stderr_lines(tmp_path: Path) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(hostile.damaged_stream_pdf())
    done = subprocess.run(
        [*ITA_ETL, "text", str(path), "--ocr", "never"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    assert "Hello" in done.stdout
    assert done.stderr.strip().splitlines() == [
        f"warning: {path}: the PDF reader warned: Data-loss while decompressing corrupted data"
    ]


@pytest.mark.parametrize(
    ("depth", "reason"),
    [
        (20_000, "the HTML file is nested too deeply to read"),
        (100_000, "the HTML file has 200,010 tags, more than the 100,000 a report may have"),
    ],
)
def test_html_nested_thousands_deep_is_bad_input(tmp_path: Path, depth: int, reason: str) -> None:
    path = tmp_path / "deep.html"
    path.write_bytes(hostile.deep_html(depth))
    one_clean_line(extract(path), path, reason)


@pytest.mark.parametrize("name", sorted(hostile.malformed_page_pdfs()))
def test_a_pdf_whose_page_is_malformed_is_bad_input(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(hostile.malformed_page_pdfs()[name])
    one_clean_line(extract(path, "--ocr", "never"), path, "the PDF is truncated or damaged")


# --- in a batch: recorded as bad input, not tried again ------------------------------------


def test_a_nightly_rerun_over_unchanged_bad_files_exits_0_and_retries_nothing(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "dla_2567.html").write_bytes((SAMPLES / "dla_2567.html").read_bytes())
    bad = {
        "self_reference.pdf": hostile.self_referencing_pdf(),
        "page_tree.pdf": hostile.deep_page_tree_pdf(20_000),
        "cropbox.pdf": hostile.malformed_page_pdfs()["cropbox_is_a_number"],
        "nested.html": hostile.deep_html(20_000),
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    db = str(tmp_path / "ita.db")
    command = [*ITA_ETL, "ingest", str(folder), "--db", db, "-w", "1", "--ocr", "never"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD)
    assert first.returncode == 1, first.stderr
    failed = sorted(line.split(": ")[0] for line in first.stderr.strip().splitlines())
    assert failed == sorted(str(folder / name) for name in bad)
    assert "unexpected" not in first.stderr

    status = subprocess.run(
        [*ITA_ETL, "status", "--db", db, "--failed", "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    stages = {Path(row["path"]).name: row["stage"] for row in json.loads(status.stdout)}
    assert stages == dict.fromkeys(bad, "input")

    again = subprocess.run(command, capture_output=True, text=True, timeout=HANG_GUARD)
    assert again.returncode == 0, again.stderr
    assert "0 failed, 4 failed before (not retried" in again.stdout
    assert "nothing parsed" in again.stdout


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("bom", ["utf-16", "utf-16-be"])
def test_utf16_html_with_a_bom_reads_as_the_utf8_page(tmp_path: Path, bom: str) -> None:
    page = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    path = tmp_path / "dla_2567.html"
    path.write_bytes(("\ufeff" + page).encode(bom) if bom == "utf-16-be" else page.encode(bom))
    utf16 = extracted(extract(path))
    utf8 = extracted(extract(SAMPLES / "dla_2567.html"))
    assert utf16["entries"] == utf8["entries"]
    assert items(utf16) == 61


# --- a folder scan says what it skipped ---------------------------------------------------


def test_a_folder_scan_names_the_links_folders_and_pipes_it_skips(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "dla_2567.html").write_bytes((SAMPLES / "dla_2567.html").read_bytes())
    (folder / "loop.pdf").symlink_to("loop.pdf")
    (folder / "dangling.pdf").symlink_to("nowhere.pdf")
    (folder / "x.pdf").mkdir()
    os.mkfifo(folder / "pipe.html")
    done = subprocess.run(
        [*ITA_ETL, "ingest", str(folder), "--db", str(tmp_path / "ita.db"), "-w", "1"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"{folder / 'dangling.pdf'}: skipped (a dangling link to nowhere.pdf)",
        f"{folder / 'loop.pdf'}: skipped (a symbolic link loop)",
        f"{folder / 'pipe.html'}: skipped (a named pipe (FIFO))",
        f"{folder / 'x.pdf'}: skipped (a folder)",
    ]
    assert "1 new" in done.stdout
    assert "4 skipped (named like reports but not files to read)" in done.stdout


# --- memory: a document process stays under 1 GB ------------------------------------------


def test_a_50_mb_html_page_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_bytes(hostile.big_html(50))
    done = extract(path, "--doc-memory", "1024")
    one_clean_line(done, path, "tags, more than the 100,000 a report may have")


def test_a_40000_character_thai_query_is_refused_in_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "ita.db")
    subprocess.run(
        [*ITA_ETL, "ingest", str(SAMPLES / "dla_2567.html"), "--db", db, "-w", "0"],
        capture_output=True,
        check=True,
    )
    query = ("การปฏิบัติหน้าที่ด้วยความซื่อสัตย์สุจริต" * 1000)[:40_000]
    done = subprocess.run(
        [*ITA_ETL, "search", query, "--db", db],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 64
    assert done.stderr.strip() == (
        "error: the query is 40,000 characters; search takes at most 1,000 "
        "(a phrase of a measure, not a document)"
    )


# --- ingest: a new version that lost many items is said --------------------------------------


def test_a_new_version_cut_short_is_loaded_with_a_warning(tmp_path: Path) -> None:
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    whole.mkdir()
    cut.mkdir()
    (whole / "dla_2567.html").write_bytes((SAMPLES / "dla_2567.html").read_bytes())
    (cut / "dla_2567.html").write_bytes(hostile.truncated_html("dla_2567.html", 7410))
    db = str(tmp_path / "ita.db")
    for folder in (whole, cut):
        done = subprocess.run(
            [*ITA_ETL, "ingest", str(folder), "--db", db, "-w", "1", "--log-format", "json"],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        assert done.returncode == 0, done.stderr
    (event,) = [e for e in map(json.loads, done.stdout.splitlines()) if e["event"] == "document"]
    assert (event["status"], event["version"]) == ("updated", 2)
    assert event["warnings"] == [
        "this version has 35 items where version 1 had 61: is the file cut short or "
        "incomplete? (version 1 is kept, superseded)"
    ]
    shown = subprocess.run(
        [*ITA_ETL, "report", "--db", db, "--all", "-o", str(tmp_path / "report.html")],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert shown.returncode == 0, shown.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "this version has 35 items where version 1 had 61" in page
    assert "the HTML ends inside a table" in page


def test_a_new_version_that_drops_a_measure_has_no_such_warning(tmp_path: Path) -> None:
    page = (SAMPLES / "dla_2567.html").read_text(encoding="utf-8")
    last_row = page.rindex("<tr>", 0, page.index("</tbody>"))
    revised = tmp_path / "revised" / "dla_2567.html"
    revised.parent.mkdir()
    revised.write_text(page[:last_row] + page[page.index("</tbody>") :], encoding="utf-8")
    db = str(tmp_path / "ita.db")
    lines = []
    for path in (SAMPLES / "dla_2567.html", revised):
        done = subprocess.run(
            [*ITA_ETL, "ingest", str(path), "--db", db, "-w", "0"],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
        assert done.returncode == 0, done.stderr
        lines.append(done.stdout.splitlines()[0])
    assert lines[1] == f"{revised}: updated (สถ. 2567 version 2)"


# --- Markdown pipe tables by GFM's rule ------------------------------------------------------


def test_an_escaped_pipe_stays_in_its_markdown_cell(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text(
        "# รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรม ของเทศบาลเมืองบ้านไผ่ ปีงบประมาณ 2568\n\n"
        "| ตัวชี้วัด | มาตรการ | ผู้รับผิดชอบ |\n"
        "|---|---|---|\n"
        "| ตัวชี้วัดที่ 7 ประสิทธิภาพการสื่อสาร | - เปิดช่องทาง Facebook \\| Line<br>- ตอบคำถาม"
        "ภายใน 1 วัน | สำนักปลัด |\n",
        encoding="utf-8",
    )
    doc = extracted(extract(path))
    (entry,) = doc["entries"]
    measures = [i["text"] for i in entry["items"] if i["role"] == "measure"]
    units = [i["text"] for i in entry["items"] if i["role"] == "unit"]
    assert measures == ["เปิดช่องทาง Facebook | Line", "ตอบคำถามภายใน 1 วัน"]
    assert units == ["สำนักปลัด"]


# --- the pdfminer the subclasses and guards were written for --------------------------------


def test_the_installed_pdfminer_is_one_ita_etl_was_written_for() -> None:
    """extractors/pdf_glyphs.py subclasses pdfminer's interpreter and pdfplumber's device and
    reads their internals; extractors/pdfguard.py replaces globals that ``PDFStream.decode``
    calls. Another pdfminer may have moved any of them: say which, loudly."""
    import importlib.metadata
    import inspect
    import tomllib

    from packaging.requirements import Requirement
    from pdfminer import pdftypes
    from pdfminer.converter import PDFLayoutAnalyzer
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    from extractors import pdfguard

    project = tomllib.loads((SAMPLES.parent / "pyproject.toml").read_text(encoding="utf-8"))
    (pin,) = [
        Requirement(r)
        for r in project["project"]["dependencies"]
        if Requirement(r).name == "pdfminer.six"
    ]
    installed = importlib.metadata.version("pdfminer.six")
    written_for = (
        f"ita-etl's pdfminer subclasses (extractors/pdf_glyphs.py) and guards "
        f"(extractors/pdfguard.py) were written for {pin}"
    )
    assert installed in pin.specifier, (
        f"pdfminer.six {installed} is installed, but {written_for}: install a version in that "
        "range, or check both modules against this one and widen the pin in pyproject.toml"
    )
    problems = []
    decode = inspect.getsource(pdftypes.PDFStream.decode)
    for name in (*pdfguard.REPLACED, *pdfguard.COUNTED_DECODERS):
        if not hasattr(pdftypes, name):
            problems.append(f"pdfminer.pdftypes has no {name}")
    for call in ("zlib.decompress(", "lzwdecode(", "decompress_corrupted(", "rldecode("):
        if call not in decode:
            problems.append(f"PDFStream.decode no longer calls {call}…)")
    if not hasattr(pdftypes.PDFObjRef, "resolve"):
        problems.append("PDFObjRef has no resolve")
    render = list(inspect.signature(PDFLayoutAnalyzer.render_char).parameters)
    expected = ["self", "matrix", "font", "fontsize", "scaling", "rise", "cid", "ncs"]
    if render[: len(expected)] != expected:
        problems.append(f"render_char's parameters are {render}, not {expected}…")
    for cls, method in (
        (PDFPageInterpreter, "init_resources"),
        (PDFPageInterpreter, "do_BDC"),
        (PDFPageAggregatorWithMarkedContent, "begin_tag"),
        (PDFPageAggregatorWithMarkedContent, "end_tag"),
        (PDFPageAggregatorWithMarkedContent, "render_char"),
    ):
        if not callable(getattr(cls, method, None)):
            problems.append(f"{cls.__name__} has no {method}")
    assert problems == [], f"pdfminer.six {installed}: {written_for}; it has changed: {problems}"


# --- office files whose compressed parts are damaged ------------------------------------------


@pytest.mark.parametrize(
    ("sample", "member"),
    [
        ("xlsx/dla_2566.xlsx", "xl/worksheets/sheet1.xml"),
        ("docx/dla_2566__Laksaman__ruled.docx", "word/document.xml"),
    ],
)
def test_an_office_file_whose_part_cannot_be_inflated_is_bad_input(
    tmp_path: Path, sample: str, member: str
) -> None:
    path = tmp_path / Path(sample).name
    path.write_bytes(hostile.damaged_deflate(SAMPLES / sample, member))
    one_clean_line(extract(path), path, "is damaged or incomplete")


def test_a_text_report_cut_short_mid_row_says_so(tmp_path: Path) -> None:
    data = (SAMPLES / "dla_2566.txt").read_bytes()
    path = tmp_path / "dla_2566.txt"
    path.write_bytes(data[: data.index(b"\t", len(data) // 4)])  # inside a row, after a cell
    doc = extracted(extract(path))
    assert items(doc) < 56
    assert any("cut short" in w and "of 5 cells" in w for w in doc["warnings"]), doc["warnings"]
