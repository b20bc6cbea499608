//! The sign-in throttle: parallel attempts, many emails from one address, deactivated accounts, purging, and which client address is believed.

use super::*;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn fifty_parallel_wrong_passwords_check_only_five(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let pool = pool.clone();
        attempts.spawn(async move {
            accounts::authenticate(
                &pool,
                "ana@example.com",
                Password::new("wrong password!".into()),
                None,
            )
            .await
        });
    }
    let (mut checked, mut throttled) = (0, 0);
    while let Some(result) = attempts.join_next().await {
        match result.expect("joined") {
            Err(AppError::InvalidCredentials) => checked += 1,
            Err(AppError::Throttled { .. }) => throttled += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        (checked, throttled),
        (5, 45),
        "only the rule's five passwords were checked"
    );
    assert_eq!(failures(&pool).await, 5);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn one_address_trying_many_emails_is_locked_after_thirty(pool: PgPool) {
    let attacker: IpAddr = "203.0.113.7".parse().expect("ip");
    let neighbour: IpAddr = "203.0.113.8".parse().expect("ip");
    for i in 0..30 {
        let email = format!("guess{i}@example.com");
        let result = accounts::authenticate(
            &pool,
            &email,
            Password::new("wrong password!".into()),
            Some(attacker),
        )
        .await;
        assert_eq!(
            result.expect_err("wrong"),
            AppError::InvalidCredentials,
            "attempt {i}"
        );
    }
    let locked = accounts::authenticate(
        &pool,
        "fresh@example.com",
        Password::new("wrong password!".into()),
        Some(attacker),
    )
    .await;
    assert!(matches!(locked, Err(AppError::Throttled { .. })), "{locked:?}");
    let other = accounts::authenticate(
        &pool,
        "fresh@example.com",
        Password::new("wrong password!".into()),
        Some(neighbour),
    )
    .await;
    assert_eq!(
        other.expect_err("wrong"),
        AppError::InvalidCredentials,
        "another address is not locked"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_deactivated_account_gets_the_same_answer_as_a_wrong_password(pool: PgPool) {
    let admin = account(&pool, "root@example.com", Role::Admin).await;
    let ana = account(&pool, "ana@example.com", Role::Editor).await;
    admins::set_active(&pool, admin.id, ana.id, false)
        .await
        .expect("deactivated");
    let body = form(&[("email", "ana@example.com"), ("password", PASSWORD)]);
    let response = send(&pool, post_form("/api/login", &body, None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "invalid_credentials");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn old_sign_in_failures_are_purged(pool: PgPool) {
    for _ in 0..3 {
        let _ = accounts::authenticate(
            &pool,
            "x@example.com",
            Password::new("wrong password!".into()),
            None,
        )
        .await;
    }
    sqlx::query("update login_failures set failed_at = failed_at - interval '20 minutes' where id in (select id from login_failures limit 2)")
        .execute(&pool)
        .await
        .expect("age");
    assert_eq!(accounts::purge_login_failures(&pool).await.expect("purged"), 2);
    assert_eq!(failures(&pool).await, 1);
}

/// A sign-in request arriving from `peer`, with an optional `X-Forwarded-For`.
fn login_from(peer: &str, forwarded_for: Option<&str>) -> Request<Body> {
    let mut request = post_form(
        "/api/login",
        &form(&[("email", "nobody@example.com"), ("password", "wrong password!")]),
        None,
    );
    let peer: SocketAddr = peer.parse().expect("socket address");
    request.extensions_mut().insert(ConnectInfo(peer));
    if let Some(value) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", value.parse().expect("header"));
    }
    request
}

async fn recorded_address(pool: &PgPool) -> Option<String> {
    sqlx::query_scalar("select host(client_addr) from login_failures order by id desc limit 1")
        .fetch_one(pool)
        .await
        .expect("a failure")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn x_forwarded_for_is_believed_only_from_a_trusted_proxy(pool: PgPool) {
    // Nobody trusted: the header is the client's own say-so and is ignored.
    send(&pool, login_from("198.51.100.4:5000", Some("203.0.113.9"))).await;
    assert_eq!(recorded_address(&pool).await.as_deref(), Some("198.51.100.4"));

    let mut state = common::state(pool.clone());
    state.auth.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let response = server::app(state)
        .oneshot(login_from("127.0.0.1:5000", Some("203.0.113.9")))
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(recorded_address(&pool).await.as_deref(), Some("203.0.113.9"));
}
