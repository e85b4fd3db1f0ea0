"""End-to-end: `govsim app` in headless Chromium, driven with Playwright (issue 5 acceptance).

Needs Debian's `chromium` (skips with the reason if absent) and Solara's browser assets in its
cache (`python -m sim.app.assets`, part of the README's test command). The screenshot goes to
$GOVSIM_SCREENSHOT_DIR (default: pytest's tmp dir).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Issue 5's limits, measured with this file run alone; under CI (CI=true) the suite runs on both
# cores beside this test, so the limits get slack there rather than failing a build on load.
SLACK = 2.5 if os.environ.get("CI") else 1.0
START_LIMIT_S = 10.0 * SLACK
STEP_LIMIT_S = 0.5 * SLACK


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app():
    """(url, seconds from launch to the first HTTP answer, launch time)."""
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
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from sim.cli import main; main()", "app", "--port", str(port), "--model-a", "bum",
                             "--model-b", "none", "--seed", "3", "--play-interval", "400"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        started = None
        while time.perf_counter() - t0 < 30:
            if proc.poll() is not None:
                pytest.fail(f"govsim app exited early:\n{proc.stdout.read()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        started = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.1)
        assert started is not None, "the app did not answer within 30 s"
        print(f"\napp started (HTTP 200) in {started:.2f} s")
        assert started < START_LIMIT_S, f"app took {started:.1f} s to start (limit {START_LIMIT_S} s)"
        yield url, started, t0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


FIRST_PAGE: dict[str, float] = {}


@pytest.fixture
def page(app):
    from playwright.sync_api import sync_playwright

    app_url, http_ready, _ = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1500, "height": 1200})
            pg.set_default_timeout(20_000)
            t0 = time.perf_counter()
            pg.goto(app_url)
            pg.wait_for_selector("table.govsim-latest")
            if "s" not in FIRST_PAGE:  # the app's first page: server start + page load with models on screen
                load = time.perf_counter() - t0
                FIRST_PAGE["s"] = http_ready + load
                print(f"\nfirst page load {load:.2f} s; app start to models on screen {FIRST_PAGE['s']:.2f} s")
                assert FIRST_PAGE["s"] < START_LIMIT_S, f"first page after {FIRST_PAGE['s']:.1f} s"
            yield pg
        finally:
            browser.close()


def model_rows(pg) -> list[str]:
    return pg.locator("tr.govsim-model").all_inner_texts()


def last_years(pg) -> list[int]:
    return [int(t) if t.strip().isdigit() else 0 for t in pg.locator("td.govsim-year").all_inner_texts()]


def plot_svgs(pg) -> dict[str, str]:
    out = {}
    for el in pg.locator("div.govsim-plot").all():
        key = re.search(r"govsim-plot-(\w+)", el.get_attribute("class")).group(1)
        out[key] = el.inner_html()
    return out


def select(pg, css: str, option: str) -> None:
    pg.locator(css).click()
    pg.get_by_role("option", name=option, exact=True).click()


def test_two_models_play_side_by_side(page, tmp_path):
    pg = page
    assert [r.split()[0:2] for r in model_rows(pg)] == [["A:", "bum"]]
    select(pg, ".govsim-select-b", "hod")
    pg.wait_for_function("document.querySelectorAll('tr.govsim-model').length == 2")
    rows = model_rows(pg)
    assert rows[0].startswith("A: bum") and rows[1].startswith("B: hod")
    before = plot_svgs(pg)
    assert set(before) == {"overhead", "satisfaction", "wellbeing", "sick_leave", "trust", "shares", "proposals"}

    pg.locator(".govsim-play").click()
    pg.wait_for_function(
        "[...document.querySelectorAll('td.govsim-year')].every(td => parseInt(td.innerText) >= 2012)")
    pg.locator(".govsim-play").click()  # pause
    pg.wait_for_selector(".govsim-step:not([disabled])")
    years = last_years(pg)
    assert len(years) == 2 and years[0] == years[1] >= 2012, years  # the two models advance together

    after = plot_svgs(pg)
    for key, svg in after.items():
        assert svg != before[key], f"plot {key} did not change after play"
        assert "A: bum" in svg and "B: hod" in svg, f"plot {key} does not show both models"
    map_svg = pg.locator("div.govsim-map").inner_html()
    assert "A: bum" in map_svg and "B: hod" in map_svg and "Area 12" in map_svg
    assert "in-house" in map_svg

    # the rules in force, each explained and linked to its ODD section
    assert pg.locator(".govsim-md strong", has_text="Control bids").count() == 1
    assert pg.locator("a[href='/odd/submodel-learning-teams']").count() == 1

    # a year step of the side-by-side view: click → both rows show the next year
    times = []
    for _ in range(3):
        y0 = last_years(pg)[0]
        t0 = time.perf_counter()
        pg.locator(".govsim-step").click()
        pg.wait_for_function(
            f"[...document.querySelectorAll('td.govsim-year')].every(td => parseInt(td.innerText) == {y0 + 1})")
        times.append(time.perf_counter() - t0)
    print(f"year step of the side-by-side view, click to updated page: {[f'{t:.3f}' for t in times]} s")
    out_dir = Path(os.environ.get("GOVSIM_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    shot = out_dir / "app_side_by_side.png"
    pg.set_viewport_size({"width": 1500, "height": 2700})  # the page scrolls inside Solara's layout
    pg.wait_for_timeout(300)
    pg.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert statistics.median(times) < STEP_LIMIT_S, f"a step took {statistics.median(times):.2f} s"


def test_forbidden_slider_combination_cannot_be_applied(page):
    pg = page
    select(pg, ".govsim-select-a", "hod")
    pg.wait_for_selector("text=fixed_inhouse_share.share")
    apply = pg.locator(".govsim-apply")
    assert apply.is_enabled()
    # HOD tenders at least 30 %: a fixed in-house share of 85 % would leave only 15 %
    slider = pg.locator(".govsim-slider-fixed_inhouse_share-share [role=slider]")
    slider.focus()
    slider.press("End")
    error = pg.locator(".govsim-param-error")
    error.wait_for()
    assert "below the tendering floor 0.3" in error.inner_text()
    assert apply.is_disabled()
    slider.press("Home")  # 50 % in-house is allowed again
    pg.wait_for_selector(".govsim-param-error", state="detached")
    assert apply.is_enabled()
    pg.locator(".govsim-step").click()
    pg.wait_for_function("(document.querySelector('td.govsim-year') || {}).innerText == '2008'")
    apply.click()  # rebuilds the model with 50 % in-house: back to the start, a different run
    pg.wait_for_function("(document.querySelector('td.govsim-year') || {}).innerText == '–'")
    pg.locator(".govsim-step").click()
    pg.wait_for_function("[...document.querySelectorAll('tr.govsim-model td')].some(td => td.innerText == '50%')")


def test_rule_link_opens_its_odd_section(page, app):
    from sim.app.page import ODD_PATH

    if not ODD_PATH.exists():
        pytest.skip("docs/ODD.md not present")
    pg = page
    href = pg.locator("a[href^='/odd/submodel-control-bids']").get_attribute("href")
    pg.goto(app[0].rstrip("/") + href)
    section = pg.locator(".govsim-odd")
    section.wait_for()
    assert "sim/rules/control_bids.py" in section.inner_text()
    assert "sim/rules/tendering.py" not in section.inner_text()  # only that section
