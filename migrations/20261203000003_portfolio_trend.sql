-- The portfolio over time, at a series of days (`days`, ascending), for the projects the
-- filters select as they were on each day. Each project version (history ∪ current rows)
-- counts towards a day when it was valid at that day's end, and towards a flag (or a health)
-- from the day its onset came. Instead of one row per version and day, each version gives, per
-- measure, the index of its first counted day (`greatest(a, onset index)`) and of its last (`b`):
-- one pass with grouping sets returns, per measure and day index, how many versions start and
-- how many end there. The caller adds them up in order (`portfolio::trend::series`).
create function portfolio_trend(
    days          date[],
    f_stage       project_stage default null,
    f_status      project_status default null,
    f_team        text default null,
    f_owner       uuid default null,
    f_no_owner    boolean default false,
    f_tier        risk_tier default null,
    f_owner_email text default null
)
returns table (
    measure text,
    k       integer,
    starts  bigint,
    ends    bigint
)
language sql stable as $$
  with e as (
    select array_agg(((d + 1)::timestamp at time zone 'UTC') order by d) as ends_at
    from unnest(days) d
  ),
  v as (
    select h.valid_from, h.valid_to, h.stage, h.status, h.team, h.risk_tier, h.owner_id,
           h.red_on, h.flagged_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on,
           h.review_overdue_on, h.gate_gap_on
    from project_signals_history h, e
    where tstzrange(h.valid_from, h.valid_to, '(]')
          && tstzrange(e.ends_at[1], e.ends_at[array_length(e.ends_at, 1)], '[]')
    union all
    select p.signals_from, 'infinity', p.stage, p.status, p.team, p.risk_tier, p.signals_owner_id,
           p.red_on, p.flagged_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on,
           p.review_overdue_on, p.gate_gap_on
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
           width_bucket(v.gate_gap_on - 1, days) as gate_gap
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
           case when gate_gap is not null and greatest(a, gate_gap) <= b then greatest(a, gate_gap) end as gate_gap
    from w
  ),
  g as (
    select grouping(projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap, b) as set,
           projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap, b,
           count(*) as n,
           count(projects) as end_projects, count(red) as end_red, count(flagged) as end_flagged,
           count(ownerless) as end_ownerless, count(stalled) as end_stalled,
           count(demo_overdue) as end_demo_overdue, count(review_overdue) as end_review_overdue,
           count(gate_gap) as end_gate_gap
    from s
    group by grouping sets ((projects), (red), (flagged), (ownerless), (stalled), (demo_overdue),
                            (review_overdue), (gate_gap), (b))
  )
  -- Starts: one grouping set per measure (its key column is the start index).
  select 'projects', projects, n, 0::bigint from g where set = 255 and projects is not null
  union all select 'red', red, n, 0 from g where set = 383 and red is not null
  union all select 'flagged', flagged, n, 0 from g where set = 447 and flagged is not null
  union all select 'ownerless', ownerless, n, 0 from g where set = 479 and ownerless is not null
  union all select 'stalled', stalled, n, 0 from g where set = 495 and stalled is not null
  union all select 'demo_overdue', demo_overdue, n, 0 from g where set = 503 and demo_overdue is not null
  union all select 'review_overdue', review_overdue, n, 0 from g where set = 507 and review_overdue is not null
  union all select 'gate_gap', gate_gap, n, 0 from g where set = 509 and gate_gap is not null
  -- Ends: the (b) set counts, per measure, the versions counted there last.
  union all select m.measure, g.b, 0, m.n
  from g cross join lateral (values ('projects', g.end_projects), ('red', g.end_red),
                                    ('flagged', g.end_flagged), ('ownerless', g.end_ownerless),
                                    ('stalled', g.end_stalled), ('demo_overdue', g.end_demo_overdue),
                                    ('review_overdue', g.end_review_overdue),
                                    ('gate_gap', g.end_gate_gap)) m (measure, n)
  where g.set = 510 and m.n > 0
$$;

-- Projects entering and leaving each stage between consecutive days of a series: bucket k
-- (k >= 1) holds the moves after the end of day k-1 up to the end of day k; the first day only
-- bounds the first period.
-- Creation enters Define; a move leaves one stage and enters another. Filters are the
-- project's team, tier and the stage's owner now.
create function stage_flows(
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
  join projects p on p.id = ev.project_id
  left join stage_owners so on so.project_id = ev.project_id and so.stage = ev.stage
  cross join e
  where (f_stage is null or ev.stage = f_stage)
    and (f_team is null or lower(p.team) = lower(f_team))
    and (f_owner is null or so.owner_id = f_owner)
    and (f_tier is null or p.risk_tier = f_tier)
  group by ev.stage, width_bucket(ev.at, e.ends_at)
$$;

create index stage_moves_moved_at_idx on stage_moves (moved_at);
create index projects_created_at_idx on projects (created_at);
