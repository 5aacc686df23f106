// "Copy link" on the share blocks (templates/pages/_share.html). Without JavaScript, or without
// the clipboard, the button stays hidden and the link is in a read-only field to copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy-link]").forEach(function (button) {
    var target = button.getAttribute("data-copy-link");
    var input = document.getElementById(target);
    var status = document.querySelector('[data-copy-status="' + target + '"]');
    if (!input || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          if (status) {
            status.textContent = status.getAttribute("data-text-copied");
          }
        },
        function () {
          input.focus();
          input.select();
        }
      );
    });
  });
})();
