/*
 * grid.js: data entry in a grid form, like the printed form.
 * - numbers are typed the Vietnamese way (1.234.567 and 1.234,5) and shown so;
 * - arrow keys and Enter move between cells (Tab works as usual);
 * - computed cells and rule messages update as you type, with the server's formulas
 *   (formula.js); the server still checks everything when the form is saved;
 * - leaving with unsaved changes asks first.
 * Plain ES2017, no dependencies: old office PCs.
 */
(function () {
  "use strict";
  var F = window.BaocaoFormula, E = window.BaocaoEntry;
  var form = document.getElementById("grid-form");
  var specNode = document.getElementById("form-spec");
  if (!form || !specNode || !F || !E) return;
  var normalise = E.normalise, format = E.format;
  var spec = JSON.parse(specNode.textContent);
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.bc-cell"));
  var outputs = Array.prototype.slice.call(form.querySelectorAll("output[data-cell]"));
  var messages = document.getElementById("rule-messages");

  function setMessage(input, text) {
    var cell = input.parentNode;
    var old = cell.querySelector(".bc-cell-message[data-client]");
    if (old) old.parentNode.removeChild(old);
    cell.classList.toggle("bc-invalid", !!text);
    if (text) {
      var div = document.createElement("div");
      div.className = "bc-cell-message";
      div.setAttribute("data-client", "");
      div.textContent = text;
      cell.appendChild(div);
    }
  }

  function values() {
    var out = {};
    inputs.forEach(function (input) {
      if (input.dataset.type === "text") return;
      var n = normalise(input.value);
      if (n) out[input.dataset.cell] = F.decimal(n);
    });
    return out;
  }

  function refresh() {
    var current = values();
    var computed = F.gridCompute(spec, current, spec.instances);
    outputs.forEach(function (output) {
      var v = computed[output.dataset.cell];
      output.value = v === null || v === undefined ? "" : format(v);
    });
    form.querySelectorAll("td.bc-rule-broken").forEach(function (td) {
      td.classList.remove("bc-rule-broken");
      td.removeAttribute("title");
    });
    E.showRules(messages, F.gridRules(spec, current, spec.instances), function (cell, r) {
      var node = form.querySelector('[data-cell="' + cell[0] + "|" + cell[1] + '"]');
      if (!node) return;
      // The message at the cell too: hovering a highlighted cell says what is wrong.
      node.parentNode.classList.add("bc-rule-broken");
      node.parentNode.title = (node.parentNode.title ? node.parentNode.title + "\n" : "") + r.message;
    });
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () {
      if (input.dataset.type !== "text") {
        setMessage(input, normalise(input.value) === null ? "Phải là số (ví dụ 1.234.567 hoặc 1.234,5)." : "");
      }
      refresh();
    });
    input.addEventListener("blur", function () {
      if (input.dataset.type === "text") return;
      var n = normalise(input.value);
      if (n) input.value = format(F.decimal(n));
    });
    input.addEventListener("keydown", function (event) {
      var target = null;
      var row = input.closest("tr"), cellIndex = input.parentNode.cellIndex;
      function inRow(tr) {
        if (!tr) return null;
        var td = tr.cells[cellIndex];
        return td && td.querySelector("input.bc-cell");
      }
      function vertical(step) {
        var tr = row;
        do { tr = step > 0 ? tr.nextElementSibling : tr.previousElementSibling; } while (tr && !inRow(tr));
        return inRow(tr);
      }
      if (event.key === "ArrowDown" || event.key === "Enter") target = vertical(1);
      else if (event.key === "ArrowUp") target = vertical(-1);
      else if (event.key === "ArrowRight" && input.selectionStart === input.value.length) target = inputs[index + 1];
      else if (event.key === "ArrowLeft" && input.selectionStart === 0) target = inputs[index - 1];
      if (event.key === "Enter") event.preventDefault();
      if (target) {
        event.preventDefault();
        target.focus();
        target.select();
      }
    });
  });

  var markDirty = E.guardUnsaved(form);
  // A page the server sent back with unsaved input (a refused save) counts as dirty.
  if (document.querySelector(".alert-danger") && form.querySelector(".bc-invalid, [data-server-rule]")) markDirty();
  refresh();
})();
