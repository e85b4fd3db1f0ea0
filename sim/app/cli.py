"""`govsim app`: serve the teaching app on localhost (Solara's Starlette app under uvicorn)."""

from __future__ import annotations

import os

import click

from sim.app.config import MAX_SEEDS
from sim.cli import set_option, warn_ineffective
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
    "--seeds",
    type=click.IntRange(1, MAX_SEEDS),
    default=1,
    show_default=True,
    help="Seeds averaged: above 1, each model also runs on the next seeds and the plots show "
    "the mean and a band (as the page's 'Seeds averaged' slider).",
)
@click.option(
    "--play-interval",
    "play_interval",
    type=click.IntRange(0, 10_000),
    default=250,
    show_default=True,
    help="Milliseconds between steps while playing.",
)
@set_option(
    " (the models start with it, as if set with the sliders; a rule's parameter applies to the "
    "models that use the rule, and one that neither model uses is an error)"
)
def app(
    port: int,
    model_a: str,
    model_b: str,
    seed: int,
    seeds: int,
    play_interval: int,
    overrides: tuple[str, ...],
) -> None:
    """Open the teaching app: one or two governance models, step by step, in the browser."""
    # Solara's "runs on Solara" badge sits over the page's bottom right corner (a plot); its
    # settings are read when Solara is first imported
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    from sim.app.config import CONFIG_ENV, AppConfig
    from sim.app.state import configure, scenario_choices
    from sim.overrides import parse_set, show
    from sim.scenario import load_scenario

    b = None if model_b.lower() == "none" else model_b
    files = []
    for ref in (model_a, b):
        if ref is None:
            continue
        if ref not in scenario_choices():
            load_scenario(ref)  # a file: fail here with the schema's message, not in the browser
            files.append(ref)
    sets = parse_set(overrides)
    if sets:
        refs = [r for r in (model_a, b) if r is not None]
        base = configure(refs, {})
        from sim.overrides import apply_set
        from sim.params import schema_index

        for name, value in sets.items():
            item = f"--set {name}={show(value)}"
            users = [sc for sc in base if sc.uses_parameter(name)]
            if name not in schema_index():
                raise GovsimError(
                    f"{item}: unknown parameter {name!r}; see `govsim params` for the names"
                )
            if not users:
                raise GovsimError(
                    f"{item}: parameter {name!r} belongs to rule {name.split('.', 1)[0]!r}, "
                    f"which {'neither model' if len(base) > 1 else 'the model'} "
                    f"({', '.join(sc.name for sc in base)}) uses"
                )
            for sc in users:
                apply_set(sc, {name: value})
        try:
            configure(refs, sets)  # the combination, as the sliders' Apply checks it
        except GovsimError as e:
            items = " ".join(f"--set {k}={show(v)}" for k, v in sets.items())
            raise GovsimError(f"{items}: together: {e.message}") from None
        for sc in base:
            warn_ineffective([sc], {k: v for k, v in sets.items() if sc.uses_parameter(k)}, seed)
    cfg = AppConfig(
        a=model_a,
        b=b,
        seed=seed,
        seeds=seeds,
        files=tuple(files),
        play_interval_ms=play_interval,
        overrides=tuple(sorted(sets.items())),
    )
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
