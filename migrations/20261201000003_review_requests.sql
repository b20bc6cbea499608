-- A product manager asks a named reviewer (or any reviewer) for an explainability sign-off or
-- a model-risk review. Recording that decision closes the request; a request can be withdrawn.
create table review_requests (
    id            uuid primary key default gen_random_uuid(),
    project_id    uuid not null references projects (id) on delete cascade,
    kind          text not null,
    reviewer_id   uuid references accounts (id),
    requested_by  uuid not null references accounts (id),
    due_on        date,
    note          text not null default '',
    closed_at     timestamptz,
    closed_by     uuid references accounts (id),
    closed_record uuid,
    withdrawn_at  timestamptz,
    withdrawn_by  uuid references accounts (id),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint review_requests_kind check (kind in ('signoff', 'review')),
    constraint review_requests_note_length check (length(note) <= 5000),
    constraint review_requests_closed_or_withdrawn check (closed_at is null or withdrawn_at is null)
);
create index review_requests_open_by_project_idx on review_requests (project_id)
    where closed_at is null and withdrawn_at is null;
create index review_requests_open_by_reviewer_idx on review_requests (reviewer_id)
    where closed_at is null and withdrawn_at is null;
create trigger review_requests_set_updated_at before update on review_requests
    for each row execute function set_updated_at();
