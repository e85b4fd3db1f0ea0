"""Parameter overrides by dotted name, as batch sweeps, sensitivity samples and app sliders give them.

Names come from the schema (``govsim params``): ``group.field`` for municipality and behaviour
parameters (``municipality.budget_dkk``), ``rule.field`` for a rule's parameter
(``tendering.share``), which applies to that rule in every regime of the scenario. The
changed scenario is validated again as a whole, so a bad value gets the schema's message.

``parse_set`` reads the command line's ``--set KEY=VALUE`` items and ``apply_set`` applies such
a mapping one name at a time, so a message names the one item at fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from sim.errors import GovsimError
from sim.params import Parameters, schema_index
from sim.scenario import Scenario, scenario_from_dict


def apply_overrides(sc: Scenario, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
    """Return a new validated Scenario with `overrides` applied (the input is not changed)."""
    if not overrides:
        return sc
    data = sc.model_dump(mode="python", exclude_none=True)
    set_in_data(data, overrides, source, sc.name)
    return scenario_from_dict(data, source)


def set_in_data(data: dict, overrides: dict[str, Any], source: str, name: str) -> None:
    """Write `overrides` (dotted names) into a scenario mapping `data` in place; the caller
    validates the result. An unknown name, or a rule the scenario does not use, is an error."""
    known = schema_index()
    for key, value in overrides.items():
        if key not in known:
            raise GovsimError(
                f"{source}: unknown parameter {key!r}; see `govsim params` for the names"
            )
        head, field = key.split(".", 1)
        if head in Parameters.model_fields:
            data.setdefault("parameters", {}).setdefault(head, {})[field] = value
            continue
        hits = 0
        regimes = data["regimes"] if "regimes" in data else [data]
        for reg in regimes:
            for rule in reg.get("rules") or []:
                if isinstance(rule, dict) and rule.get("rule") == head:
                    rule[field] = value
                    hits += 1
        if hits == 0:
            raise GovsimError(
                f"{source}: parameter {key!r} belongs to rule {head!r}, "
                f"which scenario {name!r} does not use"
            )


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")  # 1e6: a string to PyYAML


def parse_set(items: Iterable[str], option: str = "--set") -> dict[str, Any]:
    """``KEY=VALUE`` strings → {dotted name: value}; VALUE is read as a YAML scalar (``0.4`` a
    float, ``12`` an int, ``true`` a bool). Names and values are checked by ``apply_set``."""
    import yaml

    from sim import yamlio

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise GovsimError(
                f"{option} {item}: expected KEY=VALUE with a parameter name from `govsim params`, "
                f"e.g. {option} tendering.share=0.4"
            )
        if key in out:
            raise GovsimError(f"{option} {item}: {key!r} is set twice; give each name once")
        raw = raw.strip()
        try:
            value = yamlio.load(raw)
        except yamlio.DuplicateKeyError as e:
            raise GovsimError(f"{option} {item}: {e.problem}") from None
        except yaml.YAMLError:
            value = raw
        if isinstance(value, str) and _NUMBER.fullmatch(value):
            value = float(value)
        out[key] = value
    return out


def show(value: Any) -> str:
    """A value as the user would type it after ``KEY=`` (``0.4``, ``true``, ``abc``)."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def apply_set(sc: Scenario, overrides: dict[str, Any] | None, source: str = "--set") -> Scenario:
    """``apply_overrides`` one name at a time: an error reads ``SOURCE KEY=VALUE: …``."""
    for name, value in (overrides or {}).items():
        sc = apply_overrides(sc, {name: value}, source=f"{source} {name}={show(value)}")
    return sc


def _co_writers(sc: Scenario, rule: str) -> tuple[str, str, list[str]] | None:
    """The first phase in which `rule` writes state that another rule of the same regime also
    writes: (phase, state, the other rules). Read from the rules' ``access`` declarations, so
    no rule or model is named here."""
    from sim.rules import PHASES, RULES

    for reg in sc.regime_list():
        keys = [r.rule for r in reg.rules]
        if rule not in keys:
            continue
        for phase in PHASES:
            mine = RULES[rule].access_in(phase).writes
            if not mine or phase not in RULES[rule].phases():
                continue
            for state in sorted(mine):
                others = [
                    k
                    for k in keys
                    if k != rule
                    and phase in RULES[k].phases()
                    and state in RULES[k].access_in(phase).writes
                ]
                if others:
                    return phase, state, others
    return None


def ineffective(
    sc: Scenario, overrides: dict[str, Any] | None, seed: int = 0, years: int | None = None
) -> list[str]:
    """Warnings for the items of `overrides` that change nothing in scenario `sc` (the scenario
    *without* the overrides): each item is left out in turn, and if a run on `seed` over `years`
    gives bit-identical tables with and without it, the item is ineffective there — typically
    because another rule of the scenario fixes what the parameter feeds (HOD's fixed in-house
    share fixes the tendered share that ``tendering.share`` asks for). The reason is read from
    the rules' declared reads and writes."""
    from sim.runner import run

    sets = dict(overrides or {})
    if not sets:
        return []
    tables = ("yearly", "areas", "admin", "tenders")
    full = run(sc, seed=seed, years=years, set=sets)
    out = []
    for name, value in sets.items():
        rest = {k: v for k, v in sets.items() if k != name}
        without = run(sc, seed=seed, years=years, set=rest)
        if not all(getattr(full, t).equals(getattr(without, t)) for t in tables):
            continue
        head = name.split(".", 1)[0]
        span = f"{len(full.yearly)}-year run on seed {seed}"
        msg = (
            f"--set {name}={show(value)} has no effect in scenario {sc.name!r}: a {span} gives "
            "the same tables with it as without it"
        )
        hit = None if head in Parameters.model_fields else _co_writers(sc, head)
        if hit is not None:
            phase, state, others = hit
            who = ", ".join(repr(o) for o in others)
            msg += (
                f"; rule {who} of the scenario also set{'s' if len(others) == 1 else ''} "
                f"{state!r} in phase {phase!r}, where rule {head!r} uses the parameter, and "
                f"decide{'s' if len(others) == 1 else ''} it here — change "
                f"{'its' if len(others) == 1 else 'their'} parameters too (`govsim params "
                f"--scenario {sc.name}` lists them)"
            )
        elif head in Parameters.model_fields and not sc.uses_parameter(name):
            needs = schema_index()[name].acts_with
            msg += (
                f"; it acts only through the work of rule {', '.join(repr(r) for r in needs)}, "
                f"which scenario {sc.name!r} does not use"
            )
        else:
            msg += "; nothing the scenario's rules compute depends on it here"
        out.append(msg)
    return out
