"""Scale a calibrated profile to its machine's typical state.

A calibration times its grid in a few minutes; on a shared VM the machine's speed in those
minutes moves by ±10 % from one calibration to the next (the reference models' times,
DeviceProfile.reference_us, show it), and every prediction of the profile moves with it. This
scales PROFILE (DeviceProfile.scaled) by the median, over the POOL profiles of the same
optimization level, of how much slower their calibration ran the reference models than
PROFILE's did (the geometric mean over the references of pool / profile): the profile then
describes the machine in the median state of all those calibrations.

    python benchmarks/normalize_profile.py PROFILE --pool P1.json P2.json ... -o OUT.json
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from pathlib import Path

from costmodel.errors import SpecError
from costmodel.latency.model import DeviceProfile


def state_ratio(profile: DeviceProfile, other: DeviceProfile) -> float:
    """How much slower ``other``'s calibration ran the reference models than ``profile``'s:
    the geometric mean of their times' ratios over the references both record."""
    shared = [name for name in profile.reference_us if other.reference_us.get(name, 0) > 0
              and profile.reference_us[name] > 0]
    if not shared:
        raise ValueError("no reference model timed by both")
    return math.exp(statistics.fmean(math.log(other.reference_us[n] / profile.reference_us[n]) for n in shared))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--pool", nargs="+", required=True, help="Profiles of earlier calibrations.")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    if Path(args.output).resolve() in {Path(p).resolve() for p in [args.profile, *args.pool]}:
        print(f"error: {args.output} is an input; name a new file", file=sys.stderr)
        return 2
    loaded = {}
    for path in [args.profile, *args.pool]:
        try:
            loaded[path] = DeviceProfile.load(path)
        except (SpecError, ValueError, TypeError) as error:
            print(f"error: {path}: cannot read a device profile: {error}", file=sys.stderr)
            return 2
    profile, pool = loaded[args.profile], [(path, loaded[path]) for path in args.pool]
    ratios = []
    for path, other in pool:
        if other.optimize != profile.optimize or other.cpu != profile.cpu or other.nchwc_block != profile.nchwc_block:
            print(f"skipped {path}: optimize={other.optimize}, cpu={other.cpu}, block {other.nchwc_block}")
            continue
        ratios.append(state_ratio(profile, other))
        print(f"{path}: x{ratios[-1]:.3f}")
    if not ratios:
        print("error: no pool profile of the same level, CPU and block size", file=sys.stderr)
        return 2
    factor = statistics.median(ratios)
    note = (f"scaled x{factor:.4f} to the median machine state of {len(ratios)} calibrations "
            f"(benchmarks/normalize_profile.py: their reference models' times)")
    Path(args.output).write_text(profile.scaled(factor, note).to_json(), encoding="utf-8")
    print(f"{args.output}: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
