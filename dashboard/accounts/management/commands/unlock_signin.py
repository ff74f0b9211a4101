"""python manage.py unlock_signin [--user NAME] [--address IP]: lift a sign-in lockout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.accounts import throttle


class Command(BaseCommand):
    help = (
        "Lift a sign-in lockout (dashboard/accounts/throttle.py) for a user name and/or an address."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="The user name that is locked out.")
        parser.add_argument("--address", default="", help="The client address that is locked out.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["user"] or options["address"]):
            raise CommandError("Name a --user, an --address, or both.")
        removed = throttle.unlock(
            username=options["user"] or None, address=options["address"] or None
        )
        self.stdout.write(
            f"Unlocked ({removed} entries removed)."
            if removed
            else "Nothing was locked or counted."
        )
