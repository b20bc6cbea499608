//! The stays kept by the application's own writes: a move, a hand-over, a new team and tier, a cancellation.

use super::*;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_applications_own_writes_keep_the_stays(pool: PgPool) {
    let admin = user(&account(&pool, "root@example.com", Role::Admin).await);
    let input = ProjectInput {
        name: "Churn model".into(),
        team: "Growth".into(),
        risk_tier: "low".into(),
        status: "active".into(),
        ..ProjectInput::default()
    };
    let id = write::create(&pool, &admin, input.clone().validate().expect("valid"))
        .await
        .expect("created");
    let today = chrono::Utc::now().date_naive();
    let now = |p: &Pipeline| -> Vec<(i64, i64, i64, i64)> {
        p.stages
            .iter()
            .map(|s| (s.entered, s.moved_on, s.cancelled, s.open))
            .collect()
    };
    let p = pipeline(&pool, &PipelineQuery::default(), today)
        .await
        .expect("pipeline");
    assert_eq!(
        now(&p),
        vec![(1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0)]
    );

    write::move_stage(&pool, &admin, id, 1, Stage::Design, "", "Committee", None)
        .await
        .expect("moved with an override");
    let p = pipeline(&pool, &PipelineQuery::default(), today)
        .await
        .expect("pipeline");
    assert_eq!(
        now(&p),
        vec![(1, 1, 0, 0), (1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0)]
    );

    // A handover of the stage, and a new team and tier, reach the stays at once.
    let ana = account(&pool, "ana@example.com", Role::Editor).await.id;
    let project = read::project(&pool, id).await.expect("read").expect("exists");
    write::assign_owner(&pool, &admin, id, project.version, Stage::Design, ana)
        .await
        .expect("assigned");
    let project = read::project(&pool, id).await.expect("read").expect("exists");
    let renamed = ProjectInput {
        team: "Retention".into(),
        risk_tier: "high".into(),
        ..input.clone()
    };
    write::update(
        &pool,
        &admin,
        id,
        project.version,
        renamed.validate().expect("valid"),
    )
    .await
    .expect("edited");
    let narrowed = PipelineQuery {
        owner: OwnerFilter::Account(ana),
        team: Some("retention".into()),
        tier: Some(RiskTier::High),
        ..PipelineQuery::default()
    };
    let p = pipeline(&pool, &narrowed, today).await.expect("pipeline");
    assert_eq!(
        now(&p),
        vec![(0, 0, 0, 0), (1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0)]
    );

    let project = read::project(&pool, id).await.expect("read").expect("exists");
    let cancelled = ProjectInput {
        status: "cancelled".into(),
        ..renamed
    };
    write::update(
        &pool,
        &admin,
        id,
        project.version,
        cancelled.validate().expect("valid"),
    )
    .await
    .expect("cancelled");
    let p = pipeline(&pool, &PipelineQuery::default(), today)
        .await
        .expect("pipeline");
    assert_eq!(
        now(&p),
        vec![(1, 1, 0, 0), (1, 0, 1, 0), (0, 0, 0, 0), (0, 0, 0, 0)]
    );
    assert_eq!(
        stage(&p, Stage::Design).completed.median_days,
        Some(0),
        "cancelled the same day"
    );
}
