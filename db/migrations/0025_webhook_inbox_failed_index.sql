-- The inbox's failed deliveries, counted by every /metrics scrape and every overview page
-- (`WebhookInbox.counts`): without an index the count read the whole table, payloads included, on each call —
-- 11 ms for 48,000 deliveries, growing with every delivery kept for the retention period. Failed deliveries are
-- few, so the partial index is small; the pending count already has `webhook_inbox_due_by_tenant`.
CREATE INDEX webhook_inbox_failed ON webhook_inbox (tenant_id) WHERE status = 'failed';
