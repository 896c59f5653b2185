// Copy buttons on the IVO individual report (templates/referrals/ivo/
// _report_sections.html): the buttons are hidden in the HTML and shown only
// where the clipboard can be written, so that the page works without
// JavaScript (values are plain text to select). A file of its own: the
// Content-Security-Policy refuses inline scripts.
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.classList.add("btn-success");
        button.classList.remove("btn-outline-secondary");
      });
    });
  });
})();
