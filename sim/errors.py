"""User-facing errors: one clear message, no traceback (DEVELOPERS.md 'Bad input')."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic and numpy stay out of `govsim --help`'s imports
    from pydantic import ValidationError


class BooleanInput:
    """A boolean given where a number is expected (``share: true``), wrapped by the schema so the
    number check fails on it and the message can say why; shown as the boolean itself."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


class GovsimError(Exception):
    """An error in the user's input; the CLI prints its message and exits with code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe_validation_errors(
    source: str,
    exc: ValidationError,
    *,
    key: Callable[[tuple], str],
    allowed: Callable[[tuple], list[str] | None],
    unknown_tag: Callable[[str, Any], str],
) -> str:
    """pydantic's errors → one line per offending key, naming the file, the key, the value and
    what is allowed. Schemas differ only in how a location reads (`key`), which keys a location
    allows (`allowed`) and how an unknown union tag is told (`unknown_tag`); errors that name
    the same key twice (one per union member) are reported once."""
    lines: list[str] = []
    seen: set[str] = set()
    for e in exc.errors():
        loc = tuple(e["loc"])
        k = key(loc)
        if k in seen:
            continue
        seen.add(k)
        inp, kind = e.get("input"), e["type"]
        if kind == "missing":
            lines.append(f"{source}: key '{k}' is required but missing")
        elif kind == "extra_forbidden":
            keys = allowed(loc)
            hint = f"; allowed keys here: {', '.join(keys)}" if keys else ""
            lines.append(f"{source}: unknown key '{k}' (value {inp!r}){hint}")
        elif kind.startswith("union_tag"):
            lines.append(f"{source}: {unknown_tag(k, inp)}")
        else:
            short = not isinstance(inp, dict | list) or len(repr(inp)) <= 40
            shown = inp if short else type(inp).__name__
            msg = e["msg"].removeprefix("Value error, ")
            if isinstance(inp, BooleanInput):
                msg = "a number is expected here, not a boolean (true/false)"
            elif kind == "finite_number":
                msg = "a finite number is expected here (not .inf or .nan)"
            lines.append(f"{source}: key '{k}' has value {shown!r}: {msg}")
    return "\n".join(lines)


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise GovsimError(f"seed has value {seed!r}: it must be a whole number ≥ 0")
    return int(seed)


def check_years(years: Any) -> int | None:
    if years is None:
        return None
    if isinstance(years, bool) or not isinstance(years, Integral) or not 1 <= years <= 200:
        raise GovsimError(f"years has value {years!r}: it must be a whole number from 1 to 200")
    return int(years)
