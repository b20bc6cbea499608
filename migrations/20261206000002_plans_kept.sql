-- Two functions whose bodies PostgreSQL planned again on every call (a SQL function that is not
-- inlined keeps no plan between calls) become PL/pgSQL, whose plans a session keeps: a project's
-- stored signals (every write: 0.4 ms of planning each) and a row's counts for `portfolio_now`
-- (twice per changed row). Same arguments, same results.

create or replace function store_signals(
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
language plpgsql as $$
begin
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
end
$$;

create or replace function portfolio_now_counts(
    d date, sign integer, red_on date, flagged_on date, ownerless_on date, stalled_on date,
    demo_overdue_on date, review_overdue_on date, gate_gap_on date,
    out projects integer, out red integer, out flagged integer, out ownerless integer,
    out stalled integer, out demo_overdue integer, out review_overdue integer, out gate_gap integer)
language plpgsql immutable as $$
begin
  projects := sign;
  red := sign * coalesce(red_on <= d, false)::int;
  flagged := sign * coalesce(flagged_on <= d, false)::int;
  ownerless := sign * coalesce(ownerless_on <= d, false)::int;
  stalled := sign * coalesce(stalled_on <= d, false)::int;
  demo_overdue := sign * coalesce(demo_overdue_on <= d, false)::int;
  review_overdue := sign * coalesce(review_overdue_on <= d, false)::int;
  gate_gap := sign * coalesce(gate_gap_on <= d, false)::int;
end
$$;
