"""One finding per repeated pattern: a block type repeated 17 times is one design decision.

Two findings of one rule are the same pattern when they play the same role in top-level
blocks: ``features.2.0.expand.conv`` and ``features.3.1.expand.conv`` are both the
``expand.conv`` of a block (repeat indices dropped), and every flagged top-level block is
one role. Layers outside any block and model-level findings are patterns of their own. The pattern's
finding is its worst instance (largest value; the first on a tie), listing every instance.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from costmodel.lint.registry import Finding

if TYPE_CHECKING:
    from costmodel.graph import Network

__all__ = ["pattern", "group_findings"]


def pattern(finding: Finding, network: Network) -> tuple[str, ...]:
    """The rule code and the finding's role: its layer's (or block's) name inside its
    top-level block, repeat indices dropped ('features.2.1.expand.conv' → 'expand.conv';
    every flagged top-level block has the role '')."""
    if finding.layer in network.nodes:
        chain = network.nodes[finding.layer].block
    elif finding.layer in network.blocks:
        block = network.blocks[finding.layer]
        chain = (*block.parents, block.name)
    else:
        chain = ()
    if chain and (finding.layer == chain[0] or finding.layer.startswith(chain[0] + ".")):
        inner = finding.layer[len(chain[0]) + 1:].split(".")
        return (finding.code, ".".join(part for part in inner if not part.isdigit()))
    return (finding.code, finding.layer, str(finding.line))


def group_findings(findings: list[Finding], network: Network) -> list[Finding]:
    """Findings of the same :func:`pattern` merged into their worst instance, listing all
    instances (``instances``) and summing their ``time_us``; order of first appearance."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(pattern(finding, network), []).append(finding)
    merged = []
    for members in groups.values():
        if len(members) == 1:
            merged.append(members[0])
            continue
        worst = max(members, key=lambda f: f.value)  # max keeps the first of equal values
        times = [f.time_us for f in members if f.time_us is not None]
        merged.append(replace(worst, instances=tuple(f.layer for f in members),
                              time_us=sum(times) if times else None))
    return merged
