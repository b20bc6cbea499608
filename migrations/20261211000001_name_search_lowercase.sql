-- Name search matches lowercased names with LIKE, which the name indexes hold already lowercased:
-- `lower(name) like lower('%text%')` compares bytes, where `name ilike '%text%'` lowercased every
-- name it looked at. At 100,000 projects a common word's first page walks about 1,500 names in
-- name order and its count up to 1,000 about 12,000: both now read only the name index (an
-- index-only scan, no visit to the table), the matching projects' rows fetched afterwards.

-- The unique name index also carries each project's name and id, so a walk in name order can
-- test a pattern and say which projects match from the index alone. Same name as before, so a
-- duplicate name is still reported as `projects_name_key`.
create unique index projects_name_key_new on projects (lower(name)) include (name, id);
drop index projects_name_key;
alter index projects_name_key_new rename to projects_name_key;

-- The trigram index, for patterns few names match, over the same lowercased names.
create index projects_name_lower_trgm_idx on projects using gin (lower(name) gin_trgm_ops);
drop index projects_name_trgm_idx;

-- `project_rows`' own search argument matches as the list's bound search does.
create or replace function project_rows(
    today date, f_search text default null, f_stage project_stage default null,
    f_status project_status default null, f_team text default null, f_owner uuid default null,
    f_no_owner boolean default false, f_health text default null, f_flag text default null,
    f_tier risk_tier default null, f_updated_since timestamptz default null,
    f_owner_email text default null, f_past boolean default false, f_ids uuid[] default null)
returns table (
    id uuid, name text, team text, stage project_stage, status project_status, risk_tier risk_tier,
    owner_id uuid, owner_name text, owner_email text, owner_active boolean,
    stage_entered_at timestamptz, created_at timestamptz, updated_at timestamptz,
    last_demo_on date, next_review_on date,
    ownerless boolean, stalled boolean, demo_overdue boolean, review_overdue boolean,
    gate_gap boolean, conditions_overdue boolean, goal_drift boolean, continue_loop boolean,
    health text, flags text)
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
         coalesce(v.conditions_overdue_on <= today, false),
         coalesce(v.goal_drift_on <= today, false),
         coalesce(v.continue_loop_on <= today, false),
         case when v.red_on <= today then 'red' when v.flagged_on <= today then 'amber' else 'green' end,
         concat_ws(' ',
           case when v.ownerless_on <= today then 'ownerless' end,
           case when v.stalled_on <= today then 'stalled' end,
           case when v.demo_overdue_on <= today then 'demo_overdue' end,
           case when v.review_overdue_on <= today then 'review_overdue' end,
           case when v.gate_gap_on <= today then 'gate_gap' end,
           case when v.conditions_overdue_on <= today then 'conditions_overdue' end,
           case when v.goal_drift_on <= today then 'goal_drift' end,
           case when v.continue_loop_on <= today then 'continue_loop' end)
  from (
    select h.project_id as id, p.name, h.team, h.stage, h.status, h.risk_tier, h.owner_id,
           h.stage_entered_at, p.created_at, h.valid_from as updated_at, h.last_demo_on,
           h.review_due_on, h.ownerless_on, h.stalled_on, h.demo_overdue_on, h.review_overdue_on,
           h.gate_gap_on, h.conditions_overdue_on, h.goal_drift_on, h.continue_loop_on,
           h.red_on, h.flagged_on
    from project_signals_history h
    left join projects p on p.id = h.project_id
    where f_past
      and tstzrange(h.valid_from, h.valid_to, '(]') @> ((today + 1)::timestamp at time zone 'UTC')
    union all
    select p.id, p.name, p.team, p.stage, p.status, p.risk_tier, p.signals_owner_id,
           p.stage_entered_at, p.created_at,
           case when f_past then p.signals_from else p.updated_at end, p.last_demo_on,
           p.review_due_on, p.ownerless_on, p.stalled_on, p.demo_overdue_on, p.review_overdue_on,
           p.gate_gap_on, p.conditions_overdue_on, p.goal_drift_on, p.continue_loop_on,
           p.red_on, p.flagged_on
    from projects p
  ) v
  -- A current row counts on a past day if its version had begun by the day's end.
  where (not f_past or v.updated_at < ((today + 1)::timestamp at time zone 'UTC'))
    and (f_search is null or lower(v.name) like lower(f_search))
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
         or (f_flag = 'gate_gap' and v.gate_gap_on <= today)
         or (f_flag = 'conditions_overdue' and v.conditions_overdue_on <= today)
         or (f_flag = 'goal_drift' and v.goal_drift_on <= today)
         or (f_flag = 'continue_loop' and v.continue_loop_on <= today))
    and (f_tier is null or v.risk_tier = f_tier)
    and (f_updated_since is null or v.updated_at >= f_updated_since)
    and (f_owner_email is null
         or v.owner_id = (select o.id from accounts o where lower(o.email) = lower(f_owner_email)))
    and (f_ids is null or v.id = any(f_ids))
$$;
