-- How many projects each group holds now — by stage, status, team (as spelled), risk tier and
-- whether the current stage has an owner — kept by every statement that adds, changes or
-- removes projects, so a list's total under those filters is a sum over a few hundred rows
-- instead of a count of every project (100,000 index entries at 100k).
create table project_counts (
    stage     project_stage not null,
    status    project_status not null,
    team      text not null,
    risk_tier risk_tier not null,
    owned     boolean not null,
    projects  integer not null,
    primary key (stage, status, team, risk_tier, owned) include (projects)
);

insert into project_counts (stage, status, team, risk_tier, owned, projects)
select stage, status, team, risk_tier, signals_owner_id is not null, count(*)
from projects
group by stage, status, team, risk_tier, signals_owner_id is not null;

-- The groups a statement's rows joined and left, netted (a change that keeps a project in its
-- group writes nothing). Groups are written in key order, so two writers moving projects between
-- the same groups lock them in the same order. An emptied group stays, at zero.
create function project_counts_apply() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into project_counts as c (stage, status, team, risk_tier, owned, projects)
    select stage, status, team, risk_tier, owned, sum(d)
    from (select stage, status, team, risk_tier, signals_owner_id is not null as owned, 1 as d from added) x
    group by stage, status, team, risk_tier, owned
    having sum(d) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects;
  elsif tg_op = 'UPDATE' then
    insert into project_counts as c (stage, status, team, risk_tier, owned, projects)
    select stage, status, team, risk_tier, owned, sum(d)
    from (select stage, status, team, risk_tier, signals_owner_id is not null as owned, 1 as d from added
          union all
          select stage, status, team, risk_tier, signals_owner_id is not null, -1 from removed) x
    group by stage, status, team, risk_tier, owned
    having sum(d) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects;
  else
    insert into project_counts as c (stage, status, team, risk_tier, owned, projects)
    select stage, status, team, risk_tier, owned, sum(d)
    from (select stage, status, team, risk_tier, signals_owner_id is not null as owned, -1 as d from removed) x
    group by stage, status, team, risk_tier, owned
    having sum(d) <> 0
    order by stage, status, team, risk_tier, owned
    on conflict (stage, status, team, risk_tier, owned)
    do update set projects = c.projects + excluded.projects;
  end if;
  return null;
end
$$;

create trigger project_counts_added after insert on projects
  referencing new table as added
  for each statement execute function project_counts_apply();

create trigger project_counts_changed after update on projects
  referencing old table as removed new table as added
  for each statement execute function project_counts_apply();

create trigger project_counts_removed after delete on projects
  referencing old table as removed
  for each statement execute function project_counts_apply();
