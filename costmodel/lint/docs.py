"""docs/rules.md, generated from the rule registry (``python -m costmodel.lint.docs``)."""

from __future__ import annotations

from costmodel.lint import engine  # noqa: F401  (registers the rules)
from costmodel.lint.registry import RULES, Rule

__all__ = ["rule_text", "rules_markdown"]


def _thresholds(rule: Rule) -> list[str]:
    return [f"- `{name}` = {'off' if t.default is None else t.default}: {t.help}"
            for name, t in rule.thresholds.items()]


def rule_text(rule: Rule) -> str:
    """What ``costmodel rule CODE`` prints: header, doc and thresholds."""
    lines = [f"{rule.code} ({rule.name})", "", rule.doc]
    if rule.thresholds:
        lines += ["", "Thresholds (set in the spec's lint: section):", *_thresholds(rule)]
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    """The whole reference page."""
    lines = ["# Lint rules", "",
             "Generated from the rule registry by `python -m costmodel.lint.docs > docs/rules.md`;",
             "do not edit by hand. `costmodel rule CODE` prints one rule.", "",
             "| code | name | summary |", "|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.summary} |" for r in RULES.values()]
    for rule in RULES.values():
        lines += ["", f"## {rule.code} {rule.name}", "", "```text", rule.doc, "```"]
        if rule.thresholds:
            lines += ["", "Thresholds:", "", *_thresholds(rule)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
