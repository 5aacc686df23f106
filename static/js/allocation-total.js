// Planned split form: shows the running total of the shares as staff type. Only a convenience:
// the server checks that the split is exactly 100% whether or not this script runs.
(function () {
  "use strict";
  var form = document.querySelector("[data-allocation-form]");
  if (!form) { return; }
  var output = document.getElementById("allocation-total");
  function update() {
    var total = 0;
    form.querySelectorAll('input[name$="-percent"]').forEach(function (input) {
      var value = parseFloat(input.value.replace(",", "."));
      if (!isNaN(value)) { total += Math.round(value * 100); }
    });
    var percent = total / 100;
    output.textContent = "Total so far: " + percent + "%" +
      (total === 10000 ? " (complete)" : total > 10000 ? " (" + (percent - 100).toFixed(2).replace(/\.?0+$/, "") + "% too much)" :
        " (" + (100 - percent).toFixed(2).replace(/\.?0+$/, "") + "% left to plan)");
  }
  output.hidden = false;
  form.addEventListener("input", update);
  update();
})();
