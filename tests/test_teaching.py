"""docs/teaching.md's exercises: every stated observation still holds for the current model.

The figures are recomputed here (means over seeds 0–7, as `python -m sim.app.exercises`
prints them); the test checks each observation's direction, not the numbers in the document.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.app.exercises import (
    DEFAULT_SEEDS,
    EXERCISES,
    Exercise,
    compute,
    main,
    markdown,
    series,
)
from sim.app.state import Session, configure_each

TEACHING = Path(__file__).resolve().parent.parent / "docs" / "teaching.md"


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.key for e in EXERCISES])
def test_observation_holds(ex: Exercise):
    figures = ex.compute(DEFAULT_SEEDS)
    assert all(f.value == f.value for f in figures), "a figure is NaN"
    assert ex.holds(figures), f"{ex.title}: '{ex.observation}' no longer holds: " + "; ".join(
        f"{f.label} = {f.text()}" for f in figures
    )


#: every column an exercise's figures are computed from
FIGURE_COLUMNS = (
    "admin_overhead_share",
    "tenders_held",
    "trust_employees_management",
    "proposals_made",
    "proposals_implemented",
    "employee_wellbeing",
    "learning_teams",
    "savings_dkk",
)


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.key for e in EXERCISES])
def test_the_apps_preset_shows_the_means_the_figures_come_from(ex: Exercise):
    """After *Load exercise* the app's multi-seed mode averages the document's seeds over the
    document's models: its mean rows are the runs the figures (and the observation checked
    above) come from, so the observation holds in the app as the class sees it."""
    p = ex.preset
    assert p is not None and tuple(range(p.seed, p.seed + p.seeds)) == DEFAULT_SEEDS
    refs, sets = [p.a, p.b], [p.a_set, p.b_set]
    s = Session(configure_each(refs, [dict(x) for x in sets]), seed=p.seed, seeds=p.seeds)
    s.step(12)  # three years: the same runs give the same rows (deterministic per seed)
    try:
        for v, ref, ov in zip(s.views(), refs, sets, strict=True):
            assert v.seeds == len(DEFAULT_SEEDS) and len(v.rows) == 3
            kw = {k.replace(".", "__"): x for k, x in ov}
            for col in FIGURE_COLUMNS:
                want = series(ref, col, DEFAULT_SEEDS, **kw)[:3]
                assert [r[col] for r in v.rows] == pytest.approx(want, rel=1e-12), (ref, col)
    finally:
        s.close_models()


def test_the_document_states_exactly_the_checked_observations():
    text = " ".join(TEACHING.read_text(encoding="utf-8").split())
    assert 5 <= len(EXERCISES) <= 6
    for i, ex in enumerate(EXERCISES, 1):
        assert f"Exercise {i}: {ex.title}" in text, ex.key
        for part in (ex.question, ex.steps, ex.observation):
            assert " ".join(part.split()) in text, (ex.key, part)


def test_a_broken_observation_is_reported():
    """The checks can fail: swap the two settings of exercise 5 and its direction no longer holds."""
    ex = next(e for e in EXERCISES if e.key == "learning_teams")
    figures = ex.compute(DEFAULT_SEEDS)
    assert ex.holds(figures) and not ex.holds(list(reversed(figures)))


def test_figures_command_prints_every_exercise(capsys):
    results = compute((0, 1))
    assert main(["--seeds", "2"]) == (0 if all(ex.holds(f) for ex, f in results) else 1)
    out = capsys.readouterr().out
    assert out.count("## Exercise ") == len(EXERCISES)
    assert out == markdown(results, (0, 1)) + "\n"


def test_write_rewrites_only_the_exercise_section(tmp_path):
    from sim.app.exercises import END, START, replace_section

    doc = tmp_path / "t.md"
    doc.write_text(f"# Head\nintro\n{START}\nold figures\n{END}\n\n## Tail\n", encoding="utf-8")
    main(["--seeds", "1", "--write", str(doc)])
    text = doc.read_text(encoding="utf-8")
    assert text == f"# Head\nintro\n{START}\n{markdown(compute((0,)), (0,))}\n{END}\n\n## Tail\n"
    with pytest.raises(ValueError, match="markers"):
        replace_section("no markers here", "body")
    assert START in TEACHING.read_text(encoding="utf-8")
