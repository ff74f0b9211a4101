"""Synthetic CxEngage interaction payloads for the dashboard demo.

``generate_interaction()`` builds one interaction body shaped like the answer of
``GET /v1/tenants/{tenantId}/interactions/{interactionId}`` (see the hand-written
examples in ``payloads/`` next to this file): camelCase field names, ISO 8601
UTC timestamps with milliseconds and ``Z``, durations in seconds as numbers.

The interaction is an inbound voice call with ``segments`` segments. Segment 0
starts with the interaction (IVR -> queue -> agent); every later segment is a
transfer or an add-participant started by the agent who holds the call at that
moment (some add-participants are cancelled before anyone answers). Each
segment has exactly one queue visit and one agent allocation, linked by
``interactionSegmentId``. Agents come from a pool of 15 named agents and queues
from 6 named queues; direct agent-to-agent transfers go through the target
agent's ``resource`` queue. Timestamps are consistent (every record lies
inside the interaction) and the statistics (``interactionTime``, ``ivrTime``,
``queueTime``, hold and talk totals, ``customerTransfers``) add up.

The output depends only on the arguments: ``random.Random(seed)`` drives every
choice, and the per-event ids (interaction, segment, queue visit, agent
allocation) are version-1-shaped UUIDs whose embedded time is the event time
and whose clock sequence and node come from the same generator.

Standard library only, no Django. Command line::

    python3 dashboard/demo/generate.py 1000 [--seed N] [--flagged] [--indent N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta

DEFAULT_TENANT_ID = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"

FLOW_ID = "6f3fbb1f-164b-11f1-9472-f38b80a4df5a"
FLOW_NAME = "Main Inbound IVR"
CONTACT_POINT = "+15065551000"


def _agent(
    name: str, agent_id: str, platform_agent_id: str, tenant_agent_id: str, resource_queue_id: str
) -> dict:
    return {
        "agentName": name,
        "agentId": agent_id,
        "platformAgentId": platform_agent_id,
        "tenantAgentId": tenant_agent_id,
        "resourceQueueId": resource_queue_id,
    }


def _queue(name: str, queue_id: str, platform_queue_id: int) -> dict:
    return {"queueName": name, "queueId": queue_id, "platformQueueId": platform_queue_id}


# The same agents and queues appear in the hand-written payloads.
AGENTS = (
    _agent(
        "Alice Tremblay",
        "32293577-2f00-43b2-b4be-d86c72f38172",
        "6dcc3904-cab2-44e7-9b92-acaf206f7952",
        "48390463-67e8-4a50-8ded-190a70c4b9d7",
        "0785ddb5-d6ca-4158-bbb2-0426868dd5d5",
    ),
    _agent(
        "Benoit Leblanc",
        "aed07198-1003-4767-82a1-26892bd9fcd7",
        "69be3885-95a1-485e-8ffc-70adb87c0fc1",
        "0cb01bab-88bf-4fe8-82e9-ac95fa1f2a38",
        "14f078f1-f31e-4e56-ad23-80714fa73da0",
    ),
    _agent(
        "Carmen Diaz",
        "3367df3e-5690-4d3c-a13e-e6b0cfdf26d1",
        "3ec13db3-e307-455c-9fb0-039bb748a716",
        "a89d579a-c66d-469a-b660-1617db45cea5",
        "f72bc19f-df2d-410f-809e-f7b5a0d068c0",
    ),
    _agent(
        "Daniel Okafor",
        "ab83645d-42e8-4fcf-ab6d-a88913b906d8",
        "ff8e86fd-9a2e-4907-8143-e7af83c7edd0",
        "a298b700-f9b5-4c4b-922e-0d239f68d29d",
        "41f44ee2-d81e-4ef1-90a5-16de7e6881a5",
    ),
    _agent(
        "Emily Chen",
        "e48ab044-dad1-4667-847f-7ff193ed9036",
        "c88187f0-0dcf-4bcb-840e-7dd6a892f80e",
        "8a49a906-132a-402e-8f44-886f5ac253d2",
        "2ff779c5-c757-4f5c-a5f7-67cf43ff7218",
    ),
    _agent(
        "Farah Haddad",
        "738d1535-2b55-44cb-80b3-dad3de01f575",
        "f895b34d-c7e5-470a-a31e-1ad0b9642a21",
        "2413d3ef-1893-4c57-b810-7cdbd54660bc",
        "532391d6-f582-4fe8-bfae-57f2af909b24",
    ),
    _agent(
        "Gavin MacLeod",
        "375f3c05-4326-4105-a5f9-60e6799f17c2",
        "7c966f27-05e0-4042-bf71-26a55a228130",
        "0acbe0aa-b63a-4562-96bd-2f47bd678065",
        "38c039af-710a-454a-b101-e5ae8a9c39e0",
    ),
    _agent(
        "Hannah Richard",
        "53e5b577-8d20-4547-a8bc-6d0cd6bbe40c",
        "c43a32b9-4569-4477-82de-ec8bf00d56f2",
        "ec99420c-d457-4fdb-81fc-3188ea86945e",
        "8b43a0a5-82dc-4ed1-b701-4079acf8a3b4",
    ),
    _agent(
        "Isaac Cormier",
        "1307b127-d049-4c3e-9204-0eaef83b32a0",
        "f4cdaeb5-35a4-4607-8e09-70fef4cd0918",
        "14821c80-b1ec-40b3-a086-fa359c858c63",
        "ca75d3f7-d964-4822-abe7-073565c9c142",
    ),
    _agent(
        "Julia Santos",
        "e0d090b8-6d8d-45ab-a0c5-b85c78b28722",
        "4c9e2b39-c1a0-436b-a27f-84987c69bdba",
        "11705791-8b2b-4582-8787-269cf6e011dd",
        "0347c015-2352-498b-8a2f-c526582ccc30",
    ),
    _agent(
        "Kevin Arsenault",
        "9268f78b-ab00-46ed-b086-923b1dd12e3a",
        "e045d07a-e403-470a-a437-fbc8fdc2ecb4",
        "24245645-9eaa-44df-87eb-5c6b82616276",
        "cf46d0b2-6ac1-4e90-8b66-28f38fa90e5c",
    ),
    _agent(
        "Leah Goguen",
        "ce10d855-86f7-4761-97fc-7f15498af3dd",
        "79f4e343-cc29-4550-a416-f664f07b6908",
        "cdba9654-579c-4575-8693-6f0f6fcea1ef",
        "3a903417-f562-43fa-b223-fe8de94aef80",
    ),
    _agent(
        "Mohammed Al-Sayed",
        "6beba7f7-8095-4a13-b032-b3251a957912",
        "ff74e454-898a-4b9a-87cd-5db51cfc114f",
        "752437a8-d012-4e22-83e0-8ca81a50d035",
        "9941f1b7-ff97-4e6c-a038-a2d219f58cea",
    ),
    _agent(
        "Nora Lindqvist",
        "41fd96bd-7d7d-4fb9-8827-2b4e6828d576",
        "4e74424c-202c-4ab3-8456-1561eb350f99",
        "771529cb-08bb-44ca-8859-79b5d64ae4b6",
        "196c8658-4743-4c2a-ae8a-70882a804e74",
    ),
    _agent(
        "Owen Doucet",
        "b4d9d02b-9d82-4d55-b301-b834d91e9c7a",
        "e8c81684-a0b5-4743-8d00-20edd5857c29",
        "5f30f4e2-c2ea-4e0e-b2df-c0960c053d0f",
        "dd436407-4a20-48ba-90a5-299b8d441e9a",
    ),
)

QUEUES = (
    _queue("General Support", "e81ebf27-62fb-41b1-adae-96528d012224", 1101),
    _queue("Billing", "7aec0c90-a723-49ef-941e-2d5e8f268999", 1102),
    _queue("Technical Support", "07a40f0c-c32d-4ce8-9ada-6f0022bcdbc8", 1103),
    _queue("Sales", "510aa9b2-a5a6-41ab-8dc4-4014582b9f13", 1104),
    _queue("Retentions", "8f97708d-cda3-4a00-b690-304b09a16e9b", 1105),
    _queue("Tier 2 Escalations", "8984d654-2648-4704-9025-f24fe76c047b", 1106),
)

# Queues the IVR routes new calls to (the others are only reached by transfer).
ENTRY_QUEUES = QUEUES[:4]

DISPOSITIONS = (
    ("0b6f3c1e-5d2a-4f8b-9c47-2e1d8a6b3f90", "Resolved - first contact"),
    ("4e9a7d21-8c3b-4a6f-b512-9d0e7f4c2a18", "Resolved - after transfer"),
    ("a3c58e0f-1b7d-4c92-8e6a-5f4d3b2c1a07", "Escalated - ticket created"),
    ("d71b2f49-6e8c-4d05-a3b9-0c8e7d6f5a24", "Follow-up required"),
)

_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# 100-ns intervals between 1582-10-15 (UUID v1 epoch) and 1970-01-01.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000
_NOVEMBER_2026_MS = int((datetime(2026, 11, 1, tzinfo=UTC) - _UNIX_EPOCH).total_seconds()) * 1000


_DAY_MS = 86_400_000
_day_prefix_cache: dict[int, str] = {}


def _ts(ms: int) -> str:
    """Milliseconds since the Unix epoch -> ``2026-11-20T14:03:12.417Z``."""
    day, rest = divmod(ms, _DAY_MS)
    prefix = _day_prefix_cache.get(day)
    if prefix is None:
        prefix = (_UNIX_EPOCH + timedelta(days=day)).strftime("%Y-%m-%dT")
        _day_prefix_cache[day] = prefix
    seconds, millis = divmod(rest, 1000)
    minutes, sec = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{sec:02d}.{millis:03d}Z"


def _secs(start_ms: int, end_ms: int) -> float:
    return round((end_ms - start_ms) / 1000, 3)


def _uuid1(ms: int, rng: random.Random) -> str:
    """A version-1 UUID whose timestamp is ``ms``; clock sequence and node from ``rng``."""
    ticks = ms * 10_000 + _UUID_EPOCH_OFFSET + rng.randrange(10_000)
    clock_seq = rng.getrandbits(14)
    node = rng.getrandbits(48)
    return str(
        uuid.UUID(
            fields=(
                ticks & 0xFFFFFFFF,
                (ticks >> 32) & 0xFFFF,
                ((ticks >> 48) & 0x0FFF) | 0x1000,
                0x80 | (clock_seq >> 8),
                clock_seq & 0xFF,
                node,
            )
        )
    )


def _uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate_interaction(
    segments: int, *, seed: int = 0, tenant_id: str = DEFAULT_TENANT_ID, flagged: bool = False
) -> dict:
    """Return one interaction body with ``segments`` segments (at least 1).

    Segment 0 starts with the interaction; later segments are transfers (to a
    queue or directly to an agent) or add-participants, some of them cancelled.
    The result is deterministic for a given ``seed``. With ``flagged=True`` the
    last agent allocation has no ``endTimestamp`` and the interaction carries
    ``flagged: true`` and ``flagType: "Agent"``.
    """
    if isinstance(segments, bool) or not isinstance(segments, int):
        raise TypeError("segments must be an int")
    if segments < 1:
        raise ValueError("segments must be at least 1")

    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not a secret
    start = (
        _NOVEMBER_2026_MS
        + rng.randrange(28) * 86_400_000  # 1-28 November
        + rng.randrange(12 * 3600, 20 * 3600) * 1000  # 08:00-16:00 Atlantic
        + rng.randrange(1000)
    )
    interaction_id = _uuid1(start, rng)
    customer = f"+1506555{rng.randrange(10_000):04d}"

    segment_list: list[dict] = []
    queue_list: list[dict] = []
    agent_list: list[dict] = []
    holds: list[tuple[int, int]] = []
    sessions: dict[str, str] = {}

    def session_for(agent: dict) -> str:
        if agent["agentId"] not in sessions:
            login = start - rng.randrange(600, 6 * 3600) * 1000
            sessions[agent["agentId"]] = _uuid1(login, rng)
        return sessions[agent["agentId"]]

    def new_segment(number: int, start_type: str, at: int, by_agent: dict | None) -> dict:
        seg = {
            "segmentNumber": number,
            "interactionSegmentId": _uuid1(at, rng),
            "segmentStartType": start_type,
            "startTimestamp": _ts(at),
            "segmentAgentId": by_agent["agentId"] if by_agent else None,
            "_start": at,
        }
        segment_list.append(seg)
        return seg

    def close_segment(seg: dict, at: int, end_type: str) -> None:
        seg["endTimestamp"] = _ts(at)
        seg["segmentEndType"] = end_type
        if end_type == "cancelled":
            seg["segmentCancelled"] = True
            seg["segmentCancelTime"] = _secs(seg["_start"], at)
        else:
            seg["segmentCancelled"] = False
            seg["segmentTime"] = _secs(seg["_start"], at)

    def pick_queue(exclude: dict | None = None, entry: bool = False) -> dict:
        pool = ENTRY_QUEUES if entry else QUEUES
        choices = [q for q in pool if q is not exclude]
        return rng.choice(choices)

    def pick_agent(*exclude: dict) -> dict:
        return rng.choice([a for a in AGENTS if a not in exclude])

    def queue_visit(
        queue: dict,
        seg: dict,
        entry_type: str,
        q_start: int,
        q_end: int,
        exit_type: str,
        agent: dict | None,
        queue_type: str = "queue",
    ) -> dict:
        wait = _secs(q_start, q_end)
        visit = {
            "queueEntryLength": rng.randint(1, 9),
            "interactionSegmentId": seg["interactionSegmentId"],
            "queueAbandonTime": None,
            "platformQueueId": queue["platformQueueId"],
            "queueAbandoned": False,
            "endTimestamp": _ts(q_end),
            "slaAbandoned": False,
            "queueExitType": exit_type,
            "queueEntryType": entry_type,
            "interactionQueueId": _uuid1(q_start, rng),
            "queueType": queue_type,
            "startTimestamp": _ts(q_start),
            "queueName": queue["queueName"],
            "queueTime": wait,
            "slaTime": wait,
            "queueId": queue["queueId"],
        }
        if agent is not None:
            visit["agentId"] = agent["agentId"]
        queue_list.append(visit)
        return visit

    def allocate(agent: dict, seg: dict, queue_id: str, at: int) -> dict:
        record = {
            "platformAgentId": agent["platformAgentId"],
            "agentName": agent["agentName"],
            "sessionId": session_for(agent),
            "interactionSegmentId": seg["interactionSegmentId"],
            "agentId": agent["agentId"],
            "interactionAgentId": _uuid1(at, rng),
            "startTimestamp": _ts(at),
            "tenantAgentId": agent["tenantAgentId"],
            "queueId": queue_id,
        }
        agent_list.append(record)
        return record

    def close_allocation(record: dict, at: int) -> None:
        # keep the documented key order: endTimestamp after startTimestamp
        items = list(record.items())
        idx = [k for k, _ in items].index("startTimestamp") + 1
        items.insert(idx, ("endTimestamp", _ts(at)))
        record.clear()
        record.update(items)

    def talk(from_ms: int, min_s: int, max_s: int) -> int:
        """The current agent talks (maybe with one hold); returns the end time."""
        length = rng.randint(min_s * 1000, max_s * 1000)
        if length > 40_000 and rng.random() < 0.25:
            hold_start = from_ms + rng.randint(10_000, length // 2)
            hold_end = hold_start + rng.randint(
                8_000, min(150_000, from_ms + length - hold_start - 5_000)
            )
            holds.append((hold_start, hold_end))
        return from_ms + length

    # Segment 0: IVR -> entry queue -> first agent.
    seg0 = new_segment(0, "interaction", start, None)
    seg0["transfer"] = False
    ivr_end = start + rng.randint(4_000, 45_000)
    queue = pick_queue(entry=True)
    accept = ivr_end + rng.randint(3_000, 180_000)
    owner = rng.choice(AGENTS)
    queue_visit(queue, seg0, "ivr", ivr_end, accept, "success", owner)
    seg0["segmentToAgentId"] = owner["agentId"]
    owner_alloc = allocate(owner, seg0, queue["queueId"], accept)
    owner_seg, owner_queue = seg0, queue
    first_accept = accept
    now = accept
    transfers = 0

    for number in range(1, segments):
        action_at = talk(now, 20, 240)
        roll = rng.random()
        if roll < 0.70:
            kind = "transfer"
        elif roll < 0.85:
            kind = "add-participant"
        else:
            kind = "add-participant-cancelled"

        seg = new_segment(
            number, "transfer" if kind == "transfer" else "addParticant", action_at, owner
        )
        q_start = action_at + rng.randint(40, 400)
        direct = kind == "transfer" and rng.random() < 0.15
        if direct:
            target = pick_agent(owner)
            queue = {
                "queueName": target["agentName"],
                "queueId": target["resourceQueueId"],
                "platformQueueId": None,
            }
            queue_type = "resource"
        else:
            target = pick_agent(owner)
            queue = pick_queue(exclude=owner_queue)
            queue_type = "queue"
        entry_type = "transfer" if kind == "transfer" else "add-participant"

        if kind == "add-participant-cancelled":
            offer = q_start + rng.randint(2_000, 60_000)
            cancel = offer + rng.randint(1_000, 20_000)
            queue_visit(
                queue, seg, entry_type, q_start, cancel, "add-participant-cancel", None, queue_type
            )
            offered = allocate(target, seg, queue["queueId"], offer)
            close_allocation(offered, cancel)
            offered["agentWorkCancelTime"] = _secs(offer, cancel)
            seg["addParticipant"] = True
            seg["addParticipantHandedOff"] = False
            close_segment(seg, cancel, "cancelled")
            now = cancel
            continue

        accept = q_start + rng.randint(2_000, 120_000)
        queue_visit(queue, seg, entry_type, q_start, accept, "success", target, queue_type)
        seg["segmentToAgentId"] = target["agentId"]
        new_alloc = allocate(target, seg, queue["queueId"], accept)
        if kind == "transfer":
            seg["transfer"] = True
            seg["transferTime"] = _secs(action_at, accept)
            handoff = accept
            transfers += 1
        else:
            consult = rng.randint(10_000, 90_000)
            seg["addParticipant"] = True
            seg["addParticipantTime"] = _secs(action_at, accept)
            seg["addParticipantHandedOff"] = True
            seg["segmentConsultTime"] = _secs(accept, accept + consult)
            handoff = accept + consult
        close_segment(owner_seg, handoff, "success")
        close_allocation(owner_alloc, handoff)
        owner, owner_alloc, owner_seg, owner_queue = target, new_alloc, seg, queue
        now = handoff

    hangup = talk(now, 30, 420)
    close_segment(owner_seg, hangup, "interaction-end")
    close_allocation(owner_alloc, hangup)
    end = hangup + rng.randint(40, 160)

    for seg in segment_list:
        del seg["_start"]

    # Statistics, all derived from the records above.
    conversation_ms = hangup - first_accept
    hold_ms = sum(e - s for s, e in holds)
    talk_spans, cursor = [], first_accept
    for s, e in holds:
        talk_spans.append(_secs(cursor, s))
        cursor = e
    talk_spans.append(_secs(cursor, hangup))
    csat = rng.choice((None, 2, 3, 4, 4, 5, 5))
    disposition = DISPOSITIONS[1] if transfers else rng.choice(DISPOSITIONS)
    contact_id = _uuid4(rng) if rng.random() < 0.6 else None

    payload: dict = {
        "tenantId": tenant_id,
        "interactionId": interaction_id,
        "flowId": FLOW_ID,
        "flowName": FLOW_NAME,
        "channelType": "voice",
        "direction": "inbound",
        "customer": customer,
        "contactPoint": CONTACT_POINT,
        "startTimestamp": _ts(start),
        "endTimestamp": _ts(end),
        "dataComplete": True,
        "flagged": False,
        "interactionTime": _secs(start, end),
        "ivrTime": _secs(start, ivr_end),
        "ivrAbandoned": False,
        "customerTransfers": transfers,
        "customerHolds": len(holds),
        "customerHoldTime": _secs(0, hold_ms),
        "customerHoldTimes": [
            {"startTimestamp": _ts(s), "endTimestamp": _ts(e), "holdTime": _secs(s, e)}
            for s, e in holds
        ],
        "customerHoldAbandoned": False,
        "customerConversationTime": _secs(0, conversation_ms),
        "customerTalkTime": _secs(0, conversation_ms - hold_ms),
        "customerTalkTimes": talk_spans,
        "customerSatisfactionScore": csat,
        "dispositionId": disposition[0],
        "dispositionName": disposition[1],
        "segments": segment_list,
        "queues": queue_list,
        "agents": agent_list,
        "details": {
            "endTimestamp": _ts(end),
            "interactionId": interaction_id,
            "contactPoint": CONTACT_POINT,
            "customer": customer,
            "csat": csat,
            "startTimestamp": _ts(start),
            "direction": "inbound",
            "contactId": contact_id,
            "channelType": "voice",
        },
        "updated": _ts(end + rng.randint(1_000, 90_000)),
    }

    if flagged:
        last = agent_list[-1]
        last.pop("endTimestamp", None)
        last.pop("agentWorkCancelTime", None)
        flag_at = end + 2 * 3600 * 1000 + rng.randrange(60_000)
        payload["flagged"] = True
        payload["flagType"] = "Agent"
        payload["flagTimestamp"] = _ts(flag_at)
        payload["updated"] = _ts(flag_at + rng.randint(100, 5_000))

    return payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a synthetic CxEngage interaction as JSON.")
    parser.add_argument(
        "segments", nargs="?", type=int, default=3, help="number of segments (default 3)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tenant-id", default=DEFAULT_TENANT_ID)
    parser.add_argument(
        "--flagged", action="store_true", help="leave the last agent allocation open"
    )
    parser.add_argument("--indent", type=int, default=2)
    args = parser.parse_args(argv)
    if args.segments < 1:
        parser.error("segments must be at least 1")
    payload = generate_interaction(
        args.segments, seed=args.seed, tenant_id=args.tenant_id, flagged=args.flagged
    )
    sys.stdout.write(json.dumps(payload, indent=args.indent or None) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
