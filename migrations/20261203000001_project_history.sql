-- A project's state over time, so the portfolio, the lists and the exports can be read as of any
-- past day: each version of a project — its stage, status, team, risk tier, current stage owner,
-- stage entry time and health signals — is valid from one instant to the next. The current
-- version is the project row itself (valid since `signals_from`); earlier ones are rows of
-- `project_signals_history`, each closed when the next began.

alter table project_signals_history
    add column stage            project_stage,
    add column status           project_status,
    add column team             text,
    add column risk_tier        risk_tier,
    add column owner_id         uuid references accounts (id),
    add column stage_entered_at timestamptz;

-- Versions closed before this migration recorded only signals: their state is the project's
-- state now (the history of state starts here).
update project_signals_history h
   set stage = p.stage, status = p.status, team = p.team, risk_tier = p.risk_tier,
       owner_id = so.owner_id, stage_entered_at = p.stage_entered_at
  from projects p
  left join stage_owners so on so.project_id = p.id and so.stage = p.stage
 where h.project_id = p.id;

alter table project_signals_history
    alter column stage set not null,
    alter column status set not null,
    alter column team set not null,
    alter column risk_tier set not null,
    alter column stage_entered_at set not null;

-- The owner of the current stage as the signals were computed (a version changes when it
-- does), and the transaction that opened the current version (a second change in the same
-- transaction amends it instead of closing it).
alter table projects
    add column signals_owner_id uuid references accounts (id),
    add column signals_xact     xid8;

update projects p
   set signals_owner_id = so.owner_id
  from stage_owners so
 where so.project_id = p.id and so.stage = p.stage;

-- "Valid at an instant" for past days: a range probe, whatever the length of the history.
create index project_signals_history_valid_idx
    on project_signals_history using gist (tstzrange(valid_from, valid_to, '(]'));
create index projects_signals_from_idx on projects (signals_from);
create index projects_signals_owner_idx on projects (signals_owner_id);
create index project_signals_history_from_idx on project_signals_history (valid_from);

-- Closes the current version whenever a change to the project row alters its state, at one
-- instant: the old version goes to the history, the new one is valid from then. Within one
-- transaction the first change closes the version and later ones amend the new one, so a write
-- that edits a project and then stores its signals makes one version, not two.
create function projects_keep_history() returns trigger
language plpgsql as $$
declare
  at timestamptz;
begin
  if old.signals_from is null
     or (old.stage, old.status, old.team, old.risk_tier, old.stage_entered_at, old.signals_owner_id,
         old.ownerless_on, old.stalled_on, old.demo_overdue_on, old.review_overdue_on, old.gate_gap_on,
         old.red_on, old.flagged_on, old.ownerless_reason, old.gate_gap_reason, old.progress_on,
         old.last_demo_on, old.review_due_on)
        is not distinct from
        (new.stage, new.status, new.team, new.risk_tier, new.stage_entered_at, new.signals_owner_id,
         new.ownerless_on, new.stalled_on, new.demo_overdue_on, new.review_overdue_on, new.gate_gap_on,
         new.red_on, new.flagged_on, new.ownerless_reason, new.gate_gap_reason, new.progress_on,
         new.last_demo_on, new.review_due_on)
     or old.signals_xact is not distinct from pg_current_xact_id() then
    return new;
  end if;
  at := greatest(clock_timestamp(), old.signals_from);
  insert into project_signals_history
    (project_id, valid_from, valid_to, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on,
     gate_gap_on, red_on, flagged_on, ownerless_reason, gate_gap_reason, progress_on, last_demo_on,
     review_due_on, stage, status, team, risk_tier, owner_id, stage_entered_at)
  values
    (old.id, old.signals_from, at, old.ownerless_on, old.stalled_on, old.demo_overdue_on,
     old.review_overdue_on, old.gate_gap_on, old.red_on, old.flagged_on, old.ownerless_reason,
     old.gate_gap_reason, old.progress_on, old.last_demo_on, old.review_due_on, old.stage, old.status,
     old.team, old.risk_tier, old.signals_owner_id, old.stage_entered_at)
  on conflict (project_id, valid_from) do nothing;
  new.signals_from := at;
  new.signals_xact := pg_current_xact_id();
  return new;
end
$$;

create trigger projects_keep_history before update on projects
  for each row execute function projects_keep_history();

-- The signals (and the stage owner they were computed with) of `p_ids`, stored where they
-- changed; the trigger above keeps the history. A project's first signals open its first
-- version.
drop function store_signals(uuid[], date[], date[], date[], date[], date[], date[], date[], text[],
                            text[], date[], date[], date[]);
create function store_signals(
    p_ids               uuid[],
    p_owner_ids         uuid[],
    p_ownerless_on      date[],
    p_stalled_on        date[],
    p_demo_overdue_on   date[],
    p_review_overdue_on date[],
    p_gate_gap_on       date[],
    p_red_on            date[],
    p_flagged_on        date[],
    p_ownerless_reason  text[],
    p_gate_gap_reason   text[],
    p_progress_on       date[],
    p_last_demo_on      date[],
    p_review_due_on     date[]
)
returns void
language sql as $$
  update projects p
     set signals_from = coalesce(p.signals_from, clock_timestamp()),
         signals_xact = case when p.signals_from is null then pg_current_xact_id() else p.signals_xact end,
         signals_owner_id = n.owner_id,
         ownerless_on = n.ownerless_on, stalled_on = n.stalled_on,
         demo_overdue_on = n.demo_overdue_on, review_overdue_on = n.review_overdue_on,
         gate_gap_on = n.gate_gap_on, red_on = n.red_on, flagged_on = n.flagged_on,
         ownerless_reason = n.ownerless_reason, gate_gap_reason = n.gate_gap_reason,
         progress_on = n.progress_on, last_demo_on = n.last_demo_on, review_due_on = n.review_due_on
  from unnest(p_ids, p_owner_ids, p_ownerless_on, p_stalled_on, p_demo_overdue_on, p_review_overdue_on,
              p_gate_gap_on, p_red_on, p_flagged_on, p_ownerless_reason, p_gate_gap_reason,
              p_progress_on, p_last_demo_on, p_review_due_on)
       as n (project_id, owner_id, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on,
             gate_gap_on, red_on, flagged_on, ownerless_reason, gate_gap_reason, progress_on,
             last_demo_on, review_due_on)
  where p.id = n.project_id
    and (p.signals_from is null
         or (p.signals_owner_id, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
             p.gate_gap_on, p.red_on, p.flagged_on, p.ownerless_reason, p.gate_gap_reason,
             p.progress_on, p.last_demo_on, p.review_due_on)
            is distinct from
            (n.owner_id, n.ownerless_on, n.stalled_on, n.demo_overdue_on, n.review_overdue_on,
             n.gate_gap_on, n.red_on, n.flagged_on, n.ownerless_reason, n.gate_gap_reason,
             n.progress_on, n.last_demo_on, n.review_due_on));
$$;

-- `project_rows` gains `f_past`: read the portfolio as it stood at the end of the day `today`
-- (UTC) — each project's version valid then: its stage, status, team, tier, stage owner and
-- flags on that day, with today's name — instead of the current rows. Projects created later,
-- or before the history starts, are absent. Same filters, same columns, so a past day is read
-- by the same code as today. The owner is the one the signals were computed with
-- (`signals_owner_id`, kept by every write), so no query joins the stage owners. With
-- `f_past` false the history branch folds away and the plans are those of the current rows.
drop function project_export(date, project_stage, text, uuid, boolean, text, text, risk_tier,
                             timestamptz, text);
drop function project_rows(date, text, project_stage, project_status, text, uuid, boolean, text,
                           text, risk_tier, timestamptz, text);

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
  with v as (
    select h.project_id as id, p.name, h.team, h.stage, h.status, h.risk_tier, h.owner_id,
           h.stage_entered_at, p.created_at, h.valid_from as updated_at, h.last_demo_on,
           h.review_due_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on, h.review_overdue_on,
           h.gate_gap_on, h.red_on, h.flagged_on
    from project_signals_history h
    join projects p on p.id = h.project_id
    where f_past
      and tstzrange(h.valid_from, h.valid_to, '(]') @> ((today + 1)::timestamp at time zone 'UTC')
    union all
    select p.id, p.name, p.team, p.stage, p.status, p.risk_tier, p.signals_owner_id,
           p.stage_entered_at, p.created_at,
           case when f_past then p.signals_from else p.updated_at end, p.last_demo_on,
           p.review_due_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
           p.gate_gap_on, p.red_on, p.flagged_on
    from projects p
    where not f_past or p.signals_from < ((today + 1)::timestamp at time zone 'UTC')
  )
  select v.id, v.name, v.team, v.stage, v.status, v.risk_tier,
         o.id, o.display_name, o.email, o.active,
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
  from v
  left join accounts o on o.id = v.owner_id
  where (f_search is null or v.name ilike f_search)
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
    and (f_owner_email is null or lower(o.email) = lower(f_owner_email))
$$;

-- One row per project as the CSV export carries it, in export order (oldest first), now or
-- (`f_past`) as at the end of the day `today`.
create function project_export(
    today           date,
    f_stage         project_stage default null,
    f_team          text default null,
    f_owner         uuid default null,
    f_no_owner      boolean default false,
    f_health        text default null,
    f_flag          text default null,
    f_tier          risk_tier default null,
    f_updated_since timestamptz default null,
    f_owner_email   text default null,
    f_past          boolean default false
)
returns table (
    id               uuid,
    name             text,
    team             text,
    stage            text,
    status           text,
    risk_tier        text,
    owner_name       text,
    owner_email      text,
    stage_entered_on date,
    days_in_stage    integer,
    last_demo_on     date,
    next_review_on   date,
    health           text,
    flags            text,
    created_at       timestamptz,
    updated_at       timestamptz
)
language sql stable as $$
  select r.id, r.name, r.team, r.stage::text, r.status::text, r.risk_tier::text,
         r.owner_name, r.owner_email,
         (r.stage_entered_at at time zone 'UTC')::date,
         today - (r.stage_entered_at at time zone 'UTC')::date,
         r.last_demo_on, r.next_review_on, r.health, r.flags, r.created_at, r.updated_at
  from project_rows(today, f_stage => f_stage, f_team => f_team, f_owner => f_owner,
                    f_no_owner => f_no_owner, f_health => f_health, f_flag => f_flag, f_tier => f_tier,
                    f_updated_since => f_updated_since, f_owner_email => f_owner_email,
                    f_past => f_past) r
  order by r.created_at, r.id
$$;

-- The first instant any history was recorded: no day before it can be shown.
create function history_starts() returns timestamptz
language sql stable as $$
  select least((select min(valid_from) from project_signals_history),
               (select min(signals_from) from projects))
$$;
