// Progressive enhancement for the donate form: shows what "cover the fee" adds, computed exactly as
// the server does (integers only). The form works the same without it. Amounts are formatted by the
// browser's Intl.NumberFormat in the page's language, from the same CLDR data the server's Babel uses
// (core/money.py), so "$1.51" here reads as it does on the receipt.
(function () {
  "use strict";
  var form = document.querySelector(".donate-form");
  if (!form) return;
  var bps = parseInt(form.dataset.feeBps, 10);
  var fixed = parseInt(form.dataset.feeFixed, 10);
  var note = document.getElementById("fee-note");
  var currency = (form.dataset.currency || "usd").toUpperCase();
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "currency",
    currency: currency,
  });
  var minorDigits = format.resolvedOptions().maximumFractionDigits;

  function money(minor) {
    return format.format(minor / Math.pow(10, minorDigits));
  }
  var original = note ? note.textContent : "";

  function cents() {
    var custom = form.querySelector("[name=custom_amount]");
    var value = custom && custom.value.trim();
    if (value) {
      var match = value.replace(/[$,\s]/g, "").match(/^(\d+)(?:\.(\d{1,2}))?$/);
      if (!match) return null;
      return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
    }
    var chosen = form.querySelector("[name=amount_choice]:checked");
    return chosen && /^\d+$/.test(chosen.value) ? parseInt(chosen.value, 10) : null;
  }

  function update() {
    var net = cents();
    if (!note || net === null || net <= 0) { if (note) note.textContent = original; return; }
    var numerator = (net + fixed) * 10000, denominator = 10000 - bps;
    var gross = Math.floor((numerator + denominator - 1) / denominator);
    var fee = gross - net;
    note.textContent = "Covering the fee adds " + money(fee) + ", so we receive the full " + money(net) + ".";
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
