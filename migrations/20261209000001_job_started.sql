-- When a job's latest try began, so a finished job says how long it ran (done_at - started_at).
alter table jobs add column started_at timestamptz;
