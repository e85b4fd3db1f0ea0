"""End-to-end: `govsim app` in headless Chromium, driven with Playwright (issue 5 acceptance).

Needs Debian's `chromium` (skips with the reason if absent) and Solara's browser assets in its
cache (`python -m sim.app.assets`, part of the README's test command). The screenshot goes to
$GOVSIM_SCREENSHOT_DIR (default: pytest's tmp dir).

These tests check behaviour only. Timeouts are generous and only detect a hang (a loaded
machine is slow, not wrong); how fast the app starts and steps is measured by
``benchmarks/bench_app.py``, not asserted here.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sim.app.exercises import EXERCISES
from sim.app.state import model_title, short_title

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HANG_S = 120  # seconds after which a wait is a hang, not a slow machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app():
    """The URL of a running `govsim app`."""
    if CHROMIUM is None:
        pytest.skip("Debian package 'chromium' is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api")
    from sim.app import assets
    from sim.errors import GovsimError

    try:
        assets.ensure()
    except GovsimError as e:  # the install step (python -m sim.app.assets) puts them there
        pytest.fail(e.message)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from sim.cli import main; main()",
            "app",
            "--port",
            str(port),
            "--model-a",
            "bum",
            "--model-b",
            "none",
            "--seed",
            "3",
            "--play-interval",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        started = False
        while not started and time.monotonic() - t0 < HANG_S:
            if proc.poll() is not None:
                pytest.fail(f"govsim app exited early:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    started = r.status == 200
            except urllib.error.HTTPError as e:  # the server is up and answers with an error
                pytest.fail(f"govsim app answered HTTP {e.code} on {url}")
            except OSError:
                time.sleep(0.2)
        assert started, f"the app did not answer within {HANG_S} s (hung?)"
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser(app):
    """One Chromium for the module; every test gets a fresh page (its own session) in it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module: its HTTP cache keeps the front end's scripts, so
    a test's page loads without fetching them again."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1200}, accept_downloads=True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(app, context):
    """A fresh page per test: its own tab, so its own Solara kernel and session."""
    pg = context.new_page()
    try:
        pg.set_default_timeout(HANG_S * 1000)
        pg.set_default_navigation_timeout(HANG_S * 1000)
        pg.goto(app)
        pg.wait_for_selector("table.govsim-latest")
        yield pg
    finally:
        pg.close()


def years(pg) -> list[str]:
    return pg.locator("td.govsim-year").all_inner_texts()


def wait_years(pg, year: str) -> None:
    pg.wait_for_function(
        f"[...document.querySelectorAll('td.govsim-year')].every(td => td.innerText == '{year}')"
    )


def plot_svgs(pg) -> dict[str, str]:
    out = {}
    for el in pg.locator("div.govsim-plot").all():
        key = re.search(r"govsim-plot-(\w+)", el.get_attribute("class")).group(1)
        out[key] = el.inner_html()
    return out


def head(ref: str) -> str:
    """How the page's tables and legends name a model: its short display name ("BUM")."""
    return short_title(model_title(ref))


def select(pg, css: str, ref: str) -> None:
    """Choose a model by its display name in the list ("HOD (holistic operation)"), and wait
    until the select shows it. On a loaded machine a click on a list that is still opening can
    be lost, or the list re-rendered under the pointer; then the list is closed and the choice
    made again (until HANG_S: a hang)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    names = [model_title(ref), model_title(ref, "da")]
    deadline = time.monotonic() + HANG_S
    while True:
        try:
            pg.locator(css).click(timeout=15_000)
            pg.get_by_role("option", name=names[0], exact=True).click(timeout=15_000)
            pg.wait_for_function(
                """([css, names]) => {
                    const e = document.querySelector(css + ' .v-select__selection-text');
                    return e !== null && names.includes(e.innerText.replace(/\\s+/g, ' ').trim());
                }""",
                arg=[css, names],
                timeout=15_000,
            )
            return
        except PlaywrightTimeout:
            shown = pg.locator(f"{css} .v-select__selection-text").all_inner_texts()
            print(f"select {css}: {names[0]!r} not chosen (shows {shown!r}); choosing again")
            if time.monotonic() > deadline:
                raise
            pg.keyboard.press("Escape")


def choose_b(pg, ref: str) -> None:
    select(pg, ".govsim-select-b", ref)
    pg.wait_for_function(
        "document.querySelectorAll('table.govsim-latest th.govsim-model').length == 2"
    )
    pg.wait_for_selector(f"table.govsim-latest th.govsim-model:has-text('B: {head(ref)}')")


def step(pg, n: int = 1) -> None:
    """Step n times, each time waiting until the step counter moved (no wall-clock)."""
    for _ in range(n):
        before = pg.locator(".govsim-counter").inner_text()
        pg.locator(".govsim-step").click()
        pg.wait_for_function(
            "t => document.querySelector('.govsim-counter').innerText != t", arg=before
        )


def shoot(pg, tmp_path, name: str) -> None:
    out_dir = Path(os.environ.get("GOVSIM_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    pg.screenshot(
        path=str(out_dir / f"{name}.png"), full_page=bool(os.environ.get("GOVSIM_FULL_PAGE"))
    )


def test_play_to_the_end_reset_and_play_again(page):
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_S * 1000)
    pg = page
    play, stp = pg.locator(".govsim-play"), pg.locator(".govsim-step")
    assert play.is_enabled() and stp.is_enabled()
    assert pg.locator(".govsim-finished").count() == 0
    play.click()
    pg.locator(".govsim-finished").wait_for()
    assert "Run finished" in pg.locator(".govsim-finished").inner_text()
    wait_years(pg, "2027")
    expect(play).to_be_disabled()  # once the play loop has stopped (it waits, no wall clock)
    expect(stp).to_be_disabled()
    assert "Quarter 80 of 80" in pg.locator(".govsim-counter").inner_text()
    pg.locator(".govsim-reset").click()
    wait_years(pg, "–")
    pg.wait_for_selector(".govsim-finished", state="detached")
    expect(play).to_be_enabled()  # the blocker of issue 14
    expect(stp).to_be_enabled()
    assert "Quarter 0 of 80" in pg.locator(".govsim-counter").inner_text()
    play.click()  # play again
    pg.wait_for_function(
        "[...document.querySelectorAll('td.govsim-year')].every(td => parseInt(td.innerText) >= 2010)"
    )
    # pause, unless it ran to the end meanwhile (then the finished notice is back)
    if pg.locator(".govsim-finished").count() == 0 and play.is_enabled():
        try:
            play.click(timeout=5000)
        except Exception:  # it finished between the check and the click
            pass
    pg.wait_for_selector(".govsim-play:has-text('Play'), .govsim-finished")


def test_step_to_the_end_shows_the_finished_notice(page):
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_S * 1000)
    pg = page
    step(pg, 20)  # 20 years, a year per step
    wait_years(pg, "2027")
    pg.locator(".govsim-finished").wait_for()
    expect(pg.locator(".govsim-step")).to_be_disabled()
    expect(pg.locator(".govsim-play")).to_be_disabled()
    expect(pg.locator(".govsim-reset")).to_be_enabled()


def test_visiting_every_tab_keeps_the_session(page, app):
    pg = page
    choose_b(pg, "hod")
    step(pg, 2)
    wait_years(pg, "2009")
    seed = pg.locator(".govsim-side input").last
    for tab in ("info", "odd", "simulation"):
        pg.locator(f".govsim-tab-{tab}").click()
        if tab != "simulation":
            pg.wait_for_selector(".govsim-info, .govsim-odd")
    pg.wait_for_selector("table.govsim-latest")
    assert pg.locator("table.govsim-latest th.govsim-model").all_inner_texts() == [
        "A: BUM",
        "B: HOD",
    ]
    assert years(pg)[:2] == ["2009", "2009"]  # same models, same year
    assert seed.count() == 1


def test_a_models_sliders_change_only_that_model(page):
    pg = page
    choose_b(pg, "bum")
    share = pg.locator(".govsim-slider-a-tendering-share [role=slider]")
    share.focus()
    share.press("End")  # A's tender share to the top of its range
    pending = pg.locator(".govsim-pending")
    pending.wait_for()
    assert "not applied" in pending.inner_text()
    assert pg.locator(".govsim-discard").is_enabled()
    pg.locator(".govsim-apply").click()
    pg.wait_for_selector(".govsim-pending", state="detached")
    step(pg, 1)
    wait_years(pg, "2008")
    row = next(
        r
        for r in pg.locator("table.govsim-latest tr.govsim-outcome").all_inner_texts()
        if r.startswith("Tendered share")
    )
    a, b = (float(x.rstrip("%")) for x in row.split()[-2:])
    assert a > b  # only A's share moved; B keeps BUM's own


def test_monitors_and_log_show_tenders_and_learning_teams(page):
    pg = page
    choose_b(pg, "hod")
    step(pg, 4)
    wait_years(pg, "2011")
    pg.wait_for_selector(".govsim-eventlog-a:has-text('What happened in 2011')")
    monitors = pg.locator("table.govsim-monitors").inner_text()
    for name in (
        "Tenders held",
        "Control bids",
        "Learning teams",
        "Savings",
        "Administrative cost",
    ):
        assert name in monitors
    assert "M DKK" in monitors
    log_a = pg.locator(".govsim-eventlog-a").inner_html()
    log_b = pg.locator(".govsim-eventlog-b").inner_html()
    assert "govsim-event-tender" in log_a and "won by" in log_a  # a tender in a BUM run
    assert "govsim-event-learning_team" in log_b  # a learning team in a HOD run


def test_each_exercise_preset_loads_with_its_seed_band(page, tmp_path):
    """Every exercise's *Load* button, one after the other on one page (as a teacher goes
    through them): the preset's models, slider values and seeds, and the band."""
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_S * 1000)
    pg = page
    for ex in EXERCISES:
        pg.locator(".govsim-tab-info").click()
        pg.locator(f".govsim-load-{ex.key}").click()
        pg.wait_for_selector(".govsim-seeds-note")
        expect(pg.locator(".govsim-seeds-note")).to_contain_text(f"Mean of {ex.preset.seeds} seeds")
        # the page re-renders with the preset's models, from the start (wait, no wall clock)
        # (a model with its own slider values says so: "A: BUM, share 0.15")
        expect(pg.locator("table.govsim-latest th.govsim-model")).to_contain_text(
            [f"A: {head(ex.preset.a)}", f"B: {head(ex.preset.b)}"]
        )
        shared = set(ex.preset.a_set) & set(ex.preset.b_set)  # not named: both have them
        for label, sets in (("A", ex.preset.a_set), ("B", ex.preset.b_set)):
            for _, value in set(sets) - shared:
                expect(
                    pg.locator("table.govsim-latest th.govsim-model", has_text=f"{label}:")
                ).to_contain_text(f"{value:g}")
        expect(pg.locator(".govsim-counter")).to_contain_text("Quarter 0 of")
        step(pg, 2)
        # the multi-seed band, in every plot once they have redrawn
        pg.wait_for_function(
            "[...document.querySelectorAll('div.govsim-plot')]"
            ".every(d => d.innerHTML.includes('govsim-band'))"
        )
        svgs = plot_svgs(pg)
        assert svgs and all("govsim-band" in svg for svg in svgs.values()), ex.key
        shoot(pg, tmp_path, f"exercise_{ex.key}")


def test_a_regime_switch_shows_in_2011_q2_and_on_the_plots(page):
    pg = page
    choose_b(pg, "bum_to_hod")
    pg.locator(".govsim-per-step button", has_text="quarter").click()
    step(pg, 13)
    assert "2011 Q1" in pg.locator(".govsim-counter").inner_text()
    assert "regime 1 of 2" in pg.locator(".govsim-rules-b").inner_text()
    assert "govsim-switch" not in plot_svgs(pg)["trust"]
    step(pg, 1)
    assert "2011 Q2" in pg.locator(".govsim-counter").inner_text()
    pg.wait_for_selector(".govsim-rules-b:has-text('regime 2 of 2')")
    # every plot marks it once they have redrawn (the plots are widgets of their own: under
    # load they can arrive after the rules panel)
    pg.wait_for_function(
        "[...document.querySelectorAll('div.govsim-plot')]"
        ".every(d => d.innerHTML.includes('govsim-switch'))"
    )
    assert len(plot_svgs(pg)) == 7


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)], ids=["1024x768", "1920x1080"])
def test_no_horizontal_scroll_and_no_covered_control(page, size, tmp_path):
    pg = page
    pg.set_viewport_size({"width": size[0], "height": size[1]})
    choose_b(pg, "quality_municipality")  # the longest display name of the presets
    step(pg, 2)

    def check() -> None:
        sw, cw = pg.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert sw <= cw, f"horizontal scroll: page {sw} px wide in a {cw} px window"
        for css in (".govsim-reset", ".govsim-play", ".govsim-step", ".govsim-select-a"):
            box = pg.locator(css).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= cw, css
            assert 0 <= box["y"] and box["y"] + box["height"] <= size[1], css
            hit = pg.evaluate(
                "([x, y, css]) => document.elementFromPoint(x, y).closest(css) !== null",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, css],
            )
            assert hit, f"{css} is covered by another element"
        for el in pg.locator("div.govsim-plot svg").all():
            box = el.bounding_box()
            assert box["x"] + box["width"] <= cw + 0.5  # plots scale to their column
        # model names are shown whole (they wrap), not cut off with an ellipsis
        side = pg.locator(".govsim-side").bounding_box()
        for css in (".govsim-select-a", ".govsim-select-b"):
            name = pg.locator(f"{css} .v-select__selection-text")
            assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), css
            box = name.bounding_box()
            assert box["x"] + box["width"] <= side["x"] + side["width"], css
        shown = pg.locator(".govsim-select-b .v-select__selection-text").inner_text()
        ref = "quality_municipality"
        assert " ".join(shown.split()) in (model_title(ref), model_title(ref, "da"))

    settled(check)
    shoot(pg, tmp_path, f"layout_{size[0]}")
    pg.mouse.move(size[0] * 0.7, size[1] * 0.7)
    pg.mouse.wheel(0, 1500)  # scroll the page: the controls stay on screen (sticky)
    pg.wait_for_function("Math.max(window.scrollY, document.body.scrollTop) > 500")
    settled(check)
    if size[0] == 1024:  # the longer Danish labels fit too
        pg.locator(".govsim-lang-da").click()
        pg.wait_for_selector(".govsim-step:has-text('Trin')")
        settled(check)


def settled(check, hang_s: float = 30.0) -> None:
    """Run a geometry check until it holds: a page that is still laying out (a transition, a
    wrap after a language switch, the sticky header after a scroll) is not a failure yet. The
    deadline only guards against a hang; the last failure is raised."""
    import time

    deadline = time.monotonic() + hang_s
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def test_forbidden_slider_combination_cannot_be_applied(page):
    pg = page
    select(pg, ".govsim-select-a", "hod")
    pg.wait_for_selector(".govsim-slider-a-fixed_inhouse_share-share")
    apply = pg.locator(".govsim-apply")
    assert apply.is_enabled()
    # HOD fixes 70 % in-house: a tendering floor of 100 % would leave nothing to the fixed share.
    floor = pg.locator(".govsim-slider-a-tendering-floor [role=slider]")
    floor.focus()
    floor.press("End")
    error = pg.locator(".govsim-param-error")
    error.wait_for()
    assert "below the tendering floor" in error.inner_text()
    assert apply.is_disabled()
    floor.press("Home")
    pg.wait_for_selector(".govsim-param-error", state="detached")
    assert apply.is_enabled()
    seed = pg.get_by_label("Seed (whole number)")
    seed.fill("4x")
    pg.wait_for_selector(".govsim-param-error:has-text('whole number')")
    seed.fill("4")
    pg.wait_for_selector(".govsim-param-error", state="detached")  # no old error kept


def test_rule_link_opens_its_odd_section(page, app):
    from sim.app.page import ODD_PATH

    if not ODD_PATH.exists():
        pytest.skip("docs/ODD.md not present")
    pg = page
    href = pg.locator("a[href^='/odd/submodel-control-bids']").get_attribute("href")
    pg.goto(app.rstrip("/") + href)
    section = pg.locator(".govsim-odd")
    section.wait_for()
    assert "sim/rules/control_bids.py" in section.inner_text()
    assert "sim/rules/tendering.py" not in section.inner_text()  # only that section
    # the whole ODD, and from it VALIDATION.md and CALIBRATION.md (no 404 in the app)
    pg.get_by_role("link", name="The whole model description (ODD)").click()
    pg.locator(".govsim-odd a[href='/doc/VALIDATION.md']").first.click()
    doc = pg.locator(".govsim-doc")
    doc.wait_for()
    assert "Validation" in doc.locator("h1").first.inner_text()
    assert doc.locator("img[src^='data:image/png']").count() >= 1  # its figures show
    doc.locator("a[href='/doc/CALIBRATION.md']").first.click()
    pg.wait_for_url("**/doc/CALIBRATION.md")
    pg.wait_for_selector(".govsim-doc h1:has-text('alibration')")


def test_danish_toggle_and_export_of_plots_and_data(page, tmp_path):
    """The language switch changes the page's labels (and back); every plot has a PNG button,
    and the CSV download holds the shown rows."""
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_S * 1000)
    pg = page
    step(pg, 2)
    wait_years(pg, "2009")
    assert pg.locator(".govsim-png").count() == 7  # one per plot
    with pg.expect_download() as dl:
        pg.locator(".govsim-csv").click()
    csv = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("model,scenario,seeds,year,")
    assert [row.split(",")[:4] for row in csv[1:]] == [
        ["A", "bum", "1", "2008"],
        ["A", "bum", "1", "2009"],
    ]
    with pg.expect_download() as dl:
        pg.locator(".govsim-png-overhead").click()
    assert Path(dl.value.path()).read_bytes()[:4] == b"\x89PNG"
    assert dl.value.suggested_filename == "govsim_overhead.png"
    pg.locator(".govsim-lang-da").click()
    expect(pg.locator(".govsim-step")).to_contain_text("Trin")
    expect(pg.locator(".govsim-play")).to_contain_text("Afspil")
    expect(pg.locator(".govsim-reset")).to_contain_text("Nulstil")
    expect(pg.locator(".govsim-tab-simulation")).to_have_text("Simulering")
    expect(pg.locator("table.govsim-latest")).to_contain_text("Seneste år")
    expect(pg.locator("table.govsim-latest")).to_contain_text("Administrativt overhead")
    expect(pg.locator(".govsim-plot-sick_leave")).to_contain_text("Sygefravær")
    expect(pg.locator(".govsim-eventlog-a")).to_contain_text("Hvad skete der i 2009")
    expect(pg.locator(".govsim-note-sick_leave")).to_contain_text("Hvorfor stiger sygefraværet")
    assert "Tender:" not in pg.locator(".govsim-eventlog-a").inner_text()
    shoot(pg, tmp_path, "danish")
    pg.locator(".govsim-tab-info").click()
    expect(pg.locator(".govsim-info")).to_contain_text("Øvelse 1")
    expect(pg.locator(".govsim-load-tender_share")).to_contain_text("Indlæs øvelse 1")
    pg.locator(".govsim-lang-en").click()
    expect(pg.locator(".govsim-info")).to_contain_text("Exercise 1")
    pg.locator(".govsim-tab-simulation").click()
    expect(pg.locator(".govsim-step")).to_contain_text("Step")
    wait_years(pg, "2009")  # switching the language keeps the run


def test_national_view_runs_a_population_and_shows_its_panels(page, tmp_path):
    """The National view tab (issue 12) on a 1280×800 projector: a 2-year national run of the
    shipped Denmark, its five regions' small multiples of the 98 municipalities, the four
    national lines with E7's band, the year slider, the colouring, Danish, and the simulation
    tab still there afterwards."""
    from playwright.sync_api import expect

    expect.set_options(timeout=HANG_S * 1000)
    pg = page
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.locator(".govsim-tab-national").click()
    pg.wait_for_selector(".govsim-nat-run")
    expect(pg.locator(".govsim-nat-none")).to_contain_text("press Run")
    years = pg.locator(".govsim-nat-years [role=slider]")
    years.focus()
    years.press("Home")  # the fewest years the view runs
    expect(pg.locator(".govsim-nat-years")).to_contain_text("Years to run: 2")
    pg.locator(".govsim-nat-run").click()
    # the run goes off the UI thread: the panels come when it is done (wait, no wall clock)
    pg.wait_for_selector(".govsim-nat-counter")
    pg.wait_for_selector(".govsim-nat-running", state="detached")
    # five regions, 98 municipalities (waited for: the drawings are widgets of their own)
    pg.wait_for_function(
        "document.querySelectorAll('svg.govsim-nat-region').length == 5"
        " && document.querySelectorAll('rect.govsim-nat-tile').length == 98"
    )
    for key in ("exposure", "overhead", "satisfaction", "models"):
        pg.locator(f"svg.govsim-nat-line-{key}").wait_for()
    assert pg.locator("svg.govsim-nat-line-exposure rect.govsim-nat-band").count() == 1
    expect(pg.locator(".govsim-nat-counter")).to_contain_text("2009 · year 2 of 2 · denmark")
    expect(pg.locator(".govsim-nat-region-hovedstaden")).to_contain_text("29 municipalities")
    expect(pg.locator(".govsim-nat-legend")).to_contain_text("BUM: 91")
    shoot(pg, tmp_path, "national_en")
    with pg.expect_download() as dl:  # the run shown, one row per municipality and year
        pg.locator(".govsim-nat-csv").click()
    csv = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("municipality,region,year,model,adopted_this_year,")
    assert len(csv) == 1 + 98 * 2 and dl.value.suggested_filename == (
        "govsim_national_denmark_seed0.csv"
    )
    with pg.expect_download() as dl:
        pg.locator(".govsim-nat-png-exposure").click()
    assert Path(dl.value.path()).read_bytes()[:4] == b"\x89PNG"
    year = pg.locator(".govsim-nat-yearslider [role=slider]")
    year.focus()
    year.press("Home")
    expect(pg.locator(".govsim-nat-counter")).to_contain_text("2008 · year 1 of 2")
    expect(pg.locator("svg.govsim-nat-line-exposure")).to_contain_text("2008:")
    pg.locator(".govsim-nat-colour-citizen_satisfaction").click()
    expect(pg.locator(".govsim-nat-legend")).to_contain_text("colour: Citizen satisfaction")
    sw, cw = pg.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sw <= cw, f"horizontal scroll: page {sw} px wide in a {cw} px window"
    pg.locator(".govsim-lang-da").click()
    expect(pg.locator(".govsim-tab-national")).to_have_text("Landsbillede")
    expect(pg.locator(".govsim-nat-run")).to_contain_text("Kør")
    expect(pg.locator(".govsim-nat-region-hovedstaden")).to_contain_text("29 kommuner")
    expect(pg.locator("svg.govsim-nat-line-satisfaction")).to_contain_text("Borgertilfredshed")
    shoot(pg, tmp_path, "national_da")
    pg.locator(".govsim-lang-en").click()
    pg.locator(".govsim-tab-simulation").click()
    pg.wait_for_selector("table.govsim-latest")  # the simulation tab is untouched
    pg.locator(".govsim-tab-national").click()  # and the national run is kept
    expect(pg.locator(".govsim-nat-counter")).to_contain_text("2008 · year 1 of 2")
