"""Rendering: analyses turned into tables, JSON, CSV, Markdown and plots (no counting here)."""

__all__: list[str] = []
