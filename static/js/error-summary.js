// After a failed save the error summary (templates/includes/error_summary.html)
// receives focus, so that keyboard and screen reader users hear the errors
// first. A file of its own: the Content-Security-Policy refuses inline scripts.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
