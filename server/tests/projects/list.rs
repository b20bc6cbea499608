//! Reading projects: who may, and the list's search, filters, sorting and paging in SQL.

use super::*;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_role_may_read_projects_but_anonymous_visitors_may_not(pool: PgPool) {
    use axum::http::StatusCode;
    use common::{post_form, send, sign_in};

    account(&pool, "vic@example.com", Role::Viewer).await;
    let cookie = sign_in(&pool, "vic%40example.com").await;
    let anonymous = send(&pool, post_form("/api/projects/list", "", None)).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let viewer = send(&pool, post_form("/api/projects/list", "", Some(&cookie))).await;
    assert_eq!(viewer.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_list_searches_filters_sorts_and_pages_in_sql(pool: PgPool) {
    use app::projects::server::list::list;
    use app::projects::stage::Status;
    use app::projects::{OwnerFilter, ProjectQuery, SortKey, PAGE_SIZE};

    let ana = editor(&pool, "ana@example.com").await;
    let ben = editor(&pool, "ben@example.com").await;
    for n in 0..30 {
        create(&pool, &ana, &format!("Model {n:02}")).await;
    }
    let churn = create(&pool, &ben, "Churn 100% model").await;
    let fraud = write::create(
        &pool,
        &ben,
        ProjectInput {
            team: "Fraud".into(),
            status: "paused".into(),
            ..input("Fraud rules")
        }
        .validate()
        .expect("valid"),
    )
    .await
    .expect("created");

    let all = list(
        &pool,
        &ProjectQuery {
            page: 1,
            ..ProjectQuery::default()
        },
        today(),
    )
    .await
    .expect("list");
    assert_eq!(all.total, 32);
    assert_eq!(all.rows.len(), PAGE_SIZE as usize);
    assert_eq!(all.rows[0].name, "Churn 100% model", "sorted by name");
    let second = list(
        &pool,
        &ProjectQuery {
            page: 2,
            ..ProjectQuery::default()
        },
        today(),
    )
    .await
    .expect("page 2");
    assert_eq!(second.rows.len(), 32 - PAGE_SIZE as usize);
    assert!(
        all.rows.iter().all(|r| second.rows.iter().all(|s| s.id != r.id)),
        "pages do not overlap"
    );

    let search = |q: &str| ProjectQuery {
        q: q.into(),
        page: 1,
        ..ProjectQuery::default()
    };
    let found = list(&pool, &search("100%"), today()).await.expect("search");
    assert_eq!(
        found.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![churn],
        "% is literal"
    );
    assert_eq!(
        list(&pool, &search("MODEL 0"), today())
            .await
            .expect("search")
            .total,
        10,
        "case-insensitive"
    );

    let by_ben = ProjectQuery {
        owner: OwnerFilter::Account(ben.id),
        page: 1,
        ..ProjectQuery::default()
    };
    assert_eq!(list(&pool, &by_ben, today()).await.expect("owner").total, 2);
    let paused = ProjectQuery {
        status: Some(Status::Paused),
        page: 1,
        ..ProjectQuery::default()
    };
    assert_eq!(
        list(&pool, &paused, today()).await.expect("status").rows[0].id,
        fraud
    );
    let team = ProjectQuery {
        team: Some("fraud".into()),
        page: 1,
        ..ProjectQuery::default()
    };
    assert_eq!(
        list(&pool, &team, today()).await.expect("team").total,
        1,
        "team matches regardless of case"
    );
    let in_design = ProjectQuery {
        stage: Some(Stage::Design),
        page: 1,
        ..ProjectQuery::default()
    };
    assert_eq!(list(&pool, &in_design, today()).await.expect("stage").total, 0);

    sqlx::query("delete from stage_owners where project_id = $1")
        .bind(fraud)
        .execute(&pool)
        .await
        .expect("delete");
    common::resignal(&pool, &[fraud]).await;
    let nobody = ProjectQuery {
        owner: OwnerFilter::Nobody,
        page: 1,
        ..ProjectQuery::default()
    };
    let ownerless = list(&pool, &nobody, today()).await.expect("ownerless");
    assert_eq!((ownerless.total, ownerless.rows[0].owner.clone()), (1, None));

    write::update(
        &pool,
        &ana,
        churn,
        1,
        ProjectInput {
            summary: "touched".into(),
            ..input("Churn 100% model")
        }
        .validate()
        .expect("valid"),
    )
    .await
    .expect("saved");
    let recent = ProjectQuery {
        sort: SortKey::Updated,
        page: 1,
        ..ProjectQuery::default()
    };
    assert_eq!(
        list(&pool, &recent, today()).await.expect("sorted").rows[0].id,
        churn
    );
    assert_eq!(all.teams, vec!["Claims".to_owned(), "Fraud".to_owned()]);
}
