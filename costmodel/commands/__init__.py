"""CLI commands, one module each; :mod:`costmodel.cli` registers them."""
