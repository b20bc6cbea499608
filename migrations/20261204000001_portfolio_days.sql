-- Each ended day's portfolio, counted once. Versions are closed and opened only at the moment
-- of a write, so what was valid at the end of a day that has ended stays so: its counts per
-- stage, status, team, risk tier and whether the stage had an owner never change, and the trend
-- reads them (one row per group and day) instead of walking every version of the year again.
-- They are `project_rows` of that day grouped (the one home of the flags), written by
-- `portfolio_days_fill`, a day at most once; days after `portfolio_days_through` are counted
-- from the versions when asked for.
create table portfolio_days (
    day            date not null,
    stage          project_stage not null,
    status         project_status not null,
    team           text not null,
    risk_tier      risk_tier not null,
    owned          boolean not null,
    projects       integer not null,
    red            integer not null,
    flagged        integer not null,
    ownerless      integer not null,
    stalled        integer not null,
    demo_overdue   integer not null,
    review_overdue integer not null,
    gate_gap       integer not null,
    -- A series reads its days' rows from the index alone.
    primary key (day, stage, status, team, risk_tier, owned)
        include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap)
);

-- Projects entering and leaving each stage on each ended day, for every team, tier and owner
-- (`stage_flows` of that day), written with `portfolio_days`.
create table stage_flow_days (
    day     date not null,
    stage   project_stage not null,
    entered integer not null,
    exited  integer not null,
    primary key (day, stage) include (entered, exited)
);

-- The last day counted into `portfolio_days` and `stage_flow_days` (every day from the history's start up to it is
-- there); at most one row.
create table portfolio_days_through (
    one boolean primary key default true check (one),
    day date not null
);

-- Counts the days after the last one counted, up to `up_to` and at most `most` of them, into
-- `portfolio_days` and `stage_flow_days` — only days that ended more than an hour ago by the database's clock (no
-- write still in flight can belong to them). One filler at a time (an advisory lock; a second
-- one returns at once); returns the number of days added.
create function portfolio_days_fill(up_to date, most integer)
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

-- The trend of one owner reads that owner's versions.
create index project_signals_history_owner_idx on project_signals_history (owner_id);
