// Planned split form: shows the running total of the shares as staff type. Only a convenience:
// the server checks that the split is exactly 100% whether or not this script runs.
// Its words come from Django's JavaScript catalogue (/i18n/js/, djangojs.po), loaded before it.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };
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
    var rest = function (value) { return value.toFixed(2).replace(/\.?0+$/, ""); };
    var text;
    if (total === 10000) {
      text = gettext("Total so far: %(percent)s% (complete)");
    } else if (total > 10000) {
      text = gettext("Total so far: %(percent)s% (%(rest)s% too much)");
    } else {
      text = gettext("Total so far: %(percent)s% (%(rest)s% left to plan)");
    }
    output.textContent = interpolate(
      text, { percent: percent, rest: rest(Math.abs(100 - percent)) }, true
    );
  }
  output.hidden = false;
  form.addEventListener("input", update);
  update();
})();
