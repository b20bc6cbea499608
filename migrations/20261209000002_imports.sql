-- Imports: an uploaded spreadsheet, read and planned row by row (the preview), then applied by
-- a background job with its progress kept here, so a reload shows where it stands.
create table imports (
    id uuid primary key default gen_random_uuid(),
    file_name text not null check (length(file_name) between 1 and 255),
    created_by uuid not null references accounts (id),
    created_at timestamptz not null default now(),
    -- The file as read: its header row, the fields chosen for its columns, its rows (each with
    -- its row number), and the preview's verdict on each row.
    headers jsonb not null,
    mapping jsonb not null,
    rows jsonb not null,
    report jsonb not null,
    status text not null default 'previewed'
        check (status in ('previewed', 'running', 'done', 'failed')),
    all_or_nothing boolean not null default false,
    rows_total integer not null check (rows_total >= 0),
    rows_done integer not null default 0,
    summary jsonb,
    finished_at timestamptz
);
create index imports_newest_idx on imports (created_at desc);

-- A stage reached by an import rather than through its gate: recorded like an override (what
-- was missing), so the project shows gate_gap with the reason "imported".
alter table gate_overrides add column imported boolean not null default false;
