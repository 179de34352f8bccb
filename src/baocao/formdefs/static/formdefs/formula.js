/*
 * formula.js: runs the formulas of baocao form definitions in the browser.
 *
 * The server parses every formula (baocao/formdefs/formula.py) and ships its AST as
 * JSON in the form's client spec (FormSpec.to_client_json()). This file only
 * evaluates those trees, with the server's rules, so the browser gives the same
 * answer to the last digit:
 *   - numbers are decimals with 28 significant digits, rounded half-even
 *     (Python's Decimal), never binary floats;
 *   - a blank (null) counts as 0 in arithmetic and as "" next to text;
 *   - true/false count as 1/0 in arithmetic;
 *   - division by zero, or text in arithmetic, throws EvaluationError; a computed
 *     cell is then blank and a rule is not judged.
 *
 * Plain ES2017 (no BigInt, no spread, no optional chaining), no dependencies,
 * so it runs on old office PCs. In a page it defines window.BaocaoFormula;
 * under node it is a CommonJS module.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.BaocaoFormula = api;
  }
})(this, function () {
  "use strict";

  var PRECISION = 28;

  class EvaluationError extends Error {}

  // --- Digit strings (non-negative integers, most significant digit first) -------------

  function strip(digits) {
    var i = 0;
    while (i < digits.length - 1 && digits.charAt(i) === "0") i++;
    return digits.slice(i);
  }

  function zeros(n) {
    return n > 0 ? new Array(n + 1).join("0") : "";
  }

  function compareDigits(a, b) {
    a = strip(a);
    b = strip(b);
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function addDigits(a, b) {
    var out = [], carry = 0, i = a.length - 1, j = b.length - 1;
    while (i >= 0 || j >= 0 || carry) {
      var sum = carry + (i >= 0 ? a.charCodeAt(i--) - 48 : 0) + (j >= 0 ? b.charCodeAt(j--) - 48 : 0);
      out.push(sum % 10);
      carry = sum >= 10 ? 1 : 0;
    }
    return strip(out.reverse().join("") || "0");
  }

  function subtractDigits(a, b) { // a >= b
    var out = [], borrow = 0, i = a.length - 1, j = b.length - 1;
    while (i >= 0) {
      var diff = (a.charCodeAt(i--) - 48) - borrow - (j >= 0 ? b.charCodeAt(j--) - 48 : 0);
      borrow = diff < 0 ? 1 : 0;
      out.push(diff < 0 ? diff + 10 : diff);
    }
    return strip(out.reverse().join(""));
  }

  function multiplyDigits(a, b) {
    var product = [], i, j;
    for (i = 0; i < a.length + b.length; i++) product.push(0);
    for (i = a.length - 1; i >= 0; i--) {
      for (j = b.length - 1; j >= 0; j--) {
        product[i + j + 1] += (a.charCodeAt(i) - 48) * (b.charCodeAt(j) - 48);
      }
    }
    for (i = product.length - 1; i > 0; i--) {
      product[i - 1] += Math.floor(product[i] / 10);
      product[i] %= 10;
    }
    return strip(product.join(""));
  }

  function divideDigits(a, b) { // [quotient, remainder]; b > 0
    var quotient = "", remainder = "0";
    for (var i = 0; i < a.length; i++) {
      remainder = strip(remainder + a.charAt(i));
      var digit = 0;
      while (compareDigits(remainder, b) >= 0) {
        remainder = subtractDigits(remainder, b);
        digit++;
      }
      quotient += digit;
    }
    return [strip(quotient || "0"), remainder];
  }

  // --- Decimal: sign * coefficient * 10^exponent ---------------------------------------

  function Decimal(sign, coefficient, exponent) {
    this.c = strip(coefficient || "0");
    this.s = this.c === "0" ? 1 : sign;
    this.e = exponent;
  }

  Decimal.prototype.isZero = function () { return this.c === "0"; };

  Decimal.prototype.toString = function () {
    // Plain notation without trailing zeros, like Python's format(d, "f") stripped.
    var whole = this.c + zeros(this.e), fraction = "";
    if (this.e < 0) {
      var padded = zeros(-this.e + 1 - this.c.length) + this.c;
      whole = padded.slice(0, padded.length + this.e);
      fraction = padded.slice(padded.length + this.e).replace(/0+$/, "");
    }
    var text = strip(whole) + (fraction ? "." + fraction : "");
    return (this.s < 0 && text !== "0" ? "-" : "") + text;
  };

  // A Decimal from its text: "1234.5", "-0.25", "1.5E+3".
  function decimal(text) {
    var match = /^([-+]?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([-+]?[0-9]+))?$/.exec(String(text).trim());
    if (!match) throw new EvaluationError("not a number: " + text);
    var fraction = match[3] || "";
    return new Decimal(match[1] === "-" ? -1 : 1, match[2] + fraction, parseInt(match[4] || "0", 10) - fraction.length);
  }

  var ZERO = decimal("0"), ONE = decimal("1");

  // The exact result sign * digits * 10^exponent, rounded half-even to PRECISION digits;
  // `inexact` says digits were already cut off below the last one (division).
  function rounded(sign, digits, exponent, inexact) {
    digits = strip(digits);
    if (digits.length <= PRECISION) return new Decimal(sign, digits, exponent);
    var kept = digits.slice(0, PRECISION), first = digits.charAt(PRECISION);
    var rest = digits.slice(PRECISION + 1), drop = digits.length - PRECISION;
    var beyondHalf = /[1-9]/.test(rest) || inexact;
    var odd = (kept.charCodeAt(PRECISION - 1) - 48) % 2 === 1;
    if (first > "5" || (first === "5" && (beyondHalf || odd))) {
      kept = addDigits(kept, "1");
      if (kept.length > PRECISION) {
        kept = kept.slice(0, PRECISION);
        drop += 1;
      }
    }
    return new Decimal(sign, kept, exponent + drop);
  }

  function aligned(a, b) {
    var exponent = Math.min(a.e, b.e);
    return [a.c + zeros(a.e - exponent), b.c + zeros(b.e - exponent), exponent];
  }

  function add(a, b) {
    var al = aligned(a, b);
    if (a.s === b.s) return rounded(a.s, addDigits(al[0], al[1]), al[2], false);
    if (compareDigits(al[0], al[1]) >= 0) return rounded(a.s, subtractDigits(al[0], al[1]), al[2], false);
    return rounded(b.s, subtractDigits(al[1], al[0]), al[2], false);
  }

  function negate(a) { return rounded(-a.s, a.c, a.e, false); }

  function subtract(a, b) { return add(a, new Decimal(-b.s, b.c, b.e)); }

  function multiply(a, b) { return rounded(a.s * b.s, multiplyDigits(a.c, b.c), a.e + b.e, false); }

  function divide(a, b) {
    if (b.isZero()) throw new EvaluationError("division by zero");
    if (a.isZero()) return ZERO;
    // Enough quotient digits to round correctly: at least PRECISION + 2.
    var shift = Math.max(0, PRECISION + 2 + b.c.length - a.c.length);
    var qr = divideDigits(a.c + zeros(shift), b.c);
    return rounded(a.s * b.s, qr[0], a.e - b.e - shift, qr[1] !== "0");
  }

  function compare(a, b) { // exact, like Python's Decimal comparison
    var sa = a.isZero() ? 0 : a.s, sb = b.isZero() ? 0 : b.s;
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    var al = aligned(a, b);
    return sa * compareDigits(al[0], al[1]);
  }

  // --- Values ----------------------------------------------------------------------------

  function number(value) {
    if (value === null || value === undefined) return ZERO;
    if (value === true) return ONE;
    if (value === false) return ZERO;
    if (value instanceof Decimal) return value;
    throw new EvaluationError(JSON.stringify(value) + " is not a number");
  }

  function truth(value) {
    if (value === null || value === undefined) return false;
    if (typeof value === "boolean") return value;
    if (typeof value === "string") return value !== "";
    return !number(value).isZero();
  }

  function comparison(op, left, right) {
    if (typeof left === "string" || typeof right === "string") {
      if (op !== "==" && op !== "!=") throw new EvaluationError("text can only be compared with == or !=");
      [left, right].forEach(function (v) {
        if (v !== null && v !== undefined && typeof v !== "string") throw new EvaluationError("cannot compare text with a number");
      });
      var equal = (left || "") === (right || "");
      return op === "==" ? equal : !equal;
    }
    var order = compare(number(left), number(right));
    switch (op) {
      case "==": return order === 0;
      case "!=": return order !== 0;
      case "<": return order < 0;
      case "<=": return order <= 0;
      case ">": return order > 0;
      default: return order >= 0;
    }
  }

  var ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide};

  // --- Evaluation of a JSON AST -----------------------------------------------------------

  // `resolve(node)` gives the value of a "ref" node, or an array of values for a "range"
  // node or a group reference (which only sum, min and max accept).
  function evaluate(node, resolve) {
    switch (node.t) {
      case "num": return decimal(node.v);
      case "str":
      case "bool": return node.v;
      case "ref": {
        var value = resolve(node);
        if (Array.isArray(value)) throw new EvaluationError(node.name + " is a group of rows: use sum(" + node.name + ")");
        return value;
      }
      case "neg": return negate(number(evaluate(node.a, resolve)));
      case "not": return !truth(evaluate(node.a, resolve));
      case "bin": {
        if (node.op === "and") return truth(evaluate(node.a, resolve)) && truth(evaluate(node.b, resolve));
        if (node.op === "or") return truth(evaluate(node.a, resolve)) || truth(evaluate(node.b, resolve));
        var left = evaluate(node.a, resolve), right = evaluate(node.b, resolve);
        if (ARITHMETIC[node.op]) return ARITHMETIC[node.op](number(left), number(right));
        return comparison(node.op, left, right);
      }
      case "call": return call(node, resolve);
      default: throw new EvaluationError("unknown formula node " + node.t);
    }
  }

  function call(node, resolve) {
    if (node.fn === "if") {
      return evaluate(truth(evaluate(node.args[0], resolve)) ? node.args[1] : node.args[2], resolve);
    }
    if (node.fn === "abs") {
      var value = number(evaluate(node.args[0], resolve));
      return rounded(1, value.c, value.e, false);
    }
    var items = [];
    node.args.forEach(function (arg) {
      var v = arg.t === "ref" || arg.t === "range" ? resolve(arg) : evaluate(arg, resolve);
      items = items.concat(Array.isArray(v) ? v : [v]);
    });
    var numbers = items.map(number);
    if (node.fn === "sum") return numbers.reduce(add, ZERO);
    if (!numbers.length) return null;
    var best = numbers[0], sign = node.fn === "min" ? -1 : 1;
    numbers.forEach(function (n) { if (compare(n, best) * sign > 0) best = n; });
    return best;
  }

  // --- Forms ------------------------------------------------------------------------------
  // `spec` is FormSpec.to_client_json(); references in its trees carry their kind `k`
  // ("col", "row", "group", "cell" in a grid; "field" in a list).

  function key(row, col) { return row + "|" + col; }

  // Concrete rows of a grid: declared rows, each group expanded into its instance rows
  // ("group/key"), from `instances` ({group: [key, …]}) or else from the values' keys.
  function gridRows(spec, values, instances) {
    var rows = [];
    spec.rows.forEach(function (row) {
      if (!row.group) {
        rows.push({code: row.code, template: row});
        return;
      }
      var keys = instances && instances[row.code];
      if (!keys) {
        keys = [];
        Object.keys(values).forEach(function (k) {
          var rowCode = k.split("|")[0], prefix = row.code + "/";
          if (rowCode.indexOf(prefix) === 0 && keys.indexOf(rowCode.slice(prefix.length)) < 0) keys.push(rowCode.slice(prefix.length));
        });
        keys.sort();
      }
      keys.forEach(function (k) { rows.push({code: row.code + "/" + k, template: row, group: row.code}); });
    });
    return rows;
  }

  function gridContext(spec, values, instances) {
    var rows = gridRows(spec, values, instances);
    var byCode = {}, columns = {};
    rows.forEach(function (row) { byCode[row.code] = row; });
    spec.columns.forEach(function (col, i) { columns[col.code] = i; });

    function disabled(rowCode, colCode) {
      var row = byCode[rowCode];
      return !row || row.template.kind === "heading" || row.template.disabled.indexOf(colCode) >= 0;
    }
    var touched = null;
    function get(rowCode, colCode) {
      if (touched) touched.push([rowCode, colCode]);
      if (disabled(rowCode, colCode)) return null;
      var v = values[key(rowCode, colCode)];
      return v === undefined ? null : v;
    }
    // Declared rows from `from` to `to`, groups expanded, headings left out.
    function rowSpan(from, to) {
      var inside = false, out = [];
      spec.rows.forEach(function (row) {
        if (row.code === from) inside = true;
        if (inside && row.kind !== "heading") {
          rows.forEach(function (r) { if (r.code === row.code || r.group === row.code) out.push(r.code); });
        }
        if (row.code === to) inside = false;
      });
      return out;
    }
    function resolver(rowCode, colCode) {
      return function (node) {
        if (node.t === "range") {
          if (node.from.k === "col") {
            var start = columns[node.from.name], end = columns[node.to.name];
            return spec.columns.slice(start, end + 1).map(function (c) { return get(rowCode, c.code); });
          }
          return rowSpan(node.from.name, node.to.name).map(function (r) { return get(r, colCode); });
        }
        switch (node.k) {
          case "col": return get(rowCode, node.name);
          case "row": return get(node.name, colCode);
          case "cell": return get(node.name, node.member);
          case "group": return rowSpan(node.name, node.name).map(function (r) { return get(r, colCode); });
          default: throw new EvaluationError("unknown reference " + node.name);
        }
      };
    }
    // Evaluate `rule` and say whether it holds, and which cells it read (in reading order).
    function judge(rule, rowCode, colCode) {
      touched = [];
      var holds = judged(rule, resolver(rowCode, colCode)), cells = touched;
      touched = null;
      return {holds: holds, cells: unique(cells)};
    }
    return {rows: rows, resolver: resolver, judge: judge};
  }

  // The values with every computed cell filled in (a copy; `values` is not changed).
  function gridCompute(spec, values, instances) {
    var out = {};
    Object.keys(values).forEach(function (k) { out[k] = values[k]; });
    var context = gridContext(spec, out, instances);
    spec.formulas.forEach(function (formula) {
      context.rows.forEach(function (row) {
        if (row.code !== formula.row && row.group !== formula.row) return;
        var result;
        try {
          result = number(evaluate(formula.f, context.resolver(row.code, formula.col)));
        } catch (e) {
          if (!(e instanceof EvaluationError)) throw e;
          result = null;
        }
        out[key(row.code, formula.col)] = result;
      });
    });
    return out;
  }

  function unique(cells) {
    var seen = {};
    return cells.filter(function (cell) {
      var k = JSON.stringify(cell);
      if (seen[k]) return false;
      seen[k] = true;
      return true;
    });
  }

  function failure(rule, cells) {
    return {code: rule.code, severity: rule.severity, message: rule.message, cells: cells};
  }

  function judged(rule, resolve) {
    try {
      return truth(evaluate(rule.f, resolve));
    } catch (e) {
      if (!(e instanceof EvaluationError)) throw e;
      return true; // cannot be judged on these values
    }
  }

  // The rules a grid breaks, after computing its cells: [{code, severity, message, cells}].
  function gridRules(spec, values, instances) {
    var computed = gridCompute(spec, values, instances);
    var context = gridContext(spec, computed, instances);
    var results = [];
    spec.rules.forEach(function (rule) {
      function check(rowCode, colCode) {
        var verdict = context.judge(rule, rowCode, colCode);
        if (!verdict.holds) results.push(failure(rule, verdict.cells));
      }
      if (rule.each === "form") {
        check(null, null);
      } else if (rule.each === "row") {
        context.rows.forEach(function (row) {
          if (row.template.kind === "heading") return;
          if (rule.rows && rule.rows.indexOf(row.code) < 0 && rule.rows.indexOf(row.group) < 0) return;
          check(row.code, null);
        });
      } else {
        spec.columns.forEach(function (col) {
          if (col.type === "text" || (rule.columns && rule.columns.indexOf(col.code) < 0)) return;
          check(null, col.code);
        });
      }
    });
    return results;
  }

  // The rules one record of a list form breaks; `record` maps field codes to values.
  function recordRules(spec, record) {
    var order = spec.fields.map(function (f) { return f.code; });
    var results = [];
    spec.rules.forEach(function (rule) {
      var touched = [];
      function value(code) {
        touched.push(code);
        return record[code] === undefined ? null : record[code];
      }
      function resolve(node) {
        if (node.t === "range") {
          return order.slice(order.indexOf(node.from.name), order.indexOf(node.to.name) + 1).map(value);
        }
        return value(node.name);
      }
      if (!judged(rule, resolve)) results.push(failure(rule, unique(touched)));
    });
    return results;
  }

  return {
    EvaluationError: EvaluationError,
    Decimal: Decimal,
    decimal: decimal,
    add: add,
    subtract: subtract,
    multiply: multiply,
    divide: divide,
    compare: compare,
    evaluate: evaluate,
    gridCompute: gridCompute,
    gridRules: gridRules,
    recordRules: recordRules
  };
});
