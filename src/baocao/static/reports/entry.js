/*
 * entry.js: what the grid and the record pages share (window.BaocaoEntry).
 * - normalise("1.234.567,5") -> "1234567.5"; "" for blank; null when not a number;
 * - format(decimal) -> "1.234.567,5";
 * - showRules(box, results, mark): rule messages in `box`, `mark(cell, result)` per cell;
 * - guardUnsaved(form): leaving with unsaved changes asks first.
 * Plain ES2017, no dependencies: old office PCs.
 */
(function () {
  "use strict";

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

  function showRules(box, results, mark) {
    box.textContent = "";
    results.forEach(function (r) {
      var div = document.createElement("div");
      div.className = "alert py-1 mb-1 small " + (r.severity === "error" ? "alert-danger" : "alert-warning");
      div.setAttribute("data-client-rule", r.code);
      div.textContent = r.message;
      box.appendChild(div);
      r.cells.forEach(function (cell) { mark(cell, r); });
    });
  }

  // Returns a function that marks the form dirty (typing does it by itself).
  function guardUnsaved(form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = form.dataset.dirtyWarning;
      return form.dataset.dirtyWarning;
    });
    return function () { dirty = true; };
  }

  window.BaocaoEntry = {normalise: normalise, format: format, showRules: showRules, guardUnsaved: guardUnsaved};
})();
