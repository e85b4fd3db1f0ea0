"""Golden master: the model's exact output for every preset × 2 seeds × 5 years.

A refactoring must not move a number. If this fails after an *intended* behaviour change,
regenerate with ``python -m tests.golden.make`` in a commit of its own that says why.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.golden import make


@pytest.fixture(scope="module")
def computed() -> dict[str, pd.DataFrame]:
    return make.compute_reference()


@pytest.mark.parametrize("table", make.TABLES)
def test_golden_master(computed, table):
    expected = pd.read_parquet(make.path(table))
    got = computed[table]
    assert sorted(got["scenario"].unique()) == sorted(expected["scenario"].unique()), (
        "presets changed"
    )
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True),
        expected,
        check_exact=True,
        check_dtype=False,
        check_categorical=False,
    )
