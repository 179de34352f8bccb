/*
 * record.js: instant feedback on a register record (list form), with the form's own
 * record rules (formula.js); the server checks again when the record is saved.
 */
(function () {
  "use strict";
  var F = window.BaocaoFormula, E = window.BaocaoEntry;
  var form = document.getElementById("record-form");
  var specNode = document.getElementById("form-spec");
  var box = document.getElementById("record-rules");
  if (!form || !specNode || !F || !E || !box) return;
  var spec = JSON.parse(specNode.textContent);
  var numeric = {integer: 1, decimal: 1, money: 1, area: 1, year: 1};

  function record() {
    var values = {};
    spec.fields.forEach(function (field) {
      var input = form.elements[field.code];
      if (!input) return;
      if (field.type === "tick") { values[field.code] = input.checked; return; }
      if (numeric[field.type]) {
        var n = E.normalise(input.value);
        values[field.code] = n ? F.decimal(n) : null;
      } else {
        values[field.code] = input.value === "" ? null : input.value;
      }
    });
    return values;
  }

  function refresh() {
    form.querySelectorAll(".bc-rule-field").forEach(function (n) { n.classList.remove("bc-rule-field", "border-warning"); });
    E.showRules(box, F.recordRules(spec, record()), function (code) {
      var input = form.elements[code];
      if (input && input.classList) input.classList.add("bc-rule-field", "border-warning");
    });
  }

  E.guardUnsaved(form);
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
})();
