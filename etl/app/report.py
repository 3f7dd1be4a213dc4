"""``ita-etl report``: one self-contained HTML page about one agency's loaded years, or an
overview of every agency.

The charts are SVG drawn here, in the page itself: the page has no script and loads
nothing, so it opens offline, from an e-mail or a shared drive, prints as it shows, and
cannot fail in the browser. The browser draws the Thai text with its own fonts. (A
Vega-Lite chart would need about 1 MB of JavaScript inlined in every page, and a bundled
copy of it in the package; the two charts needed here are bars and a grid.)

Changed measures are shown as a word-level diff: both texts cut into words (Thai by the
dictionary, ``extractors.thai.words.line_break_pieces``), then ``difflib`` marks what was
taken out and what was put in.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from extractors.thai.words import line_break_pieces
from loaders.queries import ReportData

STATUSES = ("carried", "changed", "new", "dropped")
STATUS_COLOURS = {
    "carried": "#8da0cb",
    "changed": "#fc8d62",
    "new": "#66c2a5",
    "dropped": "#e78ac3",
}
_OPEN_AGENCIES = 3
"""An overview shows each agency folded away once there are more than this many."""

CSS = """
body { font-family: "Sarabun", "TH Sarabun New", "Laksaman", "Garuda", "Loma",
  "Noto Sans Thai", Tahoma, sans-serif; margin: 2em; color: #222; line-height: 1.5;
  max-width: 72em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; } td.n { text-align: right; }
del { background: #fdd; text-decoration: line-through; }
ins { background: #dfd; text-decoration: none; }
.muted { color: #777; } .warning, .ocr-pages { color: #8a5300; }
svg.chart { display: block; margin: 0.5em 0 1em; }
svg.chart text { font-family: inherit; font-size: 13px; fill: #222; }
details > summary { cursor: pointer; font-size: 1.2em; margin: 0.5em 0; }
"""


@dataclass(frozen=True)
class Cell:
    """One square of a grid chart."""

    label: str
    share: float
    """0..1: how dark the square is."""
    gap: bool
    title: str


def _version() -> str:
    try:
        return version("ita-etl")
    except PackageNotFoundError:
        return "unknown"


def word_diff(before: str, after: str) -> str:
    """HTML of ``after`` with the words taken out of ``before`` in <del> and the words put
    in as <ins>."""
    a, b = line_break_pieces(before), line_break_pieces(after)
    out = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def status_chart(bars: Sequence[tuple[str, Counter[str]]], name: str) -> str:
    """Horizontal stacked bars: one per pair of years, a segment per status."""
    if not bars:
        return '<p class="muted">No two years to compare.</p>'
    label_width, plot_width, bar, gap, top = 130, 520, 24, 10, 34
    biggest = max(sum(c.values()) for _, c in bars) or 1
    height = top + len(bars) * (bar + gap)
    parts = [
        f'<svg class="chart" data-chart="{escape(name)}" role="img" '
        f'width="{label_width + plot_width + 60}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(name)}</title>",
    ]
    x = label_width
    for status in STATUSES:
        parts.append(
            f'<rect x="{x}" y="6" width="14" height="14" fill="{STATUS_COLOURS[status]}"/>'
            f'<text x="{x + 18}" y="18">{status}</text>'
        )
        x += 95
    for row, (label, counts) in enumerate(bars):
        y = top + row * (bar + gap)
        parts.append(f'<text x="0" y="{y + bar * 0.7:.0f}">{escape(label)}</text>')
        x_at = float(label_width)
        for status in STATUSES:
            count = counts.get(status, 0)
            if not count:
                continue
            width = plot_width * count / biggest
            parts.append(
                f'<rect class="bar" x="{x_at:.1f}" y="{y}" width="{width:.1f}" height="{bar}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{escape(label)}: {count} {status}'
                "</title></rect>"
            )
            if width >= 18:
                parts.append(
                    f'<text x="{x_at + width / 2:.1f}" y="{y + bar * 0.7:.0f}" '
                    f'text-anchor="middle">{count}</text>'
                )
            x_at += width
        parts.append(
            f'<text x="{x_at + 6:.1f}" y="{y + bar * 0.7:.0f}" class="muted">'
            f"{sum(counts.values())}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def grid_chart(
    rows: Sequence[tuple[str, str]],
    columns: Sequence[str],
    cells: dict[tuple[str, str], Cell],
    name: str,
) -> str:
    """A grid: a row per (key, label), a column per year, a square per cell shaded by its
    share; a gap (nothing filed) outlined in red."""
    if not rows or not columns:
        return '<p class="muted">Nothing to show.</p>'
    label_width, cell_w, cell_h, top = 300, 70, 26, 24
    width = label_width + cell_w * len(columns) + 10
    height = top + cell_h * len(rows) + 6
    parts = [
        f'<svg class="chart" data-chart="{escape(name)}" role="img" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(name)}</title>",
    ]
    for c, column in enumerate(columns):
        x = label_width + c * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.0f}" y="16" text-anchor="middle">{escape(column)}</text>')
    for r, (key, label) in enumerate(rows):
        y = top + r * cell_h
        parts.append(f'<text x="0" y="{y + 18}">{escape(label)}</text>')
        for c, column in enumerate(columns):
            cell = cells.get((key, column))
            if cell is None:
                continue
            x = label_width + c * cell_w
            shade = 0.12 + 0.78 * max(0.0, min(cell.share, 1.0))
            stroke = ' stroke="#d7301f" stroke-width="2"' if cell.gap else ""
            fill = "#ffffff" if cell.gap else f"rgba(44,127,184,{shade:.2f})"
            parts.append(
                f'<rect class="cell" x="{x + 2}" y="{y + 2}" width="{cell_w - 4}" '
                f'height="{cell_h - 4}" fill="{fill}"{stroke}><title>{escape(cell.title)}'
                "</title></rect>"
                f'<text x="{x + cell_w / 2:.0f}" y="{y + 18}" text-anchor="middle">'
                f"{escape(cell.label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(str(v))}</td>' if i in numeric else f"<td>{v}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pair_label(row: dict[str, Any]) -> str:
    return f"{row['from_year_be']} → {row['to_year_be']}"


def _status_bars(changes: Sequence[dict[str, Any]]) -> list[tuple[str, Counter[str]]]:
    bars: dict[str, Counter[str]] = {}
    for row in changes:
        bars.setdefault(_pair_label(row), Counter())[row["status"]] += 1
    return sorted(bars.items())


def _indicator_rows(coverage: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    seen: dict[int, str] = {}
    for row in coverage:
        seen.setdefault(int(row["indicator_number"]), row["indicator_name"] or "")
    return [(str(n), f"{n}. {name}") for n, name in sorted(seen.items())]


def _agency_coverage(coverage: Sequence[dict[str, Any]]) -> str:
    years = sorted({str(r["fiscal_year_be"]) for r in coverage})
    top = max((int(r["measures"]) for r in coverage), default=0) or 1
    cells = {
        (str(r["indicator_number"]), str(r["fiscal_year_be"])): Cell(
            str(r["measures"]),
            int(r["measures"]) / top,
            bool(r["gap"]),
            f"indicator {r['indicator_number']}, {r['fiscal_year_be']}: "
            f"{r['measures']} measures, {r['results']} results"
            + (" (gap: no measure)" if r["gap"] else ""),
        )
        for r in coverage
    }
    return grid_chart(_indicator_rows(coverage), years, cells, "measures per indicator")


def _overview_coverage(coverage: Sequence[dict[str, Any]]) -> str:
    years = sorted({str(r["fiscal_year_be"]) for r in coverage})
    agencies_of: dict[str, set[str]] = defaultdict(set)
    covering: Counter[tuple[str, str]] = Counter()
    for r in coverage:
        year, number = str(r["fiscal_year_be"]), str(r["indicator_number"])
        agencies_of[year].add(r["agency_key"])
        covering[(number, year)] += 0 if r["gap"] else 1
    reporting = {year: len(keys) for year, keys in agencies_of.items()}
    cells = {
        (number, year): Cell(
            f"{count}/{reporting[year]}",
            count / (reporting[year] or 1),
            count == 0,
            f"indicator {number}, {year}: {count} of {reporting[year]} agencies file a measure",
        )
        for (number, year), count in covering.items()
    }
    return grid_chart(
        _indicator_rows(coverage), years, cells, "agencies filing measures per indicator"
    )


def _changes_html(changes: Sequence[dict[str, Any]]) -> str:
    by_pair: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in changes:
        by_pair[_pair_label(row)].append(row)
    out = []
    for label, rows in sorted(by_pair.items()):
        out.append(f"<h3>{escape(label)}</h3>")
        changed = [r for r in rows if r["status"] == "changed"]
        if changed:
            out.append("<h4>Changed measures</h4>")
            out.append(
                _table(
                    ("indicator", "similarity", "what changed"),
                    (
                        (
                            escape(r["indicator"] or ""),
                            f"{float(r['similarity']):.2f}",
                            word_diff(r["from_text"] or "", r["to_text"] or ""),
                        )
                        for r in changed
                    ),
                    {1},
                )
            )
        for status, title, text_column in (
            ("new", "New measures", "to_text"),
            ("dropped", "Dropped measures", "from_text"),
        ):
            listed = [r for r in rows if r["status"] == status]
            if listed:
                out.append(f"<h4>{title}</h4>")
                out.append(
                    _table(
                        ("indicator", "measure"),
                        (
                            (escape(r["indicator"] or ""), escape(r[text_column] or ""))
                            for r in listed
                        ),
                        set(),
                    )
                )
        carried = sum(r["status"] == "carried" for r in rows)
        out.append(f'<p class="muted">{carried} measures carried over unchanged.</p>')
    return "".join(out)


def pages_by_ocr(pages_read: Sequence[dict[str, Any]]) -> list[str]:
    """What a source's ``source_pages`` say a reader must check: the pages read by OCR, per
    engine with its mean confidence ("pages 1–3, 5 read by OCR (tesseract 5.5.4 tha, mean
    confidence 91)"), and each page not read with why ("page 4 not read: OCR failed: OCR
    timed out after 120 s"). Pages read from their text layer say nothing."""
    from extractors.pdfdoc import describe_pages

    out = []
    engines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for page in pages_read:
        if page["read_by"] == "ocr":
            engines[str(page["engine"] or "OCR")].append(page)
    for engine, pages in engines.items():
        confidences = [float(p["confidence"]) for p in pages if p["confidence"] is not None]
        mean = f", mean confidence {sum(confidences) / len(confidences):.0f}" if confidences else ""
        numbers = [int(p["page"]) for p in pages]
        out.append(f"{describe_pages(numbers)} read by OCR ({engine}{mean})")
    out += [
        f"page {p['page']} not read" + (f": {p['note']}" if p["note"] else "")
        for p in pages_read
        if p["read_by"] == "none"
    ]
    return out


def _notes_html(notes: Sequence[dict[str, Any]]) -> str:
    out = []
    for note in notes:
        files = "".join(
            "<li>"
            + escape(f"{s['path']} ({s['format']}")
            + (f", {s['pages']} pages" if s["pages"] else "")
            + ")"
            + "".join(f"; {escape(line)}" for line in pages_by_ocr(s.get("pages_read", ())))
            + "</li>"
            for s in note["sources"]
        )
        formats = Counter(str(s["format"]) for s in note["sources"])
        kinds = ", ".join(f"{n} {f}" for f, n in sorted(formats.items()))
        ocr = [w for w in note["warnings"] if "ocr" in w.casefold()]
        other = [w for w in note["warnings"] if w not in ocr]
        by_page = [
            f"{s['path']}: {line}"
            for s in note["sources"]
            for line in pages_by_ocr(s.get("pages_read", ()))
        ]
        out.append(f"<h4>{note['fiscal_year_be']} (version {note['version']})</h4>")
        count = len(note["sources"])
        out.append(
            f'<details class="muted"><summary>{count} source{"s" if count != 1 else ""} '
            f"({kinds})</summary><ul>{files}</ul></details>"
        )
        if ocr or by_page:
            out.append("<p><b>Pages read by OCR or needing it:</b></p><ul>")
            out.extend(f'<li class="ocr-pages">{escape(line)}</li>' for line in by_page)
            out.extend(f'<li class="warning">{escape(w)}</li>' for w in ocr)
            out.append("</ul>")
        if other:
            out.append("<p><b>Warnings:</b></p><ul>")
            out.extend(f'<li class="warning">{escape(w)}</li>' for w in other)
            out.append("</ul>")
        if not note["warnings"]:
            out.append('<p class="muted">No warnings.</p>')
        repairs = {k: v for k, v in note["repairs"].items() if v}
        if repairs:
            listed = ", ".join(
                f"{escape(str(k))} {escape(str(v))}" for k, v in sorted(repairs.items())
            )
            out.append(f'<p class="muted">Text repairs: {listed}</p>')
    return "".join(out)


def _years_table(summary: Sequence[dict[str, Any]]) -> str:
    columns = ("year", "version", "measures", "results", "outcomes", "units", "indicators covered")
    return _table(
        columns,
        (
            (
                r["fiscal_year_be"],
                r["current_version"],
                r["measures"],
                r["results"],
                r["outcomes"],
                r["units"],
                r["indicators_covered"],
            )
            for r in summary
        ),
        set(range(len(columns))),
    )


def _agency_section(
    key: str,
    summary: Sequence[dict[str, Any]],
    coverage: Sequence[dict[str, Any]],
    changes: Sequence[dict[str, Any]],
    notes: Sequence[dict[str, Any]],
    anchor: str,
) -> str:
    name = summary[0]["agency"] or ""
    return (
        f'<section class="agency" id="{anchor}">'
        f"<h2>{escape(key)} {escape(name)}</h2>"
        f"{_years_table(summary)}"
        "<h3>Measures compared with the year before</h3>"
        f"{status_chart(_status_bars(changes), f'{key}: measures by status')}"
        "<h3>Coverage of the ITA indicators</h3>"
        f"{_agency_coverage(coverage)}"
        f"{_changes_html(changes)}"
        "<h3>Reports</h3>"
        f"{_notes_html(notes)}"
        "</section>"
    )


def _by_agency(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["agency_key"]].append(row)
    return grouped


def render(data: ReportData, *, database: str, now: datetime | None = None) -> str:
    """The page for the agencies ``data`` holds (an overview first when it holds several)."""
    summary = _by_agency(data.summary.records)
    coverage = _by_agency(data.coverage.records)
    changes = _by_agency(data.changes.records)
    notes = _by_agency(data.notes)
    keys = list(summary)
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    scope = (
        f"{keys[0]} {summary[keys[0]][0]['agency'] or ''}"
        if len(keys) == 1
        else f"{len(keys)} agencies"
    )
    body = [
        f"<h1>ITA integrity measures: {escape(scope)}</h1>",
        f'<p class="muted">{escape(database)} · ita-etl {escape(_version())} · {stamp}</p>',
    ]
    if not keys:
        body.append("<p>No report is loaded.</p>")
    if len(keys) > 1:
        body.append(_overview(keys, summary, data))
    for number, key in enumerate(keys, start=1):
        section = _agency_section(
            key, summary[key], coverage[key], changes[key], notes[key], f"agency-{number}"
        )
        if len(keys) > 1:
            opened = " open" if len(keys) <= _OPEN_AGENCIES else ""
            section = f"<details{opened}><summary>{escape(key)}</summary>{section}</details>"
        body.append(section)
    return (
        '<!DOCTYPE html>\n<html lang="th"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>ITA measures: {escape(scope)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _overview(
    keys: Sequence[str], summary: dict[str, list[dict[str, Any]]], data: ReportData
) -> str:
    years = sorted({int(r["fiscal_year_be"]) for r in data.summary.records})
    rows = []
    for number, key in enumerate(keys, start=1):
        by_year = {int(r["fiscal_year_be"]): r["measures"] for r in summary[key]}
        rows.append(
            (
                f'<a href="#agency-{number}">{escape(key)}</a>',
                escape(summary[key][0]["agency"] or ""),
                *(by_year.get(y, "") for y in years),
            )
        )
    numeric = set(range(2, 2 + len(years)))
    return (
        '<section id="overview"><h2>Overview</h2>'
        "<p>Measures filed by each agency per fiscal year:</p>"
        f"{_table(('agency', 'name', *map(str, years)), rows, numeric)}"
        "<h3>Measures compared with the year before, all agencies</h3>"
        f"{status_chart(_status_bars(data.changes.records), 'all agencies: measures by status')}"
        "<h3>Agencies filing a measure under each indicator</h3>"
        f"{_overview_coverage(data.coverage.records)}"
        "</section>"
    )
