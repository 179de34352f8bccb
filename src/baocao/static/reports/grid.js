/*
 * grid.js: data entry in a grid form, like the printed form.
 * - numbers are typed the Vietnamese way (1.234.567 and 1.234,5) and shown so;
 * - arrow keys and Enter move between cells (Tab works as usual);
 * - computed cells and rule messages update as you type, with the server's formulas
 *   (formula.js); the server still checks everything when the form is saved;
 * - a row or a block copied from Excel (tab- and newline-separated) pastes across the row
 *   and down the rows from the focused cell, as laid out in the sheet: a value that falls
 *   on a computed or "does not apply" cell is skipped, rows without input cells (headings,
 *   totals) are passed over;
 * - a value the page refuses (not a number, too many decimals, out of bounds) is marked
 *   and left out of the live totals;
 * - saving sends only the cells changed since the page was shown (one JSON field: a 12b
 *   of 300 sub-units has more inputs than a request may carry);
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
  var columns = {};
  spec.columns.forEach(function (c) { columns[c.code] = c; });
  var unsavedNode = document.getElementById("grid-unsaved");
  var unsaved = {};
  (unsavedNode ? JSON.parse(unsavedNode.textContent) : []).forEach(function (cell) { unsaved[cell] = true; });

  function columnOf(input) {
    var cell = input.dataset.cell;
    return columns[cell.slice(cell.indexOf("|") + 1)] || {};
  }

  // What the server would refuse in this cell, in its words ("" if nothing).
  function problem(input) {
    if (input.dataset.type === "text") return "";
    var n = normalise(input.value);
    if (n === null) return "Phải là số (ví dụ 1.234.567 hoặc 1.234,5).";
    if (n === "") return "";
    var column = columnOf(input), decimals = column.decimals || 0;
    var fraction = (n.split(".")[1] || "").replace(/0+$/, "");
    if (decimals === 0 && fraction) return "Phải là số nguyên.";
    if (decimals && fraction.length > decimals) return "Tối đa " + decimals + " chữ số thập phân.";
    var value = F.decimal(n);
    if (column.min !== null && column.min !== undefined && F.compare(value, F.decimal(column.min)) < 0) return "Không được nhỏ hơn " + column.min + ".";
    if (column.max !== null && column.max !== undefined && F.compare(value, F.decimal(column.max)) > 0) return "Không được lớn hơn " + column.max + ".";
    return "";
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
      if (input.dataset.type === "text" || problem(input)) return; // refused: not in the totals
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
      if (input.dataset.type !== "text") setMessage(input, problem(input));
      refresh();
    });
    input.addEventListener("blur", function () {
      if (input.dataset.type === "text") return;
      var n = normalise(input.value);
      if (n && !problem(input)) input.value = format(F.decimal(n));
    });
    input.addEventListener("paste", function (event) {
      var data = event.clipboardData || window.clipboardData;
      var text = data ? data.getData("text") : "";
      if (!/[\t\n\r]/.test(text) || input.readOnly) return; // one value: the browser pastes it
      event.preventDefault();
      pasteBlock(input, text);
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

  function enterable(td) {
    var input = td && td.querySelector("input.bc-cell");
    return input && !input.readOnly ? input : null;
  }

  function pasteBlock(start, text) {
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop(); // Excel ends the block with a newline
    var tr = start.closest("tr"), first = start.parentNode.cellIndex;
    lines.forEach(function (line, i) {
      if (i > 0) {
        do { tr = tr && tr.nextElementSibling; } while (tr && !tr.querySelector("input.bc-cell"));
      }
      if (!tr) return;
      line.split("\t").forEach(function (value, j) {
        var target = enterable(tr.cells[first + j]);
        if (!target) return; // a computed or "does not apply" cell of the sheet's layout
        target.value = value.trim();
        if (target.dataset.type !== "text") setMessage(target, problem(target));
      });
    });
    markDirty();
    refresh();
  }

  // Save only what changed: the changed cells as one JSON field, the inputs left out.
  form.addEventListener("submit", function () {
    var changes = {};
    inputs.forEach(function (input) {
      if (input.value !== input.defaultValue || unsaved[input.dataset.cell]) changes[input.dataset.cell] = input.value;
    });
    var field = form.querySelector('input[name="changes"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "changes";
      form.appendChild(field);
    }
    field.value = JSON.stringify(changes);
    inputs.forEach(function (input) { input.disabled = true; });
    // The form's data is taken when the submit event ends: give the inputs back at once
    // (and when the page comes back from the browser's history).
    setTimeout(function () { inputs.forEach(function (input) { input.disabled = false; }); }, 0);
  });
  window.addEventListener("pageshow", function () { inputs.forEach(function (input) { input.disabled = false; }); });

  var markDirty = E.guardUnsaved(form);
  // A page the server sent back with unsaved input (a refused save) counts as dirty.
  if (document.querySelector(".alert-danger") && form.querySelector(".bc-invalid, [data-server-rule]")) markDirty();
  refresh();
})();
