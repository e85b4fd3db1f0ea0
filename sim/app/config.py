"""What `govsim app` passes to the page, kept apart from the page so the command can set it
before Solara imports the page (the page reads it when it is imported)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

CONFIG_ENV = "GOVSIM_APP_CONFIG"
MAX_SEEDS = 20  # the most seeds the multi-seed mode averages (page slider, `govsim app --seeds`)


@dataclass(frozen=True)
class AppConfig:
    """What `govsim app` passes to the page (through an environment variable: same process,
    but Solara imports the page module itself)."""

    a: str = "bum"
    b: str | None = "hod"
    seed: int = 0
    seeds: int = 1  # seeds averaged (the multi-seed mode when > 1)
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
                "seeds": self.seeds,
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
            seeds=int(d.get("seeds", 1)),
            files=tuple(d["files"]),
            play_interval_ms=int(d["play_interval_ms"]),
            overrides=tuple((k, v) for k, v in d.get("overrides", ())),
        )
