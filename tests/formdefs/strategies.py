"""Hypothesis strategies for formulas: random ASTs, and random expressions with the value
a straightforward Decimal computation gives them (the reference the evaluators must match)."""
from decimal import Decimal, DivisionByZero, InvalidOperation

from hypothesis import strategies as st

from baocao.formdefs import formula as f
from baocao.formdefs.formula import CONTEXT

NAMES = ["a", "b", "c3", "tong_so", "r1", "x_2"]
COMPARE = ["==", "!=", "<", "<=", ">", ">="]

decimals = st.builds(
    lambda digits, places: Decimal(digits).scaleb(-places),
    st.integers(min_value=0, max_value=10**30),
    st.integers(min_value=0, max_value=6),
)
refs = st.builds(f.Ref, st.sampled_from(NAMES), st.none() | st.sampled_from(NAMES))
leaves = st.one_of(
    st.builds(f.Num, decimals),
    st.builds(f.Str, st.text(alphabet="abc xyzđơn vịĐ'", max_size=8)),
    st.builds(f.Bool, st.booleans()),
    refs,
)


def _extend(children):
    ranges = st.builds(f.Range, refs, refs)
    aggregate_args = st.lists(children | ranges, min_size=1, max_size=3).map(tuple)
    return st.one_of(
        st.builds(f.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(f.Binary, st.sampled_from(["+", "-", "*", "/", "and", "or"] + COMPARE), children, children),
        st.builds(f.Call, st.sampled_from(["sum", "min", "max"]), aggregate_args),
        st.builds(lambda a: f.Call("abs", (a,)), children),
        st.builds(lambda c, a, b: f.Call("if", (c, a, b)), children, children, children),
    )



asts = st.recursive(leaves, _extend, max_leaves=25)

# --- Expressions with a reference value ---------------------------------------------------

ENV_NAMES = ["a", "b", "c", "d"]
env_values = st.fixed_dictionaries({name: st.none() | decimals | st.integers(-10**12, 10**12).map(Decimal) for name in ENV_NAMES})


class Error:
    """The reference says: this cannot be computed (division by zero)."""


def _num(v):
    if v is None:
        return Decimal(0)
    if isinstance(v, bool):
        return Decimal(int(v))
    return v


def _truth(v):
    return v is not None and (v if isinstance(v, bool) else _num(v) != 0)


@st.composite
def expressions(draw, env, depth=0):
    """(text, value) where value is computed directly, or Error."""
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            name = draw(st.sampled_from(ENV_NAMES))
            return name, env[name]
        number = draw(decimals)
        return format(number, "f"), number
    kind = draw(st.sampled_from(["arith", "arith", "neg", "abs", "cmp", "logic", "not", "if", "sum", "minmax"]))
    sub = lambda: draw(expressions(env, depth + 1))  # noqa: E731
    if kind == "arith":
        (lt, lv), op, (rt, rv) = sub(), draw(st.sampled_from("+-*/")), sub()
        text = f"({lt} {op} {rt})"
        if lv is Error or rv is Error:
            return text, Error
        try:
            return text, {"+": CONTEXT.add, "-": CONTEXT.subtract, "*": CONTEXT.multiply, "/": CONTEXT.divide}[op](_num(lv), _num(rv))
        except (DivisionByZero, InvalidOperation):
            return text, Error
    if kind in ("neg", "abs"):
        t, v = sub()
        text = f"(-{t})" if kind == "neg" else f"abs({t})"
        return text, Error if v is Error else (CONTEXT.minus(_num(v)) if kind == "neg" else CONTEXT.abs(_num(v)))
    if kind == "cmp":
        (lt, lv), op, (rt, rv) = sub(), draw(st.sampled_from(COMPARE)), sub()
        text = f"({lt} {op} {rt})"
        if lv is Error or rv is Error:
            return text, Error
        a, b = _num(lv), _num(rv)
        return text, {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    if kind == "logic":
        (lt, lv), op, (rt, rv) = sub(), draw(st.sampled_from(["and", "or"])), sub()
        text = f"({lt} {op} {rt})"
        if lv is Error:
            return text, Error
        if op == "and" and not _truth(lv) or op == "or" and _truth(lv):
            return text, op == "or"
        return text, Error if rv is Error else _truth(rv)
    if kind == "not":
        t, v = sub()
        return f"(not {t})", Error if v is Error else not _truth(v)
    if kind == "if":
        (ct, cv), (at, av), (bt, bv) = sub(), sub(), sub()
        text = f"if({ct}, {at}, {bt})"
        return text, Error if cv is Error else (av if _truth(cv) else bv)
    parts = [sub() for _ in range(draw(st.integers(1, 3)))]
    name = "sum" if kind == "sum" else draw(st.sampled_from(["min", "max"]))
    text = f"{name}({', '.join(t for t, _ in parts)})"
    if any(v is Error for _, v in parts):
        return text, Error
    numbers = [_num(v) for _, v in parts]
    if name == "sum":
        total = Decimal(0)
        for n in numbers:
            total = CONTEXT.add(total, n)
        return text, total
    return text, min(numbers) if name == "min" else max(numbers)


@st.composite
def cases(draw):
    """(env, text, expected value or Error)."""
    env = draw(env_values)
    text, value = draw(expressions(env))
    return env, text, value
