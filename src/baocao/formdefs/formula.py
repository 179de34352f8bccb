"""The formula language of form definitions: parser, printer, evaluator.

Form definitions compute cells and state rules in a small expression language:
`c3 + c4`, `sum(r1:r5)`, `c4 <= c3`, `if(x > 0, y / x, 0)`, `hien_trang == "bo_trong"`.
A hand-written recursive-descent parser turns the text into an AST of frozen
dataclasses, and `evaluate` walks that tree: `eval` never sees form text.

Names are not resolved here. A `Ref` is a bare code (`c3`) or an explicit cell
(`r1.c3`); what it means (a column of the current row, a row of the current column,
a record's field, every row of a group) is decided by whoever evaluates it, through
the `resolve` callback. Ranges (`c3:c6`) appear only as arguments of the aggregate
functions `sum`, `min` and `max`.

Arithmetic is Decimal with one fixed context (28 significant digits, half-even),
never the thread's global context, so results do not depend on what else runs in
the process. The AST serialises to JSON (`to_json`) and `static/formdefs/formula.js`
evaluates that JSON with the same rules; tests run both on the same cases.
"""
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow

MAX_LENGTH = 2000
MAX_DEPTH = 60  # parentheses, unary operators and calls inside one another
MAX_TREE_DEPTH = 200  # long chains like 1+1+…+1 build deep trees too; evaluation recurses
CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
KEYWORDS = {"and", "or", "not", "true", "false"}
FUNCTIONS = {"sum": (1, None), "min": (1, None), "max": (1, None), "abs": (1, 1), "if": (3, 3)}
AGGREGATES = {"sum", "min", "max"}
COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FormulaError(Exception):
    """A formula that does not parse: the message and the 0-based position in its text."""

    def __init__(self, message, position):
        self.message = message
        self.position = position
        super().__init__(f"{message} (at character {position + 1})")


class EvaluationError(Exception):
    """A formula that parses but cannot be computed on these values (division by zero, text in a sum…)."""


# --- AST -------------------------------------------------------------------------------
# `pos` is where the node starts in the source; it is not part of equality, so a
# printed and re-parsed tree equals the original.


@dataclass(frozen=True)
class Num:
    value: Decimal
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Str:
    value: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Ref:
    """`name`, or `name.member` for an explicit cell (row code . column code)."""

    name: str
    member: str | None = None
    pos: int = field(default=0, compare=False)

    def __str__(self):
        return f"{self.name}.{self.member}" if self.member else self.name


@dataclass(frozen=True)
class Range:
    start: Ref
    end: Ref
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: object
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    pos: int = field(default=0, compare=False)


# --- Tokens ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<num>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<id>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<str>\"[^\"\r\n]*\"|'[^'\r\n]*')"
    r"|(?P<op>==|!=|<=|>=|[-+*/<>=(),.:])"
)


@dataclass(frozen=True)
class Token:
    kind: str  # num, id, str, op, end
    text: str
    pos: int


def tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise FormulaError(f"unexpected character {text[pos]!r}", pos)
        if match.lastgroup != "ws":
            tokens.append(Token(match.lastgroup, match.group(), pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- Parser ----------------------------------------------------------------------------
#   expr    := or
#   or      := and ("or" and)*
#   and     := not ("and" not)*
#   not     := "not" not | compare
#   compare := sum (("=="|"="|"!="|"<"|"<="|">"|">=") sum)?      (not chained)
#   sum     := product (("+"|"-") product)*
#   product := unary (("*"|"/") unary)*
#   unary   := ("-"|"+") unary | primary
#   primary := NUMBER | STRING | "true" | "false" | "(" expr ")"
#            | FUNCTION "(" arg ("," arg)* ")" | ref
#   arg     := ref ":" ref | expr            (ranges only for sum, min, max)
#   ref     := IDENT ("." IDENT)?


class _Parser:
    def __init__(self, text):
        if len(text) > MAX_LENGTH:
            raise FormulaError(f"formula longer than {MAX_LENGTH} characters", MAX_LENGTH)
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self):
        return self.tokens[self.index]

    def peek(self, ahead):
        """The token `ahead` places on (the end token past the end)."""
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def take(self):
        token = self.token
        self.index += 1
        return token

    def at(self, *texts):
        return self.token.kind in ("op", "id") and self.token.text in texts

    def expect(self, text):
        if not self.at(text):
            raise FormulaError(f"expected {text!r}, found {self.describe()}", self.token.pos)
        return self.take()

    def describe(self):
        return "the end of the formula" if self.token.kind == "end" else repr(self.token.text)

    def nested(self, parse):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nested more than {MAX_DEPTH} levels deep", self.token.pos)
        try:
            return parse()
        finally:
            self.depth -= 1

    def parse(self):
        node = self.expr()
        if self.token.kind != "end":
            raise FormulaError(f"unexpected {self.describe()}", self.token.pos)
        return node

    def expr(self):
        return self.nested(self.or_)

    def or_(self):
        node = self.and_()
        while self.at("or"):
            token = self.take()
            node = Binary("or", node, self.and_(), token.pos)
        return node

    def and_(self):
        node = self.not_()
        while self.at("and"):
            token = self.take()
            node = Binary("and", node, self.not_(), token.pos)
        return node

    def not_(self):
        if self.at("not"):
            token = self.take()
            return Unary("not", self.nested(self.not_), token.pos)
        return self.compare()

    def compare(self):
        node = self.sum()
        if self.token.kind == "op" and (self.token.text in COMPARISONS or self.token.text == "="):
            token = self.take()
            op = "==" if token.text == "=" else token.text
            node = Binary(op, node, self.sum(), token.pos)
            if self.token.kind == "op" and (self.token.text in COMPARISONS or self.token.text == "="):
                raise FormulaError("comparisons cannot be chained; join them with 'and'", self.token.pos)
        return node

    def sum(self):
        node = self.product()
        while self.at("+", "-"):
            token = self.take()
            node = Binary(token.text, node, self.product(), token.pos)
        return node

    def product(self):
        node = self.unary()
        while self.at("*", "/"):
            token = self.take()
            node = Binary(token.text, node, self.unary(), token.pos)
        return node

    def unary(self):
        if self.at("-", "+"):
            token = self.take()
            operand = self.nested(self.unary)
            return Unary("-", operand, token.pos) if token.text == "-" else operand
        return self.primary()

    def primary(self):
        token = self.token
        if token.kind == "num":
            self.take()
            return Num(Decimal(token.text), token.pos)
        if token.kind == "str":
            self.take()
            return Str(token.text[1:-1], token.pos)
        if token.kind == "op" and token.text == "(":
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        if token.kind == "id":
            if token.text in ("true", "false"):
                self.take()
                return Bool(token.text == "true", token.pos)
            if token.text in KEYWORDS:
                raise FormulaError(f"unexpected {token.text!r}", token.pos)
            if self.peek(1).kind == "op" and self.peek(1).text == "(":
                return self.call()
            return self.ref()
        raise FormulaError(f"expected a number, a name or '(', found {self.describe()}", token.pos)

    def ref(self):
        if self.token.kind != "id" or self.token.text in KEYWORDS:
            raise FormulaError(f"expected a name, found {self.describe()}", self.token.pos)
        token = self.take()
        if self.at("."):
            self.take()
            member = self.token
            if member.kind != "id" or member.text in KEYWORDS:
                raise FormulaError(f"expected a column code after '.', found {self.describe()}", member.pos)
            self.take()
            return Ref(token.text, member.text, token.pos)
        return Ref(token.text, None, token.pos)

    def call(self):
        name = self.take()
        if name.text not in FUNCTIONS:
            raise FormulaError(f"unknown function {name.text!r} (known: {', '.join(sorted(FUNCTIONS))})", name.pos)
        self.expect("(")
        args = [self.arg(name.text)]
        while self.at(","):
            self.take()
            args.append(self.arg(name.text))
        self.expect(")")
        low, high = FUNCTIONS[name.text]
        if len(args) < low or (high is not None and len(args) > high):
            count = str(low) if low == high else f"at least {low}"
            raise FormulaError(f"{name.text}() takes {count} argument(s), not {len(args)}", name.pos)
        return Call(name.text, tuple(args), name.pos)

    def arg(self, function):
        token = self.token
        after = self.peek(3) if self.peek(1).text == "." else self.peek(1)
        if token.kind == "id" and token.text not in KEYWORDS and after.kind == "op" and after.text == ":":
            start = self.ref()
            self.expect(":")
            if function not in AGGREGATES:
                raise FormulaError(f"a range can only be used in {', '.join(sorted(AGGREGATES))}()", token.pos)
            return Range(start, self.ref(), token.pos)
        return self.expr()


def parse(text):
    """The AST of `text`; raises FormulaError (with a position) on anything else."""
    if not isinstance(text, str):
        raise FormulaError("a formula must be text", 0)
    node = _Parser(text).parse()
    if _depth(node) > MAX_TREE_DEPTH:
        raise FormulaError(f"formula too complex (more than {MAX_TREE_DEPTH} nested operations)", 0)
    return node


def _depth(node):
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = {Unary: lambda n: (n.operand,), Binary: lambda n: (n.left, n.right), Call: lambda n: n.args}.get(type(node))
        stack.extend((child, depth + 1) for child in (children(node) if children else ()))
    return deepest


# --- Printer ---------------------------------------------------------------------------

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, **{op: 4 for op in COMPARISONS}, "+": 5, "-": 5, "*": 6, "/": 6}
_NEGATION = 7


def unparse(node, outer=0):
    """Formula text for `node` with only the parentheses it needs; `parse(unparse(n)) == n`."""
    if isinstance(node, Num):
        return format(node.value, "f")
    if isinstance(node, Str):
        quote = "'" if '"' in node.value else '"'
        return f"{quote}{node.value}{quote}"
    if isinstance(node, Bool):
        return "true" if node.value else "false"
    if isinstance(node, Ref):
        return str(node)
    if isinstance(node, Range):
        return f"{node.start}:{node.end}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(unparse(arg) for arg in node.args)})"
    if isinstance(node, Unary):
        if node.op == "not":
            text, level = f"not {unparse(node.operand, _PRECEDENCE['not'])}", _PRECEDENCE["not"]
        else:
            text, level = f"-{unparse(node.operand, _NEGATION)}", _NEGATION
    elif isinstance(node, Binary):
        level = _PRECEDENCE[node.op]
        # Left-associative: a right operand of the same level needs parentheses;
        # comparisons do not chain, so both of their operands must bind tighter.
        left = unparse(node.left, level + 1 if node.op in COMPARISONS else level)
        text = f"{left} {node.op} {unparse(node.right, level + 1)}"
    else:
        raise TypeError(f"not a formula node: {node!r}")
    return f"({text})" if level < outer else text


# --- JSON (for the browser) ------------------------------------------------------------


def to_json(node, classify=None):
    """The JSON form formula.js evaluates. `classify(ref) -> str`, if given, adds the
    reference's kind (`k`) so the browser need not know the form's names."""
    if isinstance(node, Num):
        return {"t": "num", "v": format(node.value, "f")}
    if isinstance(node, Str):
        return {"t": "str", "v": node.value}
    if isinstance(node, Bool):
        return {"t": "bool", "v": node.value}
    if isinstance(node, Ref):
        data = {"t": "ref", "name": node.name}
        if node.member:
            data["member"] = node.member
        if classify:
            data["k"] = classify(node)
        return data
    if isinstance(node, Range):
        return {"t": "range", "from": to_json(node.start, classify), "to": to_json(node.end, classify)}
    if isinstance(node, Unary):
        return {"t": "neg" if node.op == "-" else "not", "a": to_json(node.operand, classify)}
    if isinstance(node, Binary):
        return {"t": "bin", "op": node.op, "a": to_json(node.left, classify), "b": to_json(node.right, classify)}
    if isinstance(node, Call):
        return {"t": "call", "fn": node.name, "args": [to_json(arg, classify) for arg in node.args]}
    raise TypeError(f"not a formula node: {node!r}")


def references(node):
    """Every Ref and Range in `node`, in reading order (a Range yields itself, not its ends)."""
    if isinstance(node, (Ref, Range)):
        yield node
    elif isinstance(node, Unary):
        yield from references(node.operand)
    elif isinstance(node, Binary):
        yield from references(node.left)
        yield from references(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from references(arg)


# --- Evaluator -------------------------------------------------------------------------
# Values are Decimal, bool, str or None (a blank cell). A blank counts as 0 in arithmetic
# and ordering and as "" next to text; true/false count as 1/0 in arithmetic.


def number(value):
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EvaluationError("not a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    raise EvaluationError(f"{value!r} is not a number")


def truth(value):
    if value is None:
        return False
    if isinstance(value, (bool, str)):
        return bool(value)
    return number(value) != 0


def _compare(op, left, right):
    if isinstance(left, str) or isinstance(right, str):
        if op not in ("==", "!="):
            raise EvaluationError("text can only be compared with == or !=")
        if not all(v is None or isinstance(v, str) for v in (left, right)):
            raise EvaluationError("cannot compare text with a number")
        equal = (left or "") == (right or "")
        return equal if op == "==" else not equal
    a, b = number(left), number(right)
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


_ARITHMETIC = {"+": CONTEXT.add, "-": CONTEXT.subtract, "*": CONTEXT.multiply, "/": CONTEXT.divide}


def evaluate(node, resolve):
    """The value of `node`. `resolve(ref_or_range)` gives a reference's value, or a list
    of values for a range or a group (which only aggregates accept)."""
    try:
        return _evaluate(node, resolve)
    except (DivisionByZero, InvalidOperation):
        raise EvaluationError("division by zero") from None
    except Overflow:
        raise EvaluationError("number too large") from None


def _evaluate(node, resolve):
    if isinstance(node, (Num, Str, Bool)):
        return node.value
    if isinstance(node, Ref):
        value = resolve(node)
        if isinstance(value, list):
            raise EvaluationError(f"{node} is a group of rows: use sum({node})")
        return value
    if isinstance(node, Unary):
        if node.op == "not":
            return not truth(_evaluate(node.operand, resolve))
        return CONTEXT.minus(number(_evaluate(node.operand, resolve)))
    if isinstance(node, Binary):
        if node.op == "and":
            return truth(_evaluate(node.left, resolve)) and truth(_evaluate(node.right, resolve))
        if node.op == "or":
            return truth(_evaluate(node.left, resolve)) or truth(_evaluate(node.right, resolve))
        left, right = _evaluate(node.left, resolve), _evaluate(node.right, resolve)
        if node.op in COMPARISONS:
            return _compare(node.op, left, right)
        return _ARITHMETIC[node.op](number(left), number(right))
    if isinstance(node, Call):
        if node.name == "if":
            condition, then, otherwise = node.args
            return _evaluate(then if truth(_evaluate(condition, resolve)) else otherwise, resolve)
        if node.name == "abs":
            return CONTEXT.abs(number(_evaluate(node.args[0], resolve)))
        items = []
        for arg in node.args:
            value = resolve(arg) if isinstance(arg, (Ref, Range)) else _evaluate(arg, resolve)
            items.extend(value if isinstance(value, list) else [value])
        numbers = [number(item) for item in items]
        if node.name == "sum":
            total = Decimal(0)
            for item in numbers:
                total = CONTEXT.add(total, item)
            return total
        if not numbers:
            return None
        return min(numbers) if node.name == "min" else max(numbers)
    raise TypeError(f"not a formula node: {node!r}")
