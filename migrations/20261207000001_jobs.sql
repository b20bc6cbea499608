-- Background work kept in PostgreSQL, so that any number of servers on one database share it:
-- a job is claimed with FOR UPDATE SKIP LOCKED and held by a lease (locked_until). A worker
-- that dies mid-job leaves its lease to run out, and the job is claimed again. A failed job
-- waits (run_at moves on, by a back-off) and is tried again; one that keeps failing is parked
-- with its last error, for admins to see.
create table jobs (
    id bigint generated always as identity primary key,
    kind text not null check (length(kind) between 1 and 64),
    payload jsonb not null default '{}',
    -- At most one job that is not done per key (a reminder's occurrence, a delivery).
    dedupe_key text check (length(dedupe_key) <= 300),
    run_at timestamptz not null default now(),
    attempts integer not null default 0,
    max_attempts integer not null default 8 check (max_attempts between 1 and 100),
    locked_by text check (length(locked_by) <= 200),
    locked_until timestamptz,
    last_error text check (length(last_error) <= 2000),
    created_at timestamptz not null default now(),
    done_at timestamptz,
    parked_at timestamptz
);

-- The jobs a worker may claim, soonest first.
create index jobs_waiting_idx on jobs (run_at) where done_at is null and parked_at is null;
create unique index jobs_dedupe_idx on jobs (dedupe_key) where dedupe_key is not null;
-- Parked jobs, newest first, for the admin page.
create index jobs_parked_idx on jobs (parked_at desc) where parked_at is not null;

-- Webhooks: endpoints admins register, the events each asked for (wire names such as
-- 'project.moved'), and the secret deliveries are signed with (shown once, at creation).
create table webhooks (
    id uuid primary key default gen_random_uuid(),
    url text not null check (length(url) between 1 and 2000),
    events text[] not null check (cardinality(events) between 1 and 20),
    secret text not null check (length(secret) <= 200),
    created_by uuid references accounts (id),
    created_at timestamptz not null default now(),
    -- Deleted endpoints keep their deliveries' history and get no new ones.
    deleted_at timestamptz
);

-- One message to one endpoint: the audit event it tells of, the body as sent (the same bytes
-- on every try), and how its tries went.
create table webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    webhook_id uuid not null references webhooks (id),
    -- The audit event told of (not a foreign key: the trail refuses truncation on its own terms).
    event_id bigint not null,
    event_type text not null check (length(event_type) <= 64),
    project_id uuid not null,
    body text not null,
    status text not null default 'pending'
        check (status in ('pending', 'delivered', 'failing', 'parked')),
    attempts integer not null default 0,
    response_code integer,
    duration_ms integer,
    last_error text check (length(last_error) <= 2000),
    created_at timestamptz not null default now(),
    last_attempt_at timestamptz,
    delivered_at timestamptz,
    unique (webhook_id, event_id)
);
create index webhook_deliveries_newest_idx on webhook_deliveries (created_at desc, id);

-- How far the dispatcher has read the audit trail: the same (transaction, id) position a
-- reader of /api/v1/events keeps. One row; whoever locks it dispatches.
create table webhook_feed (
    only_row boolean primary key default true check (only_row),
    tx xid8 not null,
    event_id bigint not null
);
-- Webhooks tell of what happens from now on, not of the history before them.
insert into webhook_feed (tx, event_id)
select coalesce(last.tx_id, '0'::xid8), coalesce(last.id, 0)
from (select 1) one
left join lateral (
    select tx_id, id from audit_events
    where entity_type = 'project' and tx_id < pg_snapshot_xmin(pg_current_snapshot())
    order by tx_id desc, id desc
    limit 1
) last on true;

-- Whether endpoints on loopback and private networks may be called (off: a webhook cannot be
-- aimed at the server's neighbours).
create table webhook_settings (
    only_row boolean primary key default true check (only_row),
    allow_private boolean not null default false
);
insert into webhook_settings default values;
