"""What identifies a report and what makes two reports the same content.

A report is (agency, fiscal year). The agency key is its abbreviation when the report gives
one or the abbreviation table knows its name, else its name without spaces; so "สถ." and
"กรมส่งเสริมการปกครองท้องถิ่น" are one agency.

Two sources hold the same content when their records are equal after the comparison key of
``etl.transform.compare.text_key`` (digits Arabic, expansions contracted, white space
removed): the same report as text, HTML and PDF is one version, not three. The hash is over
the set of (tool, indicators, role, heading, text) — not the row layout, which differs
between formats (one row per measure under a rowspan, or one row per indicator) — and numbers
are kept, so a corrected figure is a new version.
"""

from __future__ import annotations

import hashlib
import json

from etl.transform.compare import text_key
from etl.transform.normalise.abbreviations import abbreviation_for_agency
from schemas.records import ExtractedDocument, Report


def agency_key(report: Report) -> str | None:
    """The stable key of the report's agency, or None when the report names none."""
    if report.agency_abbr:
        return report.agency_abbr.strip()
    if report.agency:
        return abbreviation_for_agency(report.agency) or "".join(report.agency.split())
    return None


def content_sha256(doc: ExtractedDocument) -> str:
    """A hash of the document's records under the comparison key, independent of layout."""
    rows = sorted(
        {
            (
                entry.tool or "",
                "+".join(str(i.number) if i.number else text_key(i.raw) for i in entry.indicators),
                item.role,
                text_key(item.heading or ""),
                text_key(item.text),
            )
            for entry in doc.entries
            for item in entry.items
        }
    )
    payload = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
