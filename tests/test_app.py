"""The teaching app without a browser: sliders, validation, side-by-side sessions, figures, ODD links, CLI."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from sim.app import plots
from sim.app.page import ODD_PATH, odd_section
from sim.app.state import (
    KEY_PARAMS,
    Session,
    configure,
    key_sliders,
    scenario_choices,
    scenario_value,
)
from sim.errors import GovsimError
from sim.params import schema_index
from sim.rules import RULES


def test_sliders_take_units_and_ranges_from_the_schema():
    index = schema_index()
    sliders = {s.name: s for s in key_sliders()}
    assert list(sliders) == list(KEY_PARAMS)
    for name, s in sliders.items():
        info = index[name]
        assert s.unit == info.unit and s.kind == info.kind
        assert s.low < s.high
        if info.low is not None:
            assert (s.low, s.high) == (info.low, info.high)
        if info.kind == "int":
            assert s.step == 1
        else:
            assert 0 < s.step <= (s.high - s.low) / 50
    # tendering.floor has no plausible range (not sampled): the slider uses its hard bounds 0–1
    assert index["tendering.floor"].low is None
    assert (sliders["tendering.floor"].low, sliders["tendering.floor"].high) == (0.0, 1.0)


def test_forbidden_combination_is_refused_with_the_schemas_reason():
    with pytest.raises(
        GovsimError,
        match=r"sliders for hod.*fixed in-house share 0.85 leaves 0.15 to tender, "
        r"below the tendering floor 0.3",
    ):
        configure(["hod"], {"fixed_inhouse_share.share": 0.85})
    with pytest.raises(
        GovsimError,
        match=r"sliders for bum.*rule 'tendering' has share 0.315, below the tendering floor 0.4",
    ):
        configure(["bum", "hod"], {"tendering.floor": 0.4})  # a floor above the target share
    with pytest.raises(GovsimError, match=r"trust.initial"):
        configure(["bum"], {"trust.initial": 1.5})


def test_a_rule_parameter_applies_only_to_the_models_that_use_the_rule():
    bum, hod = configure(["bum", "hod"], {"fixed_inhouse_share.share": 0.6, "trust.initial": 0.4})
    assert scenario_value(hod, "fixed_inhouse_share.share") == 0.6
    assert scenario_value(bum, "fixed_inhouse_share.share") is None
    assert "fixed_inhouse_share" not in bum.rule_keys()
    assert scenario_value(bum, "trust.initial") == scenario_value(hod, "trust.initial") == 0.4


def test_teaching_variant_replaces_the_guarantee_by_tendering():
    assert "model_municipality_tendering" in scenario_choices()
    (sc,) = configure(["model_municipality_tendering"], {})
    keys = sc.rule_keys()
    assert "no_tendering_guarantee" not in keys and "tendering" in keys
    assert keys - {"tendering"} == configure(["model_municipality"], {})[0].rule_keys() - {
        "no_tendering_guarantee"
    }


def test_side_by_side_models_advance_together_on_the_same_seed():
    s = Session(configure(["bum", "bum"], {}), seed=5)
    s.step(3)
    v = s.views()
    assert [x.label for x in v] == ["A: bum", "B: bum"]
    assert all(x.quarter == 3 and not x.rows and not x.areas.surveyed for x in v)
    s.step(5)
    a, b = s.views()
    assert a.quarter == b.quarter == 8 and len(a.rows) == len(b.rows) == 2
    assert a.rows == b.rows  # same scenario, same seed → identical records
    np.testing.assert_array_equal(a.areas.satisfaction, b.areas.satisfaction)
    s.reset()
    assert all(x.quarter == 0 and not x.rows for x in s.views())
    s.close_models()


def test_stepping_past_the_end_stops_every_model():
    s = Session(configure(["hod", "model_municipality"], {}), seed=0)
    s.step(4 * 20 + 7)
    assert not s.running
    a, b = s.views()
    assert len(a.rows) == len(b.rows) == 20 and a.calendar_year == b.calendar_year == 2027
    s.close_models()


def test_area_view_marks_who_serves_each_area():
    s = Session(configure(["hod", "model_municipality"], {}), seed=2)
    s.step(4)
    hod, mm = s.views()
    vol_inhouse = hod.areas.inhouse
    assert np.all((vol_inhouse >= 0) & (vol_inhouse <= 1))
    assert 0.5 < vol_inhouse.mean() < 0.9  # the fixed 70 % in-house share, by volume
    assert any(hod.areas.contractors) and all(
        f.startswith("F") for fs in hod.areas.contractors for f in fs
    )
    np.testing.assert_array_equal(mm.areas.inhouse, 1.0)  # no tendering at all
    assert not any(mm.areas.contractors)
    assert hod.areas.surveyed and mm.areas.surveyed
    s.close_models()


def test_session_rejects_bad_input():
    with pytest.raises(GovsimError, match="one or two models"):
        Session(configure(["bum", "hod", "bum"], {}))
    with pytest.raises(GovsimError, match="seed"):
        Session(configure(["bum"], {}), seed=-1)


def test_every_plot_shows_every_model_and_the_map_shows_both():
    s = Session(configure(["bum", "hod"], {}), seed=1)
    s.step(8)
    views = s.views()
    for spec in plots.PLOTS:
        svg = plots.series_svg(spec, views, 2008, 2027)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "A: bum" in svg and "B: hod" in svg
        assert svg.count("<polyline") == 2 * len(spec.series)
    m = plots.map_svg(views, "gap")
    assert m.count("Area 12") == 2 and "A: bum" in m and "B: hod" in m
    assert "satisfaction − political expectation" in m
    empty = Session(configure(["bum"], {}), seed=1)
    assert "no year completed yet" in plots.series_svg(plots.PLOTS[0], empty.views(), 2008, 2027)
    assert "no survey yet" in plots.map_svg(empty.views())
    s.close_models()
    empty.close_models()


def test_odd_section_by_anchor_or_heading():
    text = (
        '# T\n## 7. Submodels\n<a id="submodel-x"></a>\n### X (`sim/rules/x.py`)\nbody x\n\n'
        '<a id="submodel-y"></a>\n### Y\nbody y\n## Parameters\n'
    )
    assert odd_section(text, "submodel-x") == "### X (`sim/rules/x.py`)\nbody x"
    assert odd_section(text, "submodel-y") == "### Y\nbody y"
    assert odd_section(text, "parameters") == "## Parameters"
    assert odd_section(text, "submodel-z") is None


@pytest.mark.skipif(not ODD_PATH.exists(), reason="docs/ODD.md not present")
def test_every_rule_links_to_a_section_of_the_odd():
    text = ODD_PATH.read_text(encoding="utf-8")
    for key, cls in RULES.items():
        assert cls.title and cls.explanation, key
        part = odd_section(text, cls.odd_section().split("#", 1)[1])
        assert part is not None and f"sim/rules/{key}.py" in part, key


def test_app_command_refuses_a_missing_scenario_file(invoke, tmp_path):
    r = invoke("app", "--port", "0", "--model-a", str(tmp_path / "nope.yaml"), "--model-b", "none")
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: file not found"


def test_app_command_help_names_its_options(cli):
    r = cli("app", "--help")
    assert r.returncode == 0
    for opt in ("--port", "--model-a", "--model-b", "--seed", "--seeds", "--play-interval"):
        assert opt in r.stdout


def test_app_command_seeds_starts_the_multi_seed_mode(invoke, monkeypatch):
    from sim.app import assets
    from sim.app import cli as app_cli
    from sim.app.config import CONFIG_ENV, MAX_SEEDS, AppConfig

    monkeypatch.setattr(app_cli, "serve", lambda port: None)
    monkeypatch.setattr(assets, "ensure", lambda: None)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert invoke("app", "--seeds", "10").returncode == 0
    assert AppConfig.from_env().seeds == 10
    monkeypatch.setenv(CONFIG_ENV, os.environ[CONFIG_ENV])  # undone after the test
    r = invoke("app", "--seeds", str(MAX_SEEDS + 1))
    assert r.returncode == 2 and "--seeds" in r.stderr


def test_assets_lists_what_solaras_template_loads():
    pytest.importorskip("solara")
    from sim.app import assets

    req = dict(assets.required())
    assert "requirejs" in req and any(p.startswith("@widgetti/solara-vuetify") for p in req)
    assert all(os.sep not in v for v in req.values())


def test_scenario_file_is_validated_before_it_becomes_model_b(tmp_path):
    solara = pytest.importorskip("solara")
    import ipyvuetify as v

    from sim.app.page import ScenarioFileInput

    good = tmp_path / "mine.yaml"
    good.write_text("name: mine\nrules:\n  - rule: tendering\n    share: 0.2\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nrules:\n  - rule: tendering\n    shares: 0.2\n", encoding="utf-8")
    files, target = solara.reactive([]), solara.reactive("hod")
    _, rc = solara.render(ScenarioFileInput(files, target), handle_error=False)
    rc.find(v.TextField).widget.v_model = str(bad)
    rc.find(v.Btn, children=["Load as B"]).widget.click()
    assert target.value == "hod" and files.value == []
    assert "unknown key 'rules[0].tendering.shares'" in rc.find(v.Alert).widget.children[0]
    rc.find(v.TextField).widget.v_model = str(good)
    rc.find(v.Btn, children=["Load as B"]).widget.click()
    assert target.value == str(good) and files.value == [str(good)]
    assert str(good) in scenario_choices(files.value)
    (sc,) = configure([target.value], {"tendering.share": 0.3})
    assert sc.name == "mine" and scenario_value(sc, "tendering.share") == 0.3


# ---------------------------------------------------------------- issue 14: names, languages, export
def test_models_are_listed_by_their_display_names_from_the_preset_registry(tmp_path):
    from sim.app.state import model_title, short_title
    from sim.scenario import load_scenario, preset_names

    assert model_title("bum") == "BUM (purchaser–provider split)"
    assert model_title("hod") == "HOD (holistic operation)"
    assert model_title("model_municipality") == "Model municipality (modelkommune)"
    assert short_title(model_title("bum")) == "BUM"
    for name in [*preset_names(), "model_municipality_tendering"]:
        assert model_title(name) != name, f"preset {name} has no display name (title:)"
    # an edited copy of a preset is not the preset: it does not inherit its title
    mine = tmp_path / "mine.yaml"
    mine.write_text("base: bum\nset: {tendering.share: 0.4}\n", encoding="utf-8")
    assert load_scenario(str(mine)).title == ""
    assert model_title(str(mine)) == "mine.yaml"


def test_every_english_text_has_a_danish_one():
    from sim.app import i18n

    for key, (en, da) in i18n.UI.items():
        assert en.strip() and da.strip(), key
        # the same fields to fill in, in both languages
        fields = lambda s: sorted(re.findall(r"\{(\w*)\}", s))  # noqa: E731
        assert fields(en) == fields(da), key
    missing = sorted(x for x in i18n.registry_texts() if i18n.tr(x, "da") == x and x not in i18n.DA)
    assert not missing, f"registry texts without a Danish entry in sim/app/i18n.py: {missing}"
    # BUM, HOD and modelkommune keep their Danish names in both languages
    assert i18n.tr("BUM (purchaser–provider split)", "da").startswith("BUM")
    assert i18n.tr("HOD (holistic operation)", "da").startswith("HOD")
    assert i18n.tr("Model municipality (modelkommune)", "da") == "Modelkommune"
    assert i18n.t("step", "da") == "Trin" and i18n.t("step", "en") == "Step"


def test_event_log_and_plots_speak_the_chosen_language():
    from sim.app import i18n

    s = Session(configure(["bum"], {}), seed=3)
    s.step(8)
    (en,) = s.views(["BUM"], "en")
    (da,) = s.views(["BUM"], "da")
    text_en = " ".join(e.text for ev in en.events for e in ev)
    text_da = " ".join(e.text for ev in da.events for e in ev)
    assert "Tender: area" in text_en and "won by" in text_en
    assert "Udbud: område" in text_da and "vundet af" in text_da and "Tender" not in text_da
    svg = plots.series_svg(plots.PLOTS[0], (da,), 2008, 2027, lang="da")
    assert i18n.tr(plots.PLOTS[0].title, "da") in svg and "A: BUM" in svg
    assert "Område 1" in plots.map_svg((da,), "gap", "da")
    s.close_models()


def test_danish_numbers_have_a_decimal_comma_in_tables_log_map_and_ticks():
    from sim.app import i18n
    from sim.app.page import latest_table

    assert i18n.num(1234567.891, "da", 2) == "1.234.567,89"
    assert i18n.num(1234567.891, "en", 2) == "1,234,567.89"
    assert i18n.num(0.706, "da") == "0,706" and i18n.pct(12.34, "da") == "12,3 %"
    s = Session(configure(["bum", "hod"], {}), seed=3)
    s.step(8)
    en, da = s.views(["BUM", "HOD"], "en"), s.views(["BUM", "HOD"], "da")
    cells = re.findall(r"<td>([^<]*)</td>", latest_table(da, lang="da"))
    numbers = [c for c in cells if re.search(r"\d[.,]\d", c)]
    assert numbers and all("," in c and "." not in c for c in numbers)  # no decimal point
    assert any(c.endswith(" %") for c in cells)
    en_cells = re.findall(r"<td>([^<]*)</td>", latest_table(en, lang="en"))
    assert [c.replace(",", ".").replace(" %", "%").replace(" K", " Q") for c in cells] == en_cells
    # one format per row: both models' values with the same number of decimals
    for row in re.findall(r"<tr class='govsim-outcome'>(.*?)</tr>", latest_table(en)):
        a, b = re.findall(r"<td>([^<]*)</td>", row)
        assert len(a.split(".")[-1]) == len(b.split(".")[-1]) or "." not in a + b, row
    log = " ".join(e.text for ev in da[0].events for e in ev)
    assert re.search(r"\d,\d\d mio\. kr\.", log) and not re.search(r"\d\.\d", log)
    m = plots.map_svg(da, "satisfaction", "da")
    assert re.search(r">0,\d\d<", m) and not re.search(r">0\.\d\d<", m)
    svg = plots.series_svg(plots.PLOTS[1], da, 2008, 2027, lang="da")  # ticks 0,2 0,4 …
    ticks = re.findall(r"text-anchor='end'[^>]*>([^<]+)<", svg)
    assert any("," in x for x in ticks) and not any("." in x for x in ticks)
    s.close_models()


def test_students_see_no_source_citations_or_code_names():
    from sim.app import i18n

    text = "Procedures (seeds 000, 001, 004). Never below this, whatever `share` says."
    assert i18n.plain(text) == "Procedures. Never below this, whatever share says."
    assert i18n.plain("far above involvement_reference.") == "far above involvement reference."
    assert "referenceniveauet for inddragelse" in i18n.plain("over involvement_reference", "da")
    for x in i18n.registry_texts():
        for lang in ("en", "da"):
            shown = i18n.plain(i18n.tr(x, lang), lang)
            assert not re.search(r"\(seeds? \d|\(kilder? \d|`|\b[a-z]+_[a-z]+\b", shown) or (
                x.startswith("App:")  # an exercise's steps may quote a command
            ), shown


def test_long_model_names_wrap_the_legend_inside_the_plot():
    s = Session(configure(["model_municipality", "model_municipality_tendering"], {}), seed=0)
    s.step(4)
    views = s.views(["Model municipality", "Model municipality, 25 % tendered"])
    svg = plots.series_svg(plots.PLOTS[4], views, 2008, 2027)  # trust: three measures
    w, h = (float(x) for x in re.search(r"viewBox='0 0 (\S+) (\S+)'", svg).groups())
    xs = [float(x) for x in re.findall(r"<text x='([\d.]+)'", svg)]
    ys = [float(y) for y in re.findall(r"<text x='[\d.]+' y='([\d.]+)'", svg)]
    assert h > plots.H  # a taller image for the extra legend row
    assert max(ys) < h and max(xs) < w
    s.close_models()


def test_export_gives_a_png_of_the_plot_and_a_csv_of_the_shown_rows():
    pytest.importorskip("cairosvg")
    import io

    import pandas as pd

    from sim.app import export

    s = Session(configure(["bum", "hod"], {}), seed=1, seeds=2)
    s.step(12)
    views = s.views(["BUM", "HOD"])
    png = export.svg_png(plots.series_svg(plots.PLOTS[0], views, 2008, 2027))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == plots.W * export.PNG_SCALE
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGBA")
    colours = {c for _, c in img.getcolors(1 << 20)}
    # drawn, not blank: opaque, with the white ground and model A's blue line on it
    assert img.getextrema()[3] == (255, 255) and (255, 255, 255, 255) in colours
    assert (0x1F, 0x77, 0xB4, 255) in colours
    df = pd.read_csv(io.StringIO(export.views_csv(views)))
    assert list(df["model"]) == ["A"] * 3 + ["B"] * 3
    assert list(df["year"]) == [2008, 2009, 2010] * 2 and set(df["seeds"]) == {2}
    # the values are what the page shows (the mean of the seeds)
    assert df["admin_overhead_share"].tolist() == pytest.approx(
        [r["admin_overhead_share"] for v in views for r in v.rows]
    )
    assert export.views_csv(Session(configure(["bum"], {})).views()).startswith("model,")
    s.close_models()


def test_doc_links_are_rewritten_to_open_in_the_app():
    from sim.app.page import DOCS_DIR, doc_path, rewrite_links

    body = (
        "<a href='VALIDATION.md'>v</a> <a href=\"CALIBRATION.md#check-5b\">c</a> "
        "<a href='ODD.md#submodel-market'>o</a> <a href='#submodel-politics'>p</a> "
        "<a href='../experiments/calibration.yaml'>y</a> <a href='https://example.org'>x</a>"
    )
    out = rewrite_links(body, section=True)
    assert "href='/doc/VALIDATION.md'" in out
    assert 'href="/doc/CALIBRATION.md#check-5b"' in out
    assert "href='/odd/submodel-market'" in out and "href='/odd/submodel-politics'" in out
    assert "../experiments" not in out.split("data-path")[0] and "href='https://example.org'" in out
    assert "href='#submodel-politics'" in rewrite_links(body, section=False)
    if (DOCS_DIR / "validation").is_dir():
        img = rewrite_links("<img src='validation/savings.png'>")
        assert img.startswith("<img src='data:image/png;base64,")
    assert doc_path("VALIDATION.md") is not None
    assert doc_path("../README.md") is None and doc_path("validation/calibration.json") is None
