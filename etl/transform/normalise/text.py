"""One item's text from what the file says to what an analyst compares, keeping the raw.

Order matters and is fixed:

1. NFC (never NFKC, which splits ำ) and white space collapsed: the *source* form;
2. Thai digits to Arabic and garbled agency abbreviations corrected (both keep every
   character in place);
3. spaces a line wrap left inside a URL or a Thai word removed, brackets tightened;
4. references found in that text, each one's raw cut from the source form: step 2 moved no
   character and step 3 only removed spaces, so the two align.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from etl.transform.normalise.abbreviations import correct_garbled
from etl.transform.normalise.refs import find_refs
from extractors.model import squash as collapse_space
from extractors.thai.chars import to_arabic_digits
from extractors.thai.words import join_wrapped_words
from schemas.records import Correction, Ref

_URL_SPACE = re.compile(r"(?<![\w.])(www\.|https?://)\s+(?=[A-Za-z0-9])", re.IGNORECASE)
_DOMAIN_SPACE = re.compile(
    r"(?<=[A-Za-z0-9]\.)\s+(?=(?:go|or|ac|co|in|net|com)\b\.?)", re.IGNORECASE
)
_OPEN_BRACKET = re.compile(r"([(\[])\s+")
_CLOSE_BRACKET = re.compile(r"\s+([)\]])")


@dataclass(frozen=True)
class NormalisedText:
    text: str
    source: str
    refs: tuple[Ref, ...]
    corrections: tuple[Correction, ...]
    wrap_spaces_removed: int


def squash(text: str) -> str:
    """NFC (never NFKC, which splits ำ), white space collapsed."""
    return collapse_space(unicodedata.normalize("NFC", text))


def tidy_spacing(text: str) -> str:
    text = _URL_SPACE.sub(r"\1", text)
    text = _DOMAIN_SPACE.sub("", text)
    text = _OPEN_BRACKET.sub(r"\1", text)
    return _CLOSE_BRACKET.sub(r"\1", text)


def normalise_text(raw: str, agency_abbr: str | None = None) -> NormalisedText:
    source = squash(raw)
    mapped, corrections = correct_garbled(to_arabic_digits(source), agency_abbr)
    text, removed = join_wrapped_words(tidy_spacing(mapped))
    return NormalisedText(text, source, find_refs(text, source), corrections, removed)


@lru_cache(maxsize=4096)
def normalise_plain(raw: str, agency_abbr: str | None = None) -> str:
    """Normalised text only, for titles and headings (cached: a heading is asked once for
    every item under it)."""
    return normalise_text(raw, agency_abbr).text
