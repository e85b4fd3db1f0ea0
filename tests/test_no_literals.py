"""Every behavioural coefficient is a schema parameter: no rule or agent module hides a number.

Scanned: ``sim/agents.py``, ``sim/innovation.py``, ``sim/monitoring.py``, ``sim/procurement.py``,
``sim/packages.py``, ``sim/model.py`` and every ``sim/rules/*.py`` except ``sim/rules/context.py``
(the scheduler's plumbing: access declarations and phase ordering, which hold no model number).
``sim/rules/base.py`` *is* scanned: the defaults of ``ProcurementPlan`` and ``Signals`` are what
a year starts from before the rules speak, so they may only be neutral elements (0, 1, no
limit) — a default that is a behavioural number belongs in the schema.

What counts: every ``int``/``float`` literal in the module's syntax tree (``ast.Constant``; a
negative number ``-x`` is read as one literal through its ``UnaryOp``). Booleans are not
numbers. Not counted:

- anything inside a ``param(...)`` call (that *is* the schema: default, plausible range,
  bounds);
- strings, so docstrings, comments, messages and format specifications (``f"{x:.2f}"``) are
  never read as numbers;
- an integer literal that *is* an index or a slice bound (``x[0]``, ``m[0, 2]``, ``a[:-1]``:
  a position, not a coefficient) — only the literal itself, so the 0.3 of a mask
  ``x[t > 0.3]`` is counted — and an integer given to a keyword that names an array's
  structure (``axis=``, ``minlength=``, ``ddof=``).

Every other literal must be in ``ALLOWED`` — a short list of mathematical constants, each with
the reason it is not a coefficient. Two entries hold only in one context: 0.5 only as the
neutral midpoint a quantity on a 0–1 scale is measured from (an operand of a subtraction,
``trust - 0.5``), and 2 only as the factor that maps such a deviation onto −1 … 1
(``r * 2 * (0.5 - trust)``: a factor of a product that has such a deviation among its
factors) or as an exponent. Anything else fails the test with its file and line.

The other entries are allowed wherever they appear, so the list relies on each use meaning what
its reason says: a 4 must be the quarters of a year (four *parties* was a coefficient in
disguise, now ``len(PARTIES)`` in ``tripartite_consensus``). Review catches such a misuse; the
test cannot.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"

SCANNED = sorted(
    [
        SIM / "agents.py",
        SIM / "innovation.py",
        SIM / "monitoring.py",
        SIM / "procurement.py",
        SIM / "packages.py",
        SIM / "model.py",
        SIM / "population" / "diffusion.py",
    ]
    + [p for p in (SIM / "rules").glob("*.py") if p.name != "context.py"]
)

#: value → why it is not a behavioural coefficient. Keep it short.
ALLOWED: dict[float, str] = {
    0: "zero: the additive identity, an empty count, the lower end of a 0–1 scale",
    1: "one: the multiplicative identity, a whole (1 − share), the upper end of a 0–1 scale",
    -1: "a sentinel: 'nobody' in an id array (no contractor holds the package), 'none yet'",
    4: "quarters per year: one step is a quarter (the model's time unit, not a coefficient)",
    7: "the upper end of the 1–7 wellbeing survey scale (its lower end is 1)",
    1e-9: "an epsilon: guards a division by a quantity that may be zero, or a comparison of "
    "volumes against round-off",
    1e-12: "a round-off tolerance when validation compares a computed share (1 − share) to a bound",
    0.5: "only as the neutral midpoint of a 0–1 scale that a deviation is measured from",
    2: "only as the factor mapping a deviation from the midpoint onto −1 … 1, or an exponent",
}
STRUCTURE_KEYWORDS = {"axis", "minlength", "ddof"}

ADVICE = (
    "make it a schema parameter (sim/params.py or the rule's Params) with unit, plausible range "
    "and source, or add it to the allow-list with a reason"
)


def _number(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return None


def _is_param_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "param")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "param")
    )


def _is_op(node: ast.AST | None, op: type) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, op)


def _is_midpoint_deviation(node: ast.AST) -> bool:
    """``x - 0.5`` or ``0.5 - x``."""
    return _is_op(node, ast.Sub) and any(_number(x) == 0.5 for x in (node.left, node.right))


def _factors(node: ast.AST) -> list[ast.AST]:
    """The factors of a product ``a * b * c`` (one factor if `node` is no product)."""
    if _is_op(node, ast.Mult):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _is_range_factor(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """2 as an exponent, or as a factor of a product that has a midpoint deviation among its
    factors (``r * 2.0 * (0.5 - t)``)."""
    parent = parents.get(node)
    if _is_op(parent, ast.Pow) and parent.right is node:
        return True
    top = node
    while _is_op(parents.get(top), ast.Mult):
        top = parents[top]
    return top is not node and any(_is_midpoint_deviation(f) for f in _factors(top))


def _is_int(node: ast.AST | None) -> bool:
    return node is not None and isinstance(_number(node), int)


def _positions(tree: ast.AST) -> set[int]:
    """The integer literals that are positions or array structure, not coefficients: an index
    or slice bound (``x[0]``, ``a[:-1]``, ``m[0, 2]``) and the value of ``axis=``, ``minlength=``
    or ``ddof=``. Only the literal itself: ``x[t > 0.3]`` is a mask, and its 0.3 is counted."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for item in items:
                ends = (
                    [item.lower, item.upper, item.step] if isinstance(item, ast.Slice) else [item]
                )
                ids |= {id(e) for e in ends if _is_int(e)}
        elif isinstance(node, ast.keyword) and node.arg in STRUCTURE_KEYWORDS:
            if _is_int(node.value):
                ids.add(id(node.value))
    return ids


def offending_literals(path: Path) -> list[tuple[int, float, str]]:
    """(line, value, source text) of every literal in `path` that the rules above do not allow."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    parents = {kid: node for node in ast.walk(tree) for kid in ast.iter_child_nodes(node)}
    positions = _positions(tree)
    found: list[tuple[int, float, str]] = []

    def allowed(node: ast.AST, value: float) -> bool:
        if id(node) in positions:
            return True
        if value not in ALLOWED:
            return False
        if value == 0.5:
            return _is_op(parents.get(node), ast.Sub)
        if value == 2:
            return _is_range_factor(node, parents)
        return True

    def visit(node: ast.AST) -> None:
        if _is_param_call(node):
            return  # the schema itself: default, plausible range, bounds
        value = _number(node)
        if value is not None:
            if not allowed(node, value):
                found.append((node.lineno, value, ast.get_source_segment(text, node) or ""))
            return  # the operand of -x was read with it
        for kid in ast.iter_child_nodes(node):
            visit(kid)

    visit(tree)
    return found


def test_no_behavioural_literal_outside_the_schema():
    problems = [
        f"{path.relative_to(ROOT)}:{line}: numeric literal {src or value!r}: {ADVICE}"
        for path in SCANNED
        for line, value, src in offending_literals(path)
    ]
    assert not problems, "\n" + "\n".join(problems)


def test_the_scan_finds_a_hidden_coefficient(tmp_path):
    """The scan can fail: a coefficient in a function body is found, its own schema call is not."""
    f = tmp_path / "m.py"
    f.write_text(
        '"""Docstring 0.7."""\n'
        "from sim.params import param\n"
        "x: float = param(0.35, unit='u', plausible=(0.1, 0.9), source='s', doc='d')\n"
        "def g(t, a):\n"
        "    y = a[2] + a[1:-1].sum(axis=3) + a ** 2 + t * 2.0 * (0.5 - t) - 1 + a[t > 0.25]\n"
        "    return 0.35 + 0.3 * t - 1e-3 + 0.5 * y + 2 * t + (-0.2)\n"
    )
    assert [(line, v) for line, v, _ in offending_literals(f)] == [
        (5, 0.25),
        (6, 0.35),
        (6, 0.3),
        (6, 1e-3),
        (6, 0.5),
        (6, 2),
        (6, -0.2),
    ]
