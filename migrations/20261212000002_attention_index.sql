-- The portfolio's attention lists take, for each listed flag, the first few projects carrying it
-- in stage-entry order: a walk of the projects in that order, testing the flag's onset date on
-- each. For a flag few of the oldest projects carry, the walk passed thousands of projects (at
-- 100,000 projects, 3,971 for `review_overdue`: 15 ms, the project rows read one by one). This
-- index carries what a list shows and every listed flag's onset, so the walk reads it alone
-- (an index-only scan: 0.5 ms for the same list). `gate_gap` is not listed.
create index projects_attention_idx on projects (stage_entered_at, id)
    include (stage, team, name, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on,
             conditions_overdue_on, goal_drift_on, continue_loop_on);
