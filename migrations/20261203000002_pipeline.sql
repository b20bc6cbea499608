-- Pipeline analytics: every stay of every project in a stage, one narrow row each, kept with
-- the writes so the pipeline page reads an index range instead of re-deriving every stay from
-- the stage moves on each request (≈ 0.5 s at 100,000 projects; the table makes it ≈ 0.1 s).
--
-- A project is created in Define; each stage move ends the stay it leaves and begins one in the
-- stage it enters. A row holds the facts of one stay — when it began, the move that ended it,
-- and on a project's last stay its status now and since when. What those facts mean (moved on,
-- moved back, cancelled, retired, still open) is decided once, by the pure rules in
-- `app/src/pipeline/rules.rs`; the SQL only selects and counts.

create table stage_stays (
    project_id   uuid not null references projects (id) on delete cascade,
    -- 1 for the stay begun at creation, then one more per move, in order.
    n            integer not null,
    stage        project_stage not null,
    began_at     timestamptz not null,
    -- The UTC day it began: date ranges, ages and durations count whole UTC days.
    began_on     date not null,
    -- The move that ended it: when, and into which stage (both null on the last stay).
    ended_at     timestamptz,
    next_stage   project_stage,
    -- On the project's last stay only: its status now, and the instant it became so.
    status       project_status,
    status_since timestamptz,
    -- Whole UTC days from the day it began to the day of the move that ended it — on the last
    -- stay, to the day the current status began (never before the stay began).
    days         integer not null,
    -- The first time the project entered Deploy after this stay began; null if it has not.
    deployed_at  timestamptz,
    -- What a view filters on, copied here so a filtered view reads the same index range: the
    -- project's team (lower case) and risk tier now, and the owner of this stage now.
    team_key     text not null,
    risk_tier    risk_tier not null,
    owner_id     uuid,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint stage_stays_pkey primary key (project_id, n),
    constraint stage_stays_days_not_negative check (days >= 0),
    constraint stage_stays_ended_by_a_move check ((ended_at is null) = (next_stage is null)),
    constraint stage_stays_status_on_last_stay check ((status is null) = (ended_at is not null)
                                                      and (status_since is null) = (ended_at is not null))
);

-- The page's counts read every stay begun in a date range, the prototype → production cohorts
-- and the lists behind each number one stage's: both index-only.
create index stage_stays_began_idx on stage_stays (began_at)
    include (stage, next_stage, status, days, began_on, project_id, deployed_at, team_key, risk_tier,
             owner_id);
create index stage_stays_stage_began_idx on stage_stays (stage, began_at)
    include (next_stage, status, days, began_on, project_id, deployed_at, team_key, risk_tier,
             owner_id);

-- Rebuilds the stays of `p_ids` from their creation, their moves (in order of time, then of
-- entry), their status, team, tier and stage owners. The instant a project's current status began is where its current
-- run of versions in the history begins (`project_signals_history`, then the current row from
-- `signals_from`); when the history never shows another status, the earlier of its first
-- version's start and `updated_at` (the change happened before the history began). It is
-- never before the last stay began.
create function stage_stays_refresh(p_ids uuid[]) returns void
language sql as $$
  delete from stage_stays where project_id = any(p_ids);
  insert into stage_stays (project_id, n, stage, began_at, began_on, ended_at, next_stage, status,
                           status_since, days, deployed_at, team_key, risk_tier, owner_id)
  with proj as (
    select p.id, p.created_at, p.status, lower(p.team) as team_key, p.risk_tier, p.signals_from,
           p.updated_at
    from projects p
    where p.id = any(p_ids)
  ),
  entries as (
    select p.id as project_id, 0::bigint as move_id, 'define'::project_stage as stage, p.created_at as at
    from proj p
    union all
    select m.project_id, m.id, m.to_stage, m.moved_at
    from stage_moves m
    where m.project_id = any(p_ids)
  ),
  stays as (
    select e.project_id, e.stage, e.at,
           row_number() over w as n,
           lead(e.at) over w as ended_at,
           lead(e.stage) over w as next_stage,
           min(e.at) filter (where e.stage = 'deploy')
             over (w rows between 1 following and unbounded following) as deployed_at
    from entries e
    window w as (partition by e.project_id order by e.at, e.move_id)
  ),
  -- The history is read only for each project's last stay.
  last as (
    select s.*, p.team_key, p.risk_tier,
           case when s.ended_at is null then p.status end as status,
           case when s.ended_at is null then greatest(s.at, coalesce(
             (select max(h.valid_to) from project_signals_history h
              where h.project_id = p.id and h.status <> p.status),
             least((select min(h.valid_from) from project_signals_history h where h.project_id = p.id),
                   p.signals_from, p.updated_at))) end as status_since
    from stays s
    join proj p on p.id = s.project_id
  )
  select s.project_id, s.n, s.stage, s.at, (s.at at time zone 'UTC')::date, s.ended_at, s.next_stage,
         s.status, s.status_since,
         greatest(0, (coalesce(s.ended_at, s.status_since) at time zone 'UTC')::date
                     - (s.at at time zone 'UTC')::date),
         s.deployed_at, s.team_key, s.risk_tier, o.owner_id
  from last s
  left join stage_owners o on o.project_id = s.project_id and o.stage = s.stage
$$;

-- New projects (one statement may add many: the seed copies thousands at once).
create function stage_stays_projects_added() returns trigger
language plpgsql as $$
begin
  perform stage_stays_refresh(array(select id from added));
  return null;
end
$$;

create trigger stage_stays_projects_added after insert on projects
  referencing new table as added
  for each statement execute function stage_stays_projects_added();

-- A changed status changes the last stay; a changed creation instant the first; a changed
-- team or tier every stay.
create function stage_stays_project_changed() returns trigger
language plpgsql as $$
begin
  perform stage_stays_refresh(array[new.id]);
  return null;
end
$$;

create trigger stage_stays_project_changed after update of status, created_at, team, risk_tier on projects
  for each row
  when ((old.status, old.created_at, old.team, old.risk_tier)
        is distinct from (new.status, new.created_at, new.team, new.risk_tier))
  execute function stage_stays_project_changed();

-- New moves end one stay and begin the next.
create function stage_stays_moves_added() returns trigger
language plpgsql as $$
begin
  perform stage_stays_refresh(array(select distinct project_id from added));
  return null;
end
$$;

create trigger stage_stays_moves_added after insert on stage_moves
  referencing new table as added
  for each statement execute function stage_stays_moves_added();

-- A move corrected or removed (rare: by hand, or with its project).
create function stage_stays_move_changed() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    perform stage_stays_refresh(array[old.project_id, new.project_id]);
  else
    perform stage_stays_refresh(array[old.project_id]);
  end if;
  return null;
end
$$;

create trigger stage_stays_move_changed after update or delete on stage_moves
  for each row execute function stage_stays_move_changed();

-- Stage owners: assigned (one statement may assign many: the seed copies thousands at once),
-- handed over, or removed.
create function stage_stays_owners_added() returns trigger
language plpgsql as $$
begin
  update stage_stays s set owner_id = a.owner_id
  from added a
  where s.project_id = a.project_id and s.stage = a.stage and s.owner_id is distinct from a.owner_id;
  return null;
end
$$;

create trigger stage_stays_owners_added after insert on stage_owners
  referencing new table as added
  for each statement execute function stage_stays_owners_added();

create function stage_stays_owner_changed() returns trigger
language plpgsql as $$
begin
  update stage_stays set owner_id = null where project_id = old.project_id and stage = old.stage;
  if tg_op = 'UPDATE' then
    update stage_stays set owner_id = new.owner_id where project_id = new.project_id and stage = new.stage;
  end if;
  return null;
end
$$;

create trigger stage_stays_owner_changed after update or delete on stage_owners
  for each row execute function stage_stays_owner_changed();

-- The stays of the projects there are already.
select stage_stays_refresh(array(select id from projects));

-- The stays a pipeline view selects: begun in [f_from, f_to), in `f_stage` (any when null), of
-- projects of the team `f_team` (case-insensitive, as the list) and the tier `f_tier`, whose
-- stage is owned (now) by `f_owner` — or the account with the email `f_owner_email` — or, with
-- `f_no_owner`, by nobody. Every filter is a column of the stay, so each view reads one index
-- range (the pool plans each statement for its own arguments, so absent filters fold away).
create function pipeline_stays(
    f_from        timestamptz,
    f_to          timestamptz,
    f_stage       project_stage default null,
    f_team        text default null,
    f_tier        risk_tier default null,
    f_owner       uuid default null,
    f_owner_email text default null,
    f_no_owner    boolean default false
)
returns table (
    project_id  uuid,
    stage       project_stage,
    began_at    timestamptz,
    began_on    date,
    next_stage  project_stage,
    status      project_status,
    days        integer,
    deployed_at timestamptz
)
language sql stable as $$
  select s.project_id, s.stage, s.began_at, s.began_on, s.next_stage, s.status, s.days, s.deployed_at
  from stage_stays s
  where s.began_at >= f_from and s.began_at < f_to
    and (f_stage is null or s.stage = f_stage)
    and (f_team is null or s.team_key = lower(f_team))
    and (f_tier is null or s.risk_tier = f_tier)
    and (f_owner is null or s.owner_id = f_owner)
    and (f_owner_email is null
         or s.owner_id = (select a.id from accounts a where lower(a.email) = lower(f_owner_email)))
    and (not f_no_owner or s.owner_id is null)
$$;
