/*
 * record.js: instant feedback on a register record (list form), with the form's own
 * record rules (formula.js); the server checks again when the record is saved.
 * Also asks before leaving with unsaved changes. Plain ES2017.
 */
(function () {
  "use strict";
  var F = window.BaocaoFormula;
  var form = document.getElementById("record-form");
  var specNode = document.getElementById("form-spec");
  var box = document.getElementById("record-rules");
  if (!form || !specNode || !F || !box) return;
  var spec = JSON.parse(specNode.textContent);
  var numeric = {integer: 1, decimal: 1, money: 1, area: 1, year: 1};
  var dirty = false;

  function normalise(text) {
    var t = String(text).replace(/[\s\u00a0]/g, "");
    if (t === "") return "";
    if (/^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t) || /^[-+]?\d+(,\d+)?$/.test(t)) return t.replace(/\./g, "").replace(",", ".");
    if (/^[-+]?\d+(\.\d+)?$/.test(t)) return t;
    return null;
  }

  function record() {
    var values = {};
    spec.fields.forEach(function (field) {
      var input = form.elements[field.code];
      if (!input) return;
      if (field.type === "tick") { values[field.code] = input.checked; return; }
      var raw = input.value;
      if (numeric[field.type]) {
        var n = normalise(raw);
        values[field.code] = n ? F.decimal(n) : null;
      } else {
        values[field.code] = raw === "" ? null : raw;
      }
    });
    return values;
  }

  function refresh() {
    box.textContent = "";
    form.querySelectorAll(".bc-rule-field").forEach(function (n) { n.classList.remove("bc-rule-field", "border-warning"); });
    F.recordRules(spec, record()).forEach(function (r) {
      var div = document.createElement("div");
      div.className = "alert py-1 mb-1 small " + (r.severity === "error" ? "alert-danger" : "alert-warning");
      div.setAttribute("data-client-rule", r.code);
      div.textContent = r.message;
      box.appendChild(div);
      r.cells.forEach(function (code) {
        var input = form.elements[code];
        if (input && input.classList) input.classList.add("bc-rule-field", "border-warning");
      });
    });
  }

  form.addEventListener("input", function () { dirty = true; refresh(); });
  form.addEventListener("change", refresh);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = form.dataset.dirtyWarning; return form.dataset.dirtyWarning; }
  });
})();
