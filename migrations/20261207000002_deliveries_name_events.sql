-- A delivery names the audit event it tells of by id, without a foreign key: a key on
-- audit_events made TRUNCATE fail on the key before the trail's own append-only refusal.
alter table webhook_deliveries drop constraint if exists webhook_deliveries_event_id_fkey;
