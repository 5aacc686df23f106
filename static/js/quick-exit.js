// The quick exit (templates/includes/quick_exit.html), after GOV.UK's "Exit this page" pattern:
// the button, or pressing Shift three times within five seconds, replaces this page with a neutral
// site. location.replace() swaps the current history entry, so Back does not return here. Shift
// pressed as part of typing (Shift+A for a capital letter) does not count, and any other key starts
// the count again. Without JavaScript the button is a plain link to the same site.
(function () {
  "use strict";
  var root = document.querySelector("[data-quick-exit]");
  if (!root) return;
  var button = root.querySelector("[data-quick-exit-button]");
  var status = root.querySelector("[data-quick-exit-status]");
  var WINDOW_MS = 5000;
  var presses = 0;
  var timer = null;
  var shiftUsedWithAnotherKey = false;

  function reset() {
    presses = 0;
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    status.textContent = "";
  }

  function exit(event) {
    if (event) event.preventDefault();
    reset();
    status.textContent = root.dataset.leaving;
    // Hide the page at once: the neutral site may take a moment to load.
    document.documentElement.classList.add("quick-exit-leaving");
    window.location.replace(button.href);
  }

  button.addEventListener("click", exit);

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      shiftUsedWithAnotherKey = event.shiftKey;
      reset();
    }
  });

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") return;
    if (shiftUsedWithAnotherKey) {
      shiftUsedWithAnotherKey = false;
      return;
    }
    presses += 1;
    if (presses === 1) timer = window.setTimeout(reset, WINDOW_MS);
    if (presses >= 3) {
      exit();
    } else {
      status.textContent = root.dataset["pressesLeft-" + (3 - presses)];
    }
  });

  // Back to a page kept in the browser's memory: show it again and start counting afresh.
  window.addEventListener("pageshow", function () {
    document.documentElement.classList.remove("quick-exit-leaving");
    reset();
  });
})();
