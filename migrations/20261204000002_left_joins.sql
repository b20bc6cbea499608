-- `project_rows` and `stage_flows` read as PostgreSQL can plan them best, returning the same rows:
-- * Joins that only supply filters and names become left joins (every version and every move
--   has its project): a join whose columns a statement does not read is dropped, so counting a
--   past day no longer looks up every project's name, nor do unfiltered stage flows.
-- * `project_rows` selects from a subquery instead of a WITH clause, and the current rows'
--   branch has no WHERE of its own (the past-day condition moved to the outer WHERE): a
--   function body with a WITH clause, or a UNION ALL branch with a WHERE, is planned on its own
--   and returns its rows unordered, so "the median entry of a stage" sorted a whole stage
--   instead of walking an index (100 ms instead of a few at 100,000 projects).
-- * The owner's name, email and active flag are looked up per returned row instead of by a
--   join: a count no longer reads every project's owner, so counting the projects with a flag
--   is a range of that flag's onset index (2 ms instead of a 100,000-entry scan at 100k).
-- * The portfolio's index carries the stage owner (for the rows that do read it) and no longer
--   the name: a name search counted its matches by reading every name from it (112 ms at 100k)
--   instead of through the trigram index. A team's projects in one stage are listed A–Z, and
--   counted, from one index (it carries the team as spelled, which an index-only scan of an
--   index on lower(team) needs).
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
    f_owner_email text default null,
    f_past        boolean default false
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
         case when v.red_on <= today then 'red' when v.flagged_on <= today then 'amber' else 'green' end,
         concat_ws(' ',
           case when v.ownerless_on <= today then 'ownerless' end,
           case when v.stalled_on <= today then 'stalled' end,
           case when v.demo_overdue_on <= today then 'demo_overdue' end,
           case when v.review_overdue_on <= today then 'review_overdue' end,
           case when v.gate_gap_on <= today then 'gate_gap' end)
  from (
    select h.project_id as id, p.name, h.team, h.stage, h.status, h.risk_tier, h.owner_id,
           h.stage_entered_at, p.created_at, h.valid_from as updated_at, h.last_demo_on,
           h.review_due_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on, h.review_overdue_on,
           h.gate_gap_on, h.red_on, h.flagged_on
    from project_signals_history h
    left join projects p on p.id = h.project_id
    where f_past
      and tstzrange(h.valid_from, h.valid_to, '(]') @> ((today + 1)::timestamp at time zone 'UTC')
    union all
    select p.id, p.name, p.team, p.stage, p.status, p.risk_tier, p.signals_owner_id,
           p.stage_entered_at, p.created_at,
           case when f_past then p.signals_from else p.updated_at end, p.last_demo_on,
           p.review_due_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
           p.gate_gap_on, p.red_on, p.flagged_on
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
         or (f_flag = 'gate_gap' and v.gate_gap_on <= today))
    and (f_tier is null or v.risk_tier = f_tier)
    and (f_updated_since is null or v.updated_at >= f_updated_since)
    and (f_owner_email is null
         or v.owner_id = (select o.id from accounts o where lower(o.email) = lower(f_owner_email)))
$$;

create or replace function stage_flows(
    days          date[],
    f_stage       project_stage default null,
    f_team        text default null,
    f_owner       uuid default null,
    f_tier        risk_tier default null
)
returns table (
    stage   project_stage,
    k       integer,
    entered bigint,
    exited  bigint
)
language sql stable as $$
  with e as (
    select array_agg(((d + 1)::timestamp at time zone 'UTC') order by d) as ends_at,
           ((min(d) + 1)::timestamp at time zone 'UTC') as since
    from unnest(days) d
  ),
  events as (
    select m.to_stage as stage, m.moved_at as at, 1 as entered, 0 as left_, m.project_id
    from stage_moves m, e where m.moved_at >= e.since and m.moved_at < e.ends_at[array_length(e.ends_at, 1)]
    union all
    select m.from_stage, m.moved_at, 0, 1, m.project_id
    from stage_moves m, e where m.moved_at >= e.since and m.moved_at < e.ends_at[array_length(e.ends_at, 1)]
    union all
    select 'define', p.created_at, 1, 0, p.id
    from projects p, e where p.created_at >= e.since and p.created_at < e.ends_at[array_length(e.ends_at, 1)]
  )
  select ev.stage, width_bucket(ev.at, e.ends_at) as k, sum(ev.entered), sum(ev.left_)
  from events ev
  left join projects p on p.id = ev.project_id
  left join stage_owners so on so.project_id = ev.project_id and so.stage = ev.stage
  cross join e
  where (f_stage is null or ev.stage = f_stage)
    and (f_team is null or lower(p.team) = lower(f_team))
    and (f_owner is null or so.owner_id = f_owner)
    and (f_tier is null or p.risk_tier = f_tier)
  group by ev.stage, width_bucket(ev.at, e.ends_at)
$$;

-- Stage flows read the moves of a period from the index alone.
drop index stage_moves_moved_at_idx;
create index stage_moves_moved_at_idx on stage_moves (moved_at) include (from_stage, to_stage, project_id);

drop index projects_portfolio_idx;
create index projects_portfolio_idx on projects (stage, stage_entered_at)
    include (id, team, status, risk_tier, updated_at, red_on, flagged_on, ownerless_on,
             stalled_on, demo_overdue_on, review_overdue_on, gate_gap_on, signals_owner_id);
create index projects_team_stage_name_idx on projects (lower(team), stage, lower(name))
    include (team);
