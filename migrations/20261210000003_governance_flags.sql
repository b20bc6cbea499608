-- Three more health flags, each amber, stored like the others (an onset day and a reason,
-- current on the project row, earlier versions in the history): `conditions_overdue` (a
-- condition of an approving model-risk review fell past its due date, neither met nor waived),
-- `goal_drift` (the success metric or target changed in Build or Deploy and no reviewer has
-- acknowledged it), `continue_loop` (several demos in a row said "continue" with no stage move).
-- Every reader of flags learns them: the list filter, the portfolio and its roll-ups, the trend,
-- the history trigger, the notification catch-up. Existing projects are recomputed by the
-- server at start (`signals_rules`), not here: the rules are Rust.

-- Conditions of a model-risk review approved with conditions, tracked to closure.
create table review_conditions (
    id          uuid primary key default gen_random_uuid(),
    project_id  uuid not null references projects (id) on delete cascade,
    review_id   uuid not null references risk_reviews (id) on delete cascade,
    text        text not null check (char_length(btrim(text)) between 1 and 500),
    owner_id    uuid not null references accounts (id),
    due_on      date not null,
    status      text not null default 'open' check (status in ('open', 'met', 'waived')),
    -- A note or link when met; the reason when waived.
    resolution  text not null default '' check (length(resolution) <= 2000),
    resolved_at timestamptz,
    resolved_by uuid references accounts (id),
    created_by  uuid not null references accounts (id),
    created_at  timestamptz not null default now(),
    constraint review_conditions_resolution_complete
        check ((status = 'open') = (resolved_at is null) and (resolved_at is null) = (resolved_by is null))
);
create index review_conditions_project_idx on review_conditions (project_id, due_on);
create index review_conditions_owner_idx on review_conditions (owner_id, due_on) where status = 'open';

-- How many demos in a row saying "continue" make a loop.
alter table health_settings add column continue_loop_demos integer not null default 3
    constraint health_settings_continue_loop_range check (continue_loop_demos between 2 and 20);

-- The version of the health rules the stored signals were computed with; the server recomputes
-- every project once when its rules are newer (and marks their flags as already announced).
create table signals_rules (
    one     boolean primary key default true check (one),
    version integer not null
);
insert into signals_rules (version) values (1);

alter table projects
    add column conditions_overdue_on     date,
    add column goal_drift_on             date,
    add column continue_loop_on          date,
    add column conditions_overdue_reason text,
    add column goal_drift_reason         text,
    add column continue_loop_reason      text;
alter table project_signals_history
    add column conditions_overdue_on     date,
    add column goal_drift_on             date,
    add column continue_loop_on          date,
    add column conditions_overdue_reason text,
    add column goal_drift_reason         text,
    add column continue_loop_reason      text;
create index projects_conditions_overdue_idx on projects (conditions_overdue_on);
create index projects_goal_drift_idx on projects (goal_drift_on);
create index projects_continue_loop_idx on projects (continue_loop_on);
drop index projects_portfolio_idx;
create index projects_portfolio_idx on projects (stage, stage_entered_at)
    include (id, team, status, risk_tier, updated_at, red_on, flagged_on, ownerless_on, stalled_on,
             demo_overdue_on, review_overdue_on, gate_gap_on, conditions_overdue_on, goal_drift_on,
             continue_loop_on, signals_owner_id);

-- The roll-ups count the new flags too (past days: none, as the history has none).
alter table portfolio_days
    add column conditions_overdue integer not null default 0,
    add column goal_drift integer not null default 0,
    add column continue_loop integer not null default 0;
alter table portfolio_days drop constraint portfolio_days_pkey;
alter table portfolio_days add constraint portfolio_days_pkey primary key (day, stage, status, team, risk_tier, owned)
    include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
             conditions_overdue, goal_drift, continue_loop);
alter table portfolio_day_stages
    add column conditions_overdue integer not null default 0,
    add column goal_drift integer not null default 0,
    add column continue_loop integer not null default 0;
alter table portfolio_day_stages drop constraint portfolio_day_stages_pkey;
alter table portfolio_day_stages add constraint portfolio_day_stages_pkey primary key (day, stage)
    include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
             conditions_overdue, goal_drift, continue_loop);
alter table portfolio_now
    add column conditions_overdue integer not null default 0,
    add column goal_drift integer not null default 0,
    add column continue_loop integer not null default 0;
alter table portfolio_now drop constraint portfolio_now_pkey;
alter table portfolio_now add constraint portfolio_now_pkey primary key (stage, status, team, risk_tier, owned)
    include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
             conditions_overdue, goal_drift, continue_loop);

drop function store_signals(uuid[], uuid[], date[], date[], date[], date[], date[], date[], date[],
                            text[], text[], date[], date[], date[]);
create function store_signals(
    p_ids uuid[], p_owner_ids uuid[], p_ownerless_on date[], p_stalled_on date[],
    p_demo_overdue_on date[], p_review_overdue_on date[], p_gate_gap_on date[],
    p_conditions_overdue_on date[], p_goal_drift_on date[], p_continue_loop_on date[],
    p_red_on date[], p_flagged_on date[], p_ownerless_reason text[], p_gate_gap_reason text[],
    p_conditions_overdue_reason text[], p_goal_drift_reason text[], p_continue_loop_reason text[],
    p_progress_on date[], p_last_demo_on date[], p_review_due_on date[])
returns void
language plpgsql as $$
begin
  update projects p
     set signals_from = coalesce(p.signals_from, clock_timestamp()),
         signals_xact = case when p.signals_from is null then pg_current_xact_id() else p.signals_xact end,
         signals_owner_id = n.owner_id,
         ownerless_on = n.ownerless_on, stalled_on = n.stalled_on,
         demo_overdue_on = n.demo_overdue_on, review_overdue_on = n.review_overdue_on,
         gate_gap_on = n.gate_gap_on, conditions_overdue_on = n.conditions_overdue_on,
         goal_drift_on = n.goal_drift_on, continue_loop_on = n.continue_loop_on,
         red_on = n.red_on, flagged_on = n.flagged_on,
         ownerless_reason = n.ownerless_reason, gate_gap_reason = n.gate_gap_reason,
         conditions_overdue_reason = n.conditions_overdue_reason,
         goal_drift_reason = n.goal_drift_reason, continue_loop_reason = n.continue_loop_reason,
         progress_on = n.progress_on, last_demo_on = n.last_demo_on, review_due_on = n.review_due_on
  from unnest(p_ids, p_owner_ids, p_ownerless_on, p_stalled_on, p_demo_overdue_on, p_review_overdue_on,
              p_gate_gap_on, p_conditions_overdue_on, p_goal_drift_on, p_continue_loop_on,
              p_red_on, p_flagged_on, p_ownerless_reason, p_gate_gap_reason,
              p_conditions_overdue_reason, p_goal_drift_reason, p_continue_loop_reason,
              p_progress_on, p_last_demo_on, p_review_due_on)
       as n (project_id, owner_id, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on,
             gate_gap_on, conditions_overdue_on, goal_drift_on, continue_loop_on,
             red_on, flagged_on, ownerless_reason, gate_gap_reason,
             conditions_overdue_reason, goal_drift_reason, continue_loop_reason,
             progress_on, last_demo_on, review_due_on)
  where p.id = n.project_id
    and (p.signals_from is null
         or (p.signals_owner_id, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
             p.gate_gap_on, p.conditions_overdue_on, p.goal_drift_on, p.continue_loop_on,
             p.red_on, p.flagged_on, p.ownerless_reason, p.gate_gap_reason,
             p.conditions_overdue_reason, p.goal_drift_reason, p.continue_loop_reason,
             p.progress_on, p.last_demo_on, p.review_due_on)
            is distinct from
            (n.owner_id, n.ownerless_on, n.stalled_on, n.demo_overdue_on, n.review_overdue_on,
             n.gate_gap_on, n.conditions_overdue_on, n.goal_drift_on, n.continue_loop_on,
             n.red_on, n.flagged_on, n.ownerless_reason, n.gate_gap_reason,
             n.conditions_overdue_reason, n.goal_drift_reason, n.continue_loop_reason,
             n.progress_on, n.last_demo_on, n.review_due_on));
end
$$;

create or replace function projects_keep_history()
returns trigger
language plpgsql as $$
declare
  at timestamptz;
begin
  if old.signals_from is null
     or (old.stage, old.status, old.team, old.risk_tier, old.stage_entered_at, old.signals_owner_id,
         old.ownerless_on, old.stalled_on, old.demo_overdue_on, old.review_overdue_on, old.gate_gap_on,
         old.conditions_overdue_on, old.goal_drift_on, old.continue_loop_on,
         old.red_on, old.flagged_on, old.ownerless_reason, old.gate_gap_reason,
         old.conditions_overdue_reason, old.goal_drift_reason, old.continue_loop_reason, old.progress_on,
         old.last_demo_on, old.review_due_on)
        is not distinct from
        (new.stage, new.status, new.team, new.risk_tier, new.stage_entered_at, new.signals_owner_id,
         new.ownerless_on, new.stalled_on, new.demo_overdue_on, new.review_overdue_on, new.gate_gap_on,
         new.conditions_overdue_on, new.goal_drift_on, new.continue_loop_on,
         new.red_on, new.flagged_on, new.ownerless_reason, new.gate_gap_reason,
         new.conditions_overdue_reason, new.goal_drift_reason, new.continue_loop_reason, new.progress_on,
         new.last_demo_on, new.review_due_on)
     or old.signals_xact is not distinct from pg_current_xact_id() then
    return new;
  end if;
  at := greatest(clock_timestamp(), old.signals_from);
  insert into project_signals_history
    (project_id, valid_from, valid_to, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on,
     gate_gap_on, conditions_overdue_on, goal_drift_on, continue_loop_on, red_on, flagged_on,
     ownerless_reason, gate_gap_reason, conditions_overdue_reason, goal_drift_reason,
     continue_loop_reason, progress_on, last_demo_on, review_due_on, stage, status, team, risk_tier,
     owner_id, stage_entered_at)
  values
    (old.id, old.signals_from, at, old.ownerless_on, old.stalled_on, old.demo_overdue_on,
     old.review_overdue_on, old.gate_gap_on, old.conditions_overdue_on, old.goal_drift_on,
     old.continue_loop_on, old.red_on, old.flagged_on, old.ownerless_reason, old.gate_gap_reason,
     old.conditions_overdue_reason, old.goal_drift_reason, old.continue_loop_reason,
     old.progress_on, old.last_demo_on, old.review_due_on, old.stage, old.status,
     old.team, old.risk_tier, old.signals_owner_id, old.stage_entered_at)
  on conflict (project_id, valid_from) do nothing;
  new.signals_from := at;
  new.signals_xact := pg_current_xact_id();
  return new;
end
$$;

drop function project_rows(date, text, project_stage, project_status, text, uuid, boolean, text, text,
                           risk_tier, timestamptz, text, boolean, uuid[]);
create function project_rows(
    today date, f_search text default null, f_stage project_stage default null,
    f_status project_status default null, f_team text default null, f_owner uuid default null,
    f_no_owner boolean default false, f_health text default null, f_flag text default null,
    f_tier risk_tier default null, f_updated_since timestamptz default null,
    f_owner_email text default null, f_past boolean default false, f_ids uuid[] default null)
returns table (
    id uuid, name text, team text, stage project_stage, status project_status, risk_tier risk_tier,
    owner_id uuid, owner_name text, owner_email text, owner_active boolean,
    stage_entered_at timestamptz, created_at timestamptz, updated_at timestamptz,
    last_demo_on date, next_review_on date,
    ownerless boolean, stalled boolean, demo_overdue boolean, review_overdue boolean,
    gate_gap boolean, conditions_overdue boolean, goal_drift boolean, continue_loop boolean,
    health text, flags text)
language sql stable as $$
  select v.id, v.name, v.team, v.stage, v.status, v.risk_tier,
         v.owner_id,
         (select o.display_name from accounts o where o.id = v.owner_id),
         (select o.email from accounts o where o.id = v.owner_id),
         (select o.active from accounts o where o.id = v.owner_id),
         v.stage_entered_at, v.created_at, v.updated_at,
         v.last_demo_on, v.review_due_on,
         coalesce(v.ownerless_on <= today, false),
         coalesce(v.stalled_on <= today, false),
         coalesce(v.demo_overdue_on <= today, false),
         coalesce(v.review_overdue_on <= today, false),
         coalesce(v.gate_gap_on <= today, false),
         coalesce(v.conditions_overdue_on <= today, false),
         coalesce(v.goal_drift_on <= today, false),
         coalesce(v.continue_loop_on <= today, false),
         case when v.red_on <= today then 'red' when v.flagged_on <= today then 'amber' else 'green' end,
         concat_ws(' ',
           case when v.ownerless_on <= today then 'ownerless' end,
           case when v.stalled_on <= today then 'stalled' end,
           case when v.demo_overdue_on <= today then 'demo_overdue' end,
           case when v.review_overdue_on <= today then 'review_overdue' end,
           case when v.gate_gap_on <= today then 'gate_gap' end,
           case when v.conditions_overdue_on <= today then 'conditions_overdue' end,
           case when v.goal_drift_on <= today then 'goal_drift' end,
           case when v.continue_loop_on <= today then 'continue_loop' end)
  from (
    select h.project_id as id, p.name, h.team, h.stage, h.status, h.risk_tier, h.owner_id,
           h.stage_entered_at, p.created_at, h.valid_from as updated_at, h.last_demo_on,
           h.review_due_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on, h.review_overdue_on,
           h.gate_gap_on, h.conditions_overdue_on, h.goal_drift_on, h.continue_loop_on,
           h.red_on, h.flagged_on
    from project_signals_history h
    left join projects p on p.id = h.project_id
    where f_past
      and tstzrange(h.valid_from, h.valid_to, '(]') @> ((today + 1)::timestamp at time zone 'UTC')
    union all
    select p.id, p.name, p.team, p.stage, p.status, p.risk_tier, p.signals_owner_id,
           p.stage_entered_at, p.created_at,
           case when f_past then p.signals_from else p.updated_at end, p.last_demo_on,
           p.review_due_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
           p.gate_gap_on, p.conditions_overdue_on, p.goal_drift_on, p.continue_loop_on,
           p.red_on, p.flagged_on
    from projects p
  ) v
  -- A current row counts on a past day if its version had begun by the day's end.
  where (not f_past or v.updated_at < ((today + 1)::timestamp at time zone 'UTC'))
    and (f_search is null or v.name ilike f_search)
    and (f_stage is null or v.stage = f_stage)
    and (f_status is null or v.status = f_status)
    and (f_team is null or lower(v.team) = lower(f_team))
    and (f_owner is null or v.owner_id = f_owner)
    and (not f_no_owner or v.owner_id is null)
    and (f_health is null
         or (f_health = 'red' and v.red_on <= today)
         or (f_health = 'amber' and v.flagged_on <= today and (v.red_on is null or v.red_on > today))
         or (f_health = 'green' and (v.flagged_on is null or v.flagged_on > today)))
    and (f_flag is null
         or (f_flag = 'ownerless' and v.ownerless_on <= today)
         or (f_flag = 'stalled' and v.stalled_on <= today)
         or (f_flag = 'demo_overdue' and v.demo_overdue_on <= today)
         or (f_flag = 'review_overdue' and v.review_overdue_on <= today)
         or (f_flag = 'gate_gap' and v.gate_gap_on <= today)
         or (f_flag = 'conditions_overdue' and v.conditions_overdue_on <= today)
         or (f_flag = 'goal_drift' and v.goal_drift_on <= today)
         or (f_flag = 'continue_loop' and v.continue_loop_on <= today))
    and (f_tier is null or v.risk_tier = f_tier)
    and (f_updated_since is null or v.updated_at >= f_updated_since)
    and (f_owner_email is null
         or v.owner_id = (select o.id from accounts o where lower(o.email) = lower(f_owner_email)))
    and (f_ids is null or v.id = any(f_ids))
$$;

create or replace function portfolio_days_fill(up_to date, most integer)
returns integer
language plpgsql
set jit to 'off'
set plan_cache_mode to 'force_custom_plan'
as $$
declare
  first date;
  last  date;
  d     date;
begin
  -- Another server is counting: leave it to that one (no waiting against a statement timeout).
  if not pg_try_advisory_xact_lock(hashtext('portfolio_days_fill')) then
    return 0;
  end if;
  select t.day + 1 into first from portfolio_days_through t;
  if first is null then
    first := (select (history_starts() at time zone 'UTC')::date);
  end if;
  last := least(up_to, first + greatest(most, 1) - 1, ((now() - interval '1 hour') at time zone 'UTC')::date - 1);
  if first is null or first > last then
    return 0;
  end if;
  for d in select generate_series(first, last, interval '1 day')::date loop
    insert into portfolio_days (day, stage, status, team, risk_tier, owned, projects, red,
                                flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                                conditions_overdue, goal_drift, continue_loop)
    select d, r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null, count(*),
           count(*) filter (where r.health = 'red'),
           count(*) filter (where r.health <> 'green'),
           count(*) filter (where r.ownerless),
           count(*) filter (where r.stalled),
           count(*) filter (where r.demo_overdue),
           count(*) filter (where r.review_overdue),
           count(*) filter (where r.gate_gap),
           count(*) filter (where r.conditions_overdue),
           count(*) filter (where r.goal_drift),
           count(*) filter (where r.continue_loop)
    from project_rows(d, f_past => true) r
    group by r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null;
    insert into portfolio_day_stages (day, stage, projects, red, flagged, ownerless, stalled,
                                      demo_overdue, review_overdue, gate_gap, conditions_overdue,
                                      goal_drift, continue_loop)
    select c.day, c.stage, sum(c.projects), sum(c.red), sum(c.flagged), sum(c.ownerless),
           sum(c.stalled), sum(c.demo_overdue), sum(c.review_overdue), sum(c.gate_gap),
           sum(c.conditions_overdue), sum(c.goal_drift), sum(c.continue_loop)
    from portfolio_days c
    where c.day = d
    group by c.day, c.stage;
    insert into stage_flow_days (day, stage, entered, exited)
    select d, f.stage, f.entered, f.exited
    from stage_flows(array[d - 1, d]) f
    where f.k = 1;
  end loop;
  insert into portfolio_days_through (day) values (last)
  on conflict (one) do update set day = excluded.day;
  return last - first + 1;
end
$$;

create or replace function portfolio_now_refresh(d date)
returns boolean
language plpgsql as $$
begin
  if not pg_try_advisory_xact_lock(hashtext('portfolio_now_refresh')) then
    return false;
  end if;
  lock table portfolio_now in exclusive mode;
  delete from portfolio_now;
  insert into portfolio_now (stage, status, team, risk_tier, owned, projects, red, flagged,
                             ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                             conditions_overdue, goal_drift, continue_loop)
  select r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null, count(*),
         count(*) filter (where r.health = 'red'),
         count(*) filter (where r.health <> 'green'),
         count(*) filter (where r.ownerless),
         count(*) filter (where r.stalled),
         count(*) filter (where r.demo_overdue),
         count(*) filter (where r.review_overdue),
         count(*) filter (where r.gate_gap),
         count(*) filter (where r.conditions_overdue),
         count(*) filter (where r.goal_drift),
         count(*) filter (where r.continue_loop)
  from project_rows(d) r
  group by r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null;
  insert into portfolio_now_day (one, day) values (true, d)
  on conflict (one) do update set day = excluded.day;
  return true;
end
$$;

drop function portfolio_now_counts(date, integer, date, date, date, date, date, date, date);
create function portfolio_now_counts(
    d date, sign integer, red_on date, flagged_on date, ownerless_on date, stalled_on date,
    demo_overdue_on date, review_overdue_on date, gate_gap_on date, conditions_overdue_on date,
    goal_drift_on date, continue_loop_on date,
    out projects integer, out red integer, out flagged integer, out ownerless integer,
    out stalled integer, out demo_overdue integer, out review_overdue integer, out gate_gap integer,
    out conditions_overdue integer, out goal_drift integer, out continue_loop integer)
language plpgsql immutable as $$
begin
  projects := sign;
  red := sign * coalesce(red_on <= d, false)::int;
  flagged := sign * coalesce(flagged_on <= d, false)::int;
  ownerless := sign * coalesce(ownerless_on <= d, false)::int;
  stalled := sign * coalesce(stalled_on <= d, false)::int;
  demo_overdue := sign * coalesce(demo_overdue_on <= d, false)::int;
  review_overdue := sign * coalesce(review_overdue_on <= d, false)::int;
  gate_gap := sign * coalesce(gate_gap_on <= d, false)::int;
  conditions_overdue := sign * coalesce(conditions_overdue_on <= d, false)::int;
  goal_drift := sign * coalesce(goal_drift_on <= d, false)::int;
  continue_loop := sign * coalesce(continue_loop_on <= d, false)::int;
end
$$;

create or replace function portfolio_now_apply()
returns trigger
language plpgsql as $$
declare
  d date;
begin
  lock table portfolio_now in row exclusive mode;
  select n.day into d from portfolio_now_day n;
  if d is null then
    return null;
  end if;
  if tg_op = 'INSERT' then
    insert into portfolio_now as c (stage, status, team, risk_tier, owned, projects, red, flagged,
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                                    conditions_overdue, goal_drift, continue_loop)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap),
           sum(conditions_overdue), sum(goal_drift), sum(continue_loop)
    from (
          select a.stage, a.status, a.team, a.risk_tier, a.signals_owner_id is not null as owned, n.*
          from added a,
               portfolio_now_counts(d, 1, a.red_on, a.flagged_on, a.ownerless_on, a.stalled_on,
                                    a.demo_overdue_on, a.review_overdue_on, a.gate_gap_on,
                                    a.conditions_overdue_on, a.goal_drift_on, a.continue_loop_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0 or sum(conditions_overdue) <> 0 or sum(goal_drift) <> 0
        or sum(continue_loop) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap,
                  conditions_overdue = c.conditions_overdue + excluded.conditions_overdue,
                  goal_drift = c.goal_drift + excluded.goal_drift,
                  continue_loop = c.continue_loop + excluded.continue_loop;
  elsif tg_op = 'UPDATE' then
    insert into portfolio_now as c (stage, status, team, risk_tier, owned, projects, red, flagged,
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                                    conditions_overdue, goal_drift, continue_loop)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap),
           sum(conditions_overdue), sum(goal_drift), sum(continue_loop)
    from (
          select a.stage, a.status, a.team, a.risk_tier, a.signals_owner_id is not null as owned, n.*
          from added a,
               portfolio_now_counts(d, 1, a.red_on, a.flagged_on, a.ownerless_on, a.stalled_on,
                                    a.demo_overdue_on, a.review_overdue_on, a.gate_gap_on,
                                    a.conditions_overdue_on, a.goal_drift_on, a.continue_loop_on) n
          union all
          select r.stage, r.status, r.team, r.risk_tier, r.signals_owner_id is not null as owned, n.*
          from removed r,
               portfolio_now_counts(d, -1, r.red_on, r.flagged_on, r.ownerless_on, r.stalled_on,
                                    r.demo_overdue_on, r.review_overdue_on, r.gate_gap_on,
                                    r.conditions_overdue_on, r.goal_drift_on, r.continue_loop_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0 or sum(conditions_overdue) <> 0 or sum(goal_drift) <> 0
        or sum(continue_loop) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap,
                  conditions_overdue = c.conditions_overdue + excluded.conditions_overdue,
                  goal_drift = c.goal_drift + excluded.goal_drift,
                  continue_loop = c.continue_loop + excluded.continue_loop;
  else
    insert into portfolio_now as c (stage, status, team, risk_tier, owned, projects, red, flagged,
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                                    conditions_overdue, goal_drift, continue_loop)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap),
           sum(conditions_overdue), sum(goal_drift), sum(continue_loop)
    from (
          select r.stage, r.status, r.team, r.risk_tier, r.signals_owner_id is not null as owned, n.*
          from removed r,
               portfolio_now_counts(d, -1, r.red_on, r.flagged_on, r.ownerless_on, r.stalled_on,
                                    r.demo_overdue_on, r.review_overdue_on, r.gate_gap_on,
                                    r.conditions_overdue_on, r.goal_drift_on, r.continue_loop_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0 or sum(conditions_overdue) <> 0 or sum(goal_drift) <> 0
        or sum(continue_loop) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap,
                  conditions_overdue = c.conditions_overdue + excluded.conditions_overdue,
                  goal_drift = c.goal_drift + excluded.goal_drift,
                  continue_loop = c.continue_loop + excluded.continue_loop;
  end if;
  return null;
end
$$;



-- The trend counts the new flags too; `grouping()` now takes 12 arguments, so each measure's
-- grouping set is 4095 less its own bit (projects 2047 … continue_loop 4093, b 4094).
create or replace function portfolio_trend(
    days date[], f_stage project_stage default null, f_status project_status default null,
    f_team text default null, f_owner uuid default null, f_no_owner boolean default false,
    f_tier risk_tier default null, f_owner_email text default null)
returns table (measure text, k integer, starts bigint, ends bigint)
language sql stable as $$
  with e as (
    select array_agg(((d + 1)::timestamp at time zone 'UTC') order by d) as ends_at
    from unnest(days) d
  ),
  v as (
    select h.valid_from, h.valid_to, h.stage, h.status, h.team, h.risk_tier, h.owner_id,
           h.red_on, h.flagged_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on,
           h.review_overdue_on, h.gate_gap_on, h.conditions_overdue_on, h.goal_drift_on,
           h.continue_loop_on
    from project_signals_history h, e
    where tstzrange(h.valid_from, h.valid_to, '(]')
          && tstzrange(e.ends_at[1], e.ends_at[array_length(e.ends_at, 1)], '[]')
    union all
    select p.signals_from, 'infinity', p.stage, p.status, p.team, p.risk_tier, p.signals_owner_id,
           p.red_on, p.flagged_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on,
           p.review_overdue_on, p.gate_gap_on, p.conditions_overdue_on, p.goal_drift_on,
           p.continue_loop_on
    from projects p, e
    where p.signals_from < e.ends_at[array_length(e.ends_at, 1)]
  ),
  -- a: the first day index whose end the version is valid at; b: the last. An onset's index is
  -- the first day on or after it (the number of days before it).
  w as (
    select width_bucket(v.valid_from, e.ends_at) as a,
           width_bucket(v.valid_to, e.ends_at) - 1 as b,
           width_bucket(v.red_on - 1, days) as red,
           width_bucket(v.flagged_on - 1, days) as flagged,
           width_bucket(v.ownerless_on - 1, days) as ownerless,
           width_bucket(v.stalled_on - 1, days) as stalled,
           width_bucket(v.demo_overdue_on - 1, days) as demo_overdue,
           width_bucket(v.review_overdue_on - 1, days) as review_overdue,
           width_bucket(v.gate_gap_on - 1, days) as gate_gap,
           width_bucket(v.conditions_overdue_on - 1, days) as conditions_overdue,
           width_bucket(v.goal_drift_on - 1, days) as goal_drift,
           width_bucket(v.continue_loop_on - 1, days) as continue_loop
    from v, e
    where (f_stage is null or v.stage = f_stage)
      and (f_status is null or v.status = f_status)
      and (f_team is null or lower(v.team) = lower(f_team))
      and (f_owner is null or v.owner_id = f_owner)
      and (not f_no_owner or v.owner_id is null)
      and (f_tier is null or v.risk_tier = f_tier)
      and (f_owner_email is null
           or v.owner_id = (select o.id from accounts o where lower(o.email) = lower(f_owner_email)))
  ),
  -- Each measure's first counted day, or null when it never counts within [a, b] (an onset
  -- that never came is null, which `greatest` would ignore).
  s as (
    select b,
           case when a <= b then a end as projects,
           case when red is not null and greatest(a, red) <= b then greatest(a, red) end as red,
           case when flagged is not null and greatest(a, flagged) <= b then greatest(a, flagged) end as flagged,
           case when ownerless is not null and greatest(a, ownerless) <= b then greatest(a, ownerless) end as ownerless,
           case when stalled is not null and greatest(a, stalled) <= b then greatest(a, stalled) end as stalled,
           case when demo_overdue is not null and greatest(a, demo_overdue) <= b then greatest(a, demo_overdue) end as demo_overdue,
           case when review_overdue is not null and greatest(a, review_overdue) <= b then greatest(a, review_overdue) end as review_overdue,
           case when gate_gap is not null and greatest(a, gate_gap) <= b then greatest(a, gate_gap) end as gate_gap,
           case when conditions_overdue is not null and greatest(a, conditions_overdue) <= b then greatest(a, conditions_overdue) end as conditions_overdue,
           case when goal_drift is not null and greatest(a, goal_drift) <= b then greatest(a, goal_drift) end as goal_drift,
           case when continue_loop is not null and greatest(a, continue_loop) <= b then greatest(a, continue_loop) end as continue_loop
    from w
  ),
  g as (
    select grouping(projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
                    conditions_overdue, goal_drift, continue_loop, b) as set,
           projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap,
           conditions_overdue, goal_drift, continue_loop, b,
           count(*) as n,
           count(projects) as end_projects, count(red) as end_red, count(flagged) as end_flagged,
           count(ownerless) as end_ownerless, count(stalled) as end_stalled,
           count(demo_overdue) as end_demo_overdue, count(review_overdue) as end_review_overdue,
           count(gate_gap) as end_gate_gap, count(conditions_overdue) as end_conditions_overdue,
           count(goal_drift) as end_goal_drift, count(continue_loop) as end_continue_loop
    from s
    group by grouping sets ((projects), (red), (flagged), (ownerless), (stalled), (demo_overdue),
                            (review_overdue), (gate_gap), (conditions_overdue), (goal_drift),
                            (continue_loop), (b))
  )
  -- Starts: one grouping set per measure (its key column is the start index).
  select 'projects', projects, n, 0::bigint from g where set = 2047 and projects is not null
  union all select 'red', red, n, 0 from g where set = 3071 and red is not null
  union all select 'flagged', flagged, n, 0 from g where set = 3583 and flagged is not null
  union all select 'ownerless', ownerless, n, 0 from g where set = 3839 and ownerless is not null
  union all select 'stalled', stalled, n, 0 from g where set = 3967 and stalled is not null
  union all select 'demo_overdue', demo_overdue, n, 0 from g where set = 4031 and demo_overdue is not null
  union all select 'review_overdue', review_overdue, n, 0 from g where set = 4063 and review_overdue is not null
  union all select 'gate_gap', gate_gap, n, 0 from g where set = 4079 and gate_gap is not null
  union all select 'conditions_overdue', conditions_overdue, n, 0 from g where set = 4087 and conditions_overdue is not null
  union all select 'goal_drift', goal_drift, n, 0 from g where set = 4091 and goal_drift is not null
  union all select 'continue_loop', continue_loop, n, 0 from g where set = 4093 and continue_loop is not null
  -- Ends: the (b) set counts, per measure, the versions counted there last.
  union all select m.measure, g.b, 0, m.n
  from g cross join lateral (values ('projects', g.end_projects), ('red', g.end_red),
                                    ('flagged', g.end_flagged), ('ownerless', g.end_ownerless),
                                    ('stalled', g.end_stalled), ('demo_overdue', g.end_demo_overdue),
                                    ('review_overdue', g.end_review_overdue),
                                    ('gate_gap', g.end_gate_gap),
                                    ('conditions_overdue', g.end_conditions_overdue),
                                    ('goal_drift', g.end_goal_drift),
                                    ('continue_loop', g.end_continue_loop)) m (measure, n)
  where g.set = 4094 and m.n > 0
$$;



create or replace function notifications_catch_up(today date)
returns void
language sql as $$
  delete from flags_announced;
  insert into flags_announced (project_id, code, since)
  select p.id, f.code, f.since
  from projects p
  cross join lateral (values
      ('ownerless', p.ownerless_on),
      ('stalled', p.stalled_on),
      ('demo_overdue', p.demo_overdue_on),
      ('review_overdue', p.review_overdue_on),
      ('gate_gap', p.gate_gap_on),
      ('conditions_overdue', p.conditions_overdue_on),
      ('goal_drift', p.goal_drift_on),
      ('continue_loop', p.continue_loop_on)
  ) f (code, since)
  where f.since <= today;
  update notification_scan set scanned_at = now(), scanned_day = today;
$$;
