// After a passkey is registered (django-otp-webauthn dispatches the event),
// go on to the page named by the marker's data-url.
document.addEventListener("otp_webauthn.register_complete", function () {
  var marker = document.getElementById("passkey-done");
  var target = marker && marker.dataset.url;
  if (target) {
    window.location.assign(target);
  }
});
