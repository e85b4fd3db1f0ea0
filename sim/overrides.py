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
    known = schema_index()
    data = sc.model_dump(mode="python", exclude_none=True)
    for name, value in overrides.items():
        if name not in known:
            raise GovsimError(
                f"{source}: unknown parameter {name!r}; see `govsim params` for the names"
            )
        head, field = name.split(".", 1)
        if head in Parameters.model_fields:
            data.setdefault("parameters", {}).setdefault(head, {})[field] = value
            continue
        hits = 0
        regimes = data["regimes"] if "regimes" in data else [data]
        for reg in regimes:
            for rule in reg["rules"]:
                if rule["rule"] == head:
                    rule[field] = value
                    hits += 1
        if hits == 0:
            raise GovsimError(
                f"{source}: parameter {name!r} belongs to rule {head!r}, "
                f"which scenario {sc.name!r} does not use"
            )
    return scenario_from_dict(data, source)


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
