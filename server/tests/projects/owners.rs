//! Stage owners: hand-overs, who may own a stage, a leaver's stages, an owner deactivated, a move that names the next owner.

use super::*;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_handoff_records_who_from_whom_to_whom_in_one_event(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let ben = editor(&pool, "ben@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;
    write::assign_owner(&pool, &ana, id, 1, Stage::Define, ben.id)
        .await
        .expect("handed off");

    let detail = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    assert_eq!(detail.current_owner().map(|o| o.owner.id), Some(ben.id));
    let latest = &detail.handoffs[0];
    assert_eq!(
        (latest.from.as_deref(), latest.to.as_str(), latest.by.as_deref()),
        (Some("Ana"), "Ben", Some("Ana"))
    );
    let last = events(&pool, id).await.pop().expect("an event");
    assert_eq!(
        last,
        (
            "owner_assigned".into(),
            json!({ "owner.define": { "before": "Ana", "after": "Ben" } })
        )
    );

    let again = write::assign_owner(&pool, &ana, id, 2, Stage::Define, ben.id).await;
    assert!(
        matches!(again, Err(AppError::Invalid(_))),
        "already the owner: {again:?}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_active_editors_and_admins_can_own_a_stage(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let id = create(&pool, &ana, "Claims triage").await;
    let viewer = account(&pool, "vic@example.com", Role::Viewer).await;
    let reviewer = account(&pool, "rae@example.com", Role::Reviewer).await;
    let gone = account(&pool, "gus@example.com", Role::Editor).await;
    sqlx::query("update accounts set active = false, deactivated_at = now() where id = $1")
        .bind(gone.id)
        .execute(&pool)
        .await
        .expect("deactivate");
    for candidate in [viewer.id, reviewer.id, gone.id, Uuid::nil()] {
        let refused = write::assign_owner(&pool, &ana, id, 1, Stage::Design, candidate).await;
        let Err(AppError::Invalid(fields)) = refused else {
            panic!("expected a field error, got {refused:?}")
        };
        assert_eq!(fields.get("owner_id"), Some("Choose an active editor or admin."));
    }
    assert_eq!(events(&pool, id).await.len(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reassigning_a_leaver_moves_every_stage_they_own_with_one_event_per_project(pool: PgPool) {
    let admin = user(&account(&pool, "admin@example.com", Role::Admin).await);
    let leaver = editor(&pool, "leaver@example.com").await;
    let heir = editor(&pool, "heir@example.com").await;
    let first = create(&pool, &leaver, "Claims triage").await;
    let second = create(&pool, &leaver, "Churn model").await;
    write::assign_owner(&pool, &leaver, first, 1, Stage::Design, leaver.id)
        .await
        .expect("assigned");
    let untouched = create(&pool, &heir, "Fraud rules").await;

    let moved = write::reassign_all(&pool, &admin, leaver.id, heir.id)
        .await
        .expect("reassigned");
    assert_eq!(moved, 3);
    let left: i64 = sqlx::query_scalar("select count(*) from stage_owners where owner_id = $1")
        .bind(leaver.id)
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(left, 0);
    let first_events = events(&pool, first).await;
    assert_eq!(first_events.len(), 3, "created, assigned, reassigned");
    let last = &first_events[2].1;
    assert_eq!(
        last["owner.define"],
        json!({ "before": "Leaver", "after": "Heir" })
    );
    assert!(last.get("owner.design").is_some(), "both stages in one event");
    assert_eq!(events(&pool, second).await.len(), 2);
    assert_eq!(events(&pool, untouched).await.len(), 1);
    assert_eq!(version(&pool, first).await, 3);

    let to_self = write::reassign_all(&pool, &admin, heir.id, heir.id).await;
    assert!(matches!(to_self, Err(AppError::Invalid(_))));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn deactivating_the_owner_makes_the_project_ownerless_with_its_reason(pool: PgPool) {
    use app::admin::server as admins;
    use app::health::FlagCode;
    let ana = editor(&pool, "ana@example.com").await;
    let admin = account(&pool, "ada@example.com", Role::Admin).await;
    let id = create(&pool, &ana, "Claims triage").await;
    let before = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    assert!(before.flags.iter().all(|f| f.code != FlagCode::Ownerless));

    admins::set_active(&pool, admin.id, ana.id, false)
        .await
        .expect("deactivated");
    let after = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    let flag = after.flags.first().expect("a flag");
    assert_eq!(flag.code, FlagCode::Ownerless);
    assert!(
        flag.reason.starts_with("owner Ana was deactivated on "),
        "{}",
        flag.reason
    );
    assert_eq!(flag.since, chrono::Utc::now().date_naive());
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_forward_move_hands_the_new_stage_to_its_owner_in_the_same_event(pool: PgPool) {
    let ana = editor(&pool, "ana@example.com").await;
    let viewer = user(&account(&pool, "vic@example.com", Role::Viewer).await);
    let id = create(&pool, &ana, "Claims triage").await;
    let complete = ProjectInput {
        problem_statement: "Claims wait 9 days".into(),
        success_metric: "median triage time".into(),
        success_target: "2 days".into(),
        ..input("Claims triage")
    };
    write::update(&pool, &ana, id, 1, complete.validate().expect("valid"))
        .await
        .expect("saved");
    add_research(&pool, &ana, id).await;

    // Someone who may not own a stage: refused next to the field, and nothing moves.
    let refused = write::move_stage(&pool, &ana, id, 2, Stage::Design, "", "", Some(viewer.id)).await;
    assert!(
        refused
            .as_ref()
            .err()
            .and_then(|e| e.fields())
            .and_then(|f| f.get("next_owner"))
            .is_some(),
        "{refused:?}"
    );
    let project = read::project(&pool, id).await.expect("read").expect("exists");
    assert_eq!(
        project.stage,
        Stage::Define,
        "the move and the assignment are one transaction"
    );

    write::move_stage(&pool, &ana, id, 2, Stage::Design, "", "", Some(ana.id))
        .await
        .expect("moved");
    let detail = read::detail(&pool, id, chrono::Utc::now().date_naive())
        .await
        .expect("detail");
    assert!(
        !detail.flags.iter().any(|f| f.code.as_str() == "ownerless"),
        "no false red after a clean move: {:?}",
        detail.flags
    );
    let (action, changes) = events(&pool, id).await.pop().expect("an event");
    assert_eq!(action, "stage_moved");
    assert_eq!(changes["owner.design"], json!({ "before": null, "after": "Ana" }));
    assert_eq!(changes["stage"], json!({ "before": "define", "after": "design" }));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_owner_can_be_named_by_email_address_when_people_are_too_many_for_a_menu(pool: PgPool) {
    use axum::http::StatusCode;
    use common::{body_text, post_form, send, sign_in};
    let ana = editor(&pool, "ana@example.com").await;
    let bo = editor(&pool, "bo@example.com").await;
    account(&pool, "vic@example.com", Role::Viewer).await;
    let id = create(&pool, &ana, "Claims triage").await;
    let cookie = sign_in(&pool, "ana%40example.com").await;
    let assign = |version: &str, email: &str| {
        format!(
            "id={id}&version={version}&stage=build&owner_email={}",
            email.replace('@', "%40")
        )
    };

    // Anyone but an active editor or admin is refused next to the box, and nothing changes.
    for (email, says) in [
        (
            "nobody@example.com",
            "No active editor or admin has the email address nobody@example.com.",
        ),
        (
            "vic@example.com",
            "No active editor or admin has the email address vic@example.com.",
        ),
    ] {
        let response = send(
            &pool,
            post_form("/api/projects/assign-owner", &assign("1", email), Some(&cookie)),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        let envelope: Value = serde_json::from_str(&body_text(response).await).expect("json");
        assert_eq!(envelope["fields"][0]["field"], "owner_email", "{envelope}");
        assert_eq!(envelope["fields"][0]["message"], says);
    }
    let too_long = format!("{}@example.com", "a".repeat(250));
    let response = send(
        &pool,
        post_form(
            "/api/projects/assign-owner",
            &assign("1", &too_long),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        read::project(&pool, id)
            .await
            .expect("read")
            .expect("exists")
            .version,
        1
    );

    // The address in any case names the person.
    let response = send(
        &pool,
        post_form(
            "/api/projects/assign-owner",
            &assign("1", "BO@Example.com"),
            Some(&cookie),
        ),
    )
    .await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    let detail = read::detail(&pool, id, today()).await.expect("detail");
    let build = detail
        .owners
        .iter()
        .find(|o| o.stage == Stage::Build)
        .expect("a Build owner");
    assert_eq!(build.owner.id, bo.id);

    // Moving on: the box names the next stage's owner instead of the menu.
    let complete = ProjectInput {
        problem_statement: "Claims wait 9 days".into(),
        success_metric: "median triage time".into(),
        success_target: "2 days".into(),
        ..input("Claims triage")
    };
    write::update(&pool, &ana, id, 2, complete.validate().expect("valid"))
        .await
        .expect("saved");
    add_research(&pool, &ana, id).await;
    let version = read::project(&pool, id)
        .await
        .expect("read")
        .expect("exists")
        .version;
    let body = format!("id={id}&version={version}&to=design&next_owner=&next_owner_email=bo%40example.com");
    let response = send(&pool, post_form("/api/projects/move", &body, Some(&cookie))).await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        body_text(response).await
    );
    let detail = read::detail(&pool, id, today()).await.expect("detail");
    assert_eq!(detail.project.stage, Stage::Design);
    let design = detail
        .owners
        .iter()
        .find(|o| o.stage == Stage::Design)
        .expect("a Design owner");
    assert_eq!(design.owner.id, bo.id);
}
