"""The end of a phone number, for a customer search typed without the country code.

"(506) 555-2222" finds "+1 506 555 2222": a phone query of at least ``MIN_DIGITS``
digits matches every stored number whose digits end with the query's. The index
keeps each phone number's last ``MIN_DIGITS`` digits (``customer_tail``, indexed
with the tenant and start) so such a search is an equality on that column, then a
check of the whole ending; shorter queries, emails and names match exactly.
"""

from __future__ import annotations

#: Digits a phone query needs before it matches by the end of the number.
MIN_DIGITS = 7


def customer_tail(key: str) -> str:
    """The last ``MIN_DIGITS`` digits of a phone number's customer key (digits only);
    '' for anything else (an email, a name, a number too short to be matched by its end)."""
    if len(key) < MIN_DIGITS or not (key.isascii() and key.isdigit()):
        return ""
    return key[-MIN_DIGITS:]
