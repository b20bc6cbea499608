-- API tokens for the read-only REST export. The token itself is shown once at creation; only
-- its SHA-256 (hex) is kept. A revoked token stays listed (who made it, when it was last used).
create table api_tokens (
    id           uuid primary key default gen_random_uuid(),
    name         text not null,
    token_hash   text not null,
    -- The first characters of the token, so an admin can tell tokens apart.
    prefix       text not null,
    created_by   uuid not null references accounts (id),
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_by   uuid references accounts (id),
    constraint api_tokens_name_present check (char_length(btrim(name)) between 1 and 100),
    constraint api_tokens_hash_unique unique (token_hash),
    constraint api_tokens_revocation_complete check ((revoked_at is null) = (revoked_by is null))
);

-- The REST export pages projects by (created_at, id).
create index projects_created_idx on projects (created_at, id);
-- The team menus skip from one team to the next along this index (a few dozen probes, not a
-- scan of every project).
create index projects_team_name_idx on projects (lower(team), team);
-- The owner menus read the first few people who may own a stage, by name.
create index accounts_owner_menu_idx on accounts (lower(display_name), id)
    where active and role in ('editor', 'admin');

-- Every project's health flags on `today`: the one SQL definition lists filter by, the
-- portfolio counts and the export writes. It must agree with the Rust rules in
-- app/src/health (a test compares them over generated portfolios). Set-based: each record
-- table is read once and joined by hash, so a whole portfolio costs a few scans rather than
-- several index probes per project; a single SELECT, so the planner inlines it and pushes a
-- filter on one project down into each part.
create function project_health(today date)
returns table (
    project_id     uuid,
    ownerless      boolean,
    stalled        boolean,
    demo_overdue   boolean,
    review_overdue boolean,
    gate_gap       boolean,
    health         text,
    last_demo_on   date,
    next_review_on date
)
language sql stable as $$
  with t as (select * from health_settings),
  base as (
    select p.id, p.status, p.stage, p.risk_tier,
           (p.created_at at time zone 'UTC')::date as created_on,
           (p.stage_entered_at at time zone 'UTC')::date as entered_on,
           so.owner_id, o.active as owner_active,
           btrim(p.problem_statement) <> '' and btrim(p.success_metric) <> ''
             and btrim(p.success_target) <> '' as design_fields,
           btrim(p.baseline_metric) <> '' and btrim(p.baseline_method) <> ''
             and btrim(p.data_readiness) <> '' as build_fields,
           btrim(p.fallback_plan) <> '' and btrim(p.monitoring_owner) <> '' as deploy_fields,
           d.last_demo,
           r.project_id is not null as any_research,
           coalesce(s.decision = 'approved' and s.approver_id is distinct from so.owner_id, false) as signoff,
           v.decision as review_decision, v.reviewer_id, v.next_review_on
    from projects p
    left join stage_owners so on so.project_id = p.id and so.stage = p.stage
    left join accounts o on o.id = so.owner_id
    left join (select project_id, max(held_on) as last_demo from demo_checkpoints
               where withdrawn_at is null group by project_id) d on d.project_id = p.id
    left join (select distinct project_id from research_evidence
               where withdrawn_at is null) r on r.project_id = p.id
    left join (select distinct on (project_id) project_id, decision, approver_id
               from explainability_signoffs where withdrawn_at is null
               order by project_id, decided_on desc, created_at desc) s on s.project_id = p.id
    left join (select distinct on (project_id) project_id, decision, reviewer_id, next_review_on
               from risk_reviews where withdrawn_at is null
               order by project_id, reviewed_on desc, created_at desc) v on v.project_id = p.id
  ),
  flags as (
    select b.id, b.last_demo, b.next_review_on,
           (b.owner_id is null or not b.owner_active) as ownerless,
           (b.status = 'active' and today - greatest(b.entered_on, coalesce(b.last_demo, b.created_on), b.created_on)
              > t.stall_days) as stalled,
           (b.status = 'active' and today - coalesce(b.last_demo, b.created_on) > t.demo_cadence_days)
              as demo_overdue,
           coalesce(today > b.next_review_on, false) as review_overdue,
           case b.stage
             when 'define' then false
             when 'design' then not (b.design_fields and b.any_research)
             when 'build' then not (b.build_fields and b.last_demo is not null)
             else not (b.deploy_fields and b.signoff and coalesce(
               b.review_decision in ('approved', 'approved_with_conditions')
               and b.reviewer_id is distinct from b.owner_id
               and (b.risk_tier <> 'high' or not exists (
                     select 1 from ownership_changes c
                      where c.project_id = b.id and c.to_owner_id = b.reviewer_id)), false))
           end as gate_gap
    from base b cross join t
  )
  select f.id, f.ownerless, f.stalled, f.demo_overdue, f.review_overdue, f.gate_gap,
         case when f.ownerless or f.stalled then 'red'
              when f.demo_overdue or f.review_overdue or f.gate_gap then 'amber'
              else 'green' end,
         f.last_demo, f.next_review_on
  from flags f
$$;

-- Projects with their owner and health on `today`, filtered: the one definition of "which
-- projects" that the list page, the portfolio, the JSON API and the CSV export all use, so
-- their numbers agree. A null filter means "any".
create function project_rows(
    today         date,
    f_search      text default null,          -- an ILIKE pattern on the name
    f_stage       project_stage default null,
    f_status      project_status default null,
    f_team        text default null,          -- case-insensitive
    f_owner       uuid default null,          -- owner of the current stage
    f_no_owner    boolean default false,      -- only projects whose current stage has nobody
    f_health      text default null,          -- 'green' | 'amber' | 'red'
    f_flag        text default null,          -- a flag code
    f_tier        risk_tier default null,
    f_updated_since timestamptz default null,
    f_owner_email text default null           -- owner of the current stage, by email
)
returns table (
    id               uuid,
    name             text,
    team             text,
    stage            project_stage,
    status           project_status,
    risk_tier        risk_tier,
    owner_id         uuid,
    owner_name       text,
    owner_email      text,
    owner_active     boolean,
    stage_entered_at timestamptz,
    created_at       timestamptz,
    updated_at       timestamptz,
    last_demo_on     date,
    next_review_on   date,
    ownerless        boolean,
    stalled          boolean,
    demo_overdue     boolean,
    review_overdue   boolean,
    gate_gap         boolean,
    health           text,
    flags            text
)
language sql stable as $$
  select p.id, p.name, p.team, p.stage, p.status, p.risk_tier,
         o.id, o.display_name, o.email, o.active,
         p.stage_entered_at, p.created_at, p.updated_at,
         h.last_demo_on, h.next_review_on,
         h.ownerless, h.stalled, h.demo_overdue, h.review_overdue, h.gate_gap, h.health,
         concat_ws(' ',
           case when h.ownerless then 'ownerless' end,
           case when h.stalled then 'stalled' end,
           case when h.demo_overdue then 'demo_overdue' end,
           case when h.review_overdue then 'review_overdue' end,
           case when h.gate_gap then 'gate_gap' end)
  from projects p
  join project_health(today) h on h.project_id = p.id
  left join stage_owners so on so.project_id = p.id and so.stage = p.stage
  left join accounts o on o.id = so.owner_id
  where (f_search is null or p.name ilike f_search)
    and (f_stage is null or p.stage = f_stage)
    and (f_status is null or p.status = f_status)
    and (f_team is null or lower(p.team) = lower(f_team))
    and (f_owner is null or so.owner_id = f_owner)
    and (not f_no_owner or so.owner_id is null)
    and (f_health is null or h.health = f_health)
    and (f_flag is null
         or (f_flag = 'ownerless' and h.ownerless) or (f_flag = 'stalled' and h.stalled)
         or (f_flag = 'demo_overdue' and h.demo_overdue) or (f_flag = 'review_overdue' and h.review_overdue)
         or (f_flag = 'gate_gap' and h.gate_gap))
    and (f_tier is null or p.risk_tier = f_tier)
    and (f_updated_since is null or p.updated_at >= f_updated_since)
    and (f_owner_email is null or lower(o.email) = lower(f_owner_email))
$$;

-- One row per project as the CSV export carries it, in export order (oldest first). The CSV
-- endpoint streams exactly these columns; the benchmark compares it with psql's COPY of them.
create function project_export(
    today           date,
    f_stage         project_stage default null,
    f_team          text default null,
    f_owner         uuid default null,
    f_no_owner      boolean default false,
    f_health        text default null,
    f_flag          text default null,
    f_tier          risk_tier default null,
    f_updated_since timestamptz default null,
    f_owner_email   text default null
)
returns table (
    id               uuid,
    name             text,
    team             text,
    stage            text,
    status           text,
    risk_tier        text,
    owner_name       text,
    owner_email      text,
    stage_entered_on date,
    days_in_stage    integer,
    last_demo_on     date,
    next_review_on   date,
    health           text,
    flags            text,
    created_at       timestamptz,
    updated_at       timestamptz
)
language sql stable as $$
  select r.id, r.name, r.team, r.stage::text, r.status::text, r.risk_tier::text,
         r.owner_name, r.owner_email,
         (r.stage_entered_at at time zone 'UTC')::date,
         today - (r.stage_entered_at at time zone 'UTC')::date,
         r.last_demo_on, r.next_review_on, r.health, r.flags, r.created_at, r.updated_at
  from project_rows(today, f_stage => f_stage, f_team => f_team, f_owner => f_owner,
                    f_no_owner => f_no_owner, f_health => f_health, f_flag => f_flag, f_tier => f_tier,
                    f_updated_since => f_updated_since, f_owner_email => f_owner_email) r
  order by r.created_at, r.id
$$;
