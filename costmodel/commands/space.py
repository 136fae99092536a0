"""``costmodel space``: exact statistics of every subnet of a search space."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from costmodel.commands.budgets import COUNT, parse_amount
from costmodel.commands.common import (
    WholeNumber,
    parse_bindings,
    seed_option,
    set_option,
    spec_errors,
)
from costmodel.errors import SpecError
from costmodel.outputs import check_output, output_directory, write_output

__all__ = ["space", "parse_budget"]

MAX_SAMPLES = 100_000
"""Most subnets ``--sample`` draws in one run (each is a line or a file): a larger N is a
usage error, not hours of drawing."""
MAX_BINS = 1 << 20
"""Largest ``--max-bins``: the distribution arrays grow with it (2²² bins: 11 s and 1.4 GB on
OFA-MobileNetV3's MACCs)."""


def parse_budget(text: str, metrics: tuple[str, ...]) -> dict[str, int]:
    """``"maccs=300M,peak_memory=65536"`` → ``{"maccs": 300000000, "peak_memory": 65536}``
    (suffixes K, M, G, T are powers of 1000; values must be whole)."""
    budget: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        parsed = parse_amount(value, COUNT)
        if name.strip() not in metrics or parsed is None:
            raise SpecError(f"budget '{item}': expected METRIC=NUMBER[K|M|G|T] with METRIC one of "
                            f"{', '.join(metrics)}")
        if parsed[0].denominator != 1:
            raise SpecError(f"budget '{item}' is not a whole number")
        budget[name.strip()] = int(parsed[0])
    return budget


@click.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@set_option
@click.option("--metric", default="maccs", show_default=True,
              help="Metric whose distribution (histogram and CDF) is shown.")
@click.option("--bins", type=WholeNumber(1, 1000), default=10, show_default=True,
              help="Histogram bins between the least and the greatest value.")
@click.option("--budget", default=None, metavar="METRIC=N,…",
              help="Count (and sample) the subnets within budget, e.g. maccs=300M or "
                   "maccs=300M,peak_memory=65536 (at most one additive metric; peak_memory in "
                   "elements).")
@click.option("--pareto", default=None, metavar="A,B",
              help="Pareto front of two metrics (smaller is better), each point with its subnet.")
@click.option("--sample", "samples", type=WholeNumber(0, MAX_SAMPLES), default=0,
              help=f"Draw N subnets uniformly at random (within --budget); at most {MAX_SAMPLES:,}.")
@seed_option("Random seed for --sample (default: a fresh one).", default=None)
@click.option("--as", "sample_as", type=click.Choice(("bindings", "spec")), default="bindings",
              show_default=True, help="Write samples as bindings (one YAML list) or plain specs.")
@click.option("--out", type=click.Path(), default=None,
              help="Where samples go: a YAML file (bindings) or a directory (specs). Never the "
                   "input; an existing file only with --force.")
@click.option("--write-extremes", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Write the subnets of least and greatest --metric as plain specs to DIR "
                   "(METRIC_min.yaml, METRIC_max.yaml; existing ones only with --force).")
@click.option("--force", is_flag=True,
              help="Let --out and --write-extremes replace existing files (never the input).")
@click.option("--map", "question", default=None, metavar="MODULE:FUNCTION",
              help="Apply FUNCTION(analysis) to each --sample subnet on a Dask cluster (extra "
                   "'dask'); for questions that do not decompose over stages.")
@click.option("--address", default=None,
              help="Dask scheduler for --map (default: a local cluster for the call).")
@click.option("--settings", is_flag=True,
              help="Count sampler settings instead of subnets: every copy draws its choices even "
                   "when the depth leaves it out (Once-for-All's per-stage-uniform sampler).")
@click.option("--max-bins", type=WholeNumber(16, MAX_BINS), default=1 << 17, show_default=True,
              help="Largest grid for a distribution: exact when the values' gcd fits, else "
                   f"exact bounds that a larger grid tightens; at most {MAX_BINS:,} (time and "
                   "memory grow with it: 2²⁰ bins take seconds and 400 MB on OFA-MBv3).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.pass_context
def space(ctx: click.Context, spec: str, assignments: tuple[str, ...], metric: str, bins: int,
          budget: str | None, pareto: str | None, samples: int, seed: int | None, sample_as: str,
          out: str | None, write_extremes: str | None, force: bool, question: str | None,
          address: str | None, settings: bool, max_bins: int, fmt: str) -> None:
    """Exact statistics of every subnet of the search space SPEC, by dynamic programming
    over its stages (never by enumeration).

    A spec becomes a space with choices: `choices: {resolution: [128, 160]}` at the top
    (parameters), and per layer `choices: {repeat: [2, 3, 4], kernel: [3, 5, 7]}` (depth
    per stage, other fields per copy). Prints the number of subnets, the least and
    greatest params, maccs, mem_access, elementwise, fragments and peak_memory (each with
    a subnet), the histogram and CDF of --metric with exact counts, the count under
    --budget, a Pareto front and uniform samples.

    Example: costmodel space specs/spaces/ofa_mbv3.yaml --set resolution=224 --budget maccs=300M
    """
    from costmodel.space.graph import build_space
    from costmodel.space.stats import PEAK, SpaceStats
    from costmodel.space.subnet import subnet_spec
    from costmodel.spec.load import load_spec
    from costmodel.spec.located_yaml import dump_yaml

    with spec_errors(ctx.obj["debug"]):
        model = load_spec(spec)
        space_ = build_space(model, spec, parse_bindings(assignments), settings=settings)
        metrics = (*space_.metrics, PEAK)
        limits = parse_budget(budget, metrics) if budget else {}
        additive = [name for name in limits if name != PEAK]
        if len(additive) > 1:
            raise SpecError(f"--budget: at most one additive metric (got {', '.join(additive)}); "
                            "combine one with peak_memory")
        if pareto and len(pareto.split(",")) != 2:
            raise SpecError(f"--pareto '{pareto}': give two metrics, A,B")
        for name in [metric, *(pareto.split(",") if pareto else [])]:
            if name.strip() not in metrics:
                raise SpecError(f"unknown metric '{name}' (metrics: {', '.join(metrics)})")
        targets = _targets(out if samples else None, sample_as, samples, write_extremes, metric)
        for target in targets:  # refused before the work
            check_output(target, inputs=[spec], overwrite=force)
        stats = SpaceStats(space_, limits.get(PEAK), max_bins)
        report = _report(stats, metrics, metric, bins, limits, additive, pareto)
        if samples:
            drawn = stats.sample(samples, seed, (additive[0], limits[additive[0]]) if additive else None)
            chosen = [subnet for subnet, _ in drawn]
            report["samples"] = _write_samples(space_, chosen, sample_as, out, subnet_spec, force)
            if question:
                from costmodel.space.distributed import map_subnets

                report["mapped"] = map_subnets(space_, chosen, question, address)
        if write_extremes:
            directory = output_directory(write_extremes)
            for end in ("min", "max"):
                data = subnet_spec(space_, report["metrics"][metric][f"{end}_subnet"])
                write_output(directory / f"{metric}_{end}.yaml", dump_yaml(data, sort_keys=False),
                             inputs=[spec], overwrite=force)
    click.echo(json.dumps(report, indent=2) if fmt == "json" else _text(report, metric))


def _report(stats: Any, metrics: tuple[str, ...], metric: str, bins: int, limits: dict[str, int],
            additive: list[str], pareto: str | None) -> dict[str, Any]:
    from costmodel.space.stats import PEAK

    count = stats.count
    report: dict[str, Any] = {"model": stats.space.spec.model, "subnets": count,
                              "choices": {name: [str(v) for v in values] for name, values in
                                          stats.space.choices.items()},
                              "peak_budget": stats.peak_budget, "metrics": {}}
    for name in metrics:
        low, high = stats.extreme(name, min), stats.extreme(name, max)
        if low is None or high is None:
            continue
        report["metrics"][name] = {"min": low.value, "max": high.value,
                                   "min_subnet": low.subnet, "max_subnet": high.subnet}
    grid = None if metric == PEAK else stats.distribution(metric)
    report["distribution"] = {
        "metric": metric, "step": None if grid is None else grid.step,
        "slack": 0 if grid is None else grid.slack,
        "bins": [{"low": b.low, "high": b.high, "count": b.count, "below_high": list(b.below_high)}
                 for b in stats.histogram(metric, bins)]}
    if additive:
        name = additive[0]
        surely, possibly = stats.at_most(name, limits[name])
        report["budget"] = {"metric": name, "limit": limits[name], "surely": surely,
                            "possibly": possibly, "exact": surely == possibly}
    if pareto:
        first, second = (part.strip() for part in pareto.split(",")[:2])
        report["pareto"] = {"metrics": [first, second], "points": [
            {first: x, second: y, "subnet": subnet} for x, y, subnet in stats.pareto(first, second)]}
    return report


def _targets(out: str | None, sample_as: str, samples: int, extremes: str | None,
             metric: str) -> list[str | Path]:
    """The files the command will write: --out (a file, or the samples in a directory) and
    the extremes (only those in a directory that exists: a new one holds nothing). Names
    are kept as given: ``Path("")`` would be the current directory, not an empty name."""
    targets: list[str | Path] = []
    if out is not None and sample_as == "bindings":
        targets.append(out)
    elif out is not None and Path(out).is_dir():
        targets += [Path(out) / f"sample_{index:05d}.yaml" for index in range(samples)]
    if extremes is not None and Path(extremes).is_dir():
        targets += [Path(extremes) / f"{metric}_{end}.yaml" for end in ("min", "max")]
    return targets


def _write_samples(space_: Any, chosen: list[dict[str, Any]], sample_as: str, out: str | None,
                   subnet_spec: Any, force: bool) -> Any:
    from costmodel.spec.located_yaml import dump_yaml

    if sample_as == "spec":
        if out is None:
            raise SpecError("--as spec needs --out DIR")
        directory = output_directory(out)
        for index, subnet in enumerate(chosen):
            data = subnet_spec(space_, subnet)
            write_output(directory / f"sample_{index:05d}.yaml", dump_yaml(data, sort_keys=False),
                         inputs=[space_.path], overwrite=force)
        return str(directory)
    if out is not None:
        write_output(out, dump_yaml(chosen, sort_keys=False), inputs=[space_.path],
                     overwrite=force)
        return out
    return chosen


def _share(part: int, whole: int) -> str:
    return f"{float(100 * Fraction(part, whole)):.4f} %" if whole else "-"


def _text(report: dict[str, Any], metric: str) -> str:
    count = report["subnets"]
    lines = [f"{report['model']}: {count:,} subnets ({count:.3e})"
             + "".join(f"; {name} ∈ {{{', '.join(values)}}}" for name, values in report["choices"].items())]
    if report["peak_budget"] is not None:
        lines[0] += f"; peak_memory ≤ {report['peak_budget']:,}"
    lines += ["", f"{'metric':<12} {'min':>16} {'max':>16}"]
    for name, entry in report["metrics"].items():
        lines.append(f"{name:<12} {entry['min']:>16,} {entry['max']:>16,}")
    if metric in report["metrics"]:
        entry = report["metrics"][metric]
        lines += ["", f"least {metric}:    {json.dumps(entry['min_subnet'])}",
                  f"greatest {metric}: {json.dumps(entry['max_subnet'])}"]
    if "budget" in report:
        b = report["budget"]
        if b["exact"]:
            lines += ["", f"{b['metric']} ≤ {b['limit']:,}: {b['surely']:,} subnets ({_share(b['surely'], count)})"]
        else:
            lines += ["", f"{b['metric']} ≤ {b['limit']:,}: between {b['surely']:,} and {b['possibly']:,} "
                      f"subnets ({_share(b['surely'], count)} – {_share(b['possibly'], count)})"]
    dist = report["distribution"]
    head = f"distribution of {metric}"
    if dist["slack"]:
        head += (f" (grid of {dist['step']:,}: counts are of grid values; each total lies within "
                 f"+{dist['slack']:,} of its grid value, hence the cumulative bounds)")
    lines += ["", head, f"{'from':>14} {'below':>14} {'count':>26} {'share':>10} {'cumulative share':>24}"]
    for b in dist["bins"]:
        low, high = b["below_high"]
        cumulative = _share(low, count) if low == high else f"{_share(low, count)}–{_share(high, count)}"
        lines.append(f"{b['low']:>14,} {b['high']:>14,} {b['count']:>26,} {_share(b['count'], count):>10} "
                     f"{cumulative:>24}")
    if "pareto" in report:
        first, second = report["pareto"]["metrics"]
        lines += ["", f"Pareto front of {first} and {second}: {len(report['pareto']['points'])} subnets",
                  f"{first:>14} {second:>14}  subnet"]
        for point in report["pareto"]["points"]:
            lines.append(f"{point[first]:>14,} {point[second]:>14,}  {json.dumps(point['subnet'])}")
    if "samples" in report:
        samples = report["samples"]
        lines += [""] + ([f"samples written to {samples}"] if isinstance(samples, str)
                         else [json.dumps(subnet) for subnet in samples])
    if "mapped" in report:
        lines += ["", "mapped:"] + [json.dumps(result) for result in report["mapped"]]
    return "\n".join(lines)
