from django.urls import path

from pingan.web.views import audit, auth

urlpatterns = [
    path("login/otp/", auth.login_otp, name="login_otp"),
    path("login/otp/setup/", auth.login_otp_setup, name="login_otp_setup"),
    path("account/security/", auth.account_security, name="account_security"),
    path("account/password/", auth.password_change_page, name="password_change"),
    path("security/audit/", audit.audit_page, name="audit_log"),
    path("security/audit/export.csv", audit.audit_export, name="audit_export"),
]
