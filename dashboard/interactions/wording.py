"""Plain words for the codes the CxEngage API sends (no Django, no httpx).

One place for the wording of flag types, segment start/end kinds, queue
entry/exit kinds, statistics, channels and directions. Every lookup returns a
``Word``: the text people read and the raw code, kept for hover and the detail
panel. A code this module does not know is shown as sent, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Word:
    text: str
    #: What the API sent, or '' when it sent nothing.
    code: str = ""

    @property
    def known(self) -> bool:
        return self.text != self.code

    def __str__(self) -> str:
        return self.text


def _key(code: str) -> str:
    return code.strip().lower().replace("_", "-").replace(" ", "-")


def _lookup(table: dict[str, str], code: str | None, *, missing: str) -> Word:
    if code is None or not str(code).strip():
        return Word(missing, "")
    raw = str(code)
    return Word(table.get(_key(raw), raw), raw)


FLAG_TYPES: dict[str, str] = {
    "forced---no-reason-provided": "Flagged by hand",
    "forced-no-reason-provided": "Flagged by hand",
    "agent": "An agent's end never arrived",
    "exceed-counter-limit-terminated": "Ended at the counter limit",
    "queue": "A queue exit never arrived",
    "stuck": "The end never arrived",
    "error-uncaught-flow-error": "Flow error",
    "segment": "A segment's end never arrived",
    "safeguard-terminated": "Ended by the platform's safeguard",
}

#: How a segment that adds a participant began.
ADDING_A_PARTICIPANT = "Adding a participant"

SEGMENT_STARTS: dict[str, str] = {
    "interaction": "Interaction started",
    "transfer": "Transfer",
    # Said as the attempt it began with, as "Transfer" is: the segment may end
    # "Cancelled by the agent", with nobody added.
    "addparticant": ADDING_A_PARTICIPANT,  # the API's own spelling
    "addparticipant": ADDING_A_PARTICIPANT,
    "add-participant": ADDING_A_PARTICIPANT,
}

SEGMENT_ENDS: dict[str, str] = {
    "interaction-end": "Interaction ended",
    "customer-disconnect": "Customer hung up",
    "cancelled": "Cancelled by the agent",
    "success": "Handed over",
}

QUEUE_ENTRIES: dict[str, str] = {
    "transfer": "transferred in",
    "add-participant": "while adding a participant",
    "add participant": "while adding a participant",
    "callback": "as a callback",
    "ivr": "from the IVR",
    "timeout": "after a timeout elsewhere",
}

QUEUE_EXITS: dict[str, str] = {
    "timeout": "Timed out",
    "success": "Answered",
    "callback": "Callback requested",
    "abandon": "Customer gave up",
    "add-participant-cancel": "Adding a participant was cancelled",
    "interaction-end": "Interaction ended",
}

CHANNELS: dict[str, str] = {
    "voice": "Call",
    "sms": "SMS",
    "messaging": "Chat",
    "chat": "Chat",
    "email": "Email",
    "work-item": "Work item",
}

#: The third-party applications a hook's ``hookType`` names, by their own spelling.
CRMS: dict[str, str] = {
    "zendesk": "Zendesk",
    "salesforce": "Salesforce",
    "servicenow": "ServiceNow",
    "hubspot": "HubSpot",
    "freshdesk": "Freshdesk",
    "dynamics": "Microsoft Dynamics",
    "microsoft-dynamics": "Microsoft Dynamics",
}

ARTIFACT_TYPES: dict[str, str] = {
    "email": "Email",
    "audio-recording": "Recording",
    "recording": "Recording",
    "voicemail": "Voicemail",
    "messaging-transcript": "Chat transcript",
    "sms-transcript": "SMS transcript",
}

DIRECTIONS: dict[str, str] = {
    "inbound": "Inbound",
    "outbound": "Outbound",
    "agent-initiated": "Agent initiated",
}

#: Statistics with a known meaning: name -> what it measures, in words.
STATISTICS: dict[str, str] = {
    "interactiontime": "Total time from start to end",
    "ivrtime": "Time in the IVR (automated menu or flow)",
    "ivrabandoned": "The customer hung up in the IVR",
    "ivrabandontime": "Time in the IVR before the customer hung up",
    "customerabandontime": "Time before the customer gave up",
    "customerconversationtime": "Time with agents, holds included",
    "customertalktime": "Time talking with agents, holds excluded",
    "customertalktimes": "Each stretch of talk between holds",
    "customerholds": "Number of holds",
    "customerholdtime": "Total time on hold",
    "customerholdabandoned": "The customer hung up while on hold",
    "customertransfers": "Number of transfers",
    "customerresponsetimes": "How long each customer message waited for a reply",
    "thirdpartytime": "Time with an outside party on the line",
    "customersatisfactionscore": "Customer satisfaction score",
    "transfercounter": "Transfers counted by the flow",
    "transfercounterlimit": "Most transfers the flow allows",
}


#: Interaction attributes seen in flows: name -> label.
ATTRIBUTES: dict[str, str] = {
    "emailsubject": "Email subject",
    "inboundmailbox": "Inbound mailbox",
    "ivrlanguage": "IVR language",
    "ivrmenupath": "IVR menu path",
    "accountnumber": "Account number",
    "callerverified": "Caller verified",
    "lastflowstep": "Last flow step",
    "transfercounter": "Transfers counted by the flow",
    "transfercounterlimit": "Most transfers the flow allows",
}


def _squash(name: str) -> str:
    return name.strip().lower().replace("-", "").replace("_", "")


#: Words kept in capitals when a camelCase name is split ("ivrMenuPath" -> "IVR menu path").
_ACRONYMS = {"ivr", "crm", "sla", "id", "url", "csat", "sms", "acw", "api", "wfm", "qa", "nps"}
_CAMEL = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*|[A-Z]+(?![a-z]))+")
_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def name_words(name: str) -> Word:
    """A name the dashboard has no word for: its camelCase split into words
    ("customerWrapUpTime" -> "Customer wrap up time"); any other name as sent (the
    result is then not ``known``: show it as code)."""
    if not _CAMEL.fullmatch(name):
        return Word(name, name)
    parts = [p.upper() if p.lower() in _ACRONYMS else p.lower() for p in _CAMEL_PART.findall(name)]
    text = " ".join(parts)
    return Word(text[:1].upper() + text[1:], name)


def attribute(name: str) -> Word:
    """A flow attribute's label; unknown names in words where they are camelCase, else
    as sent."""
    known = ATTRIBUTES.get(_squash(name))
    return Word(known, name) if known else name_words(name)


def sentence_case(word: Word) -> str:
    """A known code's words with a capital; a code the dashboard does not know as sent."""
    return f"{word.text[:1].upper()}{word.text[1:]}" if word.known else word.text


def pair(first: Word, then: Word) -> str:
    """How a record began and ended, in words: "Transfer → Handed over"."""
    return f"{sentence_case(first)} → {then.text}"


def flag_type(code: str | None) -> Word:
    return _lookup(FLAG_TYPES, code, missing="Flagged")


@lru_cache(maxsize=512)  # one word per code, looked up for every record
def segment_start(code: str | None) -> Word:
    return _lookup(SEGMENT_STARTS, code, missing="start not sent")


@lru_cache(maxsize=512)  # one word per code, looked up for every record
def segment_end(code: str | None) -> Word:
    return _lookup(SEGMENT_ENDS, code, missing="end not sent")


@lru_cache(maxsize=512)  # one word per code, looked up for every record
def queue_entry(code: str | None) -> Word:
    return _lookup(QUEUE_ENTRIES, code, missing="entry not sent")


def queue_entry_on(code: str | None, channel: str | None) -> Word:
    """``queue_entry``, where the API's "ivr" is called the flow on channels other than
    voice (chat, email, SMS run a flow, not an IVR), as the key figures call it."""
    word = queue_entry(code)
    if word.text == QUEUE_ENTRIES.get("ivr") and (channel or "voice").lower() != "voice":
        return Word("from the flow", word.code)
    return word


@lru_cache(maxsize=512)  # one word per code, looked up for every record
def queue_exit(code: str | None) -> Word:
    return _lookup(QUEUE_EXITS, code, missing="exit not sent")


#: How a supervisor listened in (``monitors[].monitorType``); only what is known.
MONITOR_TYPES: dict[str, str] = {"silent": "silent monitoring"}


def monitor_type(code: str | None) -> Word:
    """ "silent" -> "silent monitoring"; a type not known is said as sent, beside the
    word: "“coach” monitoring"."""
    word = _lookup(MONITOR_TYPES, code, missing="monitoring")
    if word.code and not word.known:
        return Word(f"“{word.code}” monitoring", word.code)
    return word


def channel(code: str | None) -> Word:
    return _lookup(CHANNELS, code, missing="Interaction")


#: A queue's type (``queueType``): "resource" is an agent's own line, the queue a direct
#: transfer to that agent goes through. Other types are said as sent.
QUEUE_TYPES: dict[str, str] = {"resource": "an agent's own line"}

#: What a segment's outside party was reached on (``segmentExtensionType``).
EXTENSION_TYPES: dict[str, str] = {
    "pstn": "a phone number",
    "sip": "a SIP address",
    "webrtc": "a browser (WebRTC)",
}


def queue_type(code: str | None) -> Word:
    return _lookup(QUEUE_TYPES, code, missing="type not sent")


def extension_type(code: str | None) -> Word:
    return _lookup(EXTENSION_TYPES, code, missing="type not sent")


def crm(code: str | None) -> Word:
    """A hook's application ("zendesk" -> "Zendesk"); an unknown one as sent."""
    return _lookup(CRMS, code, missing="")


def artifact_type(code: str | None) -> Word:
    return _lookup(ARTIFACT_TYPES, code, missing="Artifact")


def direction(code: str | None) -> Word:
    return _lookup(DIRECTIONS, code, missing="")


#: Directions in which the agent placed the contact: an outbound call, or a contact an
#: agent began ("agent-initiated": an SMS, an email or a call the agent started).
PLACED_DIRECTIONS = frozenset({"outbound", "agent-initiated"})


def placed_direction(code: str | None) -> bool:
    """Whether ``code`` says the agent placed the contact, compared as every direction
    is (any case, spaces or underscores for dashes): "Agent Initiated", "OUTBOUND"."""
    return code is not None and _key(str(code)) in PLACED_DIRECTIONS


def statistic(name: str | None) -> Word:
    """What a statistic measures, keyed without case or dashes; unknown -> its name."""
    if not name:
        return Word("statistic", "")
    return Word(STATISTICS.get(_squash(name), name), name)


def statistic_known(name: str | None) -> bool:
    """Whether the dashboard knows what the statistic ``name`` measures (and its unit)."""
    return bool(name) and _squash(str(name)) in STATISTICS


#: Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan,
#: Mandaic and their presentation forms).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def isolated(name: str) -> str:
    """A name that holds right-to-left letters, between Unicode's first-strong isolate
    and its pop: within a sentence, the figure after it ("יעל כהן 14:47") stays after
    it instead of being drawn into its right-to-left run. Other names as they are."""
    return f"\u2068{name}\u2069" if _RIGHT_TO_LEFT.search(name) else name


def unnamed_agent(agent_id: str) -> str:
    """An agent the API sent by ID only, in every record: named by the ID's first
    characters ("agent cfaf0010"), the same way everywhere on the page."""
    return f"agent {agent_id[:8]}"


def unnamed_queue(queue_id: str) -> str:
    """A queue the API sent by ID only: "queue 9a8b7c6d", as agents sent by ID only
    are named, the same way everywhere on the page (the full ID on hover)."""
    return f"queue {queue_id[:8]}"
