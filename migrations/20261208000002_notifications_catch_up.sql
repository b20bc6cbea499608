-- A portfolio brought in all at once (the seed, an import) is not news: its flags as they stand
-- on `today` count as already announced, and the reminder scan starts from now, so nobody is
-- sent a reminder or a webhook for every project at once.
create or replace function notifications_catch_up(today date) returns void
language sql as $$
  delete from flags_announced;
  insert into flags_announced (project_id, code, since)
  select p.id, f.code, f.since
  from projects p
  cross join lateral (values
      ('ownerless', p.ownerless_on),
      ('stalled', p.stalled_on),
      ('demo_overdue', p.demo_overdue_on),
      ('review_overdue', p.review_overdue_on),
      ('gate_gap', p.gate_gap_on)
  ) f (code, since)
  where f.since <= today;
  update notification_scan set scanned_at = now(), scanned_day = today;
$$;
