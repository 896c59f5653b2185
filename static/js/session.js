/* The idle-timeout warning (templates/includes/session_warning.html).
   The server ends a session SESSION_COOKIE_AGE seconds after its last
   request; this counts from the page's load and from every later request
   this page makes (draft autosave, "Fortsätt arbeta"), and from the other
   tabs' (BroadcastChannel: a message, nothing is stored in the browser).
   SESSION_WARNING_SECONDS before the end it asks drafts.js to save, then
   opens a modal alert dialog with the focus on "Fortsätt arbeta", which
   renews the session with a small POST. When the time runs out it says so
   in an alert instead of leaving the user to find the login page. */
(function () {
  "use strict";
  var dialog = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  if (!dialog || !ended || typeof dialog.showModal !== "function") { return; }
  // The session has data-session-left seconds from this page's load (a
  // page inside the refresh interval does not renew it,
  // core.middleware.SessionRefreshMiddleware); every renewal this page
  // makes gives it the whole data-session-age again. Other tabs send the
  // deadline they know, and the later one holds.
  var age = parseInt(dialog.getAttribute("data-session-age"), 10) * 1000;
  var lead = Math.min(parseInt(dialog.getAttribute("data-session-warning"), 10) * 1000, age);
  var deadline = Date.now() + Math.min(parseInt(dialog.getAttribute("data-session-left"), 10) * 1000, age);
  var url = dialog.getAttribute("data-keepalive-url");
  var button = dialog.querySelector("[data-session-continue]");
  var state = "idle";
  var returnFocus = null;
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("bolots-session") : null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }

  function closeWarning() {
    state = "idle";
    if (dialog.open) { dialog.close(); }
    if (returnFocus && document.contains(returnFocus)) { returnFocus.focus(); }
    returnFocus = null;
  }
  function tell() { if (channel) { channel.postMessage({deadline: deadline}); } }
  function contact(otherTabsDeadline) {
    if (state === "ended") { return; }
    if (otherTabsDeadline === undefined) {
      deadline = Date.now() + age;
      tell();
    } else if (otherTabsDeadline > deadline) {
      deadline = otherTabsDeadline;
    } else {
      return;
    }
    if (state === "warning") { closeWarning(); }
  }
  function showWarning() {
    state = "warning";
    var at = new Date(deadline);
    dialog.querySelector("[data-session-deadline]").textContent = two(at.getHours()) + ":" + two(at.getMinutes());
    returnFocus = document.activeElement;
    // Save what is typed while the session still lives.
    document.dispatchEvent(new CustomEvent("bolots:session-warning"));
    if (state !== "warning") { return; }  // the save renewed the session already
    dialog.showModal();
    button.focus();
  }
  function end() {
    state = "ended";
    if (dialog.open) { dialog.close(); }
    document.dispatchEvent(new CustomEvent("bolots:session-ended"));
    ended.hidden = false;
    ended.focus();
  }
  function tick() {
    if (state === "ended") { return; }
    var left = deadline - Date.now();
    if (left <= 0) { end(); } else if (left <= lead && state === "idle") { showWarning(); }
  }
  function keepAlive() {
    fetch(url, {
      method: "POST", headers: {"X-CSRFToken": csrfToken()}, credentials: "same-origin", redirect: "error"
    }).then(function (response) {
      if (response.ok) { contact(); } else { end(); }
    }).catch(function () { /* the network is down: the dialog stays, the user may try again */ });
  }

  button.addEventListener("click", keepAlive);
  // Escape would close the dialog and leave the session to run out: it
  // means "go on" here too.
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); keepAlive(); });
  document.addEventListener("bolots:server-contact", function () { contact(); });
  if (channel) {
    channel.onmessage = function (event) {
      var theirs = event.data && event.data.deadline;
      if (typeof theirs === "number") { contact(theirs); }
    };
    tell();
  }
  setInterval(tick, 1000);
})();
