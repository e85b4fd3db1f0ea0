"""docs/ODD.md stays true to the code: its parameter table is the schema, every rule has a submodel."""

from __future__ import annotations

import re

from sim import docs
from sim.rules import RULES


def test_parameter_table_is_current():
    assert docs.main(["--check"]) == 0, "run `python -m sim.docs` to regenerate docs/ODD.md's parameter table"


def test_every_rule_has_a_submodel_section_naming_its_module():
    text = docs.ODD.read_text(encoding="utf-8")
    for key, cls in RULES.items():
        anchor = cls.odd_section().split("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in text, key
        assert f"sim/rules/{key}.py" in text, key


def test_every_rule_module_docstring_names_a_source():
    for key, cls in RULES.items():
        doc = __import__(cls.__module__, fromlist=["x"]).__doc__ or ""
        assert re.search(r"[Ss]eed 00\d|E\d+|EVIDENCE", doc), key
