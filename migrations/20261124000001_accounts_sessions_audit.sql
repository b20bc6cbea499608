-- Helpers shared by every table: keep updated_at honest without trusting callers.
create function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

create type account_role as enum ('admin', 'editor', 'reviewer', 'viewer');

create table accounts (
    id             uuid primary key default gen_random_uuid(),
    email          text not null,
    display_name   text not null,
    role           account_role not null,
    password_hash  text not null,
    active         boolean not null default true,
    deactivated_at timestamptz,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint accounts_email_not_blank check (length(btrim(email)) > 0),
    constraint accounts_display_name_not_blank check (length(btrim(display_name)) > 0),
    constraint accounts_deactivated_at_matches_active
        check ((active and deactivated_at is null) or (not active and deactivated_at is not null))
);
-- Emails are unique regardless of case: "Ana@Example.com" and "ana@example.com" are one person.
create unique index accounts_email_key on accounts (lower(email));
create trigger accounts_set_updated_at before update on accounts
    for each row execute function set_updated_at();

-- A session row exists only while the session is valid; the cookie carries a random token and
-- the table holds only its SHA-256, so a database leak does not leak live sessions.
create table sessions (
    token_hash   bytea primary key,
    account_id   uuid not null references accounts (id) on delete cascade,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at   timestamptz not null,
    constraint sessions_expiry_after_creation check (expires_at > created_at)
);
create index sessions_account_id_idx on sessions (account_id);
create trigger sessions_set_updated_at before update on sessions
    for each row execute function set_updated_at();

-- Failed sign-in attempts, keyed by the normalised email typed (known or not), for throttling.
create table login_failures (
    id         bigint generated always as identity primary key,
    email_key  text not null,
    failed_at  timestamptz not null default now(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index login_failures_email_key_failed_at_idx on login_failures (email_key, failed_at desc);

-- The append-only audit trail: who changed what, when, before -> after.
create table audit_events (
    id          bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor_id    uuid references accounts (id),
    entity_type text not null,
    entity_id   uuid not null,
    action      text not null,
    changes     jsonb not null default '{}'::jsonb,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);
create index audit_events_entity_idx on audit_events (entity_type, entity_id, id);

create function refuse_audit_change() returns trigger
language plpgsql as $$
begin
    raise exception 'audit events are append-only'
        using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_events_append_only
    before update or delete on audit_events
    for each row execute function refuse_audit_change();
create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function refuse_audit_change();
