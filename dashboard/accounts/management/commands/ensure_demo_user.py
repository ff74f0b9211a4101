"""Create (or reset) the demo sign-in and grant it the demo tenant; demo mode only."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID

DEMO_USERNAME = "demo"
#: Signs in like a QA reviewer without the contact-details permission: sees masks.
MASKED_USERNAME = "demo-masked"


class Command(BaseCommand):
    help = "Ensure the demo user exists with a known password and the demo tenant granted."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("The demo user is only for demo mode (CXENGAGE_API_URL unset).")
        password = os.environ.get("DEMO_PASSWORD", "demo-supervisor")
        details = Permission.objects.get(codename="view_contact_details")
        for username, first, sees_details in (
            (DEMO_USERNAME, "Demo", True),
            (MASKED_USERNAME, "Masked", False),
        ):
            user, _ = get_user_model().objects.get_or_create(username=username)
            # A new hash would sign the user out everywhere: only when it changes.
            if not user.check_password(password):
                user.set_password(password)
            user.is_active = True
            user.first_name = first
            user.last_name = "Reviewer"
            user.save()
            if sees_details:
                user.user_permissions.add(details)
            else:
                user.user_permissions.remove(details)
            TenantGrant.objects.get_or_create(
                user=user, tenant_id=DEMO_TENANT_ID, defaults={"label": "Demo tenant"}
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo sign-in → user name: {DEMO_USERNAME}   password: {password}\n"
                f"  (or {MASKED_USERNAME} with the same password: contact details masked)"
            )
        )
