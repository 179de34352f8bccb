// Test helper: answers cases with formula.js, so tests can compare it with formula.py.
// stdin: [{kind: "eval", ast, env} | {kind: "grid", spec, values, instances} | {kind: "record", spec, record}]
// A Decimal crosses as {"d": "1.5"}. stdout: one answer per case.
"use strict";
const F = require(process.argv[2]);

function decode(v) {
  return v !== null && typeof v === "object" && "d" in v ? F.decimal(v.d) : v;
}
function encode(v) {
  return v instanceof F.Decimal ? {d: v.toString()} : v;
}
function decodeAll(obj) {
  const out = {};
  Object.keys(obj || {}).forEach((k) => { out[k] = decode(obj[k]); });
  return out;
}

function answer(c) {
  try {
    if (c.kind === "eval") {
      const env = decodeAll(c.env);
      const resolve = (node) => {
        if (node.t === "range") return c.ranges[node.from.name + ":" + node.to.name].map(decode);
        return env[node.name] === undefined ? null : env[node.name];
      };
      return {value: encode(F.evaluate(c.ast, resolve))};
    }
    if (c.kind === "grid") {
      const values = decodeAll(c.values);
      const computed = F.gridCompute(c.spec, values, c.instances);
      const out = {};
      Object.keys(computed).forEach((k) => { out[k] = encode(computed[k]); });
      return {values: out, rules: F.gridRules(c.spec, values, c.instances)};
    }
    return {rules: F.recordRules(c.spec, decodeAll(c.record))};
  } catch (e) {
    if (e instanceof F.EvaluationError) return {error: e.message};
    throw e;
  }
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(answer)));
});
