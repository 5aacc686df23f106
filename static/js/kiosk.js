// The kiosk keeps itself current (new check-ins; the "closed" page once the shift has ended) by
// loading its page again, but only while nobody is using it: never while a field has the focus or
// holds something typed, and not within 30 seconds of the last touch or key press. A page that
// reloads on a timer would interrupt someone typing their PIN (WCAG 2.2.1), so there is no
// <meta http-equiv="refresh">. Without script the page simply stays as it is: every check-in loads
// it again anyway, and a closed kiosk refuses the next one.
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk-refresh]");
  if (!root) return;
  var every = (parseInt(root.getAttribute("data-kiosk-refresh"), 10) || 60) * 1000;
  var url = root.getAttribute("data-kiosk-url") || window.location.pathname;
  var lastUsed = Date.now();
  ["keydown", "pointerdown", "input", "focusin"].forEach(function (name) {
    document.addEventListener(name, function () { lastUsed = Date.now(); }, true);
  });
  function inUse() {
    var active = document.activeElement;
    if (active && active.matches("input, select, textarea")) return true;
    var typed = Array.prototype.some.call(document.querySelectorAll("input[type=password], input[type=text]"), function (field) {
      return field.value !== "";
    });
    return typed || Date.now() - lastUsed < 30000;
  }
  window.setInterval(function () {
    if (!inUse()) window.location.replace(url);  // a GET of the kiosk page, also after a POST
  }, every);
})();
