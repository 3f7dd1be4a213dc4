"""Normalising one text: digits, dates, abbreviations, references, indicators, items."""
