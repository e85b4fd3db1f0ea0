"""`govsim app`: serve the teaching app on localhost (Solara's Starlette app under uvicorn)."""

from __future__ import annotations

import os

import click

from sim.errors import GovsimError

HOST = "127.0.0.1"


@click.command("app")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on localhost.",
)
@click.option(
    "--model-a",
    "model_a",
    default="bum",
    show_default=True,
    help="First model: a preset name or a scenario YAML file.",
)
@click.option(
    "--model-b",
    "model_b",
    default="hod",
    show_default=True,
    help="Second model shown side by side ('none' for one model only).",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of both models."
)
@click.option(
    "--play-interval",
    "play_interval",
    type=click.IntRange(0, 10_000),
    default=250,
    show_default=True,
    help="Milliseconds between steps while playing.",
)
def app(port: int, model_a: str, model_b: str, seed: int, play_interval: int) -> None:
    """Open the teaching app: one or two governance models, step by step, in the browser."""
    # Solara's "runs on Solara" badge sits over the page's bottom right corner (a plot); its
    # settings are read when Solara is first imported
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    from sim.app.config import CONFIG_ENV, AppConfig
    from sim.app.state import scenario_choices
    from sim.scenario import load_scenario

    b = None if model_b.lower() == "none" else model_b
    files = []
    for ref in (model_a, b):
        if ref is None:
            continue
        if ref not in scenario_choices():
            load_scenario(ref)  # a file: fail here with the schema's message, not in the browser
            files.append(ref)
    cfg = AppConfig(a=model_a, b=b, seed=seed, files=tuple(files), play_interval_ms=play_interval)
    os.environ[CONFIG_ENV] = cfg.to_env()
    os.environ["SOLARA_APP"] = "sim.app.page"
    from sim.app.assets import ensure

    ensure()  # Solara's front end must be in its asset cache (python -m sim.app.assets, at install)
    serve(port)


def serve(port: int) -> None:
    import warnings

    import uvicorn

    # plain http on loopback: Solara's notice about samesite cookies needing https is noise here
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    click.echo(f"govsim app: http://{HOST}:{port}/  (Ctrl+C to stop)")
    try:
        uvicorn.run("solara.server.starlette:app", host=HOST, port=port, log_level="warning")
    except OSError as e:
        raise GovsimError(f"cannot serve on {HOST}:{port}: {e.strerror}") from None
