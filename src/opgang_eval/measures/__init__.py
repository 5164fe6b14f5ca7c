"""Headline measures, descriptive tables and survey changes (no presentation here)."""
