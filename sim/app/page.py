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
import reacton.ipyvuetify as rv
import solara
import solara.lab

from sim import outputs
from sim.app import export, national, plots
from sim.app.config import CONFIG_ENV, AppConfig  # noqa: F401 - re-exported
from sim.app.i18n import LANG_NAMES, LANGS, decimals_for, num, pct, plain, t, tr
from sim.app.state import (
    KEY_PARAMS,
    MAX_SEEDS,
    QUARTERS_PER_YEAR,
    RunView,
    Session,
    Slider,
    configure,
    configure_each,
    key_sliders,
    model_title,
    param_title,
    scenario_choices,
    scenario_description,
    scenario_value,
)
from sim.errors import GovsimError
from sim.params import schema_index

NONE = "— none —"  # the value of "no model B" (shown in the page's language)
DOCS_DIR = Path(__file__).resolve().parents[2] / "docs"
ODD_PATH = DOCS_DIR / "ODD.md"
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
        CFG.seeds,
    )
)
pending = solara.reactive(((), ()))  # each model's slider values not applied yet
link_models = solara.reactive(False)  # "apply to both": a slider moves both models' values
seed_text = solara.reactive(str(CFG.seed))
seeds_pending = solara.reactive(CFG.seeds)
held = solara.reactive(None)  # _Held
tick = solara.reactive(0)
playing = solara.reactive(False)
per_step = solara.reactive("year")
interval = solara.reactive(CFG.play_interval_ms)
timing = solara.reactive(None)  # seconds of the last step (shown in the page's language)
lang = solara.reactive("en")  # the page's language (``sim.app.i18n``)
_build_lock = threading.Lock()


def T(key: str, **fields: Any) -> str:
    """The page's own text `key` in the chosen language."""
    return t(key, lang.value, **fields)


def R(text: str) -> str:
    """A registry text (rule, output, parameter, preset, exercise) in the chosen language."""
    return tr(text, lang.value)


def titles_of(refs: tuple[str, ...], overrides: tuple[Overrides, ...] = ()) -> list[str]:
    """The models' short display names for labels, legends and table heads ("BUM"), with the
    slider values a model was built with ("BUM, share 0.45"), so two copies of one preset
    are told apart — with two models, only the values they do not share."""
    from sim.app.state import param_parts, short_title

    ovs = [tuple(overrides[i]) if i < len(overrides) else () for i in range(len(refs))]
    common = set(ovs[0]).intersection(*ovs[1:]) if len(refs) == 2 else set()
    out = []
    for r, ov in zip(refs, ovs, strict=True):
        name = short_title(model_title(r, lang.value))
        own = [(k, v) for k, v in ov if (k, v) not in common]
        if own:
            name += ", " + ", ".join(f"{R(param_parts(k)[1])} {num(v, lang.value)}" for k, v in own)
        out.append(name)
    return out


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
html, body { font-size: 17px; overflow-x: clip; }
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
.govsim-side .v-select__selection { max-width: 100%; }
.govsim-side .v-select__selection-text { white-space: normal; overflow: visible;
  text-overflow: clip; line-height: 1.3; overflow-wrap: anywhere; }
.govsim-side .v-input__details { min-height: 0; padding-top: 0; }
.govsim-model-menu .v-list-item-title { white-space: normal; line-height: 1.3;
  overflow-wrap: anywhere; }
.govsim-main { min-width: 0; padding: 0 14px 40px; box-sizing: border-box; }
.govsim-controls { position: sticky; top: 40px; z-index: 10; background: white;
  border-bottom: 1px solid #ddd; padding: 8px 0; display: flex; flex-wrap: wrap;
  align-items: center; gap: 8px 12px; }
.govsim-controls .v-btn { font-size: 1rem; }
.govsim-counter { font-size: 1rem; font-weight: 600; }
.govsim-speed { width: 250px; }
.govsim-plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(430px, 1fr));
  gap: 10px; }
.govsim-plot svg { width: 100%; height: auto; }
.govsim-map { display: flex; flex-wrap: wrap; gap: 6px 18px; }
.govsim-map svg { max-width: 100%; height: auto; }
.govsim-map-scale { flex-basis: 100%; }
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
.govsim-langs { display: flex; gap: 2px; }
.govsim-lang { color: white !important; text-transform: none !important; min-width: 0 !important;
  padding: 0 8px !important; height: 28px !important; font-size: 0.95rem !important; }
.govsim-lang-active { background: rgba(255,255,255,0.22) !important; font-weight: 700; }
.govsim-plotcell { min-width: 0; margin-bottom: 10px; }
.govsim-plotfoot { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 4px 8px; }
.govsim-plotnote { font-size: 0.85rem; color: #333; line-height: 1.3; flex: 1 1 220px; }
.govsim-plotnote summary { cursor: pointer; color: #1565c0; padding-top: 6px; }
.govsim-export { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px;
  margin-top: 4px; }
.govsim-export .govsim-desc { flex: 1 1 300px; margin: 0; }
.govsim-nat-regions { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr));
  gap: 8px; margin: 4px 0 6px; }
.govsim-nat-cell svg { width: 100%; height: auto; }
.govsim-nat-legend svg { max-width: 100%; height: auto; }
.govsim-nat-lines { display: grid; grid-template-columns: repeat(auto-fill, minmax(400px, 1fr));
  gap: 10px; }
.govsim-nat-controls { position: sticky; top: 40px; z-index: 10; background: white;
  border-bottom: 1px solid #ddd; padding: 6px 0; display: flex; flex-wrap: wrap;
  align-items: center; gap: 6px 14px; }
.govsim-nat-yearslider { width: 320px; }
.govsim-nat-running { font-weight: 600; color: #0d47a1; }
@media (max-width: 1100px) {
  .govsim-app { grid-template-columns: 250px minmax(0, 1fr); }
  html, body { font-size: 16px; }
}
"""


# ---------------------------------------------------------------- layout and tabs
TABS = (("/", "simulation"), ("/national", "national"), ("/info", "info"), ("/odd", "odd"))


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """Title bar with the tabs and the language switch (sticky), then the current tab's page."""
    router = solara.use_router()
    path = "/" + router.path.strip("/").split("/", 1)[0]
    solara.Title(T("app.title"))
    solara.Style(CSS)
    with solara.Column(gap="0px", style={"width": "100%", "max-width": "100vw"}):
        with solara.Div(classes=["govsim-appbar"]):
            solara.Text(T("app.title"), classes=["govsim-title"])
            for href, name in TABS:
                active = path == href or (href == "/odd" and path == "/doc")
                with solara.Link(href):
                    solara.Text(
                        T(f"tab.{name}"),
                        classes=[
                            "govsim-tab",
                            f"govsim-tab-{name}",
                            *(["govsim-tab-active"] if active else []),
                        ],
                    )
            with solara.Div(classes=["govsim-langs"]):
                for code in LANGS:
                    solara.Button(
                        LANG_NAMES[code],
                        text=True,
                        on_click=lambda c=code: lang.set(c),
                        classes=[
                            "govsim-lang",
                            f"govsim-lang-{code}",
                            *(["govsim-lang-active"] if lang.value == code else []),
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
                solara.Error(T("build.error", error=h.error))
            else:
                Simulation(h.session).key(f"session-{id(h.session)}")


@solara.component
def ModelSelect(label: str, refs: list[str], value: str, on_value, css: str):
    """A model list showing each model's display name from the preset registry (the value
    stays the preset name or file)."""
    names = {r: T("none") if r == NONE else model_title(r, lang.value) for r in refs}
    # "text" for Vuetify 2, "title" for Vuetify 3
    items = [{"text": n, "title": n, "value": r} for r, n in names.items()]
    rv.Select(
        label=label,
        items=items,
        v_model=value,
        on_v_model=on_value,
        class_=css,
        dense=False,
        menu_props={"contentClass": "govsim-model-menu", "maxWidth": 520},
    )


@solara.component
def Settings(choices: list[str], h: _Held):
    solara.HTML(tag="h3", unsafe_innerHTML=T("models"), classes=["govsim-h"])
    ModelSelect(
        T("model_a"), choices, model_a.value, lambda v: choose_models(a=v), "govsim-select-a"
    )
    Md(_describe(model_a.value), classes=["govsim-desc", "govsim-desc-a"])
    ModelSelect(
        T("model_b"),
        [NONE, *choices],
        model_b.value,
        lambda v: choose_models(b=v),
        "govsim-select-b",
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
    return html.escape(plain(R(scenario_description(sc)), lang.value))


def now_text(v: RunView) -> str:
    """The quarter last simulated ("2011 Q2" / "2011 K2"), or "start" before the first step."""
    if not v.quarter:
        return T("now.start")
    return T("now.quarter", year=v.calendar_year, q=v.quarter_of_year)


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
            T("reset"),
            icon_name="mdi-restore",
            on_click=on_reset,
            color="primary",
            outlined=True,
            classes=["govsim-reset"],
        )
        solara.Button(
            T("pause") if playing.value else T("play"),
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            disabled=finished and not playing.value,
            classes=["govsim-play"],
        )
        solara.Button(
            T("step"),
            icon_name="mdi-skip-next",
            on_click=on_step,
            color="primary",
            disabled=playing.value or finished,
            classes=["govsim-step"],
        )
        with solara.ToggleButtonsSingle(value=per_step, dense=True, classes=["govsim-per-step"]):
            for unit in ("quarter", "year"):
                solara.Button(T(f"per.{unit}"), value=unit, classes=[f"govsim-per-{unit}"])
        with solara.Div(classes=["govsim-speed"]):
            solara.SliderInt(
                T("speed", ms=interval.value),
                value=interval,
                min=0,
                max=2000,
                step=50,
            )
        solara.Text(
            T(
                "counter",
                q=first.quarter,
                n=first.n_quarters,
                now=now_text(first),
                done=len(first.rows),
                years=first.n_years,
            ),
            classes=["govsim-counter"],
        )
        if finished:
            solara.Text(T("finished", now=now_text(first)), classes=["govsim-finished"])
        n = sum(len(_changes(i)) for i in range(len(applied.value.refs)))
        if n or seeds_pending.value != applied.value.seeds:
            solara.Text(
                T("pending.sliders", n=n) if n else T("pending.seeds"),
                classes=["govsim-pending"],
            )


@solara.component
def Simulation(session: Session):
    """Controls, monitors, event log, plots, map and rules of one session."""

    def advance() -> None:
        t0 = time.perf_counter()
        session.step(1 if per_step.value == "quarter" else QUARTERS_PER_YEAR)
        tick.set(tick.value + 1)  # renders before returning
        timing.set(time.perf_counter() - t0)

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

    refs = applied.value.refs
    views = solara.use_memo(
        lambda: session.views(titles_of(refs, applied.value.overrides), lang.value),
        [tick.value, id(session), lang.value],
    )
    tops = solara.use_ref({})  # the y axes only grow within a session (no jumping while playing)
    with solara.Column(gap="10px"):
        Controls(views, advance, reset)
        if views[0].seeds > 1:
            solara.Text(
                T(
                    "seeds.mean",
                    n=views[0].seeds,
                    first=session.seed,
                    last=session.seed + views[0].seeds - 1,
                ),
                classes=["govsim-seeds-note"],
            )
        with solara.Div(classes=["govsim-tables"]):
            LatestTable(views)
            MonitorTable(views)
        Timing()
        with solara.Div(classes=["govsim-plots"]):
            for spec in plots.PLOTS:
                SeriesPlot(spec, views, tops.current)
        ExportPanel(views)
        solara.HTML(tag="h3", unsafe_innerHTML=T("h.events"), classes=["govsim-h"])
        EventLog(views)
        solara.HTML(tag="h3", unsafe_innerHTML=T("h.map"), classes=["govsim-h"])
        AreaMap(views)
        solara.HTML(tag="h3", unsafe_innerHTML=T("h.rules"), classes=["govsim-h"])
        RulesPanel(views)


@solara.component
def Timing():
    """The last step's time on the server (its own component: setting it after a step
    re-renders this line only, not the plots)."""
    solara.Text(
        "" if timing.value is None else T("timing", s=num(timing.value, lang.value, 3)),
        classes=["govsim-timing"],
        style={"font-size": "12px", "color": "grey"},
    )


#: a plot's note under it: why it looks as it does (``sim.app.i18n`` keys)
PLOT_NOTES = {"shares": "note.shares", "sick_leave": "note.sick_leave"}


def note_applies(key: str, views: tuple[RunView, ...]) -> bool:
    """Whether a plot's note explains something the plot shows: the shares' note only when a
    model's in-house and tendered shares do add up to more than 100 %."""
    if key not in PLOT_NOTES:
        return False
    if key == "shares":
        return any(
            r["inhouse_share"] + r["tendered_share"] > 1.0 + 1e-9 for v in views for r in v.rows
        )
    return True


def plot_note(key: str) -> str:
    """The note under a plot, its figures from the parameter schema (so it stays true)."""
    if key == "sick_leave":
        index = schema_index()
        trend = index["employees.sick_leave_trend"].default * 100
        slope = index["employees.sick_leave_wellbeing_slope"].default * 100
        return T("note.sick_leave", trend=num(trend, lang.value), slope=num(slope, lang.value))
    return T(PLOT_NOTES[key])


@solara.component
def ExportPanel(views: tuple[RunView, ...]):
    """The shown data as one CSV (each plot's PNG is under the plot)."""
    CsvExport(
        export.views_csv, views, "govsim_shown_data.csv", "export.csv", "export.note", "govsim-csv"
    )


@solara.component
def CsvExport(make, data, filename: str, label: str, note: str, button: str, box: str = ""):
    """A download button for `make(data)` as CSV (made when clicked, from the latest `data`:
    FileDownload restarts its worker thread whenever its `data` callable changes), and a note."""
    latest = solara.use_ref(data)
    latest.current = data
    csv = solara.use_memo(lambda: lambda: make(latest.current), [])
    with solara.Div(classes=["govsim-export", *([box] if box else [])]):
        solara.FileDownload(
            csv,
            filename=filename,
            label=T(label),
            mime_type="text/csv",
            icon_name="mdi-table-arrow-down",
            children=[
                solara.Button(
                    T(label),
                    icon_name="mdi-download",
                    outlined=True,
                    color="primary",
                    classes=[button],
                )
            ],
        )
        solara.Text(T(note), classes=["govsim-desc"])


@solara.component
def PngButton(image: str, filename: str, classes: list[str]):
    """A small download button for the plot `image` (an SVG of the page) as PNG, made when
    clicked: one callable for the button's lifetime reads the latest image (FileDownload
    restarts its worker thread whenever `data` changes: no thread per step)."""
    latest = solara.use_ref(image)
    latest.current = image
    png = solara.use_memo(lambda: lambda: export.svg_png(latest.current), [])
    solara.FileDownload(
        png,
        filename=filename,
        label=T("export.png"),
        mime_type="image/png",
        icon_name="mdi-image-outline",
        children=[
            solara.Button(
                T("export.png"), icon_name="mdi-download", text=True, small=True, classes=classes
            )
        ],
    )


# ---------------------------------------------------------------- parameters
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
    value = text.strip()
    if not value.isdigit():
        return T("seed.error", value=repr(value))
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
    solara.HTML(tag="h3", unsafe_innerHTML=T("params"), classes=["govsim-h"])
    Md(T("params.note"), classes=["govsim-desc"])
    if len(refs) == 2:
        with solara.Div(classes=["govsim-link"]):
            solara.Checkbox(label=T("params.link"), value=link_models)

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
            unsafe_innerHTML=html.escape(f"{LABELS[i]}: {model_title(refs[i], lang.value)}"),
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
    solara.HTML(tag="h3", unsafe_innerHTML=T("seed"), classes=["govsim-h"])
    solara.InputText(T("seed.input"), value=seed_text, continuous_update=True)
    seed_err = _seed_error(seed_text.value)
    with solara.Div(classes=["govsim-seeds"]):
        solara.SliderInt(
            T("seeds.slider", n=seeds_pending.value), value=seeds_pending, min=1, max=MAX_SEEDS
        )
    Md(T("seeds.note"), classes=["govsim-desc"])
    shown = error or seed_err
    if shown:
        solara.Error(T("apply.error", error=shown), classes=["govsim-param-error"])
    n = sum(len(_changes(i)) for i in range(len(refs)))
    seed_changed = not seed_err and int(seed_text.value) != applied.value.seed
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(
            T("apply"),
            color="primary",
            disabled=shown is not None,
            on_click=lambda: apply_now(seed=int(seed_text.value)),
            classes=["govsim-apply"],
        )
        solara.Button(
            T("discard"),
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
            T("defaults"),
            outlined=True,
            on_click=lambda: apply_now(((), ()), seed=applied.value.seed),
            classes=["govsim-defaults"],
        )


@solara.component
def SliderRow(i: int, s: Slider, value: Any, changed: bool, on_value):
    mark = T("params.not_applied") if changed else ""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(
            f"{param_title(s.name, lang.value)} = {num(value, lang.value)} {R(s.unit)}{mark}"
        ),
        classes=["govsim-param-name"],
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(plain(R(s.doc), lang.value)),
        classes=["govsim-param-doc"],
    )
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
    solara.HTML(
        tag="div",
        unsafe_innerHTML=latest_table(views, lang=lang.value),
        classes=["govsim-table"],
    )


def _shown(o: outputs.Output, value: float) -> float:
    """A value as the tables show it: a share in %, DKK in millions."""
    if o.percent:
        return value * o.factor
    if o.unit.startswith("DKK"):
        return value / 1e6
    return value


def _cells(o: outputs.Output, values: list[float | None], lang: str = "en") -> list[str]:
    """One table row's values, all with the same number of decimals, as `lang` writes them."""
    shown = [None if v is None else _shown(o, v) for v in values]
    d = decimals_for(shown)
    out = []
    for v in shown:
        if v is None:
            out.append("–")
        elif v == 0:  # none at all: "0", not "0.00"
            out.append(pct(0, lang, 0) if o.percent else num(0, lang, 0))
        elif o.percent:
            out.append(pct(v, lang, d))
        elif o.unit.startswith("DKK"):
            out.append(f"{num(v, lang, d)} {t('million', lang)}")
        else:
            out.append(num(v, lang, d))
    return out


def _head(o: outputs.Output, unit: bool = False, lang: str = "en") -> str:
    name = tr(o.label, lang)
    if not unit:
        return name
    if o.unit.startswith("DKK"):
        u = t("million", lang) + " " + tr(o.unit, lang)
    else:
        u = "%" if o.percent else tr(o.unit, lang)
    return f"{name} ({u})"


def latest_table(
    views,
    view: str = "latest",
    css: str = "govsim-latest",
    units: bool = False,
    lang: str = "en",
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
    now = "".join(
        f"<td>{t('now.quarter', lang, year=v.calendar_year, q=v.quarter_of_year) if v.quarter else t('now.start', lang)}</td>"
        for v in views
    )
    years = "".join(
        f"<td class='govsim-year'>{int(last['year']) if last else '–'}</td>" for last in lasts
    )
    body = "".join(
        f"<tr class='govsim-outcome'><th>{html.escape(_head(o, units, lang))}</th>"
        + "".join(
            f"<td>{c}</td>"
            for c in _cells(o, [last[o.name] if last else None for last in lasts], lang)
        )
        + "</tr>"
        for o in cols
    )
    title = t("table.latest" if view == "latest" else "table.monitors", lang)
    return (
        f"<table class='{css}'><tr><th class='govsim-table-title'>{title}</th>{head}</tr>"
        f"<tr><th>{t('table.now', lang)}</th>{now}</tr>"
        f"<tr><th>{t('table.last_year', lang)}</th>{years}</tr>{body}</table>"
    )


@solara.component
def MonitorTable(views: tuple[RunView, ...]):
    """NetLogo-style monitors of the last year: the registry's ``monitor`` outcomes."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=latest_table(
            views, "monitor", "govsim-monitors", units=True, lang=lang.value
        ),
        classes=["govsim-table"],
    )


@solara.component
def SeriesPlot(spec: plots.PlotSpec, views: tuple[RunView, ...], tops: dict):
    key = tuple((v.label, len(v.rows), v.quarter, v.seeds) for v in views)
    seen = plots.data_top(spec, views)
    if seen is not None:
        tops[spec.key] = max(seen, tops.get(spec.key, seen))
    top = tops.get(spec.key)

    language = lang.value

    def draw() -> str:
        start = min(v.start_year for v in views)
        end = max(v.start_year + v.n_years - 1 for v in views)
        return plots.series_svg(spec, views, start, end, top, language)

    image = solara.use_memo(draw, [spec.key, key, top, language])
    with solara.Div(classes=["govsim-plotcell", f"govsim-plotcell-{spec.key}"]):
        solara.HTML(
            tag="div", unsafe_innerHTML=image, classes=["govsim-plot", f"govsim-plot-{spec.key}"]
        )
        with solara.Div(classes=["govsim-plotfoot"]):
            PngButton(image, f"govsim_{spec.key}.png", ["govsim-png", f"govsim-png-{spec.key}"])
            if note_applies(spec.key, views):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=(
                        f"<details><summary>{html.escape(T(PLOT_NOTES[spec.key] + '.q'))}"
                        f"</summary>{markdown.markdown(plot_note(spec.key))}</details>"
                    ),
                    classes=["govsim-md", "govsim-plotnote", f"govsim-note-{spec.key}"],
                )


def event_log_html(i: int, v: RunView, lang: str = "en") -> str:
    """One model's log: the latest year's events, then every earlier year (folded)."""
    colour = plots.MODEL_COLOURS[i]
    head = f"<div style='color:{colour};font-weight:700'>{html.escape(v.label)}</div>"
    if not v.events:
        return head + f"<p class='govsim-noevents'>{t('log.none_yet', lang)}</p>"

    def items(evs) -> str:
        if not evs:
            return f"<p>{t('log.nothing', lang)}</p>"
        return (
            "<ul>"
            + "".join(
                f"<li class='govsim-event govsim-event-{e.kind}'>"
                f"{('Q' if lang == 'en' else 'K') + str(e.quarter) + ': ' if e.quarter else ''}"
                f"{html.escape(e.text)}</li>"
                for e in evs
            )
            + "</ul>"
        )

    year = v.events[-1][0].year if v.events[-1] else int(v.rows[-1]["year"])
    out = [head, f"<b>{t('log.year', lang, year=year)}</b>", items(v.events[-1])]
    if len(v.events) > 1:
        out.append(f"<details><summary>{t('log.earlier', lang)}</summary>")
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
                unsafe_innerHTML=event_log_html(i, v, lang.value),
                classes=["govsim-eventlog", f"govsim-eventlog-{LABELS[i].lower()}"],
            )


@solara.component
def AreaMap(views: tuple[RunView, ...]):
    outcome = solara.use_reactive("satisfaction")
    with solara.ToggleButtonsSingle(value=outcome, dense=True, classes=["govsim-map-outcome"]):
        for key in plots.OUTCOMES:
            solara.Button(T(f"map.outcome.{key}"), value=key)
    language = lang.value
    image = solara.use_memo(
        lambda: plots.map_svg(views, outcome.value, language), [id(views), outcome.value, language]
    )
    solara.HTML(tag="div", unsafe_innerHTML=image, classes=["govsim-map"])
    Md(T("map.legend"), style={"font-size": "0.9rem"})


def _rule_params(sc, key: str) -> str:
    """The rule's parameter values in this model that a student may look for (so an
    explanation's example figure is not mistaken for the model's value): those with a slider
    and those the scenario sets away from the schema's default — not every coefficient."""
    index = schema_index()
    for reg in sc.regime_list()[::-1]:
        for r in reg.rules:
            if r.rule != key:
                continue
            out = []
            for k, v in r.model_dump(exclude={"rule"}).items():
                name = f"{key}.{k}"
                info = index.get(name)
                if name not in KEY_PARAMS and info is not None and v == info.default:
                    continue
                if isinstance(v, bool):
                    shown = T("yes") if v else T("no")
                elif isinstance(v, int | float):
                    shown = num(v, lang.value)
                else:
                    shown = str(v)
                out.append(f"{R(k.replace('_', ' '))} = {shown}")
            return ", ".join(out)
    return ""


@solara.component
def RulesPanel(views: tuple[RunView, ...]):
    h = held.value
    scenarios = h.session.scenarios if h is not None and h.session is not None else []
    with solara.Columns([1] * len(views)):
        for i, v in enumerate(views):
            with solara.Column():
                n_regimes = len(scenarios[i].regime_list()) if i < len(scenarios) else 1
                regime = T("rules.regime", r=v.regime + 1, n=n_regimes) if n_regimes > 1 else ""
                solara.HTML(
                    tag="h4",
                    unsafe_innerHTML=html.escape(T("rules.head", model=v.label, regime=regime)),
                    style={"color": plots.MODEL_COLOURS[i]},
                    classes=[f"govsim-rules-{LABELS[i].lower()}"],
                )
                for r in v.rules:
                    anchor = r.odd_section.split("#", 1)[1]
                    params = _rule_params(scenarios[i], r.key) if i < len(scenarios) else ""
                    Md(
                        f"**{R(r.title)}** — {plain(R(r.explanation), lang.value)} "
                        + (f"*{T('rules.in_model', params=params)}* " if params else "")
                        + f"<a href='/odd/{anchor}' target='_blank'>{T('rules.odd')}</a>",
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

    solara.InputText(T("file.input"), value=path, continuous_update=True)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            T("file.load_a"),
            on_click=lambda: load("A"),
            outlined=True,
            disabled=not path.value,
            classes=["govsim-load-a"],
        )
        solara.Button(
            T("file.load_b"),
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


_HREF = re.compile(r"""(href|src)=(["'])([^"']*)\2""")


def rewrite_links(body: str, section: bool = False) -> str:
    """The links of a docs/*.md page rendered as HTML, made to open in the app: another doc
    (``VALIDATION.md#x``) → ``/doc/VALIDATION.md#x``, the ODD (``ODD.md#x``) → ``/odd/x``, an
    in-page anchor of an ODD *section* → its own section, an image of docs/ → inlined (the app
    serves no files), a link out of docs/ (``../experiments/…``) → its path as plain text."""
    import base64

    def one(m: re.Match) -> str:
        attr, q, url = m.group(1), m.group(2), m.group(3)
        if re.match(r"^[a-z]+:", url) or url.startswith("/"):
            return m.group(0)
        if url.startswith("#"):
            return f"{attr}={q}/odd/{url[1:]}{q}" if section else m.group(0)
        path, _, frag = url.partition("#")
        target = (DOCS_DIR / path).resolve()
        inside = target.is_relative_to(DOCS_DIR.resolve()) and target.is_file()
        if attr == "src":
            if inside and target.suffix == ".png":
                data = base64.b64encode(target.read_bytes()).decode()
                return f"src={q}data:image/png;base64,{data}{q}"
            return m.group(0)
        if inside and target.name == "ODD.md":
            return f"href={q}/odd/{frag}{q}" if frag else f"href={q}/odd{q}"
        if inside and target.suffix == ".md":
            rel = target.relative_to(DOCS_DIR.resolve()).as_posix()
            return f"href={q}/doc/{rel}{'#' + frag if frag else ''}{q}"
        return (
            f"data-path={q}{html.escape(url)}{q} title={q}{html.escape(url)} (in the repository){q}"
        )

    return _HREF.sub(one, body)


def DocMd(text: str, section: bool = False, classes: list[str] | None = None):
    body = markdown.markdown(text, extensions=["tables", "toc"])
    return solara.HTML(
        tag="div",
        unsafe_innerHTML=rewrite_links(body, section),
        classes=["govsim-md", *(classes or [])],
    )


@solara.component
def OddPage():
    router = solara.use_router()
    anchor = router.path.rstrip("/").split("/odd", 1)[-1].strip("/")
    if not ODD_PATH.exists():
        solara.Warning(T("odd.missing", path=ODD_PATH, anchor=anchor))
        return
    text = ODD_PATH.read_text(encoding="utf-8")
    part = odd_section(text, anchor) if anchor else None
    if anchor and part is None:
        solara.Warning(T("odd.no_section", anchor=anchor))
    with solara.Column(style={"padding": "8px 24px", "max-width": "1100px"}):
        if lang.value != "en":
            solara.Info(T("doc.english"))
        DocMd(part or text, section=part is not None, classes=["govsim-odd"])
        if part:
            Md(f"[{T('odd.whole')}](/odd)")


def doc_path(name: str) -> Path | None:
    """docs/NAME if it is a Markdown file inside docs/ (no way out of it), else None."""
    target = (DOCS_DIR / name).resolve()
    ok = target.is_relative_to(DOCS_DIR.resolve()) and target.suffix == ".md" and target.is_file()
    return target if ok else None


@solara.component
def DocPage():
    """Another document of docs/ (VALIDATION.md, CALIBRATION.md, …) that the ODD links to."""
    router = solara.use_router()
    name = router.path.split("/doc", 1)[-1].strip("/")
    path = doc_path(name)
    with solara.Column(style={"padding": "8px 24px", "max-width": "1100px"}):
        if path is None:
            solara.Warning(T("doc.missing", name=name))
            Md(f"[{T('odd.whole')}](/odd)")
            return
        if lang.value != "en":
            solara.Info(T("doc.english"))
        DocMd(path.read_text(encoding="utf-8"), classes=["govsim-doc"])


def load_preset(p) -> None:
    """Load an exercise's preset (``sim.app.exercises.Preset``): models, each model's slider
    values, seed and seeds; the models are rebuilt at once."""
    model_a.set(p.a)
    model_b.set(p.b or NONE)
    seeds_pending.set(p.seeds)
    seed_text.set(str(p.seed))
    apply_now((tuple(p.a_set), tuple(p.b_set)), seed=p.seed)


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
        Md(T("info.body"))
        for i, ex in enumerate(EXERCISES, 1):
            with solara.Div(classes=["govsim-exercise", f"govsim-exercise-{ex.key}"]):
                Md(
                    f"### {T('info.exercise', i=i, title=R(ex.title))}\n\n"
                    f"**{T('info.question')}** {R(ex.question)}\n\n"
                    f"**{T('info.steps')}** {R(ex.steps)}\n\n"
                    f"**{T('info.shows')}** {R(ex.observation)}"
                )
                if ex.preset is not None:
                    solara.Button(
                        T("info.load", i=i),
                        icon_name="mdi-play-box-outline",
                        color="primary",
                        on_click=lambda p=ex.preset: go(p),
                        classes=[f"govsim-load-{ex.key}"],
                    )


# ---------------------------------------------------------------- the national view
# (issue 12; data in ``sim.app.national``, drawings in ``sim.app.plots``). Per-tab state, kept
# when the tab is left and visited again, like the simulation's.
NAT_CHOICES = national.national_choices()
nat_population = solara.reactive(NAT_CHOICES[0] if NAT_CHOICES else "")
nat_seed_text = solara.reactive("0")
nat_years = solara.reactive(0)  # 0: the population's own years
nat_request = solara.reactive(None)  # (population, seed, years) of the last Run
nat_running = solara.reactive(None)  # the request being run, or None
nat_view = solara.reactive(None)  # national.NationalView of the last finished run
nat_error = solara.reactive(None)
nat_year = solara.reactive(0)  # position of the year shown
nat_playing = solara.reactive(False)
nat_colour = solara.reactive("model")
NAT_PLAY_S = 0.6  # seconds per year while playing the years of a finished run


def nat_settings() -> tuple[str, int, int] | str:
    """The national run the settings ask for, or why it cannot run (one message)."""
    try:
        info = national.population_info(nat_population.value)
        years = nat_years.value or info[3]
        return national.check_request(nat_population.value, nat_seed_text.value, years)
    except GovsimError as e:
        return e.message


def run_request() -> None:
    """Run the national run of ``nat_request`` (on the task's worker thread), unless it is
    already shown or already running (visiting the tab again re-runs the task)."""
    req = nat_request.value
    if req is None or nat_running.value == req:
        return
    v = nat_view.value
    if v is not None and (v.name, v.seed, len(v.years)) == req:
        return
    nat_running.set(req)
    nat_error.set(None)
    try:
        view = national.run_national(*req)
        nat_playing.set(False)
        nat_view.set(view)
        nat_year.set(len(view.years) - 1)
    except GovsimError as e:
        nat_error.set(e.message)
    finally:
        nat_running.set(None)


def play_years() -> None:
    """Step the shown year of the finished run forward while playing (display only)."""
    while nat_playing.value:
        v = nat_view.value
        if v is None or nat_year.value >= len(v.years) - 1:
            break
        time.sleep(NAT_PLAY_S)
        if nat_playing.value:
            nat_year.set(nat_year.value + 1)
    nat_playing.set(False)


@solara.component
def NationalPage():
    solara.lab.use_task(run_request, dependencies=[nat_request.value], prefer_threaded=True)
    solara.lab.use_task(play_years, dependencies=[nat_playing.value], prefer_threaded=True)
    with solara.Div(classes=["govsim-app", "govsim-national"]):
        with solara.Div(classes=["govsim-side"]):
            NationalSettings()
        with solara.Div(classes=["govsim-main"]):
            NationalMain()


@solara.component
def NationalSettings():
    solara.HTML(tag="h3", unsafe_innerHTML=T("nat.population"), classes=["govsim-h"])
    items = [{"text": n, "title": n, "value": n} for n in NAT_CHOICES]
    rv.Select(
        label=T("nat.population"),
        items=items,
        v_model=nat_population.value,
        on_v_model=lambda v: (nat_population.set(v), nat_years.set(0)),
        class_="govsim-nat-select",
        menu_props={"contentClass": "govsim-model-menu", "maxWidth": 520},
    )
    try:
        desc, n, r, years = national.population_info(nat_population.value)
    except GovsimError as e:
        solara.Error(e.message)
        return
    Md(
        html.escape(plain(R(desc), lang.value))
        + "<br>"
        + html.escape(T("nat.about", n=n, r=r, years=years)),
        classes=["govsim-desc", "govsim-nat-desc"],
    )
    solara.HTML(tag="h3", unsafe_innerHTML=T("seed"), classes=["govsim-h"])
    solara.InputText(T("seed.input"), value=nat_seed_text, continuous_update=True)
    shown = nat_years.value or years
    with solara.Div(classes=["govsim-nat-years"]):
        solara.SliderInt(
            T("nat.years", n=shown),
            value=shown,
            min=national.MIN_YEARS,
            max=years,
            on_value=lambda v: nat_years.set(0 if v == years else int(v)),
        )
    req = nat_settings()
    if isinstance(req, str):
        solara.Error(req, classes=["govsim-nat-error"])
    solara.Button(
        T("nat.run"),
        icon_name="mdi-play-circle-outline",
        color="primary",
        disabled=isinstance(req, str) or nat_running.value is not None,
        on_click=lambda: nat_request.set(req),
        classes=["govsim-nat-run"],
    )


@solara.component
def NationalMain():
    v = nat_view.value
    running = nat_running.value
    if running is not None:
        with solara.Div(classes=["govsim-nat-running"]):
            solara.ProgressLinear(True)
            desc, n, _, _ = national.population_info(running[0])
            solara.Text(T("nat.running", n=n, years=running[2]))
    if nat_error.value:
        solara.Error(nat_error.value)
    if v is None:
        if running is None:
            Md(T("nat.none"), classes=["govsim-nat-none"])
    else:
        NationalShown(v)


@solara.component
def NationalShown(v):
    """The finished run's controls (year, play), tiles and national lines."""
    i = min(nat_year.value, len(v.years) - 1)
    req = nat_settings()
    with solara.Div(classes=["govsim-nat-controls"]):

        def toggle() -> None:
            if not nat_playing.value and i >= len(v.years) - 1:
                nat_year.set(0)
            nat_playing.set(not nat_playing.value)

        solara.Button(
            T("pause") if nat_playing.value else T("play"),
            icon_name="mdi-pause" if nat_playing.value else "mdi-play",
            color="primary",
            on_click=toggle,
            classes=["govsim-nat-play"],
        )
        with solara.Div(classes=["govsim-nat-yearslider"]):
            solara.SliderInt(
                T("nat.year", year=v.years[i]),
                value=v.years[i],
                min=v.years[0],
                max=v.years[-1],
                on_value=lambda y: (nat_playing.set(False), nat_year.set(v.year_index(int(y)))),
            )
        solara.Text(
            T("nat.counter", year=v.years[i], i=i + 1, n=len(v.years), name=v.name, seed=v.seed),
            classes=["govsim-counter", "govsim-nat-counter"],
        )
        if not isinstance(req, str) and req != (v.name, v.seed, len(v.years)):
            solara.Text(T("nat.changed"), classes=["govsim-pending", "govsim-nat-changed"])
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(T("nat.colour"))
        with solara.ToggleButtonsSingle(
            value=nat_colour, dense=True, classes=["govsim-nat-colour"]
        ):
            for key in ("model", *national.TILE_OUTCOMES):
                solara.Button(
                    T(f"nat.colour.{key}"), value=key, classes=[f"govsim-nat-colour-{key}"]
                )
    language = lang.value
    tiles = solara.use_memo(
        lambda: plots.national_tiles_html(v, i, nat_colour.value, language),
        [id(v), i, nat_colour.value, language],
    )
    solara.HTML(tag="div", unsafe_innerHTML=tiles, classes=["govsim-nat-tiles"])
    band = national.e7_band()
    Md(
        T(
            "nat.legend",
            band=national.band_text(band, language),
            first=band.first,
            last=band.last,
        ),
        style={"font-size": "0.9rem"},
        classes=["govsim-nat-note"],
    )
    solara.HTML(tag="h3", unsafe_innerHTML=T("nat.h.lines"), classes=["govsim-h"])
    with solara.Div(classes=["govsim-nat-lines"]):
        for key, _, _ in national.NATIONAL_LINES:
            NationalLine(v, key, i)
    NationalExport(v)


@solara.component
def NationalExport(v):
    """The shown national run as CSV (municipality × year); each line's PNG is under it."""
    CsvExport(
        export.national_csv,
        v,
        f"govsim_national_{v.name}_seed{v.seed}.csv",
        "export.nat.csv",
        "export.nat.note",
        "govsim-nat-csv",
        "govsim-nat-export",
    )


@solara.component
def NationalLine(v, key: str, i: int):
    language = lang.value
    image = solara.use_memo(
        lambda: plots.national_line_svg(v, key, i, language), [id(v), key, i, language]
    )
    with solara.Div(classes=["govsim-plotcell", f"govsim-nat-cell-{key}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=image,
            classes=["govsim-nat-plot", f"govsim-nat-plot-{key}"],
        )
        with solara.Div(classes=["govsim-plotfoot"]):
            PngButton(image, f"govsim_national_{key}.png", ["govsim-png", f"govsim-nat-png-{key}"])


routes = [
    solara.Route(path="/", component=Page, label="Simulation", layout=Layout),
    solara.Route(path="national", component=NationalPage, label="National view"),
    solara.Route(path="info", component=InfoPage, label="Info"),
    solara.Route(path="odd", component=OddPage, label="ODD"),
    solara.Route(path="doc", component=DocPage, label="Docs"),
]
