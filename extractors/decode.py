"""Bytes to str for the text formats: UTF-8 (with or without BOM), else the Thai code page.

Thai sites often declare tis-620 or windows-874; cp874 is a superset of both.
"""

from __future__ import annotations

import re

from schemas.errors import UnsupportedFormatError

_THAI_CHARSETS = frozenset(
    {"tis-620", "tis620", "windows-874", "cp874", "iso-8859-11", "x-windows-874"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii").lower() if match else None


def decode_text(data: bytes, declared: str | None = None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a file cut short ends in half a char
    if declared in _THAI_CHARSETS:
        return data.decode("cp874", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return data.decode(declared, errors="replace")
        except LookupError:
            pass
    text = data.decode("cp874", errors="replace")
    if text.count("\ufffd") > len(text) // 100:
        raise UnsupportedFormatError("text is neither UTF-8 nor Thai cp874/tis-620")
    return text
