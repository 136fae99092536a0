"""``costmodel lint``: check specs against the design guidelines (exit 0 clean, 1 findings,
2 bad input)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

from costmodel.analysis.fusion import FUSIONS
from costmodel.arith import parse_decimal
from costmodel.commands.common import (
    input_shape_option,
    load_model,
    parse_bindings,
    set_option,
    spec_errors,
)
from costmodel.errors import SpecError
from costmodel.lint.output import FORMATS
from costmodel.units import DTYPE_BYTES

if TYPE_CHECKING:
    from costmodel.graph import Network
    from costmodel.lint.registry import Finding

__all__ = ["lint", "parse_size"]

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20,
          "GIB": 2**30}


def parse_size(text: str) -> int:
    """'256KiB' → 262144, '1MB' → 1000000, '4096' → 4096 (whole bytes only)."""
    match = re.fullmatch(r"\s*([0-9]+)\s*([A-Za-z]*)\s*", text)  # ASCII digits (\d would read ٣ as 3)
    if not match or match.group(2).upper() not in _UNITS:
        raise click.BadParameter(f"'{text}' is not a size such as 256KiB, 1MB or 4096",
                                 param_hint="--memory-budget")
    try:
        number = int(parse_decimal(match.group(1)))  # whole: the pattern has digits only
    except SpecError as error:  # more than MAX_DIGITS digits
        raise click.BadParameter(error.message, param_hint="--memory-budget") from None
    return number * _UNITS[match.group(2).upper()]


@click.command()
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@set_option
@click.option("--select", default=None, metavar="CODES",
              help="Comma-separated code prefixes to check instead of the default rule set "
                   "(`costmodel rule` marks it), e.g. G,N1; ALL for every rule.")
@click.option("--extend-select", default=None, metavar="CODES",
              help="Code prefixes to check in addition to the default set (or --select), e.g. N2,D1.")
@click.option("--ignore", default=None, metavar="CODES",
              help="Comma-separated code prefixes to skip; the longest matching prefix wins.")
@click.option("--format", "fmt", type=click.Choice(tuple(FORMATS)), default="text", show_default=True,
              help="text: one line per finding; json: a list; sarif: SARIF 2.1.0.")
@click.option("--fuse", type=click.Choice(tuple(FUSIONS)), default="none", show_default=True,
              help="Execution model: none (one kernel per op, the paper's view) or "
                   "conv-bn-act (BN and ReLU/ReLU6 folded into the conv, as mobile runtimes do).")
@click.option("--memory-budget", default=None, metavar="SIZE",
              help="Flag peak activation memory above SIZE (e.g. 256KiB, 1MB) — rule D4.")
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="fp32", show_default=True,
              help="Element size for memory in bytes.")
@click.option("--statistics", is_flag=True,
              help="Also print findings per rule, then kernels, maccs per kernel, widest level "
                   "and peak memory per spec (text).")
@click.option("--latency", "latency", default=None, is_flag=False, flag_value="default",
              metavar="PROFILE",
              help="Add each finding's predicted time from a device profile and run rule L1 "
                   "(bare --latency: the shipped profile; latency is device-specific).")
@click.option("--per-layer", is_flag=True,
              help="One finding per layer instead of one per repeated pattern.")
@input_shape_option
@click.pass_context
def lint(ctx: click.Context, specs: tuple[str, ...], assignments: tuple[str, ...],
         select: str | None, extend_select: str | None, ignore: str | None, fmt: str, fuse: str,
         memory_budget: str | None, dtype: str, statistics: bool, latency: str | None,
         per_layer: bool, input_shape: str | None) -> None:
    """Check SPECS against the efficient-CNN guidelines (ShuffleNetV2 G1–G4 and others).

    Prints `path:line: layer CODE message (value vs threshold)` per finding, then a count;
    a pattern repeated in many blocks is one finding naming how many layers it covers.
    A SPEC may be an ONNX model (*.onnx), imported onto costmodel's layers.
    `costmodel rule CODE` explains a rule. Exit status: 0 clean, 1 findings, 2 bad input.

    Example: costmodel lint specs/*.yaml --select G --memory-budget 256KiB --dtype int8
    """
    from costmodel.lint.engine import LintOptions, lint_network
    from costmodel.lint.output import render_findings
    from costmodel.lint.registry import RULES
    from costmodel.lint.selection import check_codes, split_codes

    overrides = {}
    if memory_budget is not None:
        overrides = {"D4": {"budget": parse_size(memory_budget)}}
    findings = []
    notes = []
    with spec_errors(ctx.obj["debug"]):
        profile = None
        if latency is not None:
            from costmodel.latency.command import load_profile

            profile = load_profile(latency)
        options = LintOptions(select=split_codes(select, "--select") or None,
                              ignore=split_codes(ignore, "--ignore"),
                              fuse=fuse, dtype_bytes=DTYPE_BYTES[dtype], overrides=overrides,
                              extend_select=split_codes(extend_select, "--extend-select"),
                              profile=profile,
                              per_layer=per_layer)
        for option, codes in (("--select", options.select or ()),
                              ("--extend-select", options.extend_select),
                              ("--ignore", options.ignore)):
            check_codes(codes, RULES, option, specs[0])
        bindings = parse_bindings(assignments)
        for path in specs:
            network = _build(path, bindings, input_shape)
            findings += lint_network(network, options)
            if statistics:
                notes.append(_statistics(network, fuse, DTYPE_BYTES[dtype]))
    text = render_findings(findings, fmt)
    if statistics:
        notes.insert(0, _rule_counts(findings))
    click.echo(text + "".join(notes) if fmt == "text" else text, nl=False)
    sys.exit(1 if findings else 0)


def _build(path: str, bindings: dict[str, str], input_shape: str | None) -> Network:
    from costmodel.graph import build

    return build(load_model(path, input_shape), path, bindings)


def _rule_counts(findings: list[Finding]) -> str:
    """Per rule with findings: findings, layers they cover, code and name (ruff's
    --statistics), most findings first."""
    from costmodel.lint.registry import RULES

    counts: dict[str, list[int]] = {}
    for finding in findings:
        count = counts.setdefault(finding.code, [0, 0])
        count[0] += 1
        count[1] += len(finding.instances) or 1
    rows = sorted(counts.items(), key=lambda item: (-item[1][0], list(RULES).index(item[0])))
    return "".join(f"{n:>5} findings {layers:>5} layers  {code:<3} {RULES[code].name}\n"
                   for code, (n, layers) in rows)


def _statistics(network: Network, fuse: str, dtype_bytes: int) -> str:
    from costmodel.analysis.fragments import model_structure
    from costmodel.analysis.fusion import execution_view
    from costmodel.analysis.peak_memory import analyze_peak_memory
    from costmodel.units import human, human_bytes

    shape = model_structure(network, execution_view(network, fuse).costs)
    peak = analyze_peak_memory(network)
    best = "" if peak.exact else " (heuristic)"
    return (f"{network.path}: {shape.kernels} kernels, {human(round(shape.maccs_per_kernel))} "
            f"maccs per kernel, widest level {shape.widest_level}; peak memory "
            f"{human_bytes(peak.spec.bytes(dtype_bytes))} at {peak.spec.node}, best order "
            f"{human_bytes(peak.best.bytes(dtype_bytes))}{best}\n")
