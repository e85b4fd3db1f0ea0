"""A key given twice in a YAML mapping is an error wherever govsim reads YAML (PyYAML keeps the
last one silently): one message naming the file, the line and the key, and nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import GovsimError

ROOT = Path(__file__).resolve().parent.parent


def _duplicate(text: str, key_line: str) -> str:
    """The text with `key_line` (a top-level line) given a second time at the end."""
    assert key_line in text.splitlines()
    return text.rstrip("\n") + "\n" + key_line + "\n"


def _load_scenario(p):
    from sim.scenario import load_scenario

    return load_scenario(str(p))


def _load_sensitivity(p):
    from sim.sensitivity.spec import load_spec

    return load_spec(p)


def _load_experiment(p):
    from sim.experiments.spec import load_experiment

    return load_experiment(p)


def _load_calibration(p):
    from sim.validation.calibrate import load_plan

    return load_plan(p)


@pytest.mark.parametrize(
    ("source", "key", "loader"),
    [
        ("sim/presets/bum.yaml", "name", _load_scenario),
        ("experiments/sobol_overhead.yaml", "replications", _load_sensitivity),
        ("experiments/compare_models.yaml", "replications", _load_experiment),
        ("experiments/calibration.yaml", "replications", _load_calibration),
    ],
)
def test_duplicate_key_is_one_clear_error(tmp_path, source, key, loader):
    src = ROOT / source
    if not src.exists():  # the presets may live in scenarios/
        src = ROOT / "scenarios" / Path(source).name
    text = src.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith(f"{key}:"))
    path = tmp_path / Path(source).name
    path.write_text(_duplicate(text, line), encoding="utf-8")
    with pytest.raises(GovsimError) as e:
        loader(path)
    msg = e.value.message
    assert str(path) in msg and f"key {key!r} appears twice in the same mapping" in msg
    assert "Traceback" not in msg
    # the untouched file loads
    path.write_text(text, encoding="utf-8")
    loader(path)


def test_nested_duplicate_names_its_line(tmp_path):
    from sim.scenario import read_yaml

    p = tmp_path / "x.yaml"
    p.write_text("a:\n  b: 1\n  c: 2\n  b: 3\n", encoding="utf-8")
    with pytest.raises(GovsimError, match=r"x\.yaml:4:3: key 'b' appears twice .*first on line 2"):
        read_yaml(p)


def test_duplicate_key_in_a_set_value():
    from sim.overrides import parse_set

    with pytest.raises(GovsimError, match="--set a.b={x: 1, x: 2}: key 'x' appears twice"):
        parse_set(["a.b={x: 1, x: 2}"])
    assert parse_set(["a.b=0.4"]) == {"a.b": 0.4}
