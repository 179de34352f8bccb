/*
 * ui.js: the few behaviours every page shares, wired by data attributes so that the pages
 * carry no inline script (the Content-Security-Policy allows scripts from this site only).
 *   <form data-confirm="Xóa bản ghi này?">   asks before submitting
 *   <select data-autosubmit>                  submits its form when changed
 *   <input type="checkbox" data-check-all=".row-check">  ticks or unticks those boxes
 *   <input type="radio" name="mode" data-shows="#part">   shows the part of the checked choice,
 *                                                        hides those of the other choices
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  }, true);
  function showChosen(name) {
    document.querySelectorAll('input[type="radio"][data-shows]').forEach(function (radio) {
      if (name && radio.name !== name) return;
      var part = document.querySelector(radio.getAttribute("data-shows"));
      if (part) part.hidden = !radio.checked;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showChosen(null); });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio" && target.hasAttribute("data-shows")) showChosen(target.name);
    if (target.hasAttribute("data-autosubmit") && target.form) target.form.submit();
    var selector = target.getAttribute("data-check-all");
    if (selector) {
      document.querySelectorAll(selector).forEach(function (box) { box.checked = target.checked; });
    }
  });
})();
