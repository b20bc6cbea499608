//! The pipeline over HTTP: `GET /api/v1/pipeline` against the OpenAPI document, and the pages rendered on the server.

use super::*;

/// A state whose clock reads `TODAY`.
fn state(pool: &PgPool) -> app::state::AppState {
    app::state::AppState {
        clock: Clock::Fixed(day(TODAY)),
        ..common::state(pool.clone())
    }
}

async fn api(pool: &PgPool, path: &str, token: &str) -> (StatusCode, Value) {
    let request = Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("valid request");
    let response = server::app(state(pool))
        .oneshot(request)
        .await
        .expect("the router never fails");
    let status = response.status();
    let body = body_text(response).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON from {path}: {body}")),
    )
}

/// Validates `body` against the schema the OpenAPI document gives the pipeline for `status`.
fn assert_matches_openapi(doc: &Value, status: u16, body: &Value) {
    let response = &doc["paths"]["/api/v1/pipeline"]["get"]["responses"][status.to_string()];
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "the document describes {status}: {response}");
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{status}: {errors:?}\n{body}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_api_gives_the_page_numbers_and_refuses_what_it_does_not_know(pool: PgPool) {
    hand_built(&pool).await;
    let admin = user(&account(&pool, "root@example.com", Role::Admin).await);
    let token = app::tokens::server::create(&pool, admin.id, "BI", "read")
        .await
        .expect("token")
        .secret;
    let (_, doc) = api(&pool, "/api/v1/openapi.json", &token).await;

    let path = "/api/v1/pipeline?from=2026-01-01&to=2026-06-30&team=claims&risk_tier=high";
    let (status, body) = api(&pool, path, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_matches_openapi(&doc, 200, &body);
    let page = read(
        &pool,
        PipelineQuery {
            team: Some("claims".into()),
            tier: Some(RiskTier::High),
            ..half_year()
        },
    )
    .await;
    assert_eq!(
        body,
        serde_json::to_value(&page).expect("JSON"),
        "the API reads the page's numbers"
    );
    assert_eq!(body["stages"][2]["stage"], "build");
    assert_eq!(body["stages"][2]["entered"], 2);
    assert_eq!(body["production"]["reference"]["share"], 0.53);

    let (status, body) = api(&pool, "/api/v1/pipeline", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["from"].as_str(), body["to"].as_str()),
        (Some("2025-07-16"), Some(TODAY))
    );

    for (bad, says) in [
        ("stage=build", "team, risk_tier, owner, from, to"),
        ("risk_tier=extreme", "low, medium, high"),
        ("from=yesterday", "2026-06-30"),
        ("from=2026-06-30&to=2026-01-01", "after it ends"),
        ("from=2000-01-01&to=2026-01-01", "at most"),
        ("owner=somebody", "none"),
    ] {
        let (status, body) = api(&pool, &format!("/api/v1/pipeline?{bad}"), &token).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_filter")),
            "{bad}"
        );
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(says)),
            "{bad}: {body}"
        );
        assert_matches_openapi(&doc, 400, &body);
    }
    let (status, _) = api(&pool, "/api/v1/pipeline", "tg_wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_pages_need_a_session_and_render_their_numbers_on_the_server(pool: PgPool) {
    hand_built(&pool).await;
    account(&pool, "viewer@example.com", Role::Viewer).await;
    let send = |request| {
        let pool = pool.clone();
        async move {
            server::app(state(&pool))
                .oneshot(request)
                .await
                .expect("the router never fails")
        }
    };
    for path in ["/api/pipeline/view", "/api/pipeline/projects"] {
        let response = send(common::post_form(path, "", None)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "signed out: {path}");
    }
    let cookie = common::sign_in(&pool, "viewer%40example.com").await;

    let response = send(common::post_form(
        "/api/pipeline/view",
        "query[from]=2026-01-01&query[to]=2026-06-30",
        Some(&cookie),
    ))
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = serde_json::from_str(&body_text(response).await).expect("JSON");
    assert_eq!(body["pipeline"]["stages"][2]["entered"], 6);
    let response = send(common::post_form(
        "/api/pipeline/view",
        "query[from]=2026-06-30&query[to]=2026-01-01",
        Some(&cookie),
    ))
    .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a backwards range"
    );

    // The page as a browser without JavaScript gets it: the charts and the numbers are there.
    let page = body_text(
        send(common::get(
            "/pipeline?from=2026-01-01&to=2026-06-30&team=claims",
            Some(&cookie),
        ))
        .await,
    )
    .await;
    assert!(page.contains(r#"data-test="flow-chart""#), "{page}");
    assert_eq!(
        page.matches(r#"\"pipeline\":{\"today\""#).count(),
        1,
        "read once: {page}"
    );
    assert!(page.contains("Industry 53% (Gartner, 2020)"));
    assert!(page.contains(
        "/pipeline/projects?stage=build&amp;outcome=moved_back&amp;team=claims&amp;from=2026-01-01&amp;to=2026-06-30"
    ));
    let list = send(common::get(
        "/pipeline/projects?stage=build&outcome=moved_back&team=claims&from=2026-01-01&to=2026-06-30",
        Some(&cookie),
    ))
    .await;
    assert_eq!(list.status(), StatusCode::OK);
    let list = body_text(list).await;
    assert!(list.contains("Moved back from Build"), "{list}");
    assert!(list.contains(">1</span> stay"), "{list}");
    assert_eq!(
        list.matches(r#"\"list\":{\"today\""#).count(),
        1,
        "read once: {list}"
    );
    assert!(list.contains(&format!("/projects/{}", id(2))));
    let missing = send(common::get("/pipeline/elsewhere", Some(&cookie))).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
