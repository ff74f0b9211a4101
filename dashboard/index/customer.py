"""The customer key searches and journeys look up: the indexer's own
normalisation (digits for a phone number, lower case for an email), re-exported
so the search can never normalise differently from what was stored."""

from __future__ import annotations

from .indexer import customer_key

__all__ = ["customer_key"]
