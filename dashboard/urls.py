from django.contrib import admin
from django.urls import include, path, register_converter

from dashboard import views
from dashboard.accounts.gate import UUIDConverter
from dashboard.accounts.views import SignInView, SignOutView
from dashboard.index import search_views
from dashboard.interactions import list_views
from dashboard.interactions import views as interaction_views
from dashboard.reviews import views as review_views

register_converter(UUIDConverter, "uuid_any")

urlpatterns = [
    path("", interaction_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("index/", include("dashboard.index.urls")),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/",
        interaction_views.interaction,
        name="interaction",
    ),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/review/",
        review_views.save,
        name="review_save",
    ),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/assign/",
        review_views.assign,
        name="review_assign",
    ),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/dossier.json",
        review_views.dossier,
        name="dossier",
    ),
    path("tenants/<uuid_any:tenant_id>/flagged/", list_views.flagged, name="flagged"),
    path(
        "tenants/<uuid_any:tenant_id>/flagged/export.csv",
        list_views.flagged_csv,
        name="flagged_csv",
    ),
    path("tenants/<uuid_any:tenant_id>/flagged/nav/", list_views.flagged_nav, name="flagged_nav"),
    path(
        "tenants/<uuid_any:tenant_id>/flagged/step/", list_views.flagged_step, name="flagged_step"
    ),
    path("tickets/<str:hook_type>/<str:hook_id>/", list_views.ticket, name="ticket"),
    path("tenants/<uuid_any:tenant_id>/search/", search_views.search, name="search"),
    path(
        "tenants/<uuid_any:tenant_id>/search/export.csv", search_views.search_csv, name="search_csv"
    ),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/journey/",
        search_views.journey,
        name="journey",
    ),
    path(
        "tenants/<uuid_any:tenant_id>/tickets/<str:hook_type>/<str:hook_id>/journey/",
        search_views.hook_journey,
        name="hook_journey",
    ),
    path("i/<uuid_any:interaction_id>/", list_views.short_link, name="short_link"),
    path(
        "tenants/<uuid_any:tenant_id>/interactions/<uuid_any:interaction_id>/raw/",
        interaction_views.interaction_raw,
        name="interaction_raw",
    ),
]

handler400 = "dashboard.views.bad_request"
handler403 = "dashboard.views.permission_denied"
handler404 = "dashboard.views.page_not_found"
handler500 = "dashboard.views.server_error"
