-- Stage flows test their optional team, tier and owner filters as a move's membership in the
-- set of projects (or stages) the filter selects, a set built only when that filter is asked
-- for, instead of joining every move to its project and stage owner: in a plan made once for
-- any filters (the pool plans generically) the join to the stage owners read and hashed all of
-- them (220,000 at 100,000 projects: 130-250 ms a portfolio page) when no owner was asked for.
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
  cross join e
  where (f_stage is null or ev.stage = f_stage)
    and ((f_team is null and f_tier is null)
         or ev.project_id in (select p.id from projects p
                              where (f_team is null or lower(p.team) = lower(f_team))
                                and (f_tier is null or p.risk_tier = f_tier)))
    and (f_owner is null
         or (ev.project_id, ev.stage) in (select so.project_id, so.stage from stage_owners so
                                          where so.owner_id = f_owner))
  group by ev.stage, width_bucket(ev.at, e.ends_at)
$$;
