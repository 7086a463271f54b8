"""Setup time as the Action does it on a fresh runner: a new virtual environment and an
install of this package, with uv (what action.yml uses) and with pip, cold and warm cache.

Cold: an empty package cache (every wheel downloaded and built). Warm: the cache the cold run
left (what actions/cache restores on a later run). Each configuration is timed --runs times.

Run: python bench/setup_time.py [--runs 2]   (needs network access to the package registry)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(commands: list[list[str]], env: dict[str, str]) -> float:
    started = time.perf_counter()
    for command in commands:
        subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    runs = parser.parse_args().runs
    python = sys.executable
    results: dict[str, list[float]] = {}
    for tool in ("uv", "pip"):
        for temperature in ("cold", "warm"):
            results[f"{tool} {temperature}"] = []
        for _ in range(runs):
            scratch = Path(tempfile.mkdtemp())
            cache = scratch / "cache"
            for temperature in ("cold", "warm"):
                venv = scratch / f"venv-{temperature}"
                # The machine's own settings (CA bundle, index) stay; only the caches move.
                env = {**os.environ, "UV_CACHE_DIR": str(cache), "PIP_CACHE_DIR": str(cache),
                       "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
                env.pop("VIRTUAL_ENV", None)
                if tool == "uv":
                    commands = [[python, "-m", "uv", "venv", "--quiet", "--python", python,
                                 str(venv)],
                                [python, "-m", "uv", "pip", "install", "--quiet", "--python",
                                 str(venv / "bin" / "python"), str(ROOT)]]
                else:
                    commands = [[python, "-m", "venv", str(venv)],
                                [str(venv / "bin" / "python"), "-m", "pip", "install",
                                 "--quiet", str(ROOT)]]
                results[f"{tool} {temperature}"].append(_timed(commands, env))
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"new venv + install of incident-response ({runs} run(s) each, median):")
    for name, values in results.items():
        print(f"  {name:9s} {statistics.median(values):6.1f} s   "
              f"({', '.join(f'{v:.1f}' for v in values)})")


if __name__ == "__main__":
    main()
