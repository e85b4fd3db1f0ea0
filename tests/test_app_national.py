"""The teaching app's national view (issue 12) without a browser: the view's tables from a
national run, the small multiples and national lines, bad input, and a server-side render.

One national run of the shipped ``denmark_diffusion`` population for 3 years (98
municipalities: the real file, a few seconds) serves the module."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.app import national, plots
from sim.errors import GovsimError


@pytest.fixture(scope="module")
def run():
    """(view, the PopulationResult it was built from) for denmark_diffusion, seed 0, 3 years."""
    from sim.population import load_population, run_population

    pop = load_population("denmark_diffusion")
    result = run_population(pop, seed=0, years=3)
    return national.national_view(result, "denmark_diffusion", 0, pop.regions), result


def test_the_view_holds_every_municipality_and_year_of_the_tables(run):
    v, r = run
    assert v.years == (2008, 2009, 2010) and v.n == 98 == r.municipalities.shape[0]
    assert [k for k, _ in v.regions] == [
        "hovedstaden",
        "sjaelland",
        "syddanmark",
        "midtjylland",
        "nordjylland",
    ]
    assert v.models == ("bum", "hod", "model_municipality")
    # each tile's model and values are the yearly table's row of that municipality and year
    pos = {k: i for i, k in enumerate(v.keys)}
    for row in r.yearly.itertuples():
        y, i = row.year - 2008, pos[row.municipality]
        assert v.models[v.model[y, i]] == row.model
        assert v.values["tendered_share"][y, i] == row.tendered_share
        assert v.values["citizen_satisfaction"][y, i] == row.citizen_satisfaction
    # the national lines are the national table's; the counts per model the adoption table's
    np.testing.assert_array_equal(v.national["exposed_share"], r.national["exposed_share"])
    for m in v.models:
        a = r.adoption[r.adoption["model"] == m]
        np.testing.assert_array_equal(v.per_model[m], a["municipalities"])
        for y in range(3):
            assert v.counts(y)[m] == a["municipalities"].iloc[y]
    # within a region, largest first; the regions in file order
    for key, _ in v.regions:
        idx = v.members(key)
        assert np.all(np.diff(idx) == 1) and np.all(np.diff(v.citizens[idx]) <= 0)
    assert sum(v.counts(2, k)["hod"] for k, _ in v.regions) == v.counts(2)["hod"]


def test_a_switch_is_marked_in_the_year_it_takes_effect(run):
    v, r = run
    adopted = r.adoption[r.adoption["model"] == "hod"]["adopted"].to_numpy()
    assert adopted[0] == 0 and adopted[1:].sum() > 0  # diffusion is on from 2009
    for y in range(3):
        assert int(v.switched[y].sum()) == int(adopted[y])
        html = plots.national_tiles_html(v, y, "model")
        assert html.count("govsim-nat-switched") == adopted[y]
    assert not v.switched[0].any()


def test_the_small_multiples_show_every_region_and_municipality(run):
    v, _ = run
    html = plots.national_tiles_html(v, 2, "model", "en")
    assert html.count("<svg") == 1 + 5  # the legend, then one drawing per region
    assert html.count("class='govsim-nat-tile") == 98
    assert "Region Hovedstaden" in html and "29 municipalities" in html
    counts = v.counts(2)
    for m, name in (("bum", "BUM"), ("hod", "HOD"), ("model_municipality", "Model municipality")):
        assert f"{name}: {counts[m]}" in html
    colours = plots.national_model_colours(v.models)
    tiles = re.findall(r"class='govsim-nat-tile[^']*'[^>]*fill='(#[0-9a-f]{6})'", html)
    assert sorted(set(tiles)) == sorted(colours.values())
    assert tiles.count(colours["hod"]) == counts["hod"]
    # by an outcome: one colour scale for the run, tiles from the colour map; Danish numbers
    da = plots.national_tiles_html(v, 1, "citizen_satisfaction", "da")
    assert "farve: Borgertilfredshed" in da and "29 kommuner" in da
    assert re.search(r"indbyggere — BUM · Udbudsandel \d+,\d %", da)
    assert not re.search(r"Udbudsandel \d+\.\d", da)
    # the scale spans the run's 2–98 % quantiles (an outlier does not wash out the rest);
    # beyond them a tile takes the end's colour
    sat = v.values["citizen_satisfaction"]
    lo, hi = v.scale("citizen_satisfaction")
    assert np.nanmin(sat) <= lo < hi <= np.nanmax(sat)
    assert np.mean((sat >= lo) & (sat <= hi)) >= 0.95
    assert f"≤ {plots._value_text('citizen_satisfaction', lo, 'da')}" in da


def test_the_national_lines_have_registry_labels_the_e7_band_and_a_year_mark(run):
    v, _ = run
    band = national.e7_band()
    assert (band.low, band.high) == (0.25, 0.28) and (band.first, band.last) == (2009, 2023)
    exp = plots.national_line_svg(v, "exposure", 1, "en")
    assert "Exposure to competition (national)" in exp and "% of task volume" in exp
    assert exp.count("govsim-nat-band") == 1 and "E7: 25–28%" in exp
    assert f"2009: {v.national['exposed_share'][1] * 100:.1f}%" in exp
    # the mark moves with the year shown
    marks = {
        y: re.search(r"govsim-nat-year' x1='([\d.]+)'", plots.national_line_svg(v, "overhead", y))
        for y in range(3)
    }
    xs = [float(m.group(1)) for m in marks.values()]
    assert xs[0] < xs[1] < xs[2]
    models = plots.national_line_svg(v, "models", 2, "da")
    assert models.count("<polyline") == 3 and "Kommuner med hver model" in models
    hod = int(v.adopted["hod"][1:].sum())
    assert f"HOD: {v.counts(2)['hod']} (+{hod} nye)" in models
    sat = plots.national_line_svg(v, "satisfaction", 0, "da")
    assert "Borgertilfredshed (hele landet)" in sat and re.search(r"2008: 0,\d\d<", sat)
    # a run outside E7's years draws no band
    short = national.NationalView(**{**v.__dict__, "years": (2030, 2031, 2032)})
    assert "govsim-nat-band" not in plots.national_line_svg(short, "exposure", 0)


def test_a_national_request_is_checked_with_one_message():
    with pytest.raises(GovsimError, match="population has value 'nowhere': it must be one of"):
        national.check_request("nowhere", 0, 3)
    with pytest.raises(GovsimError, match="seed has value '4x': it must be a whole number"):
        national.check_request("denmark", "4x", 3)
    with pytest.raises(GovsimError, match="years has value 1: the national view needs at least 2"):
        national.check_request("denmark", 0, 1)
    with pytest.raises(GovsimError, match="years has value 0"):
        national.check_request("denmark", 0, 0)
    assert national.check_request("denmark", " 7 ", 3) == ("denmark", 7, 3)
    assert set(national.national_choices()) >= {"denmark", "denmark_diffusion"}
    desc, n, regions, years = national.population_info("denmark")
    assert (n, regions, years) == (98, 5, 20) and "98 municipalities" in desc


def _widgets(w):
    import ipywidgets

    yield w
    for c in getattr(w, "children", ()) or ():
        if isinstance(c, ipywidgets.Widget):
            yield from _widgets(c)


def _html(box) -> str:
    """Every raw-HTML widget's markup under `box` (the tiles and the lines)."""
    return " ".join(str(getattr(w, "unsafe_innerHTML", "") or "") for w in _widgets(box))


def _texts(box) -> str:
    return " ".join(
        c for w in _widgets(box) for c in (getattr(w, "children", ()) or ()) if isinstance(c, str)
    )


def test_the_national_view_renders_on_the_server(run):
    """The page's national components with a finished run: controls, tiles, the four lines;
    moving the year and the colouring redraws them; settings that differ from the run shown
    say so."""
    solara = pytest.importorskip("solara")

    from sim.app import page

    v, _ = run
    page.nat_view.set(v)
    page.nat_year.set(2)
    page.nat_colour.set("model")
    page.nat_population.set("denmark_diffusion")
    page.nat_years.set(3)
    page.nat_seed_text.set("0")
    box, rc = solara.render(page.NationalMain(), handle_error=False)
    try:
        html = _html(box)
        assert html.count("class='govsim-nat-tile") == 98
        assert html.count("class='govsim-nat-line govsim-nat-line-") == 4
        assert "2010 · year 3 of 3 · denmark_diffusion, seed 0" in _texts(box)
        assert page.T("nat.changed") not in _texts(box)
        page.nat_year.set(0)
        html = _html(box)
        assert "2008: " in html and "govsim-nat-switched" not in html
        assert "2008 · year 1 of 3" in _texts(box)
        page.nat_colour.set("tendered_share")
        assert "colour: Tendered share" in _html(box)
        page.nat_seed_text.set("5")
        assert page.T("nat.changed") in _texts(box)
    finally:
        rc.close()
        page.nat_view.set(None)


def test_play_steps_the_shown_year_to_the_last_and_stops(run):
    pytest.importorskip("solara")
    from sim.app import page

    v, _ = run
    page.nat_view.set(v)
    page.nat_year.set(0)
    page.nat_playing.set(True)
    page.play_years()  # what Play runs on the worker thread
    assert page.nat_year.value == len(v.years) - 1 and page.nat_playing.value is False
    page.nat_view.set(None)


def test_run_request_fills_the_view_once_and_reports_bad_input():
    """What the Run button starts (on the page's worker thread): the run of the request, not
    again when the same run is already shown; a bad request becomes the page's message."""
    pytest.importorskip("solara")
    from sim.app import page

    page.nat_view.set(None)
    page.nat_request.set(("denmark", 1, 2))
    page.run_request()
    v = page.nat_view.value
    assert (v.name, v.seed, v.years) == ("denmark", 1, (2008, 2009))
    assert page.nat_year.value == 1 and page.nat_running.value is None
    page.run_request()  # visiting the tab again re-runs the task: the same view is kept
    assert page.nat_view.value is v
    page.nat_request.set(("denmark", 1, 1))
    page.run_request()
    assert "needs at least 2" in page.nat_error.value and page.nat_view.value is v
    page.nat_view.set(None)
    page.nat_error.set(None)
    page.nat_request.set(None)


def test_the_national_view_exports_its_data_as_csv_and_each_line_as_png(run):
    """The export: one CSV row per municipality and year holding the tiles' values and models
    (the yearly table's), and a PNG of each national line at three times its drawing size."""
    import io

    import pandas as pd

    from sim.app import export

    v, r = run
    df = pd.read_csv(io.StringIO(export.national_csv(v)))
    assert len(df) == 98 * 3 and list(df.columns[:5]) == [
        "municipality",
        "region",
        "year",
        "model",
        "adopted_this_year",
    ]
    merged = df.merge(r.yearly, on=["municipality", "year"], suffixes=("", "_y"))
    assert len(merged) == len(df)
    assert (merged["model"] == merged["model_y"]).all()
    assert (merged["region"] == merged["region_y"]).all()
    for col in national.TILE_OUTCOMES:
        np.testing.assert_allclose(merged[col], merged[f"{col}_y"], rtol=1e-12)
    assert not df.loc[df["year"] == 2008, "adopted_this_year"].any()
    pytest.importorskip("cairosvg")
    for key, _, _ in national.NATIONAL_LINES:
        png = export.svg_png(plots.national_line_svg(v, key, 2, "en"))
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_national_view_offers_the_export_buttons(run):
    solara = pytest.importorskip("solara")

    from sim.app import page

    v, _ = run
    page.nat_view.set(v)
    page.nat_year.set(2)
    box, rc = solara.render(page.NationalMain(), handle_error=False)
    try:
        classes = " ".join(" ".join(getattr(w, "class_", "") or "" for w in _widgets(box)).split())
        assert "govsim-nat-csv" in classes
        for key, _, _ in national.NATIONAL_LINES:
            assert f"govsim-nat-png-{key}" in classes
    finally:
        rc.close()
        page.nat_view.set(None)
