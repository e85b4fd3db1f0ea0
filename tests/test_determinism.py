"""Same seed → bit-identical tables; different seeds → different tables; same in another process."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sim import run
from sim.runner import RunResult


@pytest.mark.parametrize("scenario", ["bum", "hod", "model_municipality", "bum_to_hod"])
def test_same_seed_identical(scenario):
    a, b = run(scenario, seed=11), run(scenario, seed=11)
    for t in RunResult.TABLES:
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t), check_exact=True)


def test_different_seeds_differ():
    a, b = run("bum", seed=1), run("bum", seed=2)
    assert not a.yearly.equals(b.yearly)
    assert (a.yearly["citizen_satisfaction"] != b.yearly["citizen_satisfaction"]).any()


def test_identical_in_a_fresh_process(tmp_path):
    code = (
        "from sim import run; r = run('hod', seed=5, years=6); "
        f"r.yearly.to_parquet(r'{tmp_path / 'y.parquet'}'); r.areas.to_parquet(r'{tmp_path / 'a.parquet'}')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    here = run("hod", seed=5, years=6)
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "y.parquet"), here.yearly, check_exact=True
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a.parquet"), here.areas, check_exact=True
    )


def test_years_truncates_the_same_path():
    long, short = run("bum", seed=3), run("bum", seed=3, years=5)
    pd.testing.assert_frame_equal(
        long.yearly.iloc[:5].reset_index(drop=True), short.yearly, check_exact=True
    )
