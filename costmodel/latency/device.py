"""This machine's CPU as a profile describes it, and the shipped profile that matches it.

A profile records the CPU's model name and its NCHWc block size (16 channels with AVX-512F,
else 8: MLAS's MlasNchwcGetBlockSize), which decides which kernels onnxruntime runs blocked.
Two CPUs sold under one model name (a VM's "AMD EPYC") are told apart by the block size.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

__all__ = ["PROFILES", "cpu_model", "last_level_cache", "nchwc_block", "shipped_profile"]

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
"""The shipped profiles (costmodel/profiles/*.json)."""


def _cpuinfo(key: str) -> str | None:
    """The first ``key`` line's value in /proc/cpuinfo (None without one)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            for line in stream:
                name, _, value = line.partition(":")
                if name.strip() == key:
                    return value.strip()
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), else the platform's processor string."""
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def nchwc_block() -> int:
    """MLAS's NCHWc block size on this CPU: 16 channels with AVX-512F, else 8 (AVX2; x86)."""
    return 16 if "avx512f" in (_cpuinfo("flags") or "").split() else 8


CACHE_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
"""Size suffixes of /sys/devices/system/cpu/cpu0/cache/index*/size."""


def last_level_cache() -> int:
    """Bytes of CPU 0's largest cache level (sysfs), else 32 MiB."""
    sizes = []
    for path in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if text[:-1].isdigit() and text[-1] in CACHE_UNITS:
            sizes.append(int(text[:-1]) * CACHE_UNITS[text[-1]])
    return max(sizes, default=32 << 20)


def shipped_profile(optimize: str) -> tuple[Path, bool]:
    """The shipped profile for ``optimize`` whose CPU model and NCHWc block size are this
    machine's, and True; without one, the first for ``optimize`` by name, and False."""
    candidates = []
    for path in sorted(PROFILES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("optimize") == optimize:
            candidates.append((path, data.get("cpu") == cpu_model() and
                               data.get("nchwc_block") == nchwc_block()))
    return next((c for c in candidates if c[1]), candidates[0])
