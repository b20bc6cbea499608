-- Notifications: what Tollgate told each person (reminders, escalations, the weekly digest),
-- kept in the app whether or not it was also emailed. A reminder is about one occurrence of a
-- cause (a demo due on a day, a project stalled since a day), so each person gets it once:
-- `occurrence_key` is unique per recipient.
create table notifications (
    id bigint generated always as identity primary key,
    account_id uuid not null references accounts (id),
    kind text not null check (length(kind) between 1 and 40),
    project_id uuid references projects (id) on delete cascade,
    occurrence_key text not null check (length(occurrence_key) between 1 and 300),
    subject text not null check (length(subject) between 1 and 300),
    -- What the message says: an introduction and its items, each with the page it links to.
    message jsonb not null,
    -- 'in_app' (not emailed: no SMTP, or the person asked for none), 'queued', 'sent'.
    email text not null default 'in_app' check (email in ('in_app', 'queued', 'sent')),
    created_at timestamptz not null default now(),
    read_at timestamptz,
    unique (account_id, occurrence_key)
);
create index notifications_newest_idx on notifications (account_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (account_id) where read_at is null;

-- What each person wants by email. No row: the defaults (reminders and the digest on).
create table notification_preferences (
    account_id uuid primary key references accounts (id),
    email_reminders boolean not null default true,
    weekly_digest boolean not null default true,
    updated_at timestamptz not null default now()
);

-- How far the reminder scan has looked: the instant of its last run (projects whose signals
-- changed since are looked at again) and the day it ran for (a clock that turns on a later day
-- is looked at when that day comes). One row.
create table notification_scan (
    only_row boolean primary key default true check (only_row),
    scanned_at timestamptz not null,
    scanned_day date not null
);
-- Reminders are about what happens from now on: nothing already overdue is announced at once.
insert into notification_scan (scanned_at, scanned_day) values (now(), current_date);

-- The flags webhooks were told of, per project (flag.raised when one appears here, flag.cleared
-- when it goes). Started with today's flags, so only changes from now on are announced.
create table flags_announced (
    project_id uuid not null references projects (id) on delete cascade,
    code text not null check (length(code) <= 40),
    since date not null,
    primary key (project_id, code)
);
insert into flags_announced (project_id, code, since)
select p.id, f.code, f.since
from projects p
cross join lateral (values
    ('ownerless', p.ownerless_on),
    ('stalled', p.stalled_on),
    ('demo_overdue', p.demo_overdue_on),
    ('review_overdue', p.review_overdue_on),
    ('gate_gap', p.gate_gap_on)
) f (code, since)
where f.since <= current_date;
