-- Governance records: demo checkpoints, user-research evidence, explainability sign-offs and
-- model-risk reviews. A record is never deleted: it can be corrected (audited) or withdrawn
-- (kept, marked, audited), so gates and flags can tell what counted and when.

create type demo_outcome as enum ('continue', 'pivot', 'stop');
create type research_kind as enum ('interview', 'survey', 'usability_test', 'shadowing', 'data_analysis', 'other');
create type signoff_decision as enum ('approved', 'changes_requested', 'rejected');
create type review_decision as enum ('approved', 'approved_with_conditions', 'rejected');

create table demo_checkpoints (
    id              uuid primary key default gen_random_uuid(),
    project_id      uuid not null references projects (id) on delete cascade,
    held_on         date not null,
    summary         text not null,
    attendees       text not null,
    outcome         demo_outcome not null,
    link            text not null default '',
    author_id       uuid not null references accounts (id),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid references accounts (id),
    withdraw_reason text not null default '',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint demo_checkpoints_summary_present check (char_length(btrim(summary)) > 0),
    constraint demo_checkpoints_withdrawal_complete check ((withdrawn_at is null) = (withdrawn_by is null))
);
create index demo_checkpoints_project_idx on demo_checkpoints (project_id, held_on desc) where withdrawn_at is null;
create trigger demo_checkpoints_set_updated_at before update on demo_checkpoints
    for each row execute function set_updated_at();

create table research_evidence (
    id                 uuid primary key default gen_random_uuid(),
    project_id         uuid not null references projects (id) on delete cascade,
    kind               research_kind not null,
    title              text not null,
    findings           text not null,
    participants       integer not null,
    held_on            date not null,
    link               text not null default '',
    author_id          uuid not null references accounts (id),
    withdrawn_at       timestamptz,
    withdrawn_by       uuid references accounts (id),
    withdraw_reason    text not null default '',
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    constraint research_evidence_title_present check (char_length(btrim(title)) > 0),
    constraint research_evidence_participants_range check (participants between 0 and 1000000),
    constraint research_evidence_withdrawal_complete check ((withdrawn_at is null) = (withdrawn_by is null))
);
create index research_evidence_project_idx on research_evidence (project_id, held_on desc) where withdrawn_at is null;
create trigger research_evidence_set_updated_at before update on research_evidence
    for each row execute function set_updated_at();

create table explainability_signoffs (
    id              uuid primary key default gen_random_uuid(),
    project_id      uuid not null references projects (id) on delete cascade,
    method          text not null,
    summary         text not null,
    decision        signoff_decision not null,
    decided_on      date not null,
    approver_id     uuid not null references accounts (id),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid references accounts (id),
    withdraw_reason text not null default '',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint explainability_signoffs_method_present check (char_length(btrim(method)) > 0),
    constraint explainability_signoffs_withdrawal_complete check ((withdrawn_at is null) = (withdrawn_by is null))
);
create index explainability_signoffs_project_idx on explainability_signoffs (project_id, decided_on desc) where withdrawn_at is null;
create trigger explainability_signoffs_set_updated_at before update on explainability_signoffs
    for each row execute function set_updated_at();

create table risk_reviews (
    id              uuid primary key default gen_random_uuid(),
    project_id      uuid not null references projects (id) on delete cascade,
    risk_tier       risk_tier not null,
    findings        text not null,
    decision        review_decision not null,
    reviewed_on     date not null,
    next_review_on  date not null,
    reviewer_id     uuid not null references accounts (id),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid references accounts (id),
    withdraw_reason text not null default '',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint risk_reviews_findings_present check (char_length(btrim(findings)) > 0),
    constraint risk_reviews_next_after_review check (next_review_on > reviewed_on),
    constraint risk_reviews_withdrawal_complete check ((withdrawn_at is null) = (withdrawn_by is null))
);
create index risk_reviews_project_idx on risk_reviews (project_id, reviewed_on desc) where withdrawn_at is null;
create trigger risk_reviews_set_updated_at before update on risk_reviews
    for each row execute function set_updated_at();

-- Admin-set thresholds for the health flags; one row, read on every evaluation.
create table health_settings (
    id                   boolean primary key default true,
    demo_cadence_days    integer not null default 31,
    stall_days           integer not null default 62,
    review_months_high   integer not null default 6,
    review_months_medium integer not null default 12,
    review_months_low    integer not null default 24,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    constraint health_settings_single_row check (id),
    constraint health_settings_positive check (
        demo_cadence_days > 0 and stall_days > 0 and review_months_high > 0
        and review_months_medium > 0 and review_months_low > 0)
);
insert into health_settings default values;
create trigger health_settings_set_updated_at before update on health_settings
    for each row execute function set_updated_at();

-- Admin overrides of a refused stage move, with the written justification.
create table gate_overrides (
    id            bigint generated always as identity primary key,
    project_id    uuid not null references projects (id) on delete cascade,
    stage         project_stage not null,
    missing       text[] not null,
    justification text not null,
    overridden_by uuid not null references accounts (id),
    overridden_at timestamptz not null default now(),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint gate_overrides_justified check (char_length(btrim(justification)) > 0)
);
create index gate_overrides_project_idx on gate_overrides (project_id, overridden_at desc);
