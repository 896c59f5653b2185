/* The visit form (templates/bolots/visits/visit_form.html). A file, not an
   inline script: the Content-Security-Policy allows scripts from 'self' only. */
/* Progressive enhancement: show the checklist only on a done look-in or
   follow-up and the cancellation reason only when the visit was not done.
   Hidden parts are also disabled, so they are not sent. Without JavaScript
   every field is shown and the server checks the same rules. */
(function () {
  var form = document.querySelector("form.visit-form");
  if (!form) { return; }
  var kinds = form.getAttribute("data-checklist-kinds").split(" ");
  function chosen(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }
  function show(id, visible) {
    var section = document.getElementById(id);
    section.hidden = !visible;
    section.querySelectorAll("input, select, textarea").forEach(function (control) { control.disabled = !visible; });
  }
  function update() {
    var outcome = chosen("outcome");
    show("visit-checklist", outcome === "done" && kinds.indexOf(chosen("kind")) !== -1);
    show("visit-cancellation", outcome !== "done");
  }
  form.addEventListener("change", update);
  update();
})();
