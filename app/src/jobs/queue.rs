//! The jobs table's work (server only): adding, claiming, finishing, failing, listing.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};

use super::ParkedJob;
use crate::state::AppState;

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    /// Tries so far, this one included.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// What became of a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tried again then.
    RetryAt(DateTime<Utc>),
    /// Out of tries: parked with its error.
    Parked,
    /// Its lease had run out and another worker holds it now: nothing was written.
    NotHeld,
}

/// How long after its `attempts`-th failed try a job is tried again: 30 seconds, doubling
/// with each try, never more than six hours.
pub fn backoff(attempts: i32) -> Duration {
    const FIRST_SECONDS: i64 = 30;
    const MOST_SECONDS: i64 = 6 * 60 * 60;
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    Duration::seconds((FIRST_SECONDS << doublings).min(MOST_SECONDS))
}

/// A job's error as stored: at most 2,000 characters.
fn stored_error(error: &str) -> String {
    error.chars().take(2000).collect()
}

/// Adds a job, in the caller's transaction when `db` is one, to run at `run_at` (now when
/// `None`). With a `dedupe_key` already used, nothing is added: returns `None`.
pub async fn enqueue(
    db: impl PgExecutor<'_>,
    kind: &str,
    payload: Value,
    dedupe_key: Option<&str>,
    run_at: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"
        insert into jobs (kind, payload, dedupe_key, run_at)
        values ($1, $2, $3, coalesce($4, now()))
        on conflict (dedupe_key) where dedupe_key is not null do nothing
        returning id
        "#,
        kind,
        payload,
        dedupe_key,
        run_at,
    )
    .fetch_optional(db)
    .await
}

/// Claims up to `limit` jobs that are due, soonest first, for `worker` for `lease`: jobs
/// another worker holds are skipped, not waited for.
pub async fn claim(pool: &PgPool, worker: &str, lease: Duration, limit: i64) -> sqlx::Result<Vec<Job>> {
    let lease_ms = lease.num_milliseconds();
    sqlx::query_as!(
        Job,
        r#"
        update jobs j
        set attempts = j.attempts + 1, locked_by = $1, started_at = clock_timestamp(),
            locked_until = clock_timestamp() + make_interval(secs => $2::bigint / 1000.0)
        from (
            select id from jobs
            where done_at is null and parked_at is null and run_at <= clock_timestamp()
              and (locked_until is null or locked_until < clock_timestamp())
            order by run_at, id
            limit $3
            for update skip locked
        ) due
        where j.id = due.id
        returning j.id, j.kind, j.payload, j.attempts, j.max_attempts
        "#,
        worker,
        lease_ms,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Marks a job done — if `worker` still holds it. Returns whether it did.
pub async fn finish(pool: &PgPool, job: &Job, worker: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update jobs set done_at = clock_timestamp(), locked_by = null, locked_until = null, last_error = null
         where id = $1 and locked_by = $2 and done_at is null",
        job.id,
        worker,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed try: the job waits for its back-off, or is parked when out of tries.
pub async fn fail(pool: &PgPool, job: &Job, worker: &str, error: &str) -> sqlx::Result<AfterFailure> {
    let park = job.attempts >= job.max_attempts;
    let wait_ms = backoff(job.attempts).num_milliseconds();
    let run_at = sqlx::query_scalar!(
        r#"
        update jobs
        set locked_by = null, locked_until = null, last_error = $3,
            parked_at = case when $4 then clock_timestamp() end,
            run_at = case when $4 then run_at
                          else clock_timestamp() + make_interval(secs => $5::bigint / 1000.0) end
        where id = $1 and locked_by = $2 and done_at is null
        returning run_at
        "#,
        job.id,
        worker,
        stored_error(error),
        park,
        wait_ms,
    )
    .fetch_optional(pool)
    .await?;
    Ok(match run_at {
        None => AfterFailure::NotHeld,
        Some(_) if park => AfterFailure::Parked,
        Some(at) => AfterFailure::RetryAt(at),
    })
}

/// The most recently parked jobs, newest first.
pub async fn parked(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<ParkedJob>> {
    sqlx::query_as!(
        ParkedJob,
        r#"
        select id, kind, attempts, coalesce(last_error, '') as "last_error!", parked_at as "parked_at!"
        from jobs where parked_at is not null
        order by parked_at desc, id desc
        limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Deletes jobs done more than a week ago (deliveries keep their own record); returns how many.
pub async fn purge_done(pool: &PgPool) -> sqlx::Result<u64> {
    let purged = sqlx::query!("delete from jobs where done_at < now() - interval '7 days'")
        .execute(pool)
        .await?;
    Ok(purged.rows_affected())
}

/// How many jobs one worker runs in a round before looking at the clock again.
const ROUND: usize = 100;

/// One round of a worker: the audit trail dispatched to webhooks, the scheduled work queued
/// (notification scan, weekly digest), then the jobs that are due, a few claimed at a time,
/// until none is (or a round's worth ran). Returns how many ran.
pub async fn run_due(state: &AppState, worker: &str, lease: Duration) -> sqlx::Result<usize> {
    let pool = &state.pool;
    crate::webhooks::server::dispatch(pool).await?;
    crate::notify::server::schedule(pool, &state.mail, Utc::now()).await?;
    let mut ran = 0;
    while ran < ROUND {
        let claimed = claim(pool, worker, lease, 10).await?;
        if claimed.is_empty() {
            break;
        }
        for job in claimed {
            ran += 1;
            match run(state, &job).await {
                Ok(()) => {
                    finish(pool, &job, worker).await?;
                }
                Err(error) => {
                    let after = fail(pool, &job, worker, &error).await?;
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, ?after, %error, "a background job failed");
                }
            }
        }
    }
    Ok(ran)
}

/// Runs one job by its kind.
async fn run(state: &AppState, job: &Job) -> Result<(), String> {
    use crate::notify::server as notify;
    let (pool, today) = (&state.pool, state.clock.today());
    match job.kind.as_str() {
        crate::webhooks::server::DELIVERY_JOB => crate::webhooks::server::deliver(pool, job).await,
        notify::SCAN_JOB => notify::scan(pool, &state.mail, today)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        notify::DIGEST_JOB => notify::digest(pool, &state.mail, today)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        notify::EMAIL_JOB => notify::email(pool, &state.mail, job).await,
        crate::imports::server::COMMIT_JOB => crate::imports::server::run_queued(pool, job, today).await,
        other => Err(format!("no worker knows jobs of kind {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_thirty_seconds_to_at_most_six_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(10), Duration::seconds(30 * 512));
        assert_eq!(backoff(11), Duration::seconds(6 * 60 * 60));
        assert_eq!(backoff(1000), Duration::seconds(6 * 60 * 60));
        assert_eq!(
            backoff(0),
            Duration::seconds(30),
            "a job never tried waits the first wait"
        );
    }

    #[test]
    fn a_stored_error_is_cut_at_two_thousand_characters() {
        assert_eq!(stored_error(&"é".repeat(3000)).chars().count(), 2000);
        assert_eq!(stored_error("refused"), "refused");
    }
}
