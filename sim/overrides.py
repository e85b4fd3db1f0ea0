"""Parameter overrides by dotted name, as batch sweeps, sensitivity samples and app sliders give them.

Names come from the schema (``govsim params``): ``group.field`` for municipality and behaviour
parameters (``municipality.budget_dkk``), ``rule.field`` for a rule's parameter
(``tendering.share``), which applies to that rule in every regime of the scenario. The
changed scenario is validated again as a whole, so a bad value gets the schema's message.
"""

from __future__ import annotations

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
