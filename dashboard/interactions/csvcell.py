"""The CSV formula guard every export uses (OWASP's "CSV injection")."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$|^-?\.[0-9]+$")


def cell(value: str) -> str:
    """Spreadsheet formula injection (OWASP): text from the API never starts a formula.

    A cell starting with =, +, -, @, tab or carriage return is prefixed with a
    quote, unless it is a plain decimal number (digits, an optional leading
    minus, one optional point).
    """
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value
