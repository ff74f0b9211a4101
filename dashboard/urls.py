from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard import views
from dashboard.interactions import views as interaction_views

urlpatterns = [
    path("", interaction_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path(
        "tenants/<str:tenant_id>/interactions/<str:interaction_id>/",
        interaction_views.interaction,
        name="interaction",
    ),
    path(
        "tenants/<str:tenant_id>/interactions/<str:interaction_id>/raw/",
        interaction_views.interaction_raw,
        name="interaction_raw",
    ),
]

handler400 = "dashboard.views.bad_request"
handler403 = "dashboard.views.permission_denied"
handler404 = "dashboard.views.page_not_found"
handler500 = "dashboard.views.server_error"
