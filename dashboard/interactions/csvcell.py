"""What every CSV export shares: the byte-order mark at its start and the formula guard
(OWASP's "CSV injection")."""

from __future__ import annotations

import re

#: The first character of every export: Excel reads a UTF-8 file without it in the
#: system's legacy code page ("Zoë" becomes "ZoÃ«"); with it, as UTF-8. Other tools
#: (Python's "utf-8-sig", pandas, LibreOffice, Google Sheets) skip it.
BOM = "\ufeff"

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
