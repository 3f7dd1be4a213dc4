"""Tables for people: Thai lines wrap between words, never inside one."""

from __future__ import annotations

import io

from rich.console import Console

from etl.app.output import rows_table, wrap
from extractors.thai.words import line_break_pieces


def _render(text: str, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(rows_table(["text"], [[text]]))
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    return [line.strip("│ ") for line in rendered.splitlines() if line.startswith("│")]


def test_regression_compare_table_broke_thai_words() -> None:
    # The quick start's comparison printed "ข่ / าวสาร" and "สังกั / ด" on two lines.
    text = "กำหนดช่องทางให้ผู้ใช้บริการและผู้มาติดต่อขอทราบข้อมูลข่าวสารในสังกัด สถ."
    lines = _render(text, width=24)
    assert len(lines) > 1
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for word in ("ช่องทาง", "ผู้ใช้บริการ", "ข้อมูล", "ข่าวสาร", "สังกัด", "สถ."):
        assert any(word in line for line in lines), (word, lines)


def test_break_pieces_keep_abbreviations_urls_and_spaces() -> None:
    pieces = line_break_pieces("ในสังกัด สถ. พ.ศ. 2566 www.dla.go.th")
    assert "สถ." in pieces and "พ.ศ." in pieces and "www.dla.go.th" in pieces
    assert "".join(pieces) == "ในสังกัด สถ. พ.ศ. 2566 www.dla.go.th"


def test_wrap_fills_lines_and_drops_spaces_at_the_break() -> None:
    assert wrap(["ab", " ", "cd", " ", "ef"], 5) == ["ab cd", "ef"]
    assert wrap(["abcdefgh"], 3) == ["abcdefgh"]
    assert wrap([], 10) == [""]
