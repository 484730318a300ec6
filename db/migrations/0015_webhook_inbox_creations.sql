-- The inbox processor looks up a customer's `customer.created` delivery when an event of a customer it has never
-- observed comes first (the creation's delivery held by a dead processor's lease, delayed, or listed later by the
-- catch-up): the creation's own copy is recorded first, so the customer is matched as it was created. This index
-- serves that lookup: one probe per delivery of a customer event, only creations indexed.
CREATE INDEX webhook_inbox_creations ON webhook_inbox (tenant_id, object_id) WHERE event_type = 'customer.created';
