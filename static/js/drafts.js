/* Autosave of a form's free text as a server-side draft
   (templates/includes/draft.html, accounts.drafts). Never in localStorage,
   sessionStorage or IndexedDB: the text is sensitive and a shared computer
   would keep it. Saved 5 s after the first change (then again after the
   next change), when the page is hidden and when the session warning opens;
   not once the form is being submitted (a successful save deletes the
   draft, a late autosave must not bring it back: saveTracker). */
(function () {
  "use strict";
  var DELAY = 5000;
  // Longest wait, on submit, for an autosave already on its way.
  var SUBMIT_WAIT = 3000;

  /* One per <form>, shared by its drafts (the visit form holds two). A
     submit waits for the autosaves already sent: were the save to reach
     the server first, a late autosave would bring back the draft the save
     just deleted. */
  function saveTracker(form) {
    if (form.draftSaves) { return form.draftSaves; }
    var tracker = {inflight: [], submitting: false, waiting: false};
    form.draftSaves = tracker;
    form.addEventListener("submit", function (event) {
      tracker.submitting = true;
      if (!tracker.inflight.length || tracker.waiting) { return; }
      event.preventDefault();
      tracker.waiting = true;
      var submitter = event.submitter;
      var timeout = new Promise(function (resolve) { setTimeout(resolve, SUBMIT_WAIT); });
      Promise.race([Promise.all(tracker.inflight), timeout]).then(function () {
        if (submitter && typeof form.requestSubmit === "function") { form.requestSubmit(submitter); } else { form.submit(); }
      });
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { tracker.submitting = false; tracker.waiting = false; }
    });
    return tracker;
  }

  function attach(box) {
    var form = box.closest("form");
    if (!form) { return; }
    var names = box.getAttribute("data-draft-fields").split(" ").filter(Boolean);
    var token = box.querySelector('input[name="_draft"]').value;
    var status = box.querySelector("[data-draft-status]");
    var timer = null;
    var dirty = false;
    var stopped = false;
    var tracker = saveTracker(form);

    function csrfToken() {
      var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
      return input ? input.value : "";
    }
    function body() {
      var data = new FormData();
      data.append("_draft", token);
      names.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) { data.append(name, field.value); }
      });
      return data;
    }
    function post(url, keepalive) {
      return fetch(url, {
        method: "POST", body: body(), headers: {"X-CSRFToken": csrfToken()},
        credentials: "same-origin", redirect: "error", keepalive: keepalive
      });
    }
    function save(keepalive) {
      clearTimeout(timer);
      timer = null;
      if (!dirty || tracker.submitting || stopped) { return; }
      dirty = false;
      var sent = post(box.getAttribute("data-draft-save-url"), !!keepalive);
      // The submit waits for it while it is on its way (settled either way).
      var entry = sent.catch(function () {}).then(function () {
        tracker.inflight.splice(tracker.inflight.indexOf(entry), 1);
      });
      tracker.inflight.push(entry);
      sent.then(function (response) {
        if (response.status === 401) { stopped = true; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (answer) {
        status.textContent = box.getAttribute("data-text-saved") + " " + answer.saved_at + ".";
        document.dispatchEvent(new CustomEvent("bolots:server-contact"));
      }).catch(function () {
        dirty = true;
        status.textContent = box.getAttribute("data-text-failed");
      });
    }
    function changed(event) {
      if (names.indexOf(event.target.name) === -1 || tracker.submitting) { return; }
      dirty = true;
      if (!timer) { timer = setTimeout(function () { save(false); }, DELAY); }
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { clearTimeout(timer); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    document.addEventListener("bolots:session-warning", function () { save(true); });
    document.addEventListener("bolots:session-ended", function () { stopped = true; clearTimeout(timer); });

    var discard = box.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        clearTimeout(timer);
        stopped = true;
        post(box.getAttribute("data-draft-discard-url"), false).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          // Open the form afresh, without the draft.
          window.location.assign(box.getAttribute("data-draft-page"));
        }).catch(function () {
          stopped = false;
          status.textContent = box.getAttribute("data-text-failed");
        });
      });
    }
  }

  document.querySelectorAll("[data-draft]").forEach(attach);
})();
