"""Scenarios: a municipality, its parameters and the governance rules in force, from YAML.

A scenario file names rule objects with their parameters (a governance model is data, not
code), optionally in several regimes that start at given dates (e.g. BUM until April 2011,
then HOD — seed 001). Everything is validated before a run starts; an error names the file,
the key, the value and what is allowed.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from sim import yamlio
from sim.errors import BooleanInput, GovsimError, describe_validation_errors
from sim.params import NumbersModel, Parameters
from sim.rules import RULES, check_order

RuleSpec = Annotated[
    Union[tuple(cls.Params for cls in RULES.values())],  # noqa: UP007 (Union of a computed tuple)
    Field(discriminator="rule"),
]

_RULE_ADAPTER: TypeAdapter = TypeAdapter(RuleSpec)

_DATE = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|Q([1-4])))?$")


def parse_date(value: int | str) -> tuple[int, int]:
    """`2011`, `"2011-04"` (month) or `"2011-Q2"` → (year, quarter 0–3)."""
    m = _DATE.match(str(value).strip())
    if not m:
        raise ValueError("must be a year (2011), a month (2011-04) or a quarter (2011-Q2)")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError("month must be 01–12")
        return year, (month - 1) // 3
    if m.group(3):
        return year, int(m.group(3)) - 1
    return year, 0


class Regime(NumbersModel):
    """A set of rules in force from `start` until the next regime starts."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    start: int | str = Field(
        description="Year, month (2011-04) or quarter (2011-Q2) the regime starts"
    )
    rules: list[RuleSpec] = Field(min_length=1)

    @field_validator("start", mode="before")
    @classmethod
    def _valid_start(cls, v: Any) -> int | str:
        if isinstance(v, BooleanInput | bool) or not isinstance(v, int | str):
            raise ValueError("must be a year (2011), a month (2011-04) or a quarter (2011-Q2)")
        parse_date(v)
        return v


class Scenario(NumbersModel):
    """One governance scenario on one municipality (immutable: change it with
    ``sim.overrides.apply_overrides``, which returns a new, validated scenario)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    name: str = Field(min_length=1)
    #: display name (the teaching app's model list); empty: the app shows the file name
    title: str = ""
    description: str = ""
    start_year: int = Field(2008, ge=1970, le=2100)
    years: int = Field(20, ge=1, le=200)
    transition_cost_dkk: float = Field(
        500_000.0,
        ge=0,
        le=1e10,
        description="One-off reorganisation cost charged when a new regime starts "
        "(assumption; seed 001 reports the switch was absorbed within the first years)",
    )
    parameters: Parameters = Field(default_factory=Parameters)
    rules: list[RuleSpec] | None = Field(None, min_length=1)
    regimes: list[Regime] | None = Field(None, min_length=1)

    def regime_list(self) -> list[Regime]:
        if self.regimes is not None:
            return self.regimes
        return [Regime(start=self.start_year, rules=self.rules or [])]

    def regime_quarters(self) -> list[int]:
        """Quarter index (from the start of the run) at which each regime starts."""
        out = []
        for r in self.regime_list():
            y, q = parse_date(r.start)
            out.append((y - self.start_year) * 4 + q)
        return out

    def rule_keys(self) -> set[str]:
        return {r.rule for reg in self.regime_list() for r in reg.rules}

    def uses_parameter(self, name: str) -> bool:
        """True if the dotted parameter `name` acts here: a municipality/behaviour parameter (unless
        it acts only through rules none of whose regimes has — its ``acts_with``), or a
        parameter of a rule that one of the regimes uses."""
        head = name.split(".", 1)[0]
        if head in Parameters.model_fields:
            from sim.params import schema_index

            info = schema_index().get(name)
            needs = info.acts_with if info is not None else ()
            return not needs or bool(set(needs) & self.rule_keys())
        return head in self.rule_keys()


def allowed_keys(loc: tuple, root: type[BaseModel] | None = None) -> list[str] | None:
    """Walk a pydantic error location from `root` (default: Scenario) to the model it points
    into and list that model's keys."""
    cls: Any = Scenario if root is None else root
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if isinstance(cls, type) and issubclass(cls, BaseModel) and part in cls.model_fields:
            ann = cls.model_fields[part].annotation
            cls = _unwrap(ann)
        elif part in RULES:
            cls = RULES[part].Params
        else:
            return None
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [k for k in cls.model_fields if k != "rule"]
    return None


def _unwrap(ann: Any) -> Any:
    """list[X] | None → X (enough for our schema's shapes)."""
    for _ in range(4):
        args = getattr(ann, "__args__", None)
        if not args:
            return ann
        cand = [a for a in args if a is not type(None)]
        ann = cand[0]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
    return ann


def format_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unknown_rule(key: str, inp: Any) -> str:
    name = inp.get("rule") if isinstance(inp, dict) else inp
    return f"{key}: unknown rule {name!r}; allowed rules: {', '.join(RULES)}"


def format_validation_error(source: str, exc: ValidationError) -> str:
    return describe_validation_errors(
        source, exc, key=format_loc, allowed=allowed_keys, unknown_tag=_unknown_rule
    )


def check_rules(sc: Scenario, source: str) -> None:
    """Rules that need or exclude each other, and a sane regime order."""
    if (sc.rules is None) == (sc.regimes is None):
        raise GovsimError(
            f"{source}: give exactly one of the keys 'rules' (one regime) or 'regimes' (a list)"
        )
    regimes = sc.regime_list()
    quarters = sc.regime_quarters()
    where = "regimes" if sc.regimes is not None else "rules"
    if quarters[0] != 0:
        raise GovsimError(
            f"{source}: key 'regimes[0].start' has value {regimes[0].start!r}: "
            f"the first regime must start at start_year ({sc.start_year})"
        )
    last = sc.start_year + sc.years - 1
    for i in range(1, len(quarters)):
        if not 0 < quarters[i] < 4 * sc.years:
            raise GovsimError(
                f"{source}: key 'regimes[{i}].start' has value {regimes[i].start!r}: "
                f"a later regime must start within the run, after its first quarter "
                f"({sc.start_year}-Q1) and at the latest in {last}-Q4 (start_year "
                f"{sc.start_year}, years {sc.years})"
            )
        if quarters[i] <= quarters[i - 1]:
            raise GovsimError(
                f"{source}: key 'regimes[{i}].start' has value {regimes[i].start!r}: "
                "regimes must start in increasing order"
            )
    for i, reg in enumerate(regimes):
        keys = [r.rule for r in reg.rules]
        loc = f"regimes[{i}].rules" if sc.regimes is not None else where
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise GovsimError(
                f"{source}: key '{loc}' lists rule {dup[0]!r} twice; each rule may appear once per regime"
            )
        for k in keys:
            cls = RULES[k]
            for need in cls.requires:
                if need not in keys:
                    raise GovsimError(
                        f"{source}: key '{loc}': rule {k!r} needs rule {need!r} in the same regime"
                    )
            for bad in cls.conflicts:
                if bad in keys:
                    raise GovsimError(
                        f"{source}: key '{loc}': rule {k!r} cannot be combined with rule {bad!r}"
                    )
        for r in reg.rules:
            problem = RULES[r.rule].check_regime(r, reg.rules)
            if problem:
                raise GovsimError(f"{source}: key '{loc}': {problem}")
        problem = check_order(keys)  # rules whose declared reads and writes form a cycle
        if problem:
            raise GovsimError(f"{source}: key '{loc}': {problem}")


def presets_dir() -> Path:
    try:
        p = Path(str(resources.files("sim.presets")))
        if any(p.glob("*.yaml")):
            return p
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "scenarios"


def preset_names() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.yaml"))


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GovsimError(f"{path}: file not found") from None
    except UnicodeDecodeError as e:
        raise GovsimError(
            f"{path}: not UTF-8 text (byte {e.object[e.start]:#04x} at position {e.start} "
            "cannot be decoded); save the file as UTF-8"
        ) from None
    except OSError as e:
        raise GovsimError(f"{path}: cannot read file ({e.strerror})") from None
    try:
        return yamlio.load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        if isinstance(e, yamlio.DuplicateKeyError):
            raise GovsimError(f"{path}{where}: {problem}") from None
        raise GovsimError(f"{path}{where}: malformed YAML: {problem}") from None


def scenario_from_dict(
    data: Any, source: str, directory: Path | None = None, _chain: tuple[str, ...] = ()
) -> Scenario:
    """Validate a scenario mapping. A mapping with ``base:`` extends that preset or file first
    (``extend``); `directory` resolves a relative base path (default: the working directory)."""
    if not isinstance(data, dict):
        raise GovsimError(
            f"{source}: a scenario must be a mapping of keys (name, rules or regimes, …), "
            f"got {type(data).__name__}"
        )
    if "base" in data:
        data, sets = extend(data, source, directory or Path.cwd(), _chain)
        if sets:
            return _with_file_set(data, sets, source)
    else:
        stray = [k for k in EXTEND_KEYS if k in data]
        if stray:
            raise GovsimError(
                f"{source}: key {stray[0]!r} is only allowed in a scenario with 'base: PRESET' "
                "(it changes the base's rules); without a base, write the rules themselves"
            )
    return _validated(data, source)


def _validated(data: dict, source: str) -> Scenario:
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as e:
        raise GovsimError(format_validation_error(source, e)) from None
    check_rules(sc, source)
    return sc


def _with_file_set(data: dict, sets: dict, source: str) -> Scenario:
    """A ``base:`` scenario's ``set:`` items applied together; a failure is blamed on the first
    item that fails on its own (``key 'set.NAME' has value …``), as ``--set`` does."""
    import copy

    from sim.overrides import set_in_data, show

    before = copy.deepcopy(data)
    for name, value in sets.items():
        set_in_data(data, {name: value}, f"{source}: key 'set.{name}'", data.get("name", "?"))
    try:
        return _validated(data, source)
    except GovsimError as whole:
        try:
            _validated(copy.deepcopy(before), source)
        except GovsimError:
            raise whole from None  # not the set's fault
        for name, value in sets.items():
            trial = copy.deepcopy(before)
            set_in_data(trial, {name: value}, source, "?")
            try:
                _validated(trial, "\0")
            except GovsimError as e:
                why = re.sub(r"^\0: (key '[^']*' has value .*?: )?", "", e.message)
                raise GovsimError(
                    f"{source}: key 'set.{name}' has value {show(value)}: {why}"
                ) from None
        raise GovsimError(
            f"{whole.message} (with the items of key 'set' applied together)"
        ) from None


#: the keys a scenario with ``base:`` may use besides the Scenario's own
EXTEND_KEYS = ("set", "add_rules", "remove_rules")


def _base_path(ref: Any, source: str, directory: Path) -> Path:
    allowed = (
        f"allowed: a preset ({', '.join(preset_names())}) or a path to a scenario .yaml file "
        "(relative to this file)"
    )
    if not isinstance(ref, str) or not ref.strip():
        raise GovsimError(f"{source}: key 'base' has value {ref!r}; {allowed}")
    if ref in preset_names() and not Path(ref).suffix:
        return presets_dir() / f"{ref}.yaml"
    p = Path(ref)
    if not p.is_absolute():
        p = directory / p
    if not p.is_file():
        raise GovsimError(
            f"{source}: key 'base' has value {ref!r}: no such preset or file; {allowed}"
        )
    return p


def extend(
    data: dict, source: str, directory: Path, chain: tuple[str, ...] = ()
) -> tuple[dict, dict]:
    """A ``base:`` scenario mapping → the full mapping: the base's (itself validated), with

    - ``name``, ``description``, ``start_year``, ``years``, ``transition_cost_dkk`` replaced;
    - ``parameters`` merged into the base's, group by group;
    - ``rules`` or ``regimes`` replacing the base's rules, or ``remove_rules`` (rule names) and
      ``add_rules`` (rule objects) changing them in every regime;
    - ``set`` (dotted ``govsim params`` names, as ``--set``) applied last.

    Returns the mapping without the ``set`` items and the items (``scenario_from_dict`` applies
    them, so a bad value is blamed on its key)."""
    from sim.overrides import show

    ref = data["base"]
    path = _base_path(ref, source, directory)
    key = str(path.resolve())
    if key in chain:
        raise GovsimError(
            f"{source}: key 'base' has value {ref!r}: the bases form a cycle "
            f"({' → '.join(Path(c).stem for c in (*chain, key))})"
        )
    parent = scenario_from_dict(read_yaml(path), str(path), path.parent, (*chain, key))
    merged = parent.model_dump(mode="python", exclude_none=True)
    changes: list[str] = []
    own_rules = [k for k in ("rules", "regimes") if k in data]
    if own_rules and any(k in data for k in ("add_rules", "remove_rules")):
        raise GovsimError(
            f"{source}: key {own_rules[0]!r} replaces the base's rules; it cannot be combined "
            "with 'add_rules' or 'remove_rules', which change them"
        )
    for k, v in data.items():
        if k in ("base", "parameters", *EXTEND_KEYS):
            continue
        if k in ("rules", "regimes"):
            merged.pop("rules", None)
            merged.pop("regimes", None)
            changes.append(f"its own {k}")
        elif k not in ("name", "title", "description"):
            changes.append(f"{k} {v}")
        merged[k] = v
    params = data.get("parameters")
    if params is not None:
        if not isinstance(params, dict):
            raise GovsimError(
                f"{source}: key 'parameters' has value {params!r}: it must be a mapping of "
                "groups (municipality, …) to parameters"
            )
        for group, fields in params.items():
            into = merged.setdefault("parameters", {})
            if isinstance(fields, dict) and isinstance(into.get(group), dict):
                into[group] = {**into[group], **fields}
                changes += [f"{group}.{f}={show(v)}" for f, v in fields.items()]
            else:
                into[group] = fields  # validation names the key
    regimes = merged["regimes"] if "regimes" in merged else [merged]
    keys = {r["rule"] for reg in regimes for r in reg.get("rules", [])}
    remove = data.get("remove_rules", [])
    if not isinstance(remove, list) or not all(isinstance(x, str) for x in remove):
        raise GovsimError(
            f"{source}: key 'remove_rules' has value {remove!r}: it must be a list of rule names"
        )
    for name in remove:
        if name not in keys:
            raise GovsimError(
                f"{source}: key 'remove_rules' has value {name!r}: base {ref!r} has no rule "
                f"{name!r}; its rules are: {', '.join(sorted(keys))}"
            )
        for reg in regimes:
            reg["rules"] = [r for r in reg["rules"] if r["rule"] != name]
        changes.append(f"without {name}")
    add = data.get("add_rules", [])
    if not isinstance(add, list):
        raise GovsimError(
            f"{source}: key 'add_rules' has value {add!r}: it must be a list of rules "
            "({rule: NAME, …parameters})"
        )
    for i, spec in enumerate(add):
        where = f"add_rules[{i}]"
        named = spec.get("rule") if isinstance(spec, dict) else None
        if named in keys and named not in remove:
            raise GovsimError(
                f"{source}: key '{where}' adds rule {named!r}, which base {ref!r} already "
                f"has; change its parameters with 'set: {{{named}.PARAMETER: VALUE}}'"
            )
        try:
            _RULE_ADAPTER.validate_python(spec)
        except ValidationError as e:
            raise GovsimError(
                describe_validation_errors(
                    source,
                    e,
                    key=lambda loc, w=where: format_loc((w, *loc[1:])) if loc else w,
                    allowed=lambda loc: _rule_keys(loc),
                    unknown_tag=lambda k, inp, w=where: _unknown_rule(w, inp),
                )
            ) from None
        for reg in regimes:
            reg.setdefault("rules", []).append(dict(spec))
        changes.append(f"plus {named}")
    sets = data.get("set")
    if sets is not None:
        if not isinstance(sets, dict) or not sets:
            raise GovsimError(
                f"{source}: key 'set' has value {sets!r}: it must be a mapping of parameter "
                "names from `govsim params` to values, e.g. set: {tendering.share: 0.4}"
            )
        changes += [f"{name}={show(value)}" for name, value in sets.items()]
    if "name" not in data:
        merged["name"] = Path(source).stem if source.endswith((".yaml", ".yml")) else parent.name
    if "description" not in data:
        merged["description"] = f"{parent.name}, changed: " + ("; ".join(changes) or "nothing")
    if "title" not in data:
        merged.pop("title", None)  # an edited copy of a preset is not the preset
    return merged, dict(sets or {})


def _rule_keys(loc: tuple) -> list[str] | None:
    head = next((p for p in loc if isinstance(p, str) and p in RULES), None)
    return None if head is None else [k for k in RULES[head].Params.model_fields if k != "rule"]


def load_scenario(ref: str | Path | Scenario | dict) -> Scenario:
    """A preset name, a YAML path, a mapping or a Scenario → a validated Scenario."""
    if isinstance(ref, Scenario):
        check_rules(ref, f"scenario {ref.name!r}")
        return ref
    if isinstance(ref, dict):
        return scenario_from_dict(ref, "<scenario>")
    s = str(ref)
    path = Path(s)
    if path.suffix.lower() not in (".yaml", ".yml") and not path.exists():
        if s in preset_names():
            path = presets_dir() / f"{s}.yaml"
        else:
            raise GovsimError(
                f"no preset or file named {s!r}; presets are: {', '.join(preset_names())} "
                "(or give a path to a .yaml file)"
            )
    return _load_file(str(path.resolve()) if path.exists() else str(path), str(path))


def _load_file(key: str, shown: str) -> Scenario:
    """Parse and validate a scenario file, once per file version (batches load the same preset
    thousands of times; the cache key includes the file's size and modification time)."""
    try:
        st = Path(key).stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    if stamp is not None:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == stamp and hit[1] == shown:
            return hit[2].model_copy(deep=True)  # a caller may change its copy: never the cache's
    data = read_yaml(Path(shown))
    sc = scenario_from_dict(data, shown, Path(shown).parent)
    if isinstance(data, dict) and "base" in data:
        stamp = None  # its base may change without this file changing: not cached
    if stamp is not None:
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[key] = (stamp, shown, sc.model_copy(deep=True))
    return sc


_CACHE: dict[str, tuple[tuple[int, int], str, Scenario]] = {}


def scenario_values(sc: Scenario) -> dict[str, str]:
    """Every parameter the scenario gives a value, by dotted ``govsim params`` name, as text: the
    municipality and behaviour groups, and each of its rules' parameters (``v1 → v2`` with the
    regime starts, for a rule whose value changes between regimes)."""
    out: dict[str, str] = {}
    for group in Parameters.model_fields:
        for k, v in getattr(sc.parameters, group).model_dump(mode="json").items():
            out[f"{group}.{k}"] = _text(v)
    per: dict[str, list[tuple[str, str]]] = {}
    for reg in sc.regime_list():
        for r in reg.rules:
            for k, v in r.model_dump(mode="json", exclude={"rule"}).items():
                per.setdefault(f"{r.rule}.{k}", []).append((str(reg.start), _text(v)))
    for name, vals in per.items():
        distinct = list(dict.fromkeys(v for _, v in vals))
        out[name] = (
            distinct[0]
            if len(distinct) == 1
            else ", then ".join(f"{v} (from {start})" for start, v in vals)
        )
    return out


def _text(v: Any) -> str:
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def describe_presets() -> list[tuple[str, str]]:
    return [
        (
            n,
            load_scenario(n).description.strip().splitlines()[0]
            if load_scenario(n).description
            else "",
        )
        for n in preset_names()
    ]
