"""The customer key searches and journeys look up: the same normalisation the
indexer stores (digits for a phone number, lower case for an email).

Until the indexer's ``customer_key`` is available here this is a copy of its
rule; afterwards this module only re-exports it, so the two can never differ.
"""

from __future__ import annotations

import re

_PHONEISH = re.compile(r"^\+?[\d\s().\-/]{3,}$")


def customer_key(value: str | None) -> str:
    """'+1 (506) 555-1234' -> '15065551234'; ' Jane@Example.COM ' -> 'jane@example.com'."""
    text = (value or "").strip()
    if "@" in text:
        return text.lower()
    if _PHONEISH.match(text):
        return re.sub(r"\D", "", text)
    return text.lower()
