-- Today's portfolio counted from the changes since the last day counted, not from every project.
--
-- The counts of an ended day never change (`portfolio_days`), and a project's counts on a later
-- day differ from its counts on that day only if it changed since (a new version) or one of its
-- flags' onset dates falls between the two days. So today's counts are that day's roll-up, less
-- what those few projects counted then, plus what they count now — both read from
-- `project_rows`, the one home of the flags, which gains a filter to a set of projects.
--
-- The trend of the whole portfolio, or of one stage, reads one row per stage and day
-- (`portfolio_day_stages`, the roll-up summed) instead of every group of the day.

drop function project_rows(date, text, project_stage, project_status, text, uuid, boolean, text, text,
                           risk_tier, timestamptz, text, boolean);

create function project_rows(
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
    f_past        boolean default false,
    f_ids         uuid[] default null
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
    and (f_ids is null or v.id = any(f_ids))
$$;


create table portfolio_day_stages (
    day            date not null,
    stage          project_stage not null,
    projects       integer not null,
    red            integer not null,
    flagged        integer not null,
    ownerless      integer not null,
    stalled        integer not null,
    demo_overdue   integer not null,
    review_overdue integer not null,
    gate_gap       integer not null,
    primary key (day, stage)
        include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap)
);

insert into portfolio_day_stages
select day, stage, sum(projects), sum(red), sum(flagged), sum(ownerless), sum(stalled),
       sum(demo_overdue), sum(review_overdue), sum(gate_gap)
from portfolio_days
group by day, stage;

-- As before, and each day's stage totals with it.
create or replace function portfolio_days_fill(up_to date, most integer)
returns integer
language plpgsql
set jit = off
set plan_cache_mode = force_custom_plan
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
                                flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap)
    select d, r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null, count(*),
           count(*) filter (where r.health = 'red'),
           count(*) filter (where r.health <> 'green'),
           count(*) filter (where r.ownerless),
           count(*) filter (where r.stalled),
           count(*) filter (where r.demo_overdue),
           count(*) filter (where r.review_overdue),
           count(*) filter (where r.gate_gap)
    from project_rows(d, f_past => true) r
    group by r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null;
    insert into portfolio_day_stages
    select c.day, c.stage, sum(c.projects), sum(c.red), sum(c.flagged), sum(c.ownerless),
           sum(c.stalled), sum(c.demo_overdue), sum(c.review_overdue), sum(c.gate_gap)
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
