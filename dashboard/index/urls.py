"""The index app's pages (included under /index/ by dashboard/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("status/", views.sync_status_page, name="index_status"),
]
