// Progressive enhancement for the donate form (a static file: no inline script, for the CSP). The
// form works the same without it: every field shows, and the choices decide which fields count.
// 1. Reveals: an element with data-when="name:value[,value]" shows only while that radio or checkbox
//    is chosen; hidden, its inputs are disabled, so they are not sent.
// 2. "Cover the fee": says what it adds, computed exactly as the server does (integers only), with
//    amounts formatted by the browser's Intl.NumberFormat in the page's language from the same CLDR
//    data the server's Babel uses (core/money.py).
(function () {
  "use strict";
  var form = document.querySelector(".donate-form");
  if (!form) return;
  form.classList.add("js-on");

  var reveals = Array.prototype.slice.call(form.querySelectorAll("[data-when]"));

  function chosen(name, values) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.checked && !input.disabled && values.indexOf(input.type === "checkbox" ? "on" : input.value) !== -1) {
        return true;
      }
    }
    return false;
  }

  function applyReveals() {
    // Outer reveals first (document order), so an inner one sees its controller's state.
    reveals.forEach(function (el) {
      var rule = el.getAttribute("data-when").split(":");
      // A field the server found wrong stays in view until the donor changes something.
      var show = chosen(rule[0], rule[1].split(",")) || (!touched && !!el.querySelector("[aria-invalid=true]"));
      el.hidden = !show;
      Array.prototype.forEach.call(el.querySelectorAll("input, select, textarea"), function (input) {
        input.disabled = !show;
      });
    });
  }

  var bps = parseInt(form.dataset.feeBps, 10);
  var fixed = parseInt(form.dataset.feeFixed, 10);
  var note = document.getElementById("fee-note");
  var currency = (form.dataset.currency || "usd").toUpperCase();
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    style: "currency",
    currency: currency,
  });
  var minorDigits = format.resolvedOptions().maximumFractionDigits;
  var original = note ? note.textContent : "";

  function money(minor) {
    return format.format(minor / Math.pow(10, minorDigits));
  }

  function cents() {
    var custom = form.querySelector("[name=custom_amount]");
    var value = custom && !custom.disabled && custom.value.trim();
    if (value) {
      var match = value.replace(/[$,\s]/g, "").match(/^(\d+)(?:\.(\d{1,2}))?$/);
      if (!match) return null;
      return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
    }
    var picked = form.querySelector("[name=amount_choice]:checked");
    return picked && /^\d+$/.test(picked.value) ? parseInt(picked.value, 10) : null;
  }

  function updateFee() {
    var net = cents();
    if (!note) return;
    if (net === null || net <= 0) { note.textContent = original; return; }
    var numerator = (net + fixed) * 10000, denominator = 10000 - bps;
    var gross = Math.floor((numerator + denominator - 1) / denominator);
    note.textContent = (form.dataset.feeText || "Covering the fee adds {fee}: you pay {gross}, we receive the full {net}.")
      .replace("{fee}", money(gross - net)).replace("{gross}", money(gross)).replace("{net}", money(net));
  }

  var touched = false;

  function update(event) {
    if (event) touched = true;
    applyReveals();
    updateFee();
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
