"""Shared bits of the benchmark scripts: argument parsing and the one-figure-a-line output."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    return p


def emit(name: str, value: float, unit: str = "") -> None:
    """Print one figure: ``name value unit``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    print(f"{name} {text} {unit}".rstrip(), flush=True)


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_command(args: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to completion; wall time and the child's peak resident memory.

    Each measured command runs in its own short-lived helper process so that
    ``RUSAGE_CHILDREN`` reports that command's peak alone.
    """
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'rc': p.returncode, 's': dt, 'rss': rss, 'out': p.stdout,"
        " 'err': p.stderr}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env=env, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result['rc']}): {result['err'].strip()}")
    return Run(result["s"], result["rss"], result["out"])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value
