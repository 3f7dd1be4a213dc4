"""Contracts shared by every stage: record types, errors, the ITA framework and reference data."""
