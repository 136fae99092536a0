"""CLI commands, one module each; :mod:`costmodel.cli` registers them."""

__all__: list[str] = []
