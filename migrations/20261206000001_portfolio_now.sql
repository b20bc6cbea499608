-- Today's portfolio counts, kept by every write.
--
-- `portfolio_now` holds, for one day (`portfolio_now_day`), what `portfolio_days` would hold for
-- it: projects per stage, status, team, tier and "has an owner", with how many are red, flagged
-- and carry each flag on that day. Every statement that adds, changes or removes projects nets
-- its rows' counts on that day into it (as `project_counts` does for the bare totals), so
-- today's portfolio is a sum over a few hundred rows however many projects changed today.
-- A flag is on on a day when its onset date is on or before it — the comparison
-- `project_rows` makes.
--
-- When the day turns, `portfolio_now_refresh` counts the new day from `project_rows` (the
-- housekeeping task calls it); until then readers count the way they did before.

create table portfolio_now_day (
    one boolean primary key default true check (one),
    day date not null
);

create table portfolio_now (
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
    primary key (stage, status, team, risk_tier, owned)
        include (projects, red, flagged, ownerless, stalled, demo_overdue, review_overdue, gate_gap)
);

-- Counts `day` afresh. Writers wait while it runs (their triggers take the table's ROW
-- EXCLUSIVE lock before reading the day), so none nets a change into counts of another day;
-- one that changed a project before the lock nets it in after, on top of counts that did not
-- see it. Another server already counting is left to it.
create or replace function portfolio_now_refresh(d date)
returns boolean
language plpgsql
as $$
begin
  if not pg_try_advisory_xact_lock(hashtext('portfolio_now_refresh')) then
    return false;
  end if;
  lock table portfolio_now in exclusive mode;
  delete from portfolio_now;
  insert into portfolio_now (stage, status, team, risk_tier, owned, projects, red, flagged,
                             ownerless, stalled, demo_overdue, review_overdue, gate_gap)
  select r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null, count(*),
         count(*) filter (where r.health = 'red'),
         count(*) filter (where r.health <> 'green'),
         count(*) filter (where r.ownerless),
         count(*) filter (where r.stalled),
         count(*) filter (where r.demo_overdue),
         count(*) filter (where r.review_overdue),
         count(*) filter (where r.gate_gap)
  from project_rows(d) r
  group by r.stage, r.status, r.team, r.risk_tier, r.owner_id is not null;
  insert into portfolio_now_day (one, day) values (true, d)
  on conflict (one) do update set day = excluded.day;
  return true;
end
$$;

-- One project row's counts on day `d`, signed: what `portfolio_now_apply` adds or takes away.
create or replace function portfolio_now_counts(
    d date, sign integer, red_on date, flagged_on date, ownerless_on date, stalled_on date,
    demo_overdue_on date, review_overdue_on date, gate_gap_on date,
    out projects integer, out red integer, out flagged integer, out ownerless integer,
    out stalled integer, out demo_overdue integer, out review_overdue integer, out gate_gap integer)
language sql immutable as $$
  select sign,
         sign * coalesce(red_on <= d, false)::int,
         sign * coalesce(flagged_on <= d, false)::int,
         sign * coalesce(ownerless_on <= d, false)::int,
         sign * coalesce(stalled_on <= d, false)::int,
         sign * coalesce(demo_overdue_on <= d, false)::int,
         sign * coalesce(review_overdue_on <= d, false)::int,
         sign * coalesce(gate_gap_on <= d, false)::int
$$;

-- The groups a statement's rows joined and left, netted in one statement and written in key
-- order (two writers lock shared groups in the same order; a change that keeps a project's
-- counts writes nothing). Nothing is kept before the first refresh. The three branches differ
-- only in which transition tables the statement has.
create or replace function portfolio_now_apply() returns trigger
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
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap)
    from (
          select a.stage, a.status, a.team, a.risk_tier, a.signals_owner_id is not null as owned, n.*
          from added a,
               portfolio_now_counts(d, 1, a.red_on, a.flagged_on, a.ownerless_on, a.stalled_on,
                                    a.demo_overdue_on, a.review_overdue_on, a.gate_gap_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap;
  elsif tg_op = 'UPDATE' then
    insert into portfolio_now as c (stage, status, team, risk_tier, owned, projects, red, flagged,
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap)
    from (
          select a.stage, a.status, a.team, a.risk_tier, a.signals_owner_id is not null as owned, n.*
          from added a,
               portfolio_now_counts(d, 1, a.red_on, a.flagged_on, a.ownerless_on, a.stalled_on,
                                    a.demo_overdue_on, a.review_overdue_on, a.gate_gap_on) n
          union all
          select r.stage, r.status, r.team, r.risk_tier, r.signals_owner_id is not null as owned, n.*
          from removed r,
               portfolio_now_counts(d, -1, r.red_on, r.flagged_on, r.ownerless_on, r.stalled_on,
                                    r.demo_overdue_on, r.review_overdue_on, r.gate_gap_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap;
  else
    insert into portfolio_now as c (stage, status, team, risk_tier, owned, projects, red, flagged,
                                    ownerless, stalled, demo_overdue, review_overdue, gate_gap)
    select stage, status, team, risk_tier, owned, sum(projects), sum(red), sum(flagged),
           sum(ownerless), sum(stalled), sum(demo_overdue), sum(review_overdue), sum(gate_gap)
    from (
          select r.stage, r.status, r.team, r.risk_tier, r.signals_owner_id is not null as owned, n.*
          from removed r,
               portfolio_now_counts(d, -1, r.red_on, r.flagged_on, r.ownerless_on, r.stalled_on,
                                    r.demo_overdue_on, r.review_overdue_on, r.gate_gap_on) n
    ) x
    group by stage, status, team, risk_tier, owned
    having sum(projects) <> 0 or sum(red) <> 0 or sum(flagged) <> 0 or sum(ownerless) <> 0
        or sum(stalled) <> 0 or sum(demo_overdue) <> 0 or sum(review_overdue) <> 0
        or sum(gate_gap) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects,
                  red = c.red + excluded.red,
                  flagged = c.flagged + excluded.flagged,
                  ownerless = c.ownerless + excluded.ownerless,
                  stalled = c.stalled + excluded.stalled,
                  demo_overdue = c.demo_overdue + excluded.demo_overdue,
                  review_overdue = c.review_overdue + excluded.review_overdue,
                  gate_gap = c.gate_gap + excluded.gate_gap;
  end if;
  return null;
end
$$;

create trigger portfolio_now_added after insert on projects
  referencing new table as added
  for each statement execute function portfolio_now_apply();

create trigger portfolio_now_changed after update on projects
  referencing old table as removed new table as added
  for each statement execute function portfolio_now_apply();

create trigger portfolio_now_removed after delete on projects
  referencing old table as removed
  for each statement execute function portfolio_now_apply();

-- The first instant of the recorded history, as before; in PL/pgSQL, whose plans a session
-- keeps (a SQL function that is not inlined plans its body again on every call: 0.4 ms of the
-- portfolio page's time).
create or replace function history_starts() returns timestamptz
language plpgsql stable as $$
begin
  return least((select min(valid_from) from project_signals_history),
               (select min(signals_from) from projects));
end
$$;
