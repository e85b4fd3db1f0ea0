"""The teaching app: a Solara page that runs one or two governance models side by side.

Why a Solara page of its own rather than Mesa's ``SolaraViz``: SolaraViz drives exactly one
model, and the point here is two models on the same seed advancing together, each plot
showing both. The controls follow SolaraViz's ``ModelController`` and NetLogo's interface
(reset = setup, play/pause = go, step, a play-interval "speed" slider, a step counter); play
runs in a worker thread via ``solara.lab.use_task``. All model logic lives in
``sim.app.state``, the event log in ``sim.app.events`` and all drawing in ``sim.app.plots``;
this module only wires them up.

Each browser tab gets its own models: the state below is made of module-level
``solara.reactive`` variables, which Solara keeps per browser tab (per kernel) — and because
they live outside the page components, visiting the Info or ODD tab and coming back keeps the
models, the year, the sliders and the seed.
"""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import solara
import solara.lab

from sim import outputs
from sim.app import plots
from sim.app.config import CONFIG_ENV, AppConfig  # noqa: F401 - re-exported
from sim.app.state import (
    MAX_SEEDS,
    QUARTERS_PER_YEAR,
    RunView,
    Session,
    Slider,
    configure,
    configure_each,
    key_sliders,
    model_title,
    scenario_choices,
    scenario_description,
    scenario_value,
)
from sim.errors import GovsimError
from sim.rules import RULES

NONE = "— none —"
ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
LABELS = ("A", "B")


Overrides = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Applied:
    """The configuration the running models were built from: the models, each model's own
    slider values, the seed and how many seeds are averaged."""

    refs: tuple[str, ...]
    overrides: tuple[Overrides, ...]
    seed: int
    seeds: int = 1

    def of(self, i: int) -> dict[str, Any]:
        return dict(self.overrides[i]) if i < len(self.overrides) else {}


def build_session(applied: Applied) -> tuple[Session | None, str | None]:
    try:
        scenarios = configure_each(
            list(applied.refs), [applied.of(i) for i in range(len(applied.refs))]
        )
        return Session(
            scenarios,
            seed=applied.seed,
            seeds=applied.seeds,
            titles=[model_title(r) for r in applied.refs],
        ), None
    except GovsimError as e:
        return None, e.message


class _Held:
    """A session and what it was built from (identity equality: a reactive holds it)."""

    def __init__(self, applied: Applied) -> None:
        self.applied = applied
        self.session, self.error = build_session(applied)


# ---------------------------------------------------------------- per-tab state
CFG = AppConfig.from_env()
model_a = solara.reactive(CFG.a)
model_b = solara.reactive(CFG.b or NONE)
files = solara.reactive(list(CFG.files))  # scenario files named on the command line or loaded
applied = solara.reactive(
    Applied(
        (CFG.a,) + (() if CFG.b is None else (CFG.b,)),
        (tuple(sorted(CFG.overrides)),) * 2,  # `govsim app --set`: both models start with them
        CFG.seed,
    )
)
pending = solara.reactive(((), ()))  # each model's slider values not applied yet
link_models = solara.reactive(False)  # "apply to both": a slider moves both models' values
seed_text = solara.reactive(str(CFG.seed))
seeds_pending = solara.reactive(1)
held = solara.reactive(None)  # _Held
tick = solara.reactive(0)
playing = solara.reactive(False)
per_step = solara.reactive("year")
interval = solara.reactive(CFG.play_interval_ms)
timing = solara.reactive("")
_build_lock = threading.Lock()


def current() -> _Held:
    """The tab's session, rebuilt when the applied configuration changed."""
    with _build_lock:
        h = held.value
        if h is None or h.applied != applied.value:
            if h is not None and h.session is not None:
                h.session.close_models()
            h = _Held(applied.value)
            held.set(h)
        return h


def refs_chosen() -> tuple[str, ...]:
    return (model_a.value,) + (() if model_b.value == NONE else (model_b.value,))


def apply_now(ov: tuple[Overrides, ...] | None = None, seed: int | None = None) -> None:
    """Rebuild the models from the chosen models, the given (else pending) slider values, seed."""
    playing.set(False)
    ov = pending.value if ov is None else ov
    s = applied.value.seed if seed is None else seed
    applied.set(Applied(refs_chosen(), tuple(ov), s, seeds_pending.value))
    pending.set(tuple(ov))


def choose_models(a: str | None = None, b: str | None = None) -> None:
    """A new choice of models applies at once (each keeps the slider values it had)."""
    old = dict(zip(applied.value.refs, applied.value.overrides, strict=False))
    if a is not None:
        model_a.set(a)
    if b is not None:
        model_b.set(b)
    refs = refs_chosen()
    ov = tuple(_only_used(r, old.get(r, ())) for r in refs) + ((),) * (2 - len(refs))
    apply_now(ov)


def _only_used(ref: str, ov: Overrides) -> Overrides:
    try:
        (sc,) = configure([ref], {})
    except GovsimError:
        return ()
    return tuple((k, v) for k, v in ov if sc.uses_parameter(k))


def Md(text: str, style: dict | None = None, classes: list[str] | None = None):
    """Markdown as static HTML. Not ``solara.Markdown``: that one loads mermaid.js from a CDN
    on every page, which an offline classroom does not reach (a 7-second retry per load)."""
    body = markdown.markdown(text, extensions=["tables", "toc"])
    return solara.HTML(
        tag="div", unsafe_innerHTML=body, style=style or {}, classes=["govsim-md", *(classes or [])]
    )


# The page's own layout (no Vuetify navigation drawer: at 1024 px its overlay covered Play):
# a grid of a scrolling settings column and the main column, whose control bar stays on top.
CSS = """
html, body { font-size: 17px; overflow-x: hidden; }
.govsim-md strong, .govsim-md b { font-weight: 700; }
.govsim-md a { color: #1565c0; text-decoration: underline; }
.govsim-md em { font-style: italic; }
.govsim-md h1, .govsim-md h2, .govsim-md h3 { margin: 0.6em 0 0.3em; }
.govsim-md p { margin: 0.3em 0; }
.govsim-md ul { margin: 0.2em 0 0.4em 1.2em; }
.govsim-md code { background: #f2f2f2; padding: 0 3px; }
.govsim-md table td, .govsim-md table th { border: 1px solid #ddd; padding: 2px 6px; }
.govsim-appbar { display: flex; align-items: center; gap: 18px; padding: 6px 16px;
  background: #37474f; color: white; position: sticky; top: 0; z-index: 20; height: 40px;
  box-sizing: border-box; overflow: hidden; }
.govsim-appbar .govsim-title { font-size: 1.15rem; font-weight: 600; margin-right: auto; }
.govsim-tab { color: white !important; text-decoration: none !important; padding: 4px 10px;
  border-radius: 4px; font-size: 1rem; }
.govsim-tab-active { background: rgba(255,255,255,0.22); font-weight: 700; }
.govsim-app { display: grid; grid-template-columns: minmax(260px, 300px) minmax(0, 1fr);
  gap: 0; width: 100%; max-width: 100vw; box-sizing: border-box; }
.govsim-side { position: sticky; top: 40px; align-self: start; height: calc(100vh - 40px);
  overflow-y: auto; padding: 8px 12px; border-right: 1px solid #ddd; background: #fafafa;
  box-sizing: border-box; }
.govsim-side .v-btn { min-width: 0; padding: 0 8px; }
.govsim-main { min-width: 0; padding: 0 14px 40px; box-sizing: border-box; }
.govsim-controls { position: sticky; top: 40px; z-index: 10; background: white;
  border-bottom: 1px solid #ddd; padding: 8px 0; display: flex; flex-wrap: wrap;
  align-items: center; gap: 8px 12px; }
.govsim-controls .v-btn { font-size: 1rem; }
.govsim-counter { font-size: 1rem; font-weight: 600; }
.govsim-speed { width: 250px; }
.govsim-plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
  gap: 10px; }
.govsim-plot svg { width: 100%; height: auto; }
.govsim-map svg { max-width: 100%; height: auto; }
.govsim-table { overflow-x: auto; max-width: 100%; }
.govsim-table table { border-collapse: collapse; font-size: 0.95rem; }
.govsim-table td, .govsim-table th { padding: 3px 9px; text-align: right; }
.govsim-table th { font-weight: 600; text-align: left; }
.govsim-table th.govsim-model { text-align: right; }
.govsim-table tr.govsim-outcome:nth-child(odd) { background: #f6f6f6; }
.govsim-tables { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
.govsim-events { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
  gap: 10px; }
.govsim-eventlog { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px;
  font-size: 0.92rem; }
.govsim-eventlog ul { margin: 0.2em 0 0.3em 1.1em; padding: 0; }
.govsim-eventlog summary { cursor: pointer; color: #1565c0; }
.govsim-finished { font-weight: 700; color: #1b5e20; background: #e8f5e9;
  border: 1px solid #a5d6a7; border-radius: 4px; padding: 4px 10px; }
.govsim-pending { font-weight: 600; color: #8a4b00; background: #fff3e0;
  border: 1px solid #ffcc80; border-radius: 4px; padding: 4px 10px; }
.govsim-param-name { font-size: 0.92rem; font-weight: 600; margin-top: 6px; }
.govsim-param-doc { font-size: 0.8rem; color: #555; line-height: 1.2; }
.govsim-model-head { font-weight: 700; margin-top: 10px; font-size: 1rem; }
.govsim-desc { font-size: 0.85rem; color: #444; line-height: 1.25; margin-bottom: 4px; }
h3.govsim-h { font-size: 1.1rem; margin: 14px 0 4px; }
@media (max-width: 1100px) {
  .govsim-app { grid-template-columns: 250px minmax(0, 1fr); }
  html, body { font-size: 16px; }
}
"""


# ---------------------------------------------------------------- layout and tabs
TABS = (("/", "Simulation"), ("/info", "Info"), ("/odd", "ODD"))


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """Title bar with the tabs (sticky), then the current tab's page."""
    router = solara.use_router()
    path = "/" + router.path.strip("/").split("/", 1)[0]
    solara.Title("govsim — governance models side by side")
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"width": "100%", "max-width": "100vw"}):
        with solara.Div(classes=["govsim-appbar"]):
            solara.Text("govsim — governance models side by side", classes=["govsim-title"])
            for href, name in TABS:
                active = path == href or (href == "/" and path in ("/", "/"))
                with solara.Link(href):
                    solara.Text(
                        name,
                        classes=[
                            "govsim-tab",
                            f"govsim-tab-{name.lower()}",
                            *(["govsim-tab-active"] if active else []),
                        ],
                    )
        with solara.Column(gap="0px", style={"width": "100%"}):
            for c in children:
                solara.display(c)


# ---------------------------------------------------------------- the simulation tab
@solara.component
def Page():
    h = current()
    choices = scenario_choices(files.value)
    with solara.Div(classes=["govsim-app"]):
        with solara.Div(classes=["govsim-side"]):
            Settings(choices, h)
        with solara.Div(classes=["govsim-main"]):
            if h.error or h.session is None:
                solara.Error(f"Cannot build the models: {h.error}")
            else:
                Simulation(h.session).key(f"session-{id(h.session)}")


@solara.component
def Settings(choices: list[str], h: _Held):
    solara.HTML(tag="h3", unsafe_innerHTML="Models", classes=["govsim-h"])
    solara.Select(
        "Model A",
        values=choices,
        value=model_a.value,
        on_value=lambda v: choose_models(a=v),
        classes=["govsim-select-a"],
    )
    Md(_describe(model_a.value), classes=["govsim-desc", "govsim-desc-a"])
    solara.Select(
        "Model B (side by side)",
        values=[NONE, *choices],
        value=model_b.value,
        on_value=lambda v: choose_models(b=v),
        classes=["govsim-select-b"],
    )
    if model_b.value != NONE:
        Md(_describe(model_b.value), classes=["govsim-desc", "govsim-desc-b"])
    ScenarioFileInput(files, None)
    ParameterPanel(applied.value.refs)


def _describe(ref: str) -> str:
    try:
        (sc,) = configure([ref], {})
    except GovsimError as e:
        return e.message
    return html.escape(scenario_description(sc))


@solara.component
def Controls(views: tuple[RunView, ...], on_step, on_reset):
    """Reset, Play/Pause, Step, quarter/year per step, speed and the step counter.

    Their enabled states come from the views (rebuilt after every step and reset), never from
    a plain attribute: Play and Step are enabled while a model can still step, Step not while
    playing; Reset always (it also pauses)."""
    finished = not any(v.running for v in views)
    first = views[0]
    with solara.Div(classes=["govsim-controls"]):
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
            disabled=finished and not playing.value,
            classes=["govsim-play"],
        )
        solara.Button(
            "Step",
            icon_name="mdi-skip-next",
            on_click=on_step,
            color="primary",
            disabled=playing.value or finished,
            classes=["govsim-step"],
        )
        solara.ToggleButtonsSingle(
            value=per_step, values=["quarter", "year"], dense=True, classes=["govsim-per-step"]
        )
        with solara.Div(classes=["govsim-speed"]):
            solara.SliderInt(
                f"Speed: {interval.value} ms/step",
                value=interval,
                min=0,
                max=2000,
                step=50,
            )
        solara.Text(
            f"Quarter {first.quarter} of {first.n_quarters} · {first.now} · "
            f"{len(first.rows)} of {first.n_years} years done",
            classes=["govsim-counter"],
        )
        if finished:
            solara.Text(
                f"Run finished ({first.now}). Press Reset to run it again.",
                classes=["govsim-finished"],
            )
        n = sum(len(_changes(i)) for i in range(len(applied.value.refs)))
        if n or seeds_pending.value != applied.value.seeds:
            solara.Text(
                f"{n} slider change(s) not applied yet — Step and Play use the old values "
                "(Apply and reset, or Discard, in the settings)"
                if n
                else "The number of seeds is not applied yet (Apply and reset)",
                classes=["govsim-pending"],
            )


@solara.component
def Simulation(session: Session):
    """Controls, monitors, event log, plots, map and rules of one session."""

    def advance() -> None:
        t0 = time.perf_counter()
        session.step(1 if per_step.value == "quarter" else QUARTERS_PER_YEAR)
        tick.set(tick.value + 1)  # renders before returning
        timing.set(f"last step + render on the server: {time.perf_counter() - t0:.3f} s")

    def play_loop() -> None:
        while playing.value and session.running:
            t0 = time.perf_counter()
            advance()
            time.sleep(max(0.0, interval.value / 1000 - (time.perf_counter() - t0)))
        if playing.value:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        session.reset()
        tick.set(tick.value + 1)

    views = solara.use_memo(session.views, [tick.value, id(session)])
    tops = solara.use_ref({})  # the y axes only grow within a session (no jumping while playing)
    with solara.Column(gap="10px"):
        Controls(views, advance, reset)
        if views[0].seeds > 1:
            solara.Text(
                f"Mean of {views[0].seeds} seeds ({session.seed}–{session.seed + views[0].seeds - 1}); "
                "the shaded band runs from the lowest to the highest seed. The map and the event "
                f"log show seed {session.seed}.",
                classes=["govsim-seeds-note"],
            )
        with solara.Div(classes=["govsim-tables"]):
            LatestTable(views)
            MonitorTable(views)
        solara.Text(
            timing.value, classes=["govsim-timing"], style={"font-size": "12px", "color": "grey"}
        )
        with solara.Div(classes=["govsim-plots"]):
            for spec in plots.PLOTS:
                SeriesPlot(spec, views, tops.current)
        solara.HTML(tag="h3", unsafe_innerHTML="What happened", classes=["govsim-h"])
        EventLog(views)
        solara.HTML(tag="h3", unsafe_innerHTML="Map of the areas", classes=["govsim-h"])
        AreaMap(views)
        solara.HTML(tag="h3", unsafe_innerHTML="Rules in force", classes=["govsim-h"])
        RulesPanel(views)


# ---------------------------------------------------------------- parameters
def param_title(name: str) -> str:
    """A parameter's readable name from the registries: the rule's title (``RULES``) or the
    parameter group, then the field ("Tendering: share", "Politics: expectation mean")."""
    head, fld = name.split(".", 1)
    group = RULES[head].title if head in RULES else head.replace("_", " ").capitalize()
    return f"{group}: {fld.replace('_', ' ')}"


def _base(refs: tuple[str, ...]):
    """Each model's scenario without slider values, and the sliders that apply to it."""
    try:
        base = configure(list(refs), {})
    except GovsimError as e:
        return [], [], e.message
    sliders = key_sliders()
    return (
        base,
        [[s for s in sliders if scenario_value(sc, s.name) is not None] for sc in base],
        None,
    )


def _changes(i: int) -> dict[str, Any]:
    """Model i's pending slider values that differ from its applied ones."""
    p = dict(pending.value[i]) if i < len(pending.value) else {}
    a = applied.value.of(i)
    return {k: v for k, v in p.items() if a.get(k) != v} | {k: None for k in a if k not in p}


def _check(refs: tuple[str, ...], ov: tuple[Overrides, ...]) -> str | None:
    """Why the slider values cannot be applied, or None (the schema's own message)."""
    try:
        configure_each(list(refs), [dict(ov[i]) if i < len(ov) else {} for i in range(len(refs))])
    except GovsimError as e:
        return e.message
    return None


def _seed_error(text: str) -> str | None:
    t = text.strip()
    if not t.isdigit():
        return f"seed has value {t!r}: it must be a whole number ≥ 0"
    return None


@solara.component
def ParameterPanel(refs: tuple[str, ...]):
    """Each model's sliders, grouped under the model's name, applying to that model only (or to
    both with "apply to both"); changes are pending until *Apply and reset* or *Discard*."""
    base, sliders, base_error = solara.use_memo(lambda: _base(refs), [refs])
    error = solara.use_memo(lambda: _check(refs, pending.value), [refs, pending.value])
    if base_error:
        solara.Error(base_error)
        return
    solara.HTML(tag="h3", unsafe_innerHTML="Parameters", classes=["govsim-h"])
    Md(
        "Same municipality and seed for both models. Each model's sliders change **that model "
        "only**; tick *apply to both* to move a parameter in both models at once.",
        classes=["govsim-desc"],
    )
    if len(refs) == 2:
        with solara.Div(classes=["govsim-link"]):
            solara.Checkbox(label="apply to both models", value=link_models)

    def set_value(i: int, name: str, value: float) -> None:
        ov = [dict(pending.value[k]) if k < len(pending.value) else {} for k in range(2)]
        targets = range(len(refs)) if link_models.value else (i,)
        for k in targets:
            if any(s.name == name for s in sliders[k]):
                ov[k][name] = value
        pending.set(tuple(tuple(sorted(d.items())) for d in ov))

    for i, (sc, mine) in enumerate(zip(base, sliders, strict=True)):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(f"{LABELS[i]}: {model_title(refs[i])}"),
            classes=["govsim-model-head", f"govsim-params-{LABELS[i].lower()}"],
            style={"color": plots.MODEL_COLOURS[i]},
        )
        mine_pending = dict(pending.value[i]) if i < len(pending.value) else {}
        mine_applied = applied.value.of(i)
        for s in mine:
            default = scenario_value(sc, s.name)
            value = mine_pending.get(s.name, default)
            changed = mine_pending.get(s.name, default) != mine_applied.get(s.name, default)
            SliderRow(i, s, value, changed, lambda v, n=s.name, k=i: set_value(k, n, v))
    solara.HTML(tag="h3", unsafe_innerHTML="Seed", classes=["govsim-h"])
    solara.InputText("Seed (whole number)", value=seed_text, continuous_update=True)
    seed_err = _seed_error(seed_text.value)
    with solara.Div(classes=["govsim-seeds"]):
        solara.SliderInt(
            f"Seeds averaged: {seeds_pending.value}", value=seeds_pending, min=1, max=MAX_SEEDS
        )
    Md(
        "With more than one seed the plots show the mean over the seeds and a shaded band from "
        "the lowest to the highest (the class sees what holds, not one seed's luck).",
        classes=["govsim-desc"],
    )
    shown = error or seed_err
    if shown:
        solara.Error(f"Cannot apply: {shown}", classes=["govsim-param-error"])
    n = sum(len(_changes(i)) for i in range(len(refs)))
    seed_changed = not seed_err and int(seed_text.value) != applied.value.seed
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(
            "Apply and reset",
            color="primary",
            disabled=shown is not None,
            on_click=lambda: apply_now(seed=int(seed_text.value)),
            classes=["govsim-apply"],
        )
        solara.Button(
            "Discard",
            outlined=True,
            disabled=not (n or seed_changed or seeds_pending.value != applied.value.seeds),
            on_click=lambda: (
                pending.set(applied.value.overrides),
                seed_text.set(str(applied.value.seed)),
                seeds_pending.set(applied.value.seeds),
            ),
            classes=["govsim-discard"],
        )
        solara.Button(
            "Defaults",
            outlined=True,
            on_click=lambda: apply_now(((), ()), seed=applied.value.seed),
            classes=["govsim-defaults"],
        )


@solara.component
def SliderRow(i: int, s: Slider, value: Any, changed: bool, on_value):
    mark = " • not applied" if changed else ""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(f"{param_title(s.name)} = {value:g} {s.unit}{mark}"),
        classes=["govsim-param-name"],
    )
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(s.doc), classes=["govsim-param-doc"])
    with solara.Div(classes=[f"govsim-slider-{LABELS[i].lower()}-{s.name.replace('.', '-')}"]):
        if s.kind == "int":
            solara.SliderInt(
                "",
                value=int(value),
                min=int(s.low),
                max=int(s.high),
                on_value=lambda v: on_value(int(v)),
                thumb_label=True,
            )
        else:
            solara.SliderFloat(
                "",
                value=float(value),
                min=s.low,
                max=s.high,
                step=s.step,
                on_value=lambda v: on_value(float(v)),
                thumb_label=True,
            )


# ---------------------------------------------------------------- tables, plots, log
@solara.component
def LatestTable(views: tuple[RunView, ...]):
    """The latest yearly values per model, as text (also what the browser test reads)."""
    solara.HTML(tag="div", unsafe_innerHTML=latest_table(views), classes=["govsim-table"])


def _cell(o: outputs.Output, value: float) -> str:
    if o.percent:
        return f"{value * o.factor:.3g}%"
    if o.unit.startswith("DKK"):
        return f"{value / 1e6:.2f} M"
    return f"{value:.3g}"


def _head(o: outputs.Output, unit: bool = False) -> str:
    if not unit:
        return o.label
    u = "M " + o.unit if o.unit.startswith("DKK") else ("%" if o.percent else o.unit)
    return f"{o.label} ({u})"


def latest_table(
    views, view: str = "latest", css: str = "govsim-latest", units: bool = False
) -> str:
    """The HTML of LatestTable (and of the monitors): one column per model, one row per
    outcome of the registry's `view`, with its labels and units (a share in %, DKK in
    millions) — narrow enough for a projector at 1024 px."""
    cols = [outputs.output(c) for c in outputs.listed(view)]
    lasts = [v.rows[-1] if v.rows else None for v in views]
    head = "".join(
        f"<th class='govsim-model' style='color:{plots.MODEL_COLOURS[i]}'>{html.escape(v.label)}</th>"
        for i, v in enumerate(views)
    )
    now = "".join(f"<td>{getattr(v, 'now', '')}</td>" for v in views)
    years = "".join(
        f"<td class='govsim-year'>{int(last['year']) if last else '–'}</td>" for last in lasts
    )
    body = "".join(
        f"<tr class='govsim-outcome'><th>{html.escape(_head(o, units))}</th>"
        + "".join(f"<td>{_cell(o, last[o.name]) if last else '–'}</td>" for last in lasts)
        + "</tr>"
        for o in cols
    )
    title = "Latest year" if view == "latest" else "Monitors"
    return (
        f"<table class='{css}'><tr><th class='govsim-table-title'>{title}</th>{head}</tr>"
        f"<tr><th>now</th>{now}</tr><tr><th>last year</th>{years}</tr>{body}</table>"
    )


@solara.component
def MonitorTable(views: tuple[RunView, ...]):
    """NetLogo-style monitors of the last year: the registry's ``monitor`` outcomes."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=latest_table(views, "monitor", "govsim-monitors", units=True),
        classes=["govsim-table"],
    )


@solara.component
def SeriesPlot(spec: plots.PlotSpec, views: tuple[RunView, ...], tops: dict):
    key = tuple((v.label, len(v.rows), v.quarter, v.seeds) for v in views)
    seen = plots.data_top(spec, views)
    if seen is not None:
        tops[spec.key] = max(seen, tops.get(spec.key, seen))
    top = tops.get(spec.key)

    def draw() -> str:
        start = min(v.start_year for v in views)
        end = max(v.start_year + v.n_years - 1 for v in views)
        return plots.series_svg(spec, views, start, end, top)

    image = solara.use_memo(draw, [spec.key, key, top])
    solara.HTML(
        tag="div", unsafe_innerHTML=image, classes=["govsim-plot", f"govsim-plot-{spec.key}"]
    )


def event_log_html(i: int, v: RunView) -> str:
    """One model's log: the latest year's events, then every earlier year (folded)."""
    colour = plots.MODEL_COLOURS[i]
    head = f"<div style='color:{colour};font-weight:700'>{html.escape(v.label)}</div>"
    if not v.events:
        return head + "<p class='govsim-noevents'>No year completed yet.</p>"

    def items(evs) -> str:
        if not evs:
            return "<p>Nothing happened this year.</p>"
        return (
            "<ul>"
            + "".join(
                f"<li class='govsim-event govsim-event-{e.kind}'>"
                f"{'Q' + str(e.quarter) + ': ' if e.quarter else ''}{html.escape(e.text)}</li>"
                for e in evs
            )
            + "</ul>"
        )

    year = v.events[-1][0].year if v.events[-1] else int(v.rows[-1]["year"])
    out = [head, f"<b>What happened in {year}</b>", items(v.events[-1])]
    if len(v.events) > 1:
        out.append("<details><summary>Earlier years</summary>")
        for k in range(len(v.events) - 2, -1, -1):
            y = v.start_year + k
            out.append(f"<b>{y}</b>{items(v.events[k])}")
        out.append("</details>")
    return "".join(out)


@solara.component
def EventLog(views: tuple[RunView, ...]):
    with solara.Div(classes=["govsim-events"]):
        for i, v in enumerate(views):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=event_log_html(i, v),
                classes=["govsim-eventlog", f"govsim-eventlog-{LABELS[i].lower()}"],
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
        style={"font-size": "0.9rem"},
    )


def _rule_params(sc, key: str) -> str:
    """The rule's parameter values in this model (so an explanation's example figure is not
    mistaken for the model's value)."""
    for reg in sc.regime_list()[::-1]:
        for r in reg.rules:
            if r.rule == key:
                vals = r.model_dump(exclude={"rule"})
                return ", ".join(
                    f"{k.replace('_', ' ')} = {v:g}"
                    if isinstance(v, int | float) and not isinstance(v, bool)
                    else f"{k.replace('_', ' ')} = {v}"
                    for k, v in vals.items()
                )
    return ""


@solara.component
def RulesPanel(views: tuple[RunView, ...]):
    h = held.value
    scenarios = h.session.scenarios if h is not None and h.session is not None else []
    with solara.Columns([1] * len(views)):
        for i, v in enumerate(views):
            with solara.Column():
                n_regimes = len(scenarios[i].regime_list()) if i < len(scenarios) else 1
                regime = f" (regime {v.regime + 1} of {n_regimes})" if n_regimes > 1 else ""
                solara.HTML(
                    tag="h4",
                    unsafe_innerHTML=html.escape(f"{v.label} — rules in force{regime}"),
                    style={"color": plots.MODEL_COLOURS[i]},
                    classes=[f"govsim-rules-{LABELS[i].lower()}"],
                )
                for r in v.rules:
                    anchor = r.odd_section.split("#", 1)[1]
                    params = _rule_params(scenarios[i], r.key) if i < len(scenarios) else ""
                    Md(
                        f"**{r.title}** — {r.explanation} "
                        + (f"*In this model: {params}.* " if params else "")
                        + f"<a href='/odd/{anchor}' target='_blank'>Model description (ODD)</a>",
                        style={"font-size": "0.92rem"},
                    )


@solara.component
def ScenarioFileInput(files: solara.Reactive[list[str]], target: solara.Reactive[str] | None):
    """Load a scenario YAML file as model A or B (validated before it is used). With a
    `target` (tests), the file becomes that reactive's value."""
    path = solara.use_reactive("")
    message = solara.use_reactive("")

    def load(which: str) -> None:
        from sim.scenario import load_scenario

        try:
            load_scenario(path.value)
        except GovsimError as e:
            message.set(e.message)
            return
        message.set("")
        if path.value not in scenario_choices(files.value):
            files.set([*files.value, path.value])
        if target is not None:
            target.set(path.value)
        elif which == "A":
            choose_models(a=path.value)
        else:
            choose_models(b=path.value)

    solara.InputText("or a scenario file (.yaml)", value=path, continuous_update=True)
    with solara.Row(style={"align-items": "center"}):
        solara.Button(
            "Load as A",
            on_click=lambda: load("A"),
            outlined=True,
            disabled=not path.value,
            classes=["govsim-load-a"],
        )
        solara.Button(
            "Load as B",
            on_click=lambda: load("B"),
            outlined=True,
            disabled=not path.value,
            classes=["govsim-load-b"],
        )
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
    text = ODD_PATH.read_text(encoding="utf-8")
    part = odd_section(text, anchor) if anchor else None
    if anchor and part is None:
        solara.Warning(f"No section '{anchor}' in docs/ODD.md; showing the whole document.")
    with solara.Column(style={"padding": "8px 24px", "max-width": "1100px"}):
        Md(part or text, classes=["govsim-odd"])
        if part:
            Md("[The whole model description (ODD)](/odd)")


def load_preset(p) -> None:
    """Load an exercise's preset (``sim.app.exercises.Preset``): models, each model's slider
    values, seed and seeds; the models are rebuilt at once."""
    model_a.set(p.a)
    model_b.set(p.b or NONE)
    seeds_pending.set(p.seeds)
    seed_text.set(str(p.seed))
    apply_now((tuple(p.a_set), tuple(p.b_set)), seed=p.seed)


INFO = """
## What is it?

govsim simulates how a Danish or Norwegian municipality governs its operational services
(roads, parks, street cleaning, winter service). Each **model** is a set of governance rules:
BUM (the purchaser–provider split, with tendering and control bids), HOD (holistic operation
with a fixed in-house share, benchmarking and learning teams) and the Norwegian
modelkommune (model municipality, built on trust and employee proposals). Two models run side
by side on **the same municipality and the same seed**, so every difference comes from the
rules.

## How to use it

*Reset* starts again, *Play* runs year after year (the *Speed* slider sets the pause between
steps), *Step* advances one quarter or one year. The sliders in the settings column change
one model each; nothing changes until *Apply and reset*. With *Seeds averaged* above 1 the
plots show the mean over several seeds and a band from the lowest to the highest.

## Things to notice

- The yearly plots change once a year, when surveys and accounts are closed.
- *What happened* lists each year's tenders and their winners, control bids, learning teams,
  budget cuts, elections and regime switches; a dashed line on the plots marks a regime switch,
  a dotted grey line an election.
- One seed is one possible history. Compare a single seed with the mean of eight.

## Things to try

Each exercise of the teaching notes (docs/teaching.md) loads with one click:
"""


@solara.component
def InfoPage():
    """NetLogo's Info tab: what the app is, things to notice, things to try (the exercises)."""
    from sim.app.exercises import EXERCISES

    router = solara.use_router()

    def go(p) -> None:
        load_preset(p)
        router.push("/")

    with solara.Column(
        style={"padding": "8px 24px", "max-width": "1100px"}, classes=["govsim-info"]
    ):
        Md(INFO)
        for i, ex in enumerate(EXERCISES, 1):
            with solara.Div(classes=["govsim-exercise", f"govsim-exercise-{ex.key}"]):
                Md(
                    f"### Exercise {i}: {ex.title}\n\n**Question.** {ex.question}\n\n"
                    f"**Steps.** {ex.steps}\n\n**What the model shows** (mean of the seeds). "
                    f"{ex.observation}"
                )
                if ex.preset is not None:
                    solara.Button(
                        f"Load exercise {i}",
                        icon_name="mdi-play-box-outline",
                        color="primary",
                        on_click=lambda p=ex.preset: go(p),
                        classes=[f"govsim-load-{ex.key}"],
                    )


routes = [
    solara.Route(path="/", component=Page, label="Simulation", layout=Layout),
    solara.Route(path="info", component=InfoPage, label="Info"),
    solara.Route(path="odd", component=OddPage, label="ODD"),
]
