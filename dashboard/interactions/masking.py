"""Masking of customer contact details and conversations.

Applied on the server to every output (pages, partials, exports, raw JSON) for
viewers without the contact-details permission.
"""

from __future__ import annotations

import re
from dataclasses import replace

from typing import Any

from .domain import Hook, Interaction, Summary

DOT = "•••"
HIDDEN = "[hidden: you may not see customer conversations]"
_PHONEISH = re.compile(r"^[+\d][\d\s().-]{5,}$")


def mask(value: str | None) -> str | None:
    """'+15065552222' -> '+1506•••2222'; 'jane@example.com' -> 'j•••@example.com'."""
    if value is None or value == "":
        return value
    text = value.strip()
    if _PHONEISH.match(text):
        compact = re.sub(r"[\s().-]", "", text)
        return f"{compact[:5]}{DOT}{compact[-4:]}" if len(compact) > 9 else f"{compact[:2]}{DOT}{compact[-2:]}"
    if "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}{DOT}@{domain}"
    return f"{text[:1]}{DOT}"


def mask_interaction(interaction: Interaction) -> Interaction:
    return replace(
        interaction,
        customer=mask(interaction.customer),
        transcript=None,
        notes=None,
        audio_recording=None,
        hooks=tuple(_mask_hook(h) for h in interaction.hooks),
        # Problems may quote unreadable values verbatim, customer fields included.
        problems=tuple(p for p in interaction.problems if p.where not in ("Transcript", "Recording")),
        redacted=True,
    )


def _mask_hook(hook: Hook) -> Hook:
    return replace(hook, hook_name=mask(hook.hook_name))


def for_masked_viewer(interaction: Interaction, raw: dict[str, Any]) -> tuple[Interaction, dict[str, Any]]:
    from .parsing import mask_raw

    return mask_interaction(interaction), mask_raw(raw, mask, HIDDEN)


def mask_summary(summary: Summary) -> Summary:
    return replace(summary, customer=mask(summary.customer))
