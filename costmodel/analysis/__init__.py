"""Analyses of a built network: totals and views, fragments, fusion, peak memory, sweeps."""

__all__: list[str] = []
