"""The teaching app: a Solara page that runs one or two governance models side by side.

Why a Solara page of its own rather than Mesa's ``SolaraViz``: SolaraViz drives exactly one
model, and the point here is two models on the same seed advancing together, each plot
showing both. The controls follow SolaraViz's ``ModelController`` (reset, play/pause, step;
play runs in a worker thread via ``solara.lab.use_task``). All model logic lives in
``sim.app.state`` and all drawing in ``sim.app.plots``; this module only wires them up.

Each browser tab gets its own models (state is per component, not module-global).
"""

from __future__ import annotations

import html
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import solara
import solara.lab

from sim import outputs
from sim.app import plots
from sim.app.state import (
    QUARTERS_PER_YEAR,
    RunView,
    Session,
    configure,
    key_sliders,
    scenario_choices,
    scenario_value,
)
from sim.errors import GovsimError

NONE = "— none —"
CONFIG_ENV = "GOVSIM_APP_CONFIG"
ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


@dataclass(frozen=True)
class AppConfig:
    """What `govsim app` passes to the page (through an environment variable: same process,
    but Solara imports the page module itself)."""

    a: str = "bum"
    b: str | None = "hod"
    seed: int = 0
    files: tuple[str, ...] = ()
    play_interval_ms: int = 250
    #: ``govsim app --set`` items: the models start with them, as if applied with the sliders
    overrides: tuple[tuple[str, Any], ...] = ()

    def to_env(self) -> str:
        return json.dumps(
            {
                "a": self.a,
                "b": self.b,
                "seed": self.seed,
                "files": list(self.files),
                "play_interval_ms": self.play_interval_ms,
                "overrides": [list(kv) for kv in self.overrides],
            }
        )

    @classmethod
    def from_env(cls) -> AppConfig:
        raw = os.environ.get(CONFIG_ENV)
        if not raw:
            return cls()
        d = json.loads(raw)
        return cls(
            a=d["a"],
            b=d["b"],
            seed=int(d["seed"]),
            files=tuple(d["files"]),
            play_interval_ms=int(d["play_interval_ms"]),
            overrides=tuple((k, v) for k, v in d.get("overrides", ())),
        )


@dataclass(frozen=True)
class Applied:
    """The configuration the running models were built from."""

    refs: tuple[str, ...]
    overrides: tuple[tuple[str, Any], ...]
    seed: int


def build_session(applied: Applied) -> tuple[Session | None, str | None]:
    try:
        return Session(
            configure(list(applied.refs), dict(applied.overrides)), seed=applied.seed
        ), None
    except GovsimError as e:
        return None, e.message


def Md(text: str, style: dict | None = None, classes: list[str] | None = None):
    """Markdown as static HTML. Not ``solara.Markdown``: that one loads mermaid.js from a CDN
    on every page, which an offline classroom does not reach (a 7-second retry per load)."""
    html = markdown.markdown(text, extensions=["tables", "toc"])
    return solara.HTML(
        tag="div", unsafe_innerHTML=html, style=style or {}, classes=["govsim-md", *(classes or [])]
    )


# Vuetify's reset removes bold and link styling inside raw HTML; put them back for our Markdown.
CSS = """
.govsim-md strong, .govsim-md b { font-weight: 700; }
.govsim-md a { color: #1565c0; text-decoration: underline; }
.govsim-md em { font-style: italic; }
.govsim-md h1, .govsim-md h2, .govsim-md h3 { margin: 0.6em 0 0.3em; }
.govsim-md p { margin: 0.3em 0; }
.govsim-md code { background: #f2f2f2; padding: 0 3px; }
.govsim-md table td, .govsim-md table th { border: 1px solid #ddd; padding: 2px 6px; }
"""


# ---------------------------------------------------------------- components
@solara.component
def Controls(
    session: Session,
    playing: solara.Reactive[bool],
    quarters: solara.Reactive[int],
    on_step,
    on_reset,
):
    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            "Reset",
            icon_name="mdi-restore",
            on_click=on_reset,
            color="primary",
            outlined=True,
            classes=["govsim-reset"],
        )
        solara.Button(
            "Pause" if playing.value else "Play",
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            disabled=not session.running,
            classes=["govsim-play"],
        )
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            on_click=on_step,
            color="primary",
            disabled=playing.value or not session.running,
            classes=["govsim-step"],
        )
        solara.ToggleButtonsSingle(value=quarters, values=[1, QUARTERS_PER_YEAR], dense=True)
        solara.Text("quarter(s) per step", style={"font-size": "12px"})


def _base(refs: tuple[str, ...]):
    """The scenarios without slider values, and the sliders that apply to at least one of them."""
    try:
        base = configure(list(refs), {})
    except GovsimError as e:
        return [], [], e.message
    return (
        base,
        [s for s in key_sliders() if any(scenario_value(sc, s.name) is not None for sc in base)],
        None,
    )


def _check(refs: tuple[str, ...], overrides: dict[str, Any]) -> str | None:
    """Why the slider values cannot be applied, or None (the schema's own message)."""
    try:
        configure(list(refs), overrides)
    except GovsimError as e:
        return e.message
    return None


@solara.component
def ParameterPanel(refs: tuple[str, ...], applied: solara.Reactive[Applied]):
    """Sliders for the key parameters; Apply rebuilds the models — only if the schema allows it."""
    pending = solara.use_reactive(dict(applied.value.overrides))
    seed = solara.use_reactive(applied.value.seed)
    base, sliders, base_error = solara.use_memo(lambda: _base(refs), [refs])
    error = solara.use_memo(lambda: _check(refs, pending.value), [refs, pending.value])
    if base_error:
        solara.Error(base_error)
        return

    def set_value(name: str, value: float) -> None:
        pending.set({**pending.value, name: value})

    for s in sliders:
        default = next(
            scenario_value(sc, s.name) for sc in base if scenario_value(sc, s.name) is not None
        )
        value = pending.value.get(s.name, default)
        mark = " •" if s.name in pending.value and pending.value[s.name] != default else ""
        with solara.Tooltip(f"{s.doc} Range {s.low:g}–{s.high:g} {s.unit}."):
            solara.Text(
                f"{s.name} = {value:g}{mark} ({s.unit})",
                style={"font-size": "12px", "margin-bottom": "-14px"},
            )
        with solara.Div(classes=[f"govsim-slider-{s.name.replace('.', '-')}"]):
            if s.kind == "int":
                solara.SliderInt(
                    "",
                    value=int(value),
                    min=int(s.low),
                    max=int(s.high),
                    on_value=lambda v, n=s.name: set_value(n, int(v)),
                    thumb_label=True,
                )
            else:
                solara.SliderFloat(
                    "",
                    value=float(value),
                    min=s.low,
                    max=s.high,
                    step=s.step,
                    on_value=lambda v, n=s.name: set_value(n, float(v)),
                    thumb_label=True,
                )
    solara.InputInt("Seed", value=seed)
    if error is None and seed.value < 0:
        error = f"seed has value {seed.value}: it must be a whole number ≥ 0"
    if error:
        solara.Error(f"Cannot apply: {error}", classes=["govsim-param-error"])
    changed = {k: v for k, v in pending.value.items()}
    with solara.Row():
        solara.Button(
            "Apply and reset",
            color="primary",
            disabled=error is not None,
            on_click=lambda: applied.set(Applied(refs, tuple(sorted(changed.items())), seed.value)),
            classes=["govsim-apply"],
        )
        solara.Button(
            "Defaults",
            outlined=True,
            on_click=lambda: (pending.set({}), applied.set(Applied(refs, (), seed.value))),
        )


@solara.component
def LatestTable(views: tuple[RunView, ...]):
    """The latest yearly values per model, as text (also what the browser test reads)."""
    solara.HTML(tag="div", unsafe_innerHTML=latest_table(views), style={"overflow-x": "auto"})


def latest_table(views) -> str:
    """The HTML of LatestTable: the registry's ``latest`` outcomes, with its labels and units
    (a share in %)."""
    cols = [outputs.output(c) for c in outputs.listed("latest")]  # the registry's `latest` view
    head = "".join(f"<th>{html.escape(o.label)}</th>" for o in cols)
    body = ""
    for i, v in enumerate(views):
        last = v.rows[-1] if v.rows else None
        cells = "".join(
            f"<td>{last[o.name] * o.factor:.3g}{'%' if o.percent else ''}</td>"
            if last
            else "<td>–</td>"
            for o in cols
        )
        yr = str(int(last["year"])) if last else "–"
        body += (
            f"<tr class='govsim-model'><td style='color:{plots.MODEL_COLOURS[i]};font-weight:bold'>"
            f"{v.label}</td><td>{v.calendar_year} Q{v.quarter_of_year}</td><td class='govsim-year'>{yr}</td>"
            f"{cells}</tr>"
        )
    return (
        "<style>.govsim-latest td, .govsim-latest th {padding: 2px 8px; text-align: right}</style>"
        f"<table class='govsim-latest' style='font-size:13px;border-collapse:collapse'>"
        f"<tr><th>model</th><th>now</th><th>last year</th>{head}</tr>{body}</table>"
    )


@solara.component
def SeriesPlot(spec: plots.PlotSpec, views: tuple[RunView, ...]):
    key = tuple(
        (v.label, len(v.rows), id(v.rows[-1]) if v.rows else 0) for v in views
    )  # a new year → redraw

    def draw() -> bytes:
        start = min(v.start_year for v in views)
        end = max(v.start_year + v.n_years - 1 for v in views)
        return plots.series_svg(spec, views, start, end)

    image = solara.use_memo(draw, [spec.key, key])
    solara.HTML(
        tag="div", unsafe_innerHTML=image, classes=["govsim-plot", f"govsim-plot-{spec.key}"]
    )


@solara.component
def AreaMap(views: tuple[RunView, ...]):
    outcome = solara.use_reactive("satisfaction")
    solara.ToggleButtonsSingle(value=outcome, values=list(plots.OUTCOMES), dense=True)
    image = solara.use_memo(lambda: plots.map_svg(views, outcome.value), [id(views), outcome.value])
    solara.HTML(tag="div", unsafe_innerHTML=image, classes=["govsim-map"])
    Md(
        "Each cell is an area. *in-house %* = share of its work the municipality's own unit delivers; "
        "*F1, F2, …* = private firms holding contracts there. **Black frame**: flagged by benchmarking "
        "(citizens and staff disagree, or below what politicians expect). **LT**: a learning team worked "
        "there this year. **Dot**: goal status under goal steering (green / yellow / red).",
        style={"font-size": "12px"},
    )


@solara.component
def RulesPanel(views: tuple[RunView, ...]):
    with solara.Columns([1] * len(views)):
        for i, v in enumerate(views):
            with solara.Column():
                solara.HTML(
                    tag="h4",
                    unsafe_innerHTML=f"{v.label} — rules in force (regime {v.regime + 1})",
                    style={"color": plots.MODEL_COLOURS[i]},
                )
                for r in v.rules:
                    anchor = r.odd_section.split("#", 1)[1]
                    Md(
                        f"**{r.title}** — {r.explanation} "
                        f"<a href='/odd/{anchor}' target='_blank'>ODD: {r.odd_section}</a>",
                        style={"font-size": "13px"},
                    )


@solara.component
def Page():
    cfg = solara.use_memo(AppConfig.from_env, [])
    files = solara.use_reactive(
        list(cfg.files)
    )  # scenario files named on the command line or loaded here
    choices = scenario_choices(files.value)
    model_a = solara.use_reactive(cfg.a)
    model_b = solara.use_reactive(cfg.b or NONE)
    refs = (model_a.value,) + (() if model_b.value == NONE else (model_b.value,))
    applied = solara.use_reactive(Applied(refs, tuple(sorted(cfg.overrides)), cfg.seed))
    if (
        applied.value.refs != refs
    ):  # a new choice of models applies at once, with the applied sliders
        applied.set(Applied(refs, applied.value.overrides, applied.value.seed))
    session, build_error = solara.use_memo(lambda: build_session(applied.value), [applied.value])
    solara.use_effect(lambda: lambda: session.close_models() if session else None, [session])

    solara.Title("govsim — governance models side by side")
    solara.Style(CSS)
    with solara.Sidebar():
        Md("### Models")
        solara.Select("Model A", values=choices, value=model_a, classes=["govsim-select-a"])
        solara.Select(
            "Model B (side by side)",
            values=[NONE, *choices],
            value=model_b,
            classes=["govsim-select-b"],
        )
        ScenarioFileInput(files, model_b)
        Md(
            "### Parameters\nSame municipality and seed for both models. "
            "A rule's parameter applies to the models that use the rule."
        )
        ParameterPanel(refs, applied).key(str(refs))
    if build_error or session is None:
        solara.Error(f"Cannot build the models: {build_error}")
        return
    Simulation(session, cfg.play_interval_ms).key(f"session-{id(session)}")


@solara.component
def Simulation(session: Session, play_interval_ms: int):
    """Controls, plots, map and rules of one session; a step re-renders only this part."""
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    quarters = solara.use_reactive(QUARTERS_PER_YEAR)
    timing = solara.use_reactive("")

    def advance() -> None:
        t0 = time.perf_counter()
        session.step(quarters.value)
        tick.set(tick.value + 1)  # renders this component before returning
        timing.set(f"last step + render on the server: {time.perf_counter() - t0:.3f} s")

    def play_loop() -> None:
        while playing.value and session.running:
            t0 = time.perf_counter()
            advance()
            time.sleep(max(0.0, play_interval_ms / 1000 - (time.perf_counter() - t0)))
        if playing.value:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        session.reset()
        tick.set(tick.value + 1)

    views = solara.use_memo(session.views, [tick.value])
    with solara.Column(gap="8px"):
        Controls(session, playing, quarters, advance, reset)
        LatestTable(views)
        solara.Text(
            timing.value, classes=["govsim-timing"], style={"font-size": "11px", "color": "grey"}
        )
        with solara.ColumnsResponsive(12, large=6, xlarge=4):
            for spec in plots.PLOTS:
                SeriesPlot(spec, views)
        AreaMap(views)
        RulesPanel(views)


@solara.component
def ScenarioFileInput(files: solara.Reactive[list[str]], target: solara.Reactive[str]):
    """Load a scenario YAML file as model B (validated before it is used)."""
    path = solara.use_reactive("")
    message = solara.use_reactive("")

    def load() -> None:
        from sim.scenario import load_scenario

        try:
            load_scenario(path.value)
        except GovsimError as e:
            message.set(e.message)
            return
        message.set("")
        if path.value not in scenario_choices(files.value):
            files.set([*files.value, path.value])
        target.set(path.value)

    with solara.Row(style={"align-items": "center"}):
        solara.InputText("or a scenario file (.yaml)", value=path, continuous_update=True)
        solara.Button("Load", on_click=load, outlined=True, disabled=not path.value)
    if message.value:
        solara.Error(message.value)


# ---------------------------------------------------------------- the ODD page
def odd_section(text: str, anchor: str) -> str | None:
    """The part of the ODD document that `anchor` names: an explicit ``<a id="…"></a>`` line
    or a heading whose slug is `anchor`, up to the next heading of the same or a higher level."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f'<a id="{anchor}"></a>':
            start = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("#")), None)
        else:
            m = re.match(r"^#+\s+(.*)$", line)
            start = i if m and _slug(m.group(1)) == anchor else None
        if start is None:
            continue
        level = len(lines[start]) - len(lines[start].lstrip("#"))
        end = next(
            (
                j
                for j in range(start + 1, len(lines))
                if (h := re.match(r"^(#+)\s", lines[j])) and len(h.group(1)) <= level
            ),
            len(lines),
        )
        part = lines[start:end]
        while part and (not part[-1].strip() or part[-1].strip().startswith("<a id=")):
            part.pop()  # the next section's anchor
        return "\n".join(part)
    return None


def _slug(heading: str) -> str:
    """Python-Markdown's toc slug (also GitHub's for plain headings)."""
    s = re.sub(r"[^\w\s-]", "", heading).strip().lower()
    return re.sub(r"[-\s]+", "-", s)


@solara.component
def OddPage():
    router = solara.use_router()
    anchor = router.path.rstrip("/").split("/odd", 1)[-1].strip("/")
    if not ODD_PATH.exists():
        solara.Warning(
            f"The ODD description ({ODD_PATH}) is not in this installation; section: {anchor}"
        )
        return
    solara.Style(CSS)
    text = ODD_PATH.read_text(encoding="utf-8")
    part = odd_section(text, anchor) if anchor else None
    if anchor and part is None:
        solara.Warning(f"No section '{anchor}' in docs/ODD.md; showing the whole document.")
    Md(part or text, classes=["govsim-odd"])
    if part:
        Md("[The whole model description (ODD)](/odd)")


routes = [
    solara.Route(path="/", component=Page, label="Simulation"),
    solara.Route(path="odd", component=OddPage, label="ODD"),
]
