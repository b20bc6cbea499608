//! The embedded PostgreSQL: first start initialises, data survives a restart, a stale lock
//! from a crash is recovered.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

use server::embedded_pg::{find_binaries, EmbeddedPostgres};
use sqlx::Connection;

async fn scalar(url: &str, sql: &str) -> i64 {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let value: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("query");
    conn.close().await.expect("close");
    value
}

#[tokio::test]
async fn the_cluster_initialises_keeps_its_data_and_recovers_a_stale_lock() {
    if find_binaries().is_none() {
        panic!("PostgreSQL binaries are required for this test; install postgresql");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // As root the cluster runs as `postgres`, which must be able to reach the directory.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let data = dir.path().join("pgdata");

    let cluster = EmbeddedPostgres::start(&data).await.expect("first start");
    assert!(data.join("PG_VERSION").exists(), "initdb ran");
    let url = cluster.url();
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
    sqlx::query("create table kept (n bigint)")
        .execute(&mut conn)
        .await
        .expect("create");
    sqlx::query("insert into kept values (42)")
        .execute(&mut conn)
        .await
        .expect("insert");
    conn.close().await.expect("close");
    cluster.stop().await.expect("stop");
    assert!(!data.join("postmaster.pid").exists(), "stopped cleanly");

    // A crash leaves a lock file naming a process that no longer exists.
    std::fs::write(data.join("postmaster.pid"), "999999\n").expect("fake lock");
    let cluster = EmbeddedPostgres::start(&data).await.expect("start after a crash");
    assert_eq!(
        scalar(&cluster.url(), "select n from kept").await,
        42,
        "data kept between runs"
    );
    cluster.stop().await.expect("stop");
}
