// The case receipt: a print button (no inline script, for the CSP).
(function () {
  "use strict";
  const button = document.querySelector("[data-print]");
  if (button) {
    button.addEventListener("click", () => window.print());
  }
})();
