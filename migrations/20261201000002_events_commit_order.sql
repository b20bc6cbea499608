-- The events feed hands out an audit event only once no transaction that could precede it is
-- still open: each event carries the id of the transaction that wrote it, and the feed pages
-- by (transaction, id) up to the oldest transaction still running. Existing events share this
-- migration's transaction id, which precedes every later one, so their order is kept.
alter table audit_events add column tx_id xid8 not null default pg_current_xact_id();
create index audit_events_feed_idx on audit_events (tx_id, id) where entity_type = 'project';
