"""docs/rules.md, generated from the rule registry (``python -m costmodel.lint.docs``)."""

from __future__ import annotations

from costmodel.lint import engine  # noqa: F401  (registers the rules)
from costmodel.lint.registry import RULES, Rule

__all__ = ["rule_text", "rules_markdown"]


_GUIDE = """\
## Default rule set

`costmodel lint SPEC` runs only the rules whose findings a designer would act on (marked
*default* below); the others run when named: `--select N2,D1` (instead of the defaults),
`--extend-select N2` (in addition), `--select ALL` (every rule). Each threshold's default
comes from the experiment it cites (the "from" line under each rule).

A pattern repeated in many blocks is one decision, so it is one finding: findings of a rule
that play the same role in top-level blocks (`features.2.0.expand.conv` and
`features.3.1.expand.conv` are both the `expand.conv` of a block) print once, at the worst
instance, with how many layers it covers; `--per-layer` prints every layer.

Every finding carries the measured value and the threshold: `(1.43 vs 1.2)`. With a latency
profile (`--latency`, bare: the shipped profile; see docs/latency.md) it also carries the
predicted time of the kernels at stake, e.g. `; 3.03 ms predicted` (0 µs when the runtime
fuses the layer away), and rule L1 runs. `--statistics` prints the findings (and layers)
per rule, then per spec its kernels, maccs per kernel and peak memory.

## The spec's `lint:` section

Thresholds (rule code → threshold name → an exact number or expression) and per-layer
ignores (fnmatch pattern of a layer or block name → code prefixes; a block pattern covers
the layers inside it):

```yaml
lint:
  thresholds:
    G1: {ratio: 1.3}          # tolerate widths up to about 1:4.4
    G4: {share: 1/2}          # turn the model-level element-wise share check on
  ignore:
    "features.1*": [G4]       # the first stages are kept wide on purpose
    "classifier": [G]         # no G rule on the head
```

An unknown rule code, threshold name or ignore prefix is one located error line (exit 2).
"""


def _thresholds(rule: Rule) -> list[str]:
    lines = []
    for name, t in rule.thresholds.items():
        lines.append(f"- `{name}` = {'off' if t.default is None else t.default}: {t.help}")
        if t.source:
            lines.append(f"  (from: {t.source})")
    return lines


def _status(rule: Rule) -> str:
    return "default" if rule.default else "opt-in (--select)"


def rule_text(rule: Rule) -> str:
    """What ``costmodel rule CODE`` prints: header, doc and thresholds."""
    lines = [f"{rule.code} ({rule.name}) — {_status(rule)}", "", rule.doc]
    if rule.thresholds:
        lines += ["", "Thresholds (set in the spec's lint: section):", *_thresholds(rule)]
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    """The whole reference page."""
    lines = ["# Lint rules", "",
             "Generated from the rule registry by `python -m costmodel.lint.docs > docs/rules.md`;",
             "do not edit by hand. `costmodel rule CODE` prints one rule.", "",
             _GUIDE, "## Rules", "",
             "| code | name | set | summary |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {_status(r)} | {r.summary} |" for r in RULES.values()]
    for rule in RULES.values():
        lines += ["", f"## {rule.code} {rule.name} ({_status(rule)})", "", "```text", rule.doc, "```"]
        if rule.thresholds:
            lines += ["", "Thresholds:", "", *_thresholds(rule)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
