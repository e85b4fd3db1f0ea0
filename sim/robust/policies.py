"""Policy robustness: the levers a municipality decides, run across a Latin hypercube of the
uncertainties it does not control (``govsim robust EXPERIMENT.yaml``).

An experiment file declares ``levers`` (named policies: a scenario preset or file plus ``set:``
overrides), ``uncertainties`` (parameter names, each with a range or ``null`` for the schema's
plausible range), ``draws``, ``seed``, ``years``, ``outcome`` (one yearly outcome and
``minimise``/``maximise``) and an optional ``threshold`` (``regret: X`` or ``outcome: X``).

Design (a pure function of the file):

- **Draws**: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``) of the uncertainties on
  ``sim.seeds.stream_rng(seed, LHS_KEY)``; draw *i* runs every policy on seed *i* of
  ``derive_seeds(seed, draws, DRAW_STREAM)`` — the same values and the same seed for every
  policy (paired). An uncertainty a policy's rules lack is dropped for that policy.
- **Outcome**: the run mean over the simulated years of the outcome column.
- **Regret** of a policy on a draw: how much worse its outcome is than the best policy's on that
  draw (≥ 0; 0 for the best). The summary ranks the policies by max regret (minimax regret;
  ties by mean regret, then name) and by mean outcome. The *chosen* policy is the minimax-regret
  one.
- **Failure** of the chosen policy on a draw: regret above ``threshold.regret``, or outcome
  beyond ``threshold.outcome`` (above it when minimising, below when maximising); without a
  threshold, any regret > 0 (another policy does better on that draw). PRIM
  (``sim.ema.prim_region``) describes the region of the uncertainties where it fails.

Layout of ``out``: ``batch/`` (the engine's folder: resumable), ``policy_draws.parquet`` and
``.csv`` (one row per draw × policy), ``policy_summary.csv`` (one row per policy),
``policy_prim.csv`` (one row: the chosen policy's failure region) and ``manifest.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.atomic import atomic_file
from sim.errors import GovsimError
from sim.params import Range, resolve_range
from sim.robust.study import (
    BATCH,
    DRAW_STREAM,
    LHS_KEY,
    MANIFEST,
    PRIM,
    concentrated,
)
from sim.seeds import derive_seeds, stream_rng

KEYS = (
    "name",
    "description",
    "levers",
    "uncertainties",
    "draws",
    "seed",
    "years",
    "outcome",
    "threshold",
)
REQUIRED = ("levers", "uncertainties", "draws", "outcome")
LEVER_KEYS = ("name", "scenario", "set")
DIRECTIONS = ("minimise", "maximise")
THRESHOLD_KINDS = ("regret", "outcome")
DEFAULT_SEED = 20110401
MIN_FAILURES = 5  # fewer failures than this: too few for PRIM, the draws are listed instead
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
META_POLICY, META_DRAW = "rp_policy", "rp_draw"
DRAWS_FILE, DRAWS_CSV, SUMMARY_FILE, PRIM_FILE = (
    "policy_draws.parquet",
    "policy_draws.csv",
    "policy_summary.csv",
    "policy_prim.csv",
)


@dataclass(frozen=True)
class Policy:
    name: str
    scenario: str  # the reference as given (preset name or path)
    sets: tuple[tuple[str, Any], ...]
    sc: Any = field(repr=False)  # the loaded base Scenario


@dataclass(frozen=True)
class PolicyExperiment:
    path: str
    name: str
    policies: tuple[Policy, ...]
    uncertainties: tuple[Range, ...]
    draws: int
    seed: int
    years: int | None
    outcome: str
    direction: str
    threshold: tuple[str, float] | None
    values: list[dict[str, float | int]] = field(default_factory=list, repr=False)
    draw_seeds: list[int] = field(default_factory=list, repr=False)
    runs: list[Any] = field(default_factory=list, repr=False)

    def settings(self) -> dict[str, Any]:
        return {
            "experiment": self.path,
            "name": self.name,
            "draws": self.draws,
            "seed": self.seed,
            "years": self.years,
            "outcome": self.outcome,
            "direction": self.direction,
            "threshold": None if self.threshold is None else dict([self.threshold]),
        }


def run_id(draw: int, policy: str) -> str:
    return f"d{draw:06d}-{policy}"


# ---------------------------------------------------------------- reading


def _whole(value: Any, where: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise GovsimError(f"{where} has value {value!r}: it must be a whole number ≥ {least}")
    return value


def _mapping(value: Any, where: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise GovsimError(
            f"{where} has value {value!r}: it must be a mapping with keys {', '.join(allowed)}"
        )
    bad = [k for k in value if k not in allowed]
    if bad:
        raise GovsimError(f"{where}: unknown key {bad[0]!r}; allowed keys are {', '.join(allowed)}")
    return value


def load_experiment(
    path: str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    years: int | None = None,
) -> PolicyExperiment:
    """Read and validate a policy experiment file (`draws`, `seed`, `years` override the file's)
    and plan its runs. Every error is one GovsimError naming the file, the key and the value."""
    from sim.outputs import outcome_columns
    from sim.overrides import apply_overrides
    from sim.runner import check_seed, check_years
    from sim.scenario import load_scenario, read_yaml
    from sim.sensitivity.problem import check_param_range

    path = Path(path)
    f = str(path)
    data = read_yaml(path)
    data = _mapping(data, f, KEYS)
    for k in REQUIRED:
        if k not in data:
            raise GovsimError(
                f"{f}: key {k!r} is missing; an experiment needs {', '.join(REQUIRED)}"
            )
    n_draws = _whole(data["draws"] if draws is None else draws, f"{f}: key 'draws'", 2)
    the_seed = data.get("seed", DEFAULT_SEED) if seed is None else seed
    _whole(the_seed, f"{f}: key 'seed'", 0)
    the_years = data.get("years") if years is None else years
    if the_years is not None:
        _whole(the_years, f"{f}: key 'years'", 1)
    try:
        check_years(the_years)
        check_seed(the_seed)
    except GovsimError as e:
        raise GovsimError(f"{f}: {e.message}") from None

    # outcome
    out = _mapping(data["outcome"], f"{f}: key 'outcome'", ("name", "direction"))
    allowed = outcome_columns("yearly")
    name = out.get("name")
    if name not in allowed:
        raise GovsimError(
            f"{f}: key 'outcome.name' has value {name!r}; allowed are the yearly outcomes "
            f"(`govsim outputs --table yearly`), e.g. {', '.join(allowed[:5])}"
        )
    direction = out.get("direction")
    if direction not in DIRECTIONS:
        raise GovsimError(
            f"{f}: key 'outcome.direction' has value {direction!r}; allowed: {', '.join(DIRECTIONS)}"
        )

    # threshold
    threshold = None
    if data.get("threshold") is not None:
        t = _mapping(data["threshold"], f"{f}: key 'threshold'", THRESHOLD_KINDS)
        if len(t) != 1:
            raise GovsimError(
                f"{f}: key 'threshold' has value {t!r}; give exactly one of "
                f"{', '.join(THRESHOLD_KINDS)} with a number"
            )
        ((kind, value),) = t.items()
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise GovsimError(
                f"{f}: key 'threshold.{kind}' has value {value!r}; it must be a finite number"
            )
        if kind == "regret" and value < 0:
            raise GovsimError(f"{f}: key 'threshold.regret' has value {value!r}; it must be ≥ 0")
        threshold = (kind, float(value))

    # levers
    levers = data["levers"]
    if not isinstance(levers, list) or len(levers) < 2:
        raise GovsimError(
            f"{f}: key 'levers' has value {levers!r}; it must be a list of at least two policies, "
            "each a mapping with name, scenario and optional set"
        )
    policies: list[Policy] = []
    for j, lv in enumerate(levers):
        where = f"{f}: key 'levers[{j}]"  # closed by each message
        lv = _mapping(lv, where + "'", LEVER_KEYS)
        pname = lv.get("name")
        if not isinstance(pname, str) or not NAME.match(pname):
            raise GovsimError(
                f"{where}.name' has value {pname!r}; it must be a name of letters, digits and _ "
                "starting with a letter"
            )
        if any(p.name == pname for p in policies):
            raise GovsimError(
                f"{where}.name' has value {pname!r}, which an earlier lever has; names must be unique"
            )
        ref = lv.get("scenario")
        if not isinstance(ref, str):
            raise GovsimError(
                f"{where}.scenario' has value {ref!r}; give a preset name or a .yaml path"
            )
        sref = ref
        if ref.lower().endswith((".yaml", ".yml")) and not Path(ref).is_absolute():
            sref = str(path.parent / ref)
        try:
            sc = load_scenario(sref)
        except GovsimError as e:
            raise GovsimError(f"{where}.scenario' has value {ref!r}: {e.message}") from None
        sets = lv.get("set") or {}
        if not isinstance(sets, dict):
            raise GovsimError(
                f"{where}.set' has value {sets!r}; it must be a mapping of parameter names to values"
            )
        try:
            apply_overrides(sc, sets, f"{where}.set'")
        except GovsimError as e:
            raise GovsimError(f"{f}: {e.message}" if f not in e.message else e.message) from None
        policies.append(Policy(pname, ref, tuple(sorted(sets.items())), sc))

    # uncertainties
    unc = data["uncertainties"]
    if not isinstance(unc, dict) or not unc:
        raise GovsimError(
            f"{f}: key 'uncertainties' has value {unc!r}; it must be a mapping of parameter names "
            "(`govsim params`) to [low, high] or null (the plausible range)"
        )
    ranges = []
    for pn, rng_ in unc.items():
        where = f"{f}: key 'uncertainties.{pn}'"
        if rng_ is None:
            lo = hi = None
        elif isinstance(rng_, list) and len(rng_) == 2:
            lo, hi = rng_
        else:
            raise GovsimError(
                f"{where} has value {rng_!r}; give [low, high] or null (the plausible range)"
            )
        r = resolve_range(str(pn), lo, hi, where=where)
        using = [p.sc for p in policies if p.sc.uses_parameter(r.name)]
        if not using:
            raise GovsimError(
                f"{where}: no lever's scenario uses parameter {pn!r}, so it cannot matter"
            )
        for p in policies:
            if r.name in dict(p.sets):
                raise GovsimError(
                    f"{where}: lever {p.name!r} sets {pn!r} too; a parameter is either a lever's "
                    "setting or an uncertainty"
                )
        check_param_range(r, using, f)
        ranges.append(r)

    exp = PolicyExperiment(
        path=f,
        name=str(data.get("name", path.stem)),
        policies=tuple(policies),
        uncertainties=tuple(ranges),
        draws=n_draws,
        seed=int(the_seed),
        years=the_years,
        outcome=name,
        direction=direction,
        threshold=threshold,
    )
    _plan(exp)
    return exp


def _plan(exp: PolicyExperiment) -> None:
    from scipy.stats import qmc

    from sim.experiments.engine import RunSpec

    rng = stream_rng(exp.seed, LHS_KEY)
    try:
        sampler = qmc.LatinHypercube(d=len(exp.uncertainties), rng=rng)
    except TypeError:  # scipy < 1.15 calls it `seed`
        sampler = qmc.LatinHypercube(d=len(exp.uncertainties), seed=rng)
    unit = sampler.random(exp.draws)
    exp.values.extend(
        {r.name: r.from_unit(u) for r, u in zip(exp.uncertainties, row, strict=True)}
        for row in unit
    )
    exp.draw_seeds.extend(derive_seeds(exp.seed, exp.draws, DRAW_STREAM))
    for i, (vals, s) in enumerate(zip(exp.values, exp.draw_seeds, strict=True)):
        for p in exp.policies:
            ov = dict(p.sets)
            ov.update({k: v for k, v in vals.items() if p.sc.uses_parameter(k)})
            exp.runs.append(
                RunSpec(
                    run_id(i, p.name),
                    p.sc,
                    overrides=tuple(sorted(ov.items())),
                    seed=s,
                    years=exp.years,
                    meta=((META_POLICY, p.name), (META_DRAW, i)),
                )
            )


# ---------------------------------------------------------------- running and analysis


def run_policies(
    exp: PolicyExperiment,
    out: str | Path,
    *,
    workers: int = 1,
    backend: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run every policy on every draw into ``out/batch`` (resumable) and analyse; no table is
    written if a run failed."""
    from sim.experiments.engine import run_many
    from sim.robust.study import check_study_dir

    out = Path(out)
    check_study_dir(out, resume)
    res = run_many(
        exp.runs,
        workers=workers,
        backend=backend,
        scheduler=scheduler,
        out=out / BATCH,
        resume=resume,
        tables=("yearly",),
        columns=(exp.outcome,),
        progress=progress,
        manifest_extra={"robust_policies": exp.settings()},
    )
    if res.failed or res.pending:
        detail = f"\n{res.failure_message(len(exp.runs))}" if res.failures else ""
        raise GovsimError(
            f"{res.failed + res.pending} of {len(exp.runs)} runs of {exp.path} failed or did not "
            f"finish, so no table was written; fix the cause and complete it with --resume{detail}"
        )
    return analyse(exp, res.table("yearly"))


def analyse(
    exp: PolicyExperiment, yearly: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    means = yearly.groupby("run_id", sort=True)[exp.outcome].mean()
    missing = [s.run_id for s in exp.runs if s.run_id not in means.index]
    if missing:
        raise GovsimError(
            f"{len(missing)} runs of {exp.path} have no results (the first: {missing[0]}); "
            "complete them with --resume"
        )
    draws = draws_table(exp, means)
    summary = summary_table(exp, draws)
    chosen = summary.loc[summary["chosen"], "policy"].iloc[0]
    fails = _fails(exp, draws).astype("boolean")
    fails[draws["policy"] != chosen] = pd.NA  # failure is judged for the chosen policy only
    draws["fails"] = fails
    prim = prim_table(exp, draws, chosen)
    return draws, summary, prim


def draws_table(exp: PolicyExperiment, means: pd.Series) -> pd.DataFrame:
    names = [p.name for p in exp.policies]
    value = np.array([[means.at[run_id(i, p)] for p in names] for i in range(exp.draws)])
    best = value.min(axis=1) if exp.direction == "minimise" else value.max(axis=1)
    regret = value - best[:, None] if exp.direction == "minimise" else best[:, None] - value
    rows = []
    for i, (vals, s) in enumerate(zip(exp.values, exp.draw_seeds, strict=True)):
        for j, p in enumerate(names):
            rows.append(
                {
                    "draw": i,
                    "policy": p,
                    "seed": s,
                    **vals,
                    "outcome": exp.outcome,
                    "value": float(value[i, j]),
                    "best_value": float(best[i]),
                    "regret": float(regret[i, j]),
                    "best": bool(regret[i, j] == 0.0),
                }
            )
    df = pd.DataFrame(rows)
    df["draw"] = df["draw"].astype("int64")
    df["seed"] = df["seed"].astype("int64")
    for r in exp.uncertainties:
        df[r.name] = df[r.name].astype("int64" if r.kind == "int" else "float64")
    return df


def _fails(exp: PolicyExperiment, df: pd.DataFrame) -> pd.Series:
    if exp.threshold is None:
        return df["regret"] > 0
    kind, x = exp.threshold
    if kind == "regret":
        return df["regret"] > x
    return df["value"] > x if exp.direction == "minimise" else df["value"] < x


def summary_table(exp: PolicyExperiment, draws: pd.DataFrame) -> pd.DataFrame:
    rows = []
    fails = _fails(exp, draws)
    for p in exp.policies:
        sel = draws["policy"] == p.name
        v, rg = draws.loc[sel, "value"].to_numpy(), draws.loc[sel, "regret"].to_numpy()
        rows.append(
            {
                "policy": p.name,
                "scenario": p.scenario,
                "settings": "; ".join(f"{k}={v_}" for k, v_ in p.sets),
                "outcome": exp.outcome,
                "direction": exp.direction,
                "draws": int(sel.sum()),
                "mean": float(v.mean()),
                "p05": float(np.quantile(v, 0.05)),
                "p50": float(np.quantile(v, 0.5)),
                "p95": float(np.quantile(v, 0.95)),
                "mean_regret": float(rg.mean()),
                "max_regret": float(rg.max()),
                "best_share": float((rg == 0).mean()),
                "failures": int(fails[sel].sum()),
            }
        )
    df = pd.DataFrame(rows)
    sign = 1.0 if exp.direction == "minimise" else -1.0
    by_regret = sorted(
        range(len(df)),
        key=lambda k: (df.at[k, "max_regret"], df.at[k, "mean_regret"], df.at[k, "policy"]),
    )
    by_mean = sorted(range(len(df)), key=lambda k: (sign * df.at[k, "mean"], df.at[k, "policy"]))
    df["rank_minimax_regret"] = 0
    df["rank_mean"] = 0
    for r, k in enumerate(by_regret, 1):
        df.at[k, "rank_minimax_regret"] = r
    for r, k in enumerate(by_mean, 1):
        df.at[k, "rank_mean"] = r
    df["chosen"] = df["rank_minimax_regret"] == 1
    return df


def prim_table(exp: PolicyExperiment, draws: pd.DataFrame, chosen: str) -> pd.DataFrame:
    from sim.ema import prim_region

    sel = draws[draws["policy"] == chosen].sort_values("draw")
    fails = sel["fails"].to_numpy(dtype=bool)
    k = int(fails.sum())
    row: dict[str, Any] = {
        "policy": chosen,
        "failure": _failure_text(exp),
        "draws": len(sel),
        "failures": k,
        "prim_status": "",
        "prim_box": "",
        "prim_parameters": "",
        "prim_coverage": np.nan,
        "prim_density": np.nan,
        "prim_mass": np.nan,
        "failure_draws": "",
    }
    if k == 0:
        row["prim_status"] = "never_fails"
    elif k == len(sel):
        row["prim_status"] = "fails_everywhere"
    elif k < MIN_FAILURES:
        row["prim_status"] = "too_few"
        row["failure_draws"] = " ".join(str(i) for i in sel["draw"][fails])
    else:
        x = sel[[r.name for r in exp.uncertainties]].reset_index(drop=True)
        for r in exp.uncertainties:
            x[r.name] = x[r.name].astype("int64" if r.kind == "int" else "float64")
        region = prim_region(x, fails, **{**PRIM, "preselect": None})
        if region is None:
            row["prim_status"] = "no_region"
        else:
            row.update(
                prim_status="box" if region.density >= concentrated(k / len(sel)) else "weak",
                prim_box=region.text(),
                prim_parameters=" ".join(r.name for r in region.restrictions),
                prim_coverage=region.coverage,
                prim_density=region.density,
                prim_mass=region.mass,
            )
    return pd.DataFrame([row])


def _failure_text(exp: PolicyExperiment) -> str:
    if exp.threshold is None:
        return "regret > 0 (another policy does better on the draw)"
    kind, x = exp.threshold
    if kind == "regret":
        return f"regret > {x:g}"
    return f"{exp.outcome} {'>' if exp.direction == 'minimise' else '<'} {x:g}"


# ---------------------------------------------------------------- files


def write_tables(
    exp: PolicyExperiment,
    out: Path,
    draws: pd.DataFrame,
    summary: pd.DataFrame,
    prim: pd.DataFrame,
    extra: dict,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = [out / DRAWS_FILE, out / DRAWS_CSV, out / SUMMARY_FILE, out / PRIM_FILE, out / MANIFEST]
    atomic_file(files[0], lambda p: draws.to_parquet(p, index=False))
    atomic_file(files[1], lambda p: draws.to_csv(p, index=False))
    atomic_file(files[2], lambda p: summary.to_csv(p, index=False))
    atomic_file(files[3], lambda p: prim.to_csv(p, index=False))
    text = json.dumps(manifest(exp, extra), indent=2, default=str)
    atomic_file(files[4], lambda p: p.write_text(text, encoding="utf-8"))
    return files


def manifest(exp: PolicyExperiment, extra: dict) -> dict[str, Any]:
    from sim.provenance import git_commit, versions

    return {
        "command": "robust",
        **exp.settings(),
        "levers": [
            {"name": p.name, "scenario": p.scenario, "set": dict(p.sets)} for p in exp.policies
        ],
        "scenarios": {p.name: p.sc.model_dump(mode="json") for p in exp.policies},
        "uncertainties": [
            {"name": r.name, "low": r.low, "high": r.high, "kind": r.kind}
            for r in exp.uncertainties
        ],
        "outcome_summary": "run mean over the simulated years",
        "failure": _failure_text(exp),
        "ranking": "minimax regret (ties: mean regret, then name); rank_mean by mean outcome",
        "sampler": "scipy.stats.qmc.LatinHypercube on sim.seeds.stream_rng(seed, LHS_KEY)",
        "lhs_key": LHS_KEY,
        "draw_stream": DRAW_STREAM,
        "draw_seeds": exp.draw_seeds,
        "prim": {**PRIM, "preselect": None, "min_failures": MIN_FAILURES},
        "versions": versions(),
        "git_commit": git_commit(),
        **extra,
    }


def headline(exp: PolicyExperiment, summary: pd.DataFrame, prim: pd.DataFrame) -> str:
    from sim.outputs import output

    o = output(exp.outcome)
    f = o.factor
    unit = "%" if o.percent else o.unit
    lines = [f"{exp.outcome} ({exp.direction}; {unit}) over {exp.draws} draws:"]
    for _, r in summary.sort_values("rank_minimax_regret").iterrows():
        lines.append(
            f"  {r['rank_minimax_regret']}. {r['policy']:<16} mean {r['mean'] * f:.4g}  "
            f"5–95 % {r['p05'] * f:.4g}–{r['p95'] * f:.4g}  regret mean {r['mean_regret'] * f:.3g} "
            f"max {r['max_regret'] * f:.3g}  (rank by mean {r['rank_mean']})"
        )
    p = prim.iloc[0]
    what = {
        "box": f"PRIM: it fails mostly where {p['prim_box']} (parameters: {p['prim_parameters']})",
        "weak": f"PRIM's best box is weak (density {p['prim_density']:.2f}): {p['prim_box']}",
        "never_fails": "it never fails",
        "fails_everywhere": "it fails on every draw",
        "too_few": f"too few failures for PRIM (draws {p['failure_draws']})",
        "no_region": "PRIM found no region",
    }[p["prim_status"]]
    lines.append(
        f"chosen (minimax regret): {p['policy']}; fails ({p['failure']}) on {p['failures']} of {p['draws']} draws; {what}"
    )
    return "\n".join(lines)
