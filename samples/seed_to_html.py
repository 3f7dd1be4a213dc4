"""Write the seed's text form (dla_2566.txt) as one HTML table (dla_2566.html).

The conversion a person would do by hand: the title lines become headings, the header row is
written once in <thead>, a section row ("๑. IIT (ร้อยละ ๓๐)") becomes one cell spanning the
table, and every cell keeps its HTML (lists, paragraphs, bold). Run from the repository root:

    .venv/bin/python samples/seed_to_html.py
"""

from __future__ import annotations

import html
from pathlib import Path

HERE = Path(__file__).parent


def convert(text: str) -> str:
    title: list[str] = []
    header: list[str] | None = None
    body: list[str] = []
    for line in text.splitlines():
        if line.count("\t") < 2:
            if line.strip() and header is None:
                title.append(line.strip())
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        if cells == header:
            continue
        filled = [c for c in cells if c.strip()]
        if len(filled) == 1 and cells[0].strip():
            body.append(f'<tr><td colspan="{len(header)}">{cells[0]}</td></tr>')
        else:
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    assert header is not None, "no table rows in the seed"
    head = "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in header) + "</tr>"
    headings = "\n".join(f"<h2>{html.escape(t)}</h2>" for t in title)
    rows = "\n".join(body)
    return (
        '<!DOCTYPE html>\n<html lang="th">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(title[0]) if title else ''}</title></head>\n<body>\n{headings}\n"
        f'<table border="1">\n<thead>\n{head}\n</thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n'
        "</body>\n</html>\n"
    )


def main() -> None:
    source = (HERE / "dla_2566.txt").read_text(encoding="utf-8")
    (HERE / "dla_2566.html").write_text(convert(source), encoding="utf-8")


if __name__ == "__main__":
    main()
