"""The customer key searches and journeys look up: the indexer's own
normalisation (digits for a phone number, lower case for an email), and the
end of a phone number a search without the country code matches on, re-exported
so the search can never normalise differently from what was stored."""

from __future__ import annotations

from .indexer import customer_key
from .phone import MIN_DIGITS, customer_tail

__all__ = ["MIN_DIGITS", "customer_key", "customer_tail"]
