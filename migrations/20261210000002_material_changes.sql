-- Material changes: what changes a project enough that an approval given before it no longer
-- speaks for it — a pivot (moved back a stage), its success metric, target, baseline or
-- data-readiness statement changed, its risk tier raised. Written with the change itself (the
-- rule that decides what is material is `app::projects::material`); read by the health rules:
-- an explainability sign-off or model-risk review given before the latest one stops counting
-- for the deploy gate, the gate into Build asks for user research held after the latest pivot,
-- and a success metric or target changed in Build or Deploy is goal drift until a reviewer
-- acknowledges it.
create table material_changes (
    id              bigint generated always as identity primary key,
    project_id      uuid not null references projects (id) on delete cascade,
    changed_at      timestamptz not null default now(),
    changed_by      uuid references accounts (id),
    kind            text not null
        constraint material_changes_kind_known check (kind in (
            'pivot', 'success_metric', 'success_target', 'baseline_metric', 'data_readiness', 'risk_tier')),
    -- The stage the project was in when it changed (a pivot: the stage it left).
    stage           project_stage not null,
    before          text not null default '' check (length(before) <= 4000),
    after           text not null default '' check (length(after) <= 4000),
    -- Goal drift is acknowledged by a reviewer (or admin), once.
    acknowledged_at timestamptz,
    acknowledged_by uuid references accounts (id),
    constraint material_changes_acknowledgement_complete
        check ((acknowledged_at is null) = (acknowledged_by is null))
);
create index material_changes_project_idx on material_changes (project_id, changed_at);

-- The history so far, from the audit trail: each edit of a material field (a value replaced,
-- not a first one filled in), each raise of the risk tier, and each move back. The stage a
-- project was in at an edit is the one its latest move before the edit led to (or, before any
-- move, the stage the first move left, else its stage now).
insert into material_changes (project_id, changed_at, changed_by, kind, stage, before, after)
select e.entity_id, e.occurred_at, e.actor_id, f.key, s.stage,
       left(f.value ->> 'before', 4000), left(coalesce(f.value ->> 'after', ''), 4000)
from audit_events e
cross join lateral jsonb_each(e.changes) f
join projects p on p.id = e.entity_id
cross join lateral (
    select coalesce(
        (select m.to_stage from stage_moves m
          where m.project_id = e.entity_id and m.moved_at <= e.occurred_at
          order by m.moved_at desc, m.id desc limit 1),
        (select m.from_stage from stage_moves m
          where m.project_id = e.entity_id order by m.moved_at, m.id limit 1),
        p.stage) as stage
) s
where e.entity_type = 'project' and e.action = 'updated'
  and jsonb_typeof(f.value) = 'object'
  and (
    (f.key in ('success_metric', 'success_target', 'baseline_metric', 'data_readiness')
     and btrim(coalesce(f.value ->> 'before', '')) <> ''
     and btrim(coalesce(f.value ->> 'before', '')) <> btrim(coalesce(f.value ->> 'after', '')))
    or (f.key = 'risk_tier'
        and (f.value ->> 'before') in ('low', 'medium', 'high')
        and (f.value ->> 'after') in ('low', 'medium', 'high')
        and (f.value ->> 'after')::risk_tier > (f.value ->> 'before')::risk_tier)
  );

insert into material_changes (project_id, changed_at, changed_by, kind, stage, before, after)
select m.project_id, m.moved_at, m.moved_by, 'pivot', m.from_stage, m.from_stage::text, m.to_stage::text
from stage_moves m
where m.to_stage < m.from_stage;
