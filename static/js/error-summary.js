// The error summary (templates/includes/error_summary.html): moved to and announced when the page
// loads; its links put the keyboard focus in the field they name, with the field's label in view.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var label = target.id && document.querySelector("label[for='" + target.id + "']");
    var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
    (legend || label || target).scrollIntoView();
    if (typeof target.focus === "function") target.focus({ preventScroll: true });
  });
})();
