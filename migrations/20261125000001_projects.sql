-- Projects, their per-stage owners and the history of stage moves and handoffs.

create type project_stage as enum ('define', 'design', 'build', 'deploy');
create type project_status as enum ('active', 'paused', 'cancelled', 'retired');
create type risk_tier as enum ('low', 'medium', 'high');

create table projects (
    id                uuid primary key default gen_random_uuid(),
    name              text not null,
    team              text not null,
    summary           text not null default '',
    problem_statement text not null default '',
    success_metric    text not null default '',
    success_target    text not null default '',
    baseline_metric   text not null default '',
    baseline_method   text not null default '',
    data_readiness    text not null default '',
    fallback_plan     text not null default '',
    monitoring_owner  text not null default '',
    risk_tier         risk_tier not null default 'medium',
    stage             project_stage not null default 'define',
    status            project_status not null default 'active',
    stage_entered_at  timestamptz not null default now(),
    -- Optimistic concurrency: every change bumps it; a save based on an older one is refused.
    version           integer not null default 1,
    created_by        uuid references accounts (id),
    updated_by        uuid references accounts (id),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint projects_name_present check (char_length(btrim(name)) between 1 and 120),
    constraint projects_team_present check (char_length(btrim(team)) between 1 and 200),
    constraint projects_version_positive check (version > 0)
);
create unique index projects_name_key on projects (lower(name));
create index projects_stage_idx on projects (stage, lower(name));
create index projects_status_idx on projects (status);
create index projects_team_idx on projects (lower(team));
create index projects_updated_at_idx on projects (updated_at desc);
create trigger projects_set_updated_at before update on projects
    for each row execute function set_updated_at();

-- The accountable owner of each stage; the project's current owner owns its current stage.
create table stage_owners (
    project_id  uuid not null references projects (id) on delete cascade,
    stage       project_stage not null,
    owner_id    uuid not null references accounts (id),
    assigned_by uuid references accounts (id),
    assigned_at timestamptz not null default now(),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint stage_owners_pkey primary key (project_id, stage)
);
create index stage_owners_owner_idx on stage_owners (owner_id);
create trigger stage_owners_set_updated_at before update on stage_owners
    for each row execute function set_updated_at();

-- Every assignment and handoff, kept for the project page and for later rules
-- (a reviewer who ever owned a stage of a high-risk project is not independent).
create table ownership_changes (
    id            bigint generated always as identity primary key,
    project_id    uuid not null references projects (id) on delete cascade,
    stage         project_stage not null,
    from_owner_id uuid references accounts (id),
    to_owner_id   uuid not null references accounts (id),
    changed_by    uuid references accounts (id),
    changed_at    timestamptz not null default now(),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create index ownership_changes_project_idx on ownership_changes (project_id, changed_at);
create index ownership_changes_to_owner_idx on ownership_changes (to_owner_id);

-- Every stage move, forward or back, with the pivot note.
create table stage_moves (
    id          bigint generated always as identity primary key,
    project_id  uuid not null references projects (id) on delete cascade,
    from_stage  project_stage not null,
    to_stage    project_stage not null,
    note        text not null default '',
    moved_by    uuid references accounts (id),
    moved_at    timestamptz not null default now(),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint stage_moves_changes_stage check (from_stage <> to_stage)
);
create index stage_moves_project_idx on stage_moves (project_id, moved_at);
