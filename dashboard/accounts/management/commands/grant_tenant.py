"""python manage.py grant_tenant <username> <tenantId> [--label NAME] [--revoke]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.accounts.models import TenantGrant, validate_tenant_id


class Command(BaseCommand):
    help = "Let a user see one tenant's interactions (or take that away with --revoke)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("tenant_id")
        parser.add_argument("--label", default="", help="A name to show for the tenant.")
        parser.add_argument("--revoke", action="store_true", help="Remove the grant instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant_id = options["tenant_id"].strip().lower()
        try:
            validate_tenant_id(tenant_id)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        if options["revoke"]:
            deleted, _ = TenantGrant.objects.filter(user=user, tenant_id=tenant_id).delete()
            self.stdout.write(
                f"Revoked {tenant_id} from {user}." if deleted else "There was no such grant."
            )
            return
        grant, created = TenantGrant.objects.get_or_create(
            user=user, tenant_id=tenant_id, defaults={"label": options["label"]}
        )
        if options["label"] and grant.label != options["label"]:
            grant.label = options["label"]
            grant.save()
        self.stdout.write(f"{user} may {'now' if created else 'already'} see tenant {tenant_id}.")
