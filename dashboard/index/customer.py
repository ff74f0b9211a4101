"""The customer key searches and journeys look up: the indexer's own
normalisation (digits for a phone number, lower case for an email), and the
end of a phone number a search without the country code matches on, re-exported
so the search can never normalise differently from what was stored.

``typed_number`` reads the forms people type a number in that the stored key
never has: an international prefix ``00`` or a trunk ``0`` before the number,
``(0)`` after the country code, an extension (``x123``), letters on the keypad
(``1-800-FLOWERS``); ``typed_email`` an email with spaces pasted into it.
"""

from __future__ import annotations

import re

from .indexer import customer_key
from .phone import MIN_DIGITS, customer_tail

__all__ = ["MIN_DIGITS", "customer_key", "customer_tail", "typed_email", "typed_number"]

_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*\d{1,8}\s*$", re.IGNORECASE)
_TRUNK_AFTER_CODE = re.compile(r"^(\s*(?:\+|00)\s*\d{1,3}\s*)\(\s*0\s*\)")
# Digits and the usual separators, then letters from the keypad: "1-800-FLOWERS".
_VANITY = re.compile(r"^\+?(?:[\s().\-/]*\d){3}[\d\s().\-/]*[A-Za-z][\dA-Za-z\s().\-/]*$")
_KEYPAD = str.maketrans("abcdefghijklmnopqrstuvwxyz", "22233344455566677778889999")


def typed_number(text: str) -> str:
    """The digits a typed phone number is matched by (at the end of stored numbers),
    or '' when ``text`` is no phone number of at least ``MIN_DIGITS`` digits.

    Leading zeros (``00`` before a country code, a trunk ``0``) are dropped: a stored
    number carries neither, so "(020) 7946-0958" and "0044 20 7946 0958" both find
    "+44 20 7946 0958"."""
    text = _TRUNK_AFTER_CODE.sub(r"\1", _EXTENSION.sub("", text.strip()))
    if _VANITY.match(text):
        text = text.lower().translate(_KEYPAD)
    key = customer_key(text)
    if not (key.isascii() and key.isdigit()):
        return ""
    digits = key.lstrip("0")
    return digits if len(digits) >= MIN_DIGITS else ""


def typed_email(text: str) -> str:
    """An email typed with spaces in it, as the index keys it; '' when it is no email."""
    key = customer_key(re.sub(r"\s+", "", text))
    return key if "@" in key and customer_key(key) == key else ""
