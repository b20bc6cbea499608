-- The CSV export carries each project's open review conditions as a count (conditions created
-- by the end of the day and not closed by then, of reviews not withdrawn by then), after its
-- other columns so that readers by position are unaffected.
drop function project_export(date, project_stage, text, uuid, boolean, text, text, risk_tier,
                             timestamptz, text, boolean);
create function project_export(
    today date, f_stage project_stage default null, f_team text default null,
    f_owner uuid default null, f_no_owner boolean default false, f_health text default null,
    f_flag text default null, f_tier risk_tier default null,
    f_updated_since timestamptz default null, f_owner_email text default null,
    f_past boolean default false)
returns table (
    id uuid, name text, team text, stage text, status text, risk_tier text, owner_name text,
    owner_email text, stage_entered_on date, days_in_stage integer, last_demo_on date,
    next_review_on date, health text, flags text, created_at timestamptz, updated_at timestamptz,
    open_conditions integer)
language sql stable as $$
  select r.id, r.name, r.team, r.stage::text, r.status::text, r.risk_tier::text,
         r.owner_name, r.owner_email,
         (r.stage_entered_at at time zone 'UTC')::date,
         today - (r.stage_entered_at at time zone 'UTC')::date,
         r.last_demo_on, r.next_review_on, r.health, r.flags, r.created_at, r.updated_at,
         (select count(*)::integer
            from review_conditions c
            join risk_reviews v on v.id = c.review_id
           where c.project_id = r.id
             and c.created_at < ((today + 1)::timestamp at time zone 'UTC')
             and (c.resolved_at is null or c.resolved_at >= ((today + 1)::timestamp at time zone 'UTC'))
             and (v.withdrawn_at is null or v.withdrawn_at >= ((today + 1)::timestamp at time zone 'UTC')))
  from project_rows(today, f_stage => f_stage, f_team => f_team, f_owner => f_owner,
                    f_no_owner => f_no_owner, f_health => f_health, f_flag => f_flag, f_tier => f_tier,
                    f_updated_since => f_updated_since, f_owner_email => f_owner_email,
                    f_past => f_past) r
  order by r.created_at, r.id
$$;
