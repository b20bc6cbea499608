//! Accounts, sign-in, throttling, sessions and the audit trail, against a real PostgreSQL.
//! Each test gets its own database.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::admin::server as admins;
use app::auth::server::{accounts, password::Password, session};
use app::auth::Role;
use app::error::AppError;
use app::state::AuthSettings;
use common::{account, PASSWORD};
use sqlx::PgPool;

fn admin_input(email: &str) -> accounts::NewAccount {
    accounts::NewAccount {
        display_name: "First Admin".into(),
        email: email.into(),
        role: Role::Admin,
        password: Password::new(PASSWORD.into()),
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn creating_an_account_stores_an_argon2id_hash_and_one_audit_event(pool: PgPool) {
    let created = account(&pool, "ana@example.com", Role::Editor).await;
    let hash: String = sqlx::query_scalar("select password_hash from accounts where id = $1")
        .bind(created.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(PASSWORD));

    let events: Vec<(String, serde_json::Value)> =
        sqlx::query_as("select action, changes from audit_events where entity_id = $1")
            .bind(created.id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "created");
    assert_eq!(events[0].1["role"]["after"], "editor");
    assert_eq!(events[0].1["email"]["after"], "ana@example.com");
    assert!(
        !events[0].1.to_string().contains("argon2"),
        "no hash in the audit trail"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn emails_are_unique_regardless_of_case(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let mut input = admin_input("  ANA@Example.com ");
    input.role = Role::Viewer;
    let error = accounts::create(&pool, None, input).await.unwrap_err();
    assert_eq!(
        error.fields().and_then(|f| f.get("email")),
        Some("An account with this email already exists.")
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn invalid_accounts_are_refused_field_by_field_and_nothing_is_written(pool: PgPool) {
    let input = accounts::NewAccount {
        display_name: " ".into(),
        email: "not-an-email".into(),
        role: Role::Editor,
        password: Password::new("short".into()),
    };
    let error = accounts::create(&pool, None, input).await.unwrap_err();
    let fields = error.fields().expect("field errors");
    assert!(fields.get("display_name").is_some());
    assert!(fields.get("email").is_some());
    assert!(fields.get("password").is_some());
    let count: i64 = sqlx::query_scalar("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_right_password_signs_in_and_wrong_or_unknown_get_the_same_error(pool: PgPool) {
    let created = account(&pool, "ana@example.com", Role::Editor).await;
    let user = accounts::authenticate(&pool, "ANA@example.com ", Password::new(PASSWORD.into()), None)
        .await
        .unwrap();
    assert_eq!(user.id, created.id);
    assert_eq!(user.role, Role::Editor);

    let wrong = accounts::authenticate(
        &pool,
        "ana@example.com",
        Password::new("wrong password!".into()),
        None,
    )
    .await;
    let unknown =
        accounts::authenticate(&pool, "bob@example.com", Password::new(PASSWORD.into()), None).await;
    assert_eq!(wrong.unwrap_err(), AppError::InvalidCredentials);
    assert_eq!(unknown.unwrap_err(), AppError::InvalidCredentials);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn five_failures_lock_the_email_even_for_the_right_password(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    for _ in 0..5 {
        let result = accounts::authenticate(
            &pool,
            "ana@example.com",
            Password::new("wrong password!".into()),
            None,
        )
        .await;
        assert_eq!(result.unwrap_err(), AppError::InvalidCredentials);
    }
    let locked = accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None).await;
    assert_eq!(locked.unwrap_err(), AppError::Throttled { minutes: 15 });

    // Once the failures are older than the window, the right password works again.
    sqlx::query("update login_failures set failed_at = failed_at - interval '16 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None)
            .await
            .is_ok()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_successful_sign_in_clears_earlier_failures(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let wrong = || {
        accounts::authenticate(
            &pool,
            "ana@example.com",
            Password::new("wrong password!".into()),
            None,
        )
    };
    for _ in 0..4 {
        wrong().await.unwrap_err();
    }
    accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None)
        .await
        .unwrap();
    for _ in 0..4 {
        assert_eq!(wrong().await.unwrap_err(), AppError::InvalidCredentials);
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sessions_end_when_idle_too_long_or_past_their_lifetime(pool: PgPool) {
    let settings = AuthSettings::default();
    let created = account(&pool, "ana@example.com", Role::Editor).await;

    let token = session::start(&pool, created.id, &settings).await.unwrap();
    assert_eq!(
        session::lookup(&pool, &token, &settings)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(created.id)
    );
    sqlx::query("update sessions set last_seen_at = now() - interval '8 hours 1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        session::lookup(&pool, &token, &settings).await.unwrap(),
        None,
        "idle expiry"
    );

    let token = session::start(&pool, created.id, &settings).await.unwrap();
    sqlx::query("update sessions set created_at = now() - interval '8 days', expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        session::lookup(&pool, &token, &settings).await.unwrap(),
        None,
        "absolute expiry"
    );

    assert_eq!(session::purge_expired(&pool, &settings).await.unwrap(), 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn each_sign_in_gets_a_new_session_token(pool: PgPool) {
    let settings = AuthSettings::default();
    let created = account(&pool, "ana@example.com", Role::Editor).await;
    let first = session::start(&pool, created.id, &settings).await.unwrap();
    let second = session::start(&pool, created.id, &settings).await.unwrap();
    assert_ne!(first, second);
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("select token_hash from sessions")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|hash| hash != first.as_bytes()),
        "only hashes are stored"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deactivating_an_account_ends_its_sessions_and_refuses_sign_in(pool: PgPool) {
    let settings = AuthSettings::default();
    let admin = account(&pool, "admin@example.com", Role::Admin).await;
    let editor = account(&pool, "ana@example.com", Role::Editor).await;
    let token = session::start(&pool, editor.id, &settings).await.unwrap();

    let after = admins::set_active(&pool, admin.id, editor.id, false)
        .await
        .unwrap();
    assert!(!after.active);
    assert_eq!(session::lookup(&pool, &token, &settings).await.unwrap(), None);
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions where account_id = $1")
        .bind(editor.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    // The same answer as a wrong password: sign-in tells nobody which accounts exist.
    let refused =
        accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None).await;
    assert_eq!(refused.unwrap_err(), AppError::InvalidCredentials);

    let action: String =
        sqlx::query_scalar("select action from audit_events where entity_id = $1 and actor_id = $2")
            .bind(editor.id)
            .bind(admin.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(action, "deactivated");

    admins::set_active(&pool, admin.id, editor.id, true)
        .await
        .unwrap();
    assert!(
        accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None)
            .await
            .is_ok()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_setup_creates_one_admin_and_is_refused_once_an_account_exists(pool: PgPool) {
    assert!(!accounts::any_exist(&pool).await.unwrap());
    let first = accounts::create_first_admin(&pool, admin_input("first@example.com"))
        .await
        .unwrap();
    assert_eq!(first.role, Role::Admin);
    let second = accounts::create_first_admin(&pool, admin_input("second@example.com")).await;
    assert_eq!(second.unwrap_err(), AppError::SetupClosed);
    let count: i64 = sqlx::query_scalar("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_simultaneous_setups_create_exactly_one_admin(pool: PgPool) {
    let (a, b) = tokio::join!(
        accounts::create_first_admin(&pool, admin_input("a@example.com")),
        accounts::create_first_admin(&pool, admin_input("b@example.com")),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    let count: i64 = sqlx::query_scalar("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated(pool: PgPool) {
    let admin = account(&pool, "admin@example.com", Role::Admin).await;
    let other = account(&pool, "other@example.com", Role::Admin).await;
    assert!(
        admins::set_active(&pool, admin.id, admin.id, false)
            .await
            .is_err(),
        "not yourself"
    );

    admins::change_role(&pool, admin.id, other.id, Role::Editor)
        .await
        .unwrap();
    let demote_self = admins::change_role(&pool, admin.id, admin.id, Role::Viewer).await;
    assert!(
        matches!(demote_self, Err(AppError::Refused(_))),
        "{demote_self:?}"
    );

    let role: Role = sqlx::query_scalar("select role from accounts where id = $1")
        .bind(admin.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, Role::Admin);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_role_change_writes_one_audit_event_with_before_and_after(pool: PgPool) {
    let admin = account(&pool, "admin@example.com", Role::Admin).await;
    let person = account(&pool, "ana@example.com", Role::Viewer).await;
    admins::change_role(&pool, admin.id, person.id, Role::Reviewer)
        .await
        .unwrap();
    let changes: Vec<serde_json::Value> = sqlx::query_scalar(
        "select changes from audit_events where entity_id = $1 and action = 'role_changed'",
    )
    .bind(person.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        changes,
        vec![serde_json::json!({ "role": { "before": "viewer", "after": "reviewer" } })]
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_database_refuses_to_edit_or_delete_audit_events(pool: PgPool) {
    account(&pool, "ana@example.com", Role::Editor).await;
    let update = sqlx::query("update audit_events set action = 'tampered'")
        .execute(&pool)
        .await;
    let delete = sqlx::query("delete from audit_events").execute(&pool).await;
    let truncate = sqlx::query("truncate audit_events").execute(&pool).await;
    for result in [update, delete, truncate] {
        let error = result.unwrap_err().to_string();
        assert!(error.contains("append-only"), "{error}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from audit_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn people_change_their_own_password_with_the_current_one_and_every_session_ends(pool: PgPool) {
    use app::auth::server::accounts::change_own_password;
    let ana = common::user(&account(&pool, "ana@example.com", Role::Editor).await);
    let _old_session = common::sign_in(&pool, "ana@example.com").await;
    let new = "an entirely new passphrase";

    let wrong = change_own_password(
        &pool,
        &ana,
        Password::new("not it at all!".into()),
        Password::new(new.into()),
        new,
        None,
    )
    .await;
    assert_eq!(
        wrong
            .expect_err("refused")
            .fields()
            .and_then(|f| f.get("current_password")),
        Some("That is not your current password.")
    );
    let short = change_own_password(
        &pool,
        &ana,
        Password::new(PASSWORD.into()),
        Password::new("short".into()),
        "short",
        None,
    )
    .await;
    assert!(short
        .expect_err("refused")
        .fields()
        .and_then(|f| f.get("new_password"))
        .is_some());
    let differ = change_own_password(
        &pool,
        &ana,
        Password::new(PASSWORD.into()),
        Password::new(new.into()),
        "something else entirely",
        None,
    )
    .await;
    assert!(differ
        .expect_err("refused")
        .fields()
        .and_then(|f| f.get("repeat_password"))
        .is_some());

    change_own_password(
        &pool,
        &ana,
        Password::new(PASSWORD.into()),
        Password::new(new.into()),
        new,
        None,
    )
    .await
    .expect("changed");
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions where account_id = $1")
        .bind(ana.id)
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(sessions, 0, "every session of the account ended");
    let old = accounts::authenticate(&pool, "ana@example.com", Password::new(PASSWORD.into()), None).await;
    assert_eq!(old.expect_err("old password"), AppError::InvalidCredentials);
    accounts::authenticate(&pool, "ana@example.com", Password::new(new.into()), None)
        .await
        .expect("the new one works");
    let (action, changes): (String, serde_json::Value) = sqlx::query_as(
        "select action, changes from audit_events where entity_id = $1 order by id desc limit 1",
    )
    .bind(ana.id)
    .fetch_one(&pool)
    .await
    .expect("audited");
    assert_eq!(
        (action.as_str(), changes),
        ("password_changed", serde_json::json!({}))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reset_password_is_temporary_and_allows_nothing_until_a_new_one_is_chosen(pool: PgPool) {
    use axum::http::StatusCode;
    use common::{error_code, form, post_form, send, session_cookie};
    let admin = account(&pool, "root@example.com", Role::Admin).await;
    let ana = account(&pool, "ana@example.com", Role::Editor).await;
    let before = common::sign_in(&pool, "ana@example.com").await;

    let (name, temporary) = admins::reset_password(&pool, admin.id, ana.id)
        .await
        .expect("reset");
    assert_eq!(name, "Ana");
    assert_eq!(temporary.len(), 19, "four groups of four: {temporary}");
    let list = send(&pool, post_form("/api/projects/list", "", Some(&before))).await;
    assert_eq!(list.status(), StatusCode::UNAUTHORIZED, "her sessions ended");

    let login = send(
        &pool,
        post_form(
            "/api/login",
            &form(&[("email", "ana@example.com"), ("password", &temporary)]),
            None,
        ),
    )
    .await;
    let cookie = session_cookie(&login).expect("signed in with the temporary password");
    let refused = send(&pool, post_form("/api/projects/list", "", Some(&cookie))).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(refused).await, "refused");

    let new = "my own passphrase again";
    let changed = send(
        &pool,
        post_form(
            "/api/account/password",
            &form(&[
                ("current_password", &temporary),
                ("new_password", new),
                ("repeat_password", new),
            ]),
            Some(&cookie),
        ),
    )
    .await;
    assert!(changed.status().is_success(), "{}", changed.status());
    let renewed = session_cookie(&changed).expect("a fresh session");
    let list = send(&pool, post_form("/api/projects/list", "", Some(&renewed))).await;
    assert_eq!(list.status(), StatusCode::OK, "free again");
    let actions: Vec<String> =
        sqlx::query_scalar("select action from audit_events where entity_id = $1 order by id")
            .bind(ana.id)
            .fetch_all(&pool)
            .await
            .expect("events");
    assert!(
        actions.ends_with(&["password_reset".to_owned(), "password_changed".to_owned()]),
        "{actions:?}"
    );
}
