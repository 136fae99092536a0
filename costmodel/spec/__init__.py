"""The spec language: YAML loading with line numbers, the pydantic schema, expressions."""

__all__: list[str] = []
