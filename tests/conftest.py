"""Shared fixtures: runs are cached per (scenario, seed, years) so many tests can read one run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from sim import run

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ("bum", "hod", "model_municipality")


@lru_cache(maxsize=256)
def cached_run(scenario: str, seed: int, years: int | None = None):
    return run(scenario, seed=seed, years=years)


def govsim_exe() -> list[str]:
    exe = shutil.which("govsim", path=str(Path(sys.executable).parent)) or shutil.which("govsim")
    return [exe] if exe else [sys.executable, "-c", "from sim.cli import main; main()"]


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([*govsim_exe(), *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)


@pytest.fixture
def cli():
    return run_cli
