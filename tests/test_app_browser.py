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
            "400",
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


@pytest.fixture
def page(app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1500, "height": 1200})
            pg.set_default_timeout(HANG_S * 1000)
            pg.set_default_navigation_timeout(HANG_S * 1000)
            pg.goto(app)
            pg.wait_for_selector("table.govsim-latest")
            yield pg
        finally:
            browser.close()


def model_rows(pg) -> list[str]:
    return pg.locator("tr.govsim-model").all_inner_texts()


def last_years(pg) -> list[int]:
    return [
        int(t) if t.strip().isdigit() else 0 for t in pg.locator("td.govsim-year").all_inner_texts()
    ]


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
    assert set(before) == {
        "overhead",
        "satisfaction",
        "wellbeing",
        "sick_leave",
        "trust",
        "shares",
        "proposals",
    }

    pg.locator(".govsim-play").click()
    pg.wait_for_function(
        "[...document.querySelectorAll('td.govsim-year')].every(td => parseInt(td.innerText) >= 2012)"
    )
    pg.locator(".govsim-play").click()  # pause
    pg.wait_for_selector(".govsim-step:not([disabled])")
    years = last_years(pg)
    assert len(years) == 2 and years[0] == years[1] >= 2012, (
        years
    )  # the two models advance together

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
    for _ in range(3):
        y0 = last_years(pg)[0]
        pg.locator(".govsim-step").click()
        pg.wait_for_function(
            f"[...document.querySelectorAll('td.govsim-year')].every(td => parseInt(td.innerText) == {y0 + 1})"
        )
    out_dir = Path(os.environ.get("GOVSIM_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    shot = out_dir / "app_side_by_side.png"
    pg.set_viewport_size({"width": 1500, "height": 2700})  # the page scrolls inside Solara's layout
    pg.wait_for_timeout(300)
    pg.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000


def test_forbidden_slider_combination_cannot_be_applied(page):
    pg = page
    select(pg, ".govsim-select-a", "hod")
    pg.wait_for_selector("text=fixed_inhouse_share.share")
    apply = pg.locator(".govsim-apply")
    assert apply.is_enabled()
    # HOD fixes 70 % in-house: a tendering floor of 100 % would leave nothing to the fixed share.
    # (The fixed share's own slider spans its plausible range, 50–70 %, which HOD always accepts.)
    floor = pg.locator(".govsim-slider-tendering-floor [role=slider]")
    floor.focus()
    floor.press("End")
    error = pg.locator(".govsim-param-error")
    error.wait_for()
    assert "below the tendering floor" in error.inner_text()
    assert apply.is_disabled()
    floor.press("Home")  # no floor beyond HOD's own 30 %: allowed again
    pg.wait_for_selector(".govsim-param-error", state="detached")
    assert apply.is_enabled()
    share = pg.locator(".govsim-slider-fixed_inhouse_share-share [role=slider]")
    share.focus()
    share.press("Home")  # 50 % in-house
    pg.locator(".govsim-step").click()
    pg.wait_for_function("(document.querySelector('td.govsim-year') || {}).innerText == '2008'")
    apply.click()  # rebuilds the model with 50 % in-house: back to the start, a different run
    pg.wait_for_function("(document.querySelector('td.govsim-year') || {}).innerText == '–'")
    pg.locator(".govsim-step").click()
    pg.wait_for_function(
        "[...document.querySelectorAll('tr.govsim-model td')].some(td => td.innerText == '50%')"
    )


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
