-- How many projects entered their current stage on each day (UTC), per stage — kept by every
-- statement that adds, moves or removes projects, as `project_counts` is. The portfolio's
-- median and longest days in each stage are then a running sum over a stage's entry days (a
-- few hundred rows) instead of a walk through half of the stage's projects (50,000 index
-- entries at 100,000 projects).
create table stage_entry_days (
    stage      project_stage not null,
    entered_on date not null,
    projects   integer not null,
    primary key (stage, entered_on) include (projects)
);

insert into stage_entry_days (stage, entered_on, projects)
select stage, (stage_entered_at at time zone 'UTC')::date, count(*)
from projects
group by 1, 2;

-- The days a statement's rows joined and left, netted (an edit that keeps a project's stage and
-- entry writes nothing), written in key order so that two writers lock shared days in the same
-- order. An emptied day stays, at zero.
create function stage_entry_days_apply() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into stage_entry_days as c (stage, entered_on, projects)
    select stage, (stage_entered_at at time zone 'UTC')::date, count(*)
    from added
    group by 1, 2
    order by 1, 2
    on conflict (stage, entered_on) do update set projects = c.projects + excluded.projects;
  elsif tg_op = 'UPDATE' then
    insert into stage_entry_days as c (stage, entered_on, projects)
    select stage, entered_on, sum(d)
    from (select stage, (stage_entered_at at time zone 'UTC')::date as entered_on, 1 as d from added
          union all
          select stage, (stage_entered_at at time zone 'UTC')::date, -1 from removed) x
    group by stage, entered_on
    having sum(d) <> 0
    order by stage, entered_on
    on conflict (stage, entered_on) do update set projects = c.projects + excluded.projects;
  else
    insert into stage_entry_days as c (stage, entered_on, projects)
    select stage, (stage_entered_at at time zone 'UTC')::date, -count(*)
    from removed
    group by 1, 2
    order by 1, 2
    on conflict (stage, entered_on) do update set projects = c.projects + excluded.projects;
  end if;
  return null;
end
$$;

create trigger stage_entry_days_added after insert on projects
  referencing new table as added
  for each statement execute function stage_entry_days_apply();

create trigger stage_entry_days_changed after update on projects
  referencing old table as removed new table as added
  for each statement execute function stage_entry_days_apply();

create trigger stage_entry_days_removed after delete on projects
  referencing old table as removed
  for each statement execute function stage_entry_days_apply();
