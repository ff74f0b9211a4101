"""The interaction index: one summary row per interaction, with its queue
visits, agent legs and CRM hooks, kept fresh by the sync worker.

Built from the parsed domain objects (never from the API's JSON directly).
Unknown or unreadable values are NULL, never invented; figures computed by the
dashboard rather than sent by the API are named ``*_computed``.
"""

from __future__ import annotations

from django.db import models


class IndexedInteraction(models.Model):
    tenant_id = models.CharField(max_length=36)
    interaction_id = models.CharField(max_length=36)
    start = models.DateTimeField(null=True)
    end = models.DateTimeField(null=True)
    channel = models.CharField(max_length=32, blank=True, default="")
    direction = models.CharField(max_length=16, blank=True, default="")
    #: Normalised for search: digits only for a phone number, lower case for an email.
    customer_key = models.CharField(max_length=255, blank=True, default="")
    #: A phone number's last 7 digits ('' otherwise): a search typed without the country
    #: code matches on it (``phone.customer_tail``). The database default keeps writers
    #: that do not name it (bulk loads) working.
    customer_tail = models.CharField(max_length=7, blank=True, default="", db_default="")
    #: As the API sent it (shown to viewers allowed to see it; masked otherwise).
    customer = models.CharField(max_length=255, blank=True, default="")
    contact_point = models.CharField(max_length=255, blank=True, default="")
    contact_id = models.CharField(max_length=64, blank=True, default="")
    flow_id = models.CharField(max_length=64, blank=True, default="")
    flow_name = models.CharField(max_length=255, blank=True, default="")
    flagged = models.BooleanField(default=False)
    flag_type = models.CharField(max_length=100, blank=True, default="")
    data_complete = models.BooleanField(null=True)
    disposition = models.CharField(max_length=255, blank=True, default="")
    csat = models.FloatField(null=True)
    #: Seconds, as sent by the API (interactionTime, ivrTime, holdTime); NULL when not sent.
    total_seconds = models.FloatField(null=True)
    ivr_seconds = models.FloatField(null=True)
    hold_seconds = models.FloatField(null=True)
    hold_count = models.IntegerField(null=True)
    transfers = models.IntegerField(null=True)
    #: Did the customer hang up while waiting in a queue (any visit abandoned)?
    abandoned = models.BooleanField(null=True)
    #: Names of the agents who handled it, in order, for lists (comma-separated).
    agent_names = models.CharField(max_length=500, blank=True, default="")
    #: The span of start times the list endpoint was asked for when it listed this
    #: interaction (start <= its start < end, as the API reads it): where the flagged list
    #: places an interaction whose own start could not be read. NULL when not read from a
    #: list page.
    listed_from = models.DateTimeField(null=True)
    listed_to = models.DateTimeField(null=True)
    #: A hash of the raw JSON it was built from: a re-read that changed nothing writes nothing.
    source_hash = models.CharField(max_length=64)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "interaction_id"], name="index_one_row")
        ]
        indexes = [
            models.Index(fields=["tenant_id", "-start"], name="ix_tenant_start"),
            models.Index(fields=["tenant_id", "customer_key", "-start"], name="ix_customer"),
            models.Index(fields=["tenant_id", "flow_name", "-start"], name="ix_flow"),
            models.Index(fields=["tenant_id", "contact_id"], name="ix_contact"),
            models.Index(fields=["tenant_id", "data_complete"], name="ix_incomplete"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.interaction_id}"


class QueueVisit(models.Model):
    interaction = models.ForeignKey(
        IndexedInteraction, on_delete=models.CASCADE, related_name="queue_visits"
    )
    tenant_id = models.CharField(max_length=36)
    queue_id = models.CharField(max_length=64, blank=True, default="")
    queue_name = models.CharField(max_length=255, blank=True, default="")
    entered_at = models.DateTimeField(null=True)
    exited_at = models.DateTimeField(null=True)
    entry_type = models.CharField(max_length=64, blank=True, default="")
    exit_type = models.CharField(max_length=64, blank=True, default="")
    #: queueTime as sent, seconds; NULL when not sent or unreadable.
    wait_seconds = models.FloatField(null=True)
    abandoned = models.BooleanField(null=True)
    sla_time = models.FloatField(null=True)
    sla_abandoned = models.BooleanField(null=True)
    #: A direct transfer (queue type "resource"): an agent's own line, which the API names
    #: after the agent. Not a queue: left out of queue names, filters and comparisons.
    direct = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["tenant_id", "queue_name", "-entered_at"], name="ix_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.queue_name or self.queue_id} at {self.entered_at}"


class AgentLeg(models.Model):
    interaction = models.ForeignKey(
        IndexedInteraction, on_delete=models.CASCADE, related_name="agent_legs"
    )
    tenant_id = models.CharField(max_length=36)
    agent_id = models.CharField(max_length=64, blank=True, default="")
    agent_name = models.CharField(max_length=255, blank=True, default="")
    queue_name = models.CharField(max_length=255, blank=True, default="")
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    #: The time with the customer, as the interaction's page counts it: ended_at -
    #: started_at, computed by the dashboard; NULL when either end is missing or out of
    #: order, and where the agent never had the customer (an offer never accepted, a call
    #: nobody answered) or the time is counted in another leg (one lying within an earlier
    #: allocation of the same agent's).
    seconds_computed = models.FloatField(null=True)
    #: Offered the work and never accepted it (withdrawn, or timed out while the customer
    #: kept waiting): the agent never had the customer. Found by a search for the agent
    #: (the row says so), never counted as handling it.
    offered_only = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["tenant_id", "agent_name", "-started_at"], name="ix_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_name or self.agent_id} at {self.started_at}"


class Hook(models.Model):
    interaction = models.ForeignKey(
        IndexedInteraction, on_delete=models.CASCADE, related_name="hooks"
    )
    tenant_id = models.CharField(max_length=36)
    hook_type = models.CharField(max_length=64, blank=True, default="")
    hook_sub_type = models.CharField(max_length=64, blank=True, default="")
    hook_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["tenant_id", "hook_type", "hook_id"], name="ix_hook"),
        ]

    def __str__(self) -> str:
        return f"{self.hook_type}/{self.hook_id}"


class SyncState(models.Model):
    """Where the sync worker is, per tenant."""

    tenant_id = models.CharField(max_length=36, unique=True)
    #: Everything that started before this instant has been stored (minus the overlap).
    synced_until = models.DateTimeField(null=True)
    #: The oldest instant a backfill asked for, and how far back it has got.
    backfill_from = models.DateTimeField(null=True)
    backfilled_to = models.DateTimeField(null=True)
    last_pass_started = models.DateTimeField(null=True)
    last_pass_finished = models.DateTimeField(null=True)
    last_pass_stored = models.IntegerField(default=0)
    last_pass_skipped = models.IntegerField(default=0)
    last_pass_api_calls = models.IntegerField(default=0)
    #: List rows the last pass could not read (logged with their IDs) and in-progress
    #: interactions it re-read singly.
    last_pass_unreadable = models.IntegerField(default=0)
    last_pass_reread = models.IntegerField(default=0)
    #: When a pass last listed the recent hours again for late flags and ends
    #: (``INDEX_SYNC_LATE_HOURS``).
    late_swept_at = models.DateTimeField(null=True)
    #: The tenant's configured zone as the list endpoint names it (an IANA name), if it does.
    tenant_timezone = models.CharField(max_length=64, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True)
    errors_total = models.IntegerField(default=0)
    #: The last read of the API's SLA configuration (``sla_source.py``): when, and
    #: what came of it ("read", "not permitted", "not available", or the failure).
    slas_read_at = models.DateTimeField(null=True)
    slas_outcome = models.CharField(max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return self.tenant_id


class QueueSla(models.Model):
    """A queue's service-level threshold, entered by an admin where the API's SLA
    endpoints cannot be read."""

    tenant_id = models.CharField(max_length=36)
    queue_name = models.CharField(max_length=255)
    threshold_seconds = models.FloatField()
    #: Whether an abandoned visit counts against the SLA (the API's count-against-sla).
    abandons_count = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "queue_name"], name="index_one_sla")
        ]
        verbose_name = "queue SLA"

    def __str__(self) -> str:
        return f"{self.queue_name}: {self.threshold_seconds:g} s"


class ApiSla(models.Model):
    """A queue's SLA threshold as the API's configuration gives it (the queue's
    version names an SLA, or the tenant's default; the SLA's active version has the
    threshold). Replaced as a whole for a tenant at each read; preferred over
    ``QueueSla`` for the same queue."""

    tenant_id = models.CharField(max_length=36)
    queue_id = models.CharField(max_length=64)
    queue_name = models.CharField(max_length=255, blank=True, default="")
    sla_id = models.CharField(max_length=64)
    sla_name = models.CharField(max_length=255, blank=True, default="")
    threshold_seconds = models.FloatField()
    #: The API's ``abandonType``: count-against-sla (True), ignore-abandons (False),
    #: anything else or missing (None: unknown).
    abandons_count = models.BooleanField(null=True)
    #: The API's ``abandonThreshold``: abandons sooner than this many seconds are not
    #: counted (None when not sent).
    abandon_threshold = models.FloatField(null=True)
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "queue_id"], name="index_one_api_sla")
        ]
        verbose_name = "queue SLA from the API"

    def __str__(self) -> str:
        return f"{self.queue_name or self.queue_id}: {self.threshold_seconds:g} s ({self.sla_name})"
