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
  var F = window.BaocaoFormula;
  var form = document.getElementById("grid-form");
  var specNode = document.getElementById("form-spec");
  if (!form || !specNode || !F) return;
  var spec = JSON.parse(specNode.textContent);
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.bc-cell"));
  var outputs = Array.prototype.slice.call(form.querySelectorAll("output[data-cell]"));
  var messages = document.getElementById("rule-messages");
  var dirty = false;

  // "1.234.567,5" -> "1234567.5"; "1234567.5" stays; anything else -> null (unreadable).
  function normalise(text) {
    var t = String(text).replace(/[\s\u00a0]/g, "");
    if (t === "") return "";
    if (/^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$/.test(t) || /^[-+]?\d+(,\d+)?$/.test(t)) {
      return t.replace(/\./g, "").replace(",", ".");
    }
    if (/^[-+]?\d+(\.\d+)?$/.test(t)) return t;
    return null;
  }

  function format(decimalValue) {
    var text = decimalValue.toString();
    var negative = text.charAt(0) === "-";
    if (negative) text = text.slice(1);
    var parts = text.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (negative ? "-" : "") + whole + (parts[1] ? "," + parts[1] : "");
  }

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
    var results = F.gridRules(spec, current, spec.instances);
    messages.textContent = "";
    results.forEach(function (r) {
      var div = document.createElement("div");
      div.className = "alert py-1 mb-1 small " + (r.severity === "error" ? "alert-danger" : "alert-warning");
      div.setAttribute("data-client-rule", r.code);
      div.textContent = r.message;
      messages.appendChild(div);
      r.cells.forEach(function (cell) {
        var node = form.querySelector('[data-cell="' + cell[0] + "|" + cell[1] + '"]');
        if (!node) return;
        // The message at the cell too: hovering a highlighted cell says what is wrong.
        node.parentNode.classList.add("bc-rule-broken");
        node.parentNode.title = (node.parentNode.title ? node.parentNode.title + "\n" : "") + r.message;
      });
    });
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("input", function () {
      dirty = true;
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

  document.getElementById("explanation").addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = form.dataset.dirtyWarning;
    return form.dataset.dirtyWarning;
  });
  // A page the server sent back with unsaved input (a refused save) counts as dirty.
  if (document.querySelector(".alert-danger") && form.querySelector(".bc-invalid, [data-server-rule]")) dirty = true;
  refresh();
})();
