"""Benchmark: how fast the teaching app starts and steps, in headless Chromium (Playwright).

    python benchmarks/bench_app.py [--steps 5] [--seeds 10]

Prints: seconds from launching `govsim app` to its first HTTP answer; from launch to the first
page with the models on screen; and the click-to-updated-page time of a year step of the
side-by-side view (BUM and HOD, median of --steps). With ``--seeds N`` (N > 1) the app starts
in the multi-seed mode (`govsim app --seeds N`: every model also runs on N − 1 more seeds and
the plots draw the mean and a band) and the step is timed in that mode. Targets (issues 5 and
14, on a quiet machine): first page < 10 s; a two-model single-seed step < 0.3 s; a 10-seed
step < 1 s. The browser test (tests/test_app_browser.py) checks behaviour only; timings
belong here, where a loaded machine gives a slow figure rather than a failed build.

Needs Debian's `chromium` and the app's browser assets (`python -m sim.app.assets`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# the number of points of model A's first line in every plot (one per recorded year)
POINTS = (
    "[...document.querySelectorAll('div.govsim-plot svg')].map(s => {"
    " const l = s.querySelector('polyline'); if (l) return l.getAttribute('points').split(' ').length;"
    " return s.querySelector('circle') ? 1 : 0; })"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5, help="year steps to time (median reported)")
    ap.add_argument(
        "--seeds", type=int, default=1, help="seeds averaged (the multi-seed mode when > 1)"
    )
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian package 'chromium' is not installed")
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
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
            "hod",
            "--seed",
            "3",
            "--seeds",
            str(args.seeds),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        http = None
        while http is None and time.perf_counter() - t0 < 300:
            if proc.poll() is not None:
                sys.exit("govsim app exited early")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        http = time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        if http is None:
            sys.exit("the app did not answer within 300 s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            pg = browser.new_page(viewport={"width": 1500, "height": 1200})
            pg.set_default_timeout(300_000)
            pg.goto(url)
            pg.wait_for_selector("table.govsim-latest")
            pg.wait_for_function(
                "document.querySelectorAll('table.govsim-latest th.govsim-model').length == 2"
            )
            if args.seeds > 1:  # the page is in the multi-seed mode
                pg.wait_for_selector(".govsim-seeds-note")
            first_page = time.perf_counter() - t0
            times = []
            for _ in range(args.steps):
                years = [t for t in pg.locator("td.govsim-year").all_inner_texts()]
                y0 = int(years[0]) if years and years[0].strip().isdigit() else 2007
                n0 = pg.evaluate(f"{POINTS}.length ? Math.min(...{POINTS}) : 0")
                t = time.perf_counter()
                pg.locator(".govsim-step").click()
                # the tables show the next year and every plot has drawn its point
                pg.wait_for_function(
                    "[...document.querySelectorAll('td.govsim-year')]"
                    f".every(td => parseInt(td.innerText) == {y0 + 1})"
                    f" && {POINTS}.every(n => n == {n0 + 1})"
                )
                times.append(time.perf_counter() - t)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    print(f"app start to first HTTP answer     {http:6.2f} s")
    print(f"app start to models on screen      {first_page:6.2f} s   (issue 5 target < 10 s)")
    mode, target = (
        (f"{args.seeds} seeds", "issue 14 target < 1 s")
        if args.seeds > 1
        else ("1 seed", "issue 14 target < 0.3 s")
    )
    print(
        f"year step ({mode}), click to updated page {statistics.median(times):6.3f} s   median of "
        f"{len(times)} ({target}); all: {', '.join(f'{t:.3f}' for t in times)}"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
