from django.urls import include, path

from . import passkeys, views

# Included by accounts/urls.py under the "accounts" namespace; the passkey
# endpoints keep django-otp-webauthn's own namespace, which its template tags use.
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.LogoutView.as_view(), name="logout"),
    path("tvastegsverifiering/", views.verify, name="verify"),
    path("tvastegsverifiering/aktivera/", views.enrol, name="enrol"),
    path("sakerhet/", views.security, name="security"),
    path("sakerhet/reservkoder/", views.backup_codes, name="backup-codes"),
    path("losenord/byt/", views.PasswordChangeView.as_view(), name="password-change"),
    path("losenord/byt/klart/", views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("losenord/aterstall/", views.PasswordResetView.as_view(), name="password-reset"),
    path("losenord/aterstall/skickat/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("losenord/aterstall/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("losenord/aterstall/klart/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("inloggningsspar/", views.locks, name="login-locks"),
    path("inloggningsspar/las-upp/", views.unlock_password, name="unlock-password"),
    path("inloggningsspar/<int:user_id>/las-upp-tvasteg/", views.unlock_second_factor, name="unlock-second-factor"),
    path("inloggningsspar/aterstall/", views.request_reset, name="request-reset"),
    path("inloggningsspar/aterstall/<int:reset_id>/godkann/", views.approve_reset, name="approve-reset"),
]

passkey_urlpatterns = [path("nyckel/", include((passkeys.urlpatterns, "otp_webauthn")))]
