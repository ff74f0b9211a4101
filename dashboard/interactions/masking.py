"""The one masking policy for viewers without the contact-details permission.

Applied on the server, in the one read path every output uses (pages, partials,
exports, raw JSON, dossiers), through ``selectors.for_masked_viewer`` and ``mask_summary``.

The policy is an allowlist: a value is shown only when its field is known to
carry no customer data (IDs, timestamps, durations and counts, types, queue,
flow, agent and disposition names, the tenant's own contact point, documented
statistics). Contact fields (the customer, CRM record titles, a transfer's
dialled number) are masked so that a supervisor can still tell them apart;
conversations (transcript, notes, recording) are hidden; every other value is
withheld with its name still shown. Data problems lose their quoted values.
Which raw JSON fields are on the allowlist is in ``parsing`` (the only module
that knows the API's field names); what each kind of field becomes is here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from .domain import (
    AgentAllocation,
    Extra,
    Hook,
    Interaction,
    QueueVisit,
    Segment,
    Statistic,
    Summary,
)

DOT = "•••"
#: One per hidden digit of a phone number.
BULLET = "•"
#: Stands for a conversation: transcript, notes, recording.
HIDDEN = "[hidden: you may not see customer conversations]"
#: Stands for any value not known to be free of customer data.
WITHHELD = "[withheld: may hold customer data]"

# Digits with the punctuation people write phone numbers with, nothing else.
_PHONEISH = re.compile(r"^\+?[\d\s().\-/]+$")
# The domain at the start of what follows an email's "@": labels of letters, digits and
# hyphens joined by dots. Whatever comes after it ("jane@x.com (Jane Doe)", a ticket title
# going on with a phone number) is not the domain, and is not kept; nor is a "domain" of
# digits ("jane@15065552222").
_DOMAIN = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*")


def kept_digits(count: int) -> int:
    """How many trailing digits a phone number of ``count`` digits keeps: max(0, min(4, N - 4)).

    So at least half the digits, and never fewer than four of them (or all of a
    number shorter than four), are always hidden.
    """
    return max(0, min(4, count - 4))


def mask(value: str | None) -> str | None:
    """A contact detail with most of it hidden; ``None`` and "" stay as they are.

    - A phone number (digits with ``+``, spaces, dashes, dots, slashes or brackets)
      keeps only its last ``kept_digits(N)`` digits, one bullet per hidden digit:
      ``'+15065552222'`` -> ``'•••••••2222'``, ``'506-555-1234'`` -> ``'••••••1234'``,
      ``'5551234'`` -> ``'••••234'``, ``'911'`` -> ``'•••'``.
    - An email address keeps the first character and the domain, nothing around it:
      ``'jane@example.com'`` -> ``'j•••@example.com'``,
      ``'jane@example.com (Jane Doe), +15065552222'`` -> ``'j•••@example.com'``.
    - Anything else keeps its first character: ``'Marie-Claude'`` -> ``'M•••'``.
    """
    if value is None or value == "":
        return value
    text = value.strip()
    if not text:
        return DOT
    if _PHONEISH.match(text):
        digits = re.sub(r"\D", "", text)
        if digits:
            kept = kept_digits(len(digits))
            return BULLET * (len(digits) - kept) + (digits[-kept:] if kept else "")
    if "@" in text and not text.startswith("@"):  # "@janedoe" is a handle, not an email
        local, _, after = text.rpartition("@")
        found = _DOMAIN.match(after)
        labels = found.group().split(".") if found else []
        # A top-level domain is letters ("com", "xn--…"): a last label with digits in it
        # is what followed the address ("jane@x.com-506-555-0123"), not its domain.
        while labels and not (labels[-1].isalpha() or labels[-1].lower().startswith("xn--")):
            labels.pop()
        # A domain has a dot: a lone word after "@" is a handle ("Jane (@janedoe)"), not one.
        return f"{local[:1]}{DOT}@{'.'.join(labels) if len(labels) > 1 else ''}"
    return f"{text[:1]}{DOT}"


def mask_interaction(interaction: Interaction) -> Interaction:
    """``interaction`` as a viewer without the contact-details permission may see it."""
    i = interaction
    return replace(
        i,
        customer=mask(i.customer),
        transcript=None,
        notes=None,
        audio_recording=None,
        csat=i.csat if _is_number(i.csat) else _withheld(i.csat),
        segments=tuple(_mask_segment(s) for s in i.segments),
        queues=tuple(_withhold_record_extras(q) for q in i.queues),
        agents=tuple(_withhold_record_extras(a) for a in i.agents),
        hooks=tuple(_mask_hook(h) for h in i.hooks),
        monitors=tuple(
            WITHHELD if n in i.monitors_undescribed else name for n, name in enumerate(i.monitors)
        ),
        attributes=_withhold_extras(i.attributes),
        artifacts_summary=_withhold_extras(i.artifacts_summary),
        statistics=tuple(_unread_withheld(s) for s in i.statistics),
        other_statistics=tuple(_withhold_statistic(s) for s in i.other_statistics),
        problems=tuple(p.without_value() for p in i.problems),
        redacted=True,
    )


def mask_summary(summary: Summary) -> Summary:
    """A list row as a viewer without the permission may see it (only the customer is not
    allowlisted: the rest are IDs, times, types and the flow's name)."""
    return replace(summary, customer=mask(summary.customer))


def _is_number(value: str | None) -> bool:
    if value is None:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def _withheld(value: object) -> str | None:
    return None if value is None else WITHHELD


def _withhold_extras(extras: tuple[Extra, ...]) -> tuple[Extra, ...]:
    return tuple(Extra(e.name, WITHHELD) for e in extras)


def _unread_withheld(stat: Statistic) -> Statistic:
    # A described statistic keeps the text it was sent as when it could not be read as
    # its kind (not a number where one was due): that text may be anything.
    return replace(stat, value=None) if stat.unknown and stat.value is not None else stat


def _withhold_statistic(stat: Statistic) -> Statistic:
    # Undescribed statistics are top-level fields nobody documented: a number
    # there may as well be a phone number.
    if stat.value is None:
        return stat
    return Statistic(stat.name, stat.label, "value", WITHHELD, unknown=stat.unknown)


R = TypeVar("R", QueueVisit, AgentAllocation)


def _withhold_record_extras(record: R) -> R:
    # Most records have no undescribed fields: nothing to copy (a big interaction has
    # thousands of records, and copying a dataclass is not cheap).
    return replace(record, extra=_withhold_extras(record.extra)) if record.extra else record


def _mask_segment(segment: Segment) -> Segment:
    if not segment.extra and not segment.extension_value:
        return segment  # nothing to mask: mask(None) is None, mask("") is ""
    return replace(
        segment,
        extension_value=mask(segment.extension_value),  # the number a transfer dialled
        extra=_withhold_extras(segment.extra),
    )


def _mask_hook(hook: Hook) -> Hook:
    # A record's title is often the customer's name; its ID is what links to it.
    return replace(hook, hook_name=mask(hook.hook_name))
