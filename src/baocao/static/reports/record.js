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

  // Marks a field the rule read: red for an error, amber for a warning, and points the
  // field to the rule's message for screen readers.
  function mark(code, result) {
    var input = form.elements[code];
    if (!input || !input.classList) return;
    var message = box.querySelector('[data-client-rule="' + result.code + '"]');
    if (message && !message.id) message.id = "client-rule-" + result.code;
    input.classList.add("bc-rule-field", result.severity === "error" ? "is-invalid" : "border-warning");
    input.setAttribute("aria-invalid", "true");
    if (message) {
      var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(message.id) < 0) ids.push(message.id);
      input.setAttribute("aria-describedby", ids.join(" "));
    }
  }

  function refresh() {
    // What the server marked is replaced by what the rules say of the values now.
    form.querySelectorAll('[data-testid="rule-message"]').forEach(function (n) { n.remove(); });
    form.querySelectorAll(".bc-rule-field").forEach(function (n) {
      n.classList.remove("bc-rule-field", "border-warning", "is-invalid");
      n.removeAttribute("aria-describedby");
      n.removeAttribute("aria-invalid");
    });
    E.showRules(box, F.recordRules(spec, record()), mark);
  }

  E.guardUnsaved(form);
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
})();
