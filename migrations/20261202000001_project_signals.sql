-- Health signals, computed once per change (by the Rust rules in app/src/health/signals.rs) and
-- stored in the same transaction as the change. For each flag: the day it turns true (its
-- onset), or null when it never does with these facts. A project's health on any day is its
-- onsets compared with that day, so nothing is recomputed because a day passed.
--
-- A project's current signals are columns of its row (so lists filter and count them without
-- a join); the write that changes them copies the previous values into
-- `project_signals_history`, closed at the same instant. So the flags of any project on any
-- past day are one indexed lookup. `signals_from` is when the current values were computed
-- (null until the first computation).
alter table projects
    add column signals_from      timestamptz,
    add column ownerless_on      date,
    add column stalled_on        date,
    add column demo_overdue_on   date,
    add column review_overdue_on date,
    add column gate_gap_on       date,
    -- The first day any red flag (ownerless, stalled) or any flag at all is true: health on a
    -- day is one comparison each.
    add column red_on            date,
    add column flagged_on        date,
    -- What the reasons say.
    add column ownerless_reason  text,
    add column gate_gap_reason   text,
    add column progress_on       date,
    add column last_demo_on      date,
    add column review_due_on     date;

-- One project's signals, as the rules computed them.
create type project_signal_values as (
    project_id        uuid,
    ownerless_on      date,
    stalled_on        date,
    demo_overdue_on   date,
    review_overdue_on date,
    gate_gap_on       date,
    red_on            date,
    flagged_on        date,
    ownerless_reason  text,
    gate_gap_reason   text,
    progress_on       date,
    last_demo_on      date,
    review_due_on     date
);

create table project_signals_history (
    project_id        uuid not null references projects (id) on delete cascade,
    valid_from        timestamptz not null,
    valid_to          timestamptz not null,
    ownerless_on      date,
    stalled_on        date,
    demo_overdue_on   date,
    review_overdue_on date,
    gate_gap_on       date,
    red_on            date,
    flagged_on        date,
    ownerless_reason  text,
    gate_gap_reason   text,
    progress_on       date,
    last_demo_on      date,
    review_due_on     date,
    primary key (project_id, valid_from),
    constraint project_signals_history_interval check (valid_to >= valid_from)
);

-- "Flagged on a day" filters and counts read only the projects whose onset has come.
create index projects_stalled_idx on projects (stalled_on);
create index projects_ownerless_idx on projects (ownerless_on);
create index projects_demo_overdue_idx on projects (demo_overdue_on);
create index projects_review_overdue_idx on projects (review_overdue_on);
create index projects_gate_gap_idx on projects (gate_gap_on);
create index projects_red_idx on projects (red_on);
create index projects_flagged_idx on projects (flagged_on);
-- The portfolio reads every selected project's stage, team, dates and onsets: from this index
-- alone (an index-only scan), not from the wide project rows with all their texts.
create index projects_portfolio_idx on projects (stage, stage_entered_at)
    include (id, name, team, status, risk_tier, updated_at, red_on, flagged_on, ownerless_on,
             stalled_on, demo_overdue_on, review_overdue_on, gate_gap_on);
-- Its attention lists, oldest in their stage first, walk the projects in order of entry.
create index projects_entered_idx on projects (stage_entered_at, id);

-- Record lists show withdrawn records too, and the rules ask when the last record of a kind
-- was withdrawn: index every row by project (the older indexes cover only standing records).
create index demo_checkpoints_all_idx on demo_checkpoints (project_id, withdrawn_at);
create index research_evidence_all_idx on research_evidence (project_id, withdrawn_at);
create index explainability_signoffs_all_idx on explainability_signoffs (project_id, withdrawn_at);
create index risk_reviews_all_idx on risk_reviews (project_id, withdrawn_at);

-- Stores freshly computed signals (parallel arrays, one element a project): a project whose
-- signals differ from its current ones has those copied into the history, closed now, and the
-- new ones made current, at one instant; an unchanged project is left alone. The caller holds
-- the projects' locks.
create function store_signals(
    p_ids               uuid[],
    p_ownerless_on      date[],
    p_stalled_on        date[],
    p_demo_overdue_on   date[],
    p_review_overdue_on date[],
    p_gate_gap_on       date[],
    p_red_on            date[],
    p_flagged_on        date[],
    p_ownerless_reason  text[],
    p_gate_gap_reason   text[],
    p_progress_on       date[],
    p_last_demo_on      date[],
    p_review_due_on     date[]
)
returns void
language plpgsql as $$
declare
  at    timestamptz := clock_timestamp();
  fresh project_signal_values[];
begin
  select array_agg(row(n.*)::project_signal_values)
  into fresh
  from unnest(p_ids, p_ownerless_on, p_stalled_on, p_demo_overdue_on, p_review_overdue_on,
              p_gate_gap_on, p_red_on, p_flagged_on, p_ownerless_reason, p_gate_gap_reason,
              p_progress_on, p_last_demo_on, p_review_due_on) as n;

  insert into project_signals_history
  select p.id, p.signals_from, at, p.ownerless_on, p.stalled_on, p.demo_overdue_on,
         p.review_overdue_on, p.gate_gap_on, p.red_on, p.flagged_on, p.ownerless_reason,
         p.gate_gap_reason, p.progress_on, p.last_demo_on, p.review_due_on
  from projects p join unnest(fresh) n on n.project_id = p.id
  where p.signals_from is not null
    and (p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on, p.gate_gap_on,
         p.red_on, p.flagged_on, p.ownerless_reason, p.gate_gap_reason, p.progress_on,
         p.last_demo_on, p.review_due_on)
        is distinct from
        (n.ownerless_on, n.stalled_on, n.demo_overdue_on, n.review_overdue_on, n.gate_gap_on,
         n.red_on, n.flagged_on, n.ownerless_reason, n.gate_gap_reason, n.progress_on,
         n.last_demo_on, n.review_due_on)
  on conflict (project_id, valid_from) do nothing;

  update projects p
     set signals_from = at, ownerless_on = n.ownerless_on, stalled_on = n.stalled_on,
         demo_overdue_on = n.demo_overdue_on, review_overdue_on = n.review_overdue_on,
         gate_gap_on = n.gate_gap_on, red_on = n.red_on, flagged_on = n.flagged_on,
         ownerless_reason = n.ownerless_reason, gate_gap_reason = n.gate_gap_reason,
         progress_on = n.progress_on, last_demo_on = n.last_demo_on, review_due_on = n.review_due_on
  from unnest(fresh) n
  where p.id = n.project_id
    and (p.signals_from is null
         or (p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on, p.gate_gap_on,
             p.red_on, p.flagged_on, p.ownerless_reason, p.gate_gap_reason, p.progress_on,
             p.last_demo_on, p.review_due_on)
            is distinct from
            (n.ownerless_on, n.stalled_on, n.demo_overdue_on, n.review_overdue_on, n.gate_gap_on,
             n.red_on, n.flagged_on, n.ownerless_reason, n.gate_gap_reason, n.progress_on,
             n.last_demo_on, n.review_due_on));
end
$$;

-- The rules now live in Rust and their results are stored: the SQL copy goes.
drop function project_health(date);

-- Projects with their owner and health on `today`, filtered: the one definition of "which
-- projects" that the list page, the portfolio, the JSON API and the CSV export all use, so
-- their numbers agree. A null filter means "any". Health and flags are stored onsets compared
-- with `today` (no rule is restated here). Serving connections plan every call for its own
-- arguments (plan_cache_mode = force_custom_plan), so an unused filter folds away, a flag filter
-- becomes a range scan of its onset index, and a join nothing reads (the owners) is removed.
create or replace function project_rows(
    today         date,
    f_search      text default null,
    f_stage       project_stage default null,
    f_status      project_status default null,
    f_team        text default null,
    f_owner       uuid default null,
    f_no_owner    boolean default false,
    f_health      text default null,
    f_flag        text default null,
    f_tier        risk_tier default null,
    f_updated_since timestamptz default null,
    f_owner_email text default null
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
         p.last_demo_on, p.review_due_on,
         coalesce(p.ownerless_on <= today, false),
         coalesce(p.stalled_on <= today, false),
         coalesce(p.demo_overdue_on <= today, false),
         coalesce(p.review_overdue_on <= today, false),
         coalesce(p.gate_gap_on <= today, false),
         case when p.red_on <= today then 'red' when p.flagged_on <= today then 'amber' else 'green' end,
         concat_ws(' ',
           case when p.ownerless_on <= today then 'ownerless' end,
           case when p.stalled_on <= today then 'stalled' end,
           case when p.demo_overdue_on <= today then 'demo_overdue' end,
           case when p.review_overdue_on <= today then 'review_overdue' end,
           case when p.gate_gap_on <= today then 'gate_gap' end)
  from projects p
  left join stage_owners so on so.project_id = p.id and so.stage = p.stage
  left join accounts o on o.id = so.owner_id
  where (f_search is null or p.name ilike f_search)
    and (f_stage is null or p.stage = f_stage)
    and (f_status is null or p.status = f_status)
    and (f_team is null or lower(p.team) = lower(f_team))
    and (f_owner is null or so.owner_id = f_owner)
    and (not f_no_owner or so.owner_id is null)
    and (f_health is null
         or (f_health = 'red' and p.red_on <= today)
         or (f_health = 'amber' and p.flagged_on <= today and (p.red_on is null or p.red_on > today))
         or (f_health = 'green' and (p.flagged_on is null or p.flagged_on > today)))
    and (f_flag is null
         or (f_flag = 'ownerless' and p.ownerless_on <= today)
         or (f_flag = 'stalled' and p.stalled_on <= today)
         or (f_flag = 'demo_overdue' and p.demo_overdue_on <= today)
         or (f_flag = 'review_overdue' and p.review_overdue_on <= today)
         or (f_flag = 'gate_gap' and p.gate_gap_on <= today))
    and (f_tier is null or p.risk_tier = f_tier)
    and (f_updated_since is null or p.updated_at >= f_updated_since)
    and (f_owner_email is null or lower(o.email) = lower(f_owner_email))
$$;

-- Existing projects get their first signals from the server as it starts (the rules are Rust),
-- before it serves a request: `health::server::backfill`. Their history starts then.
