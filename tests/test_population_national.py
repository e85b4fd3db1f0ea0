"""National checks (`govsim validate --population`): each metric means what its source says,
the bands are the sources', and a failing check says what is missing."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from sim.validation.national import (
    E8_BAND,
    NATIONAL_CHECKS,
    NationalData,
    evaluate_national,
    national_control_bid_share,
    national_exposure,
    share_in_e8_band,
)


def synthetic(shares: list[float], control: list[int], tenders: list[int]) -> NationalData:
    """Two national runs of len(shares) municipalities over 2008–2024, exposure constant."""
    rows, nat = [], []
    for seed in (1, 2):
        for year in range(2008, 2025):
            for i, s in enumerate(shares):
                rows.append(
                    {"run_seed": seed, "year": year, "municipality": f"m{i}", "tendered_share": s}
                )
            nat.append(
                {
                    "run_seed": seed,
                    "year": year,
                    "exposed_share": 0.26 + 0.01 * seed,
                    "control_bids": control[seed - 1],
                    "tenders_held": tenders[seed - 1],
                }
            )
    return NationalData(pd.DataFrame(rows), pd.DataFrame(nat), [1, 2])


def test_the_metrics_read_what_the_sources_count():
    d = synthetic([0.0, 0.21, 0.30, 0.37, 0.45], control=[1, 3], tenders=[100, 100])
    assert national_exposure(d) == pytest.approx([0.27, 0.28])
    assert share_in_e8_band(d) == pytest.approx([0.6, 0.6])  # both ends of E8's band count
    assert national_control_bid_share(d) == pytest.approx([0.01, 0.03])


def test_the_bands_are_the_sources_and_failures_say_what_is_missing():
    by_id = {c.id: c for c in NATIONAL_CHECKS}
    assert (by_id["N1"].low, by_id["N1"].high) == (0.25, 0.28)  # E7
    assert by_id["N2"].rule == "above" and by_id["N2"].low == 0.80 and E8_BAND == (0.21, 0.37)
    assert (by_id["N3"].low, by_id["N3"].high) == (0.0, 0.05)  # E11, as check 4a
    assert all(c.missing for c in NATIONAL_CHECKS)
    inside = synthetic([0.25, 0.30, 0.33, 0.28, 0.22], control=[2, 2], tenders=[100, 100])
    res = {r.check.id: r for r in evaluate_national(inside)}
    assert res["N2"].passed and res["N3"].passed
    outside = synthetic([0.0, 0.15, 0.45, 0.40, 0.30], control=[90, 95], tenders=[100, 100])
    res = {r.check.id: r for r in evaluate_national(outside)}
    assert not res["N2"].passed and not res["N3"].passed
    assert np.isfinite(res["N3"].mean)


def test_validate_population_runs_the_national_checks(tmp_path, invoke):
    p = tmp_path / "pair.yaml"
    p.write_text(
        textwrap.dedent("""
        name: pair
        municipalities: 2
        years: 2
        regions: [{key: r, count: 2}]
        governance: [{scenario: hod, count: 1}, {scenario: bum, rest: true}]
        """),
        encoding="utf-8",
    )
    out = tmp_path / "nat"
    r = invoke("validate", "--population", str(p), "--replications", "2", "--out", str(out))
    assert r.returncode == 1, r.stderr  # N1: every municipality reaches its tender target
    assert "N1" in r.stdout and "N3" in r.stdout and "N1 fails:" in r.stdout
    assert (out / "NATIONAL.md").is_file() and (out / "national_checks.csv").is_file()
    bad = invoke("validate", "--population", str(p), "--docs")
    assert bad.returncode == 2 and "--population" in bad.stderr and "Traceback" not in bad.stderr


def test_a_share_near_zero_is_not_failed_by_a_ci_below_zero():
    """Two national runs with 0 and 2 control bids in 1,000 tenders: the Student-t CI of the
    mean (0.1 %) reaches below 0, which a share cannot; clipped to 0–1 it lies inside E11's
    band, as 4a's does. Without the clip the check would fail on an impossible value."""
    d = synthetic([0.25, 0.30, 0.33, 0.28, 0.22], control=[0, 2], tenders=[1000, 1000])
    n3 = next(r for r in evaluate_national(d) if r.check.id == "N3")
    assert n3.lo == 0.0 and n3.hi <= 1.0 and n3.passed
    from dataclasses import replace

    from sim.validation.checks import evaluate

    raw = evaluate(d, (replace(n3.check, support=None),))[0]  # type: ignore[arg-type]
    assert raw.lo < 0 and not raw.passed
