"""Shared fixtures: runs are cached per (scenario, seed, years) so many tests can read one run.

Two ways to call the command line: ``cli`` runs the real `govsim` in a subprocess (one such
test per command proves the installed entry point works), ``invoke`` runs the same click group
in this process with click's ``CliRunner`` (no interpreter start: use it for error paths and
everything else). Both return ``returncode``, ``stdout`` and ``stderr``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import traceback
from dataclasses import dataclass
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
    return subprocess.run(
        [*govsim_exe(), *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env
    )


@pytest.fixture
def cli():
    return run_cli


@dataclass
class CliResult:
    """What ``invoke`` returns: the fields of a ``subprocess.CompletedProcess`` that tests read."""

    returncode: int
    stdout: str
    stderr: str


def invoke_cli(*args: str, cwd: Path | None = None, timeout: int | None = None) -> CliResult:
    """`govsim ARGS` in this process (click's CliRunner). An exception that escapes the command
    is appended to stderr as the traceback the real command would print, so a test asserting
    "no Traceback" still catches it. (`timeout` is accepted for symmetry with ``run_cli``.)"""
    from click.testing import CliRunner

    from sim.cli import cli as group

    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        r = CliRunner().invoke(group, list(args), prog_name="govsim")
    stderr = r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(r.exception)
        )
    return CliResult(r.exit_code, r.stdout, stderr)


@pytest.fixture
def invoke():
    return invoke_cli


def unregistered(columns, table: str, *also: str) -> list[str]:
    """Columns that neither `table` (patterns included) nor the tables `also` register."""
    from sim.outputs import find

    return [c for c in columns if find(c, table) is None and not any(find(c, t) for t in also)]
