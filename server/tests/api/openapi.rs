//! The OpenAPI document against the server: every response matches it, and it is exactly as strict as the server about parameters.

use super::*;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn one_project_the_portfolio_and_the_events_match_the_openapi_document(pool: PgPool) {
    let (admin, token) = admin_and_token(&pool).await;
    let doc = openapi(&pool).await;
    let id = project(&pool, &admin, "Claims triage", "Claims", "high").await;
    let demo = app::records::server::DemoInput {
        held_on: chrono::Utc::now().date_naive().to_string(),
        summary: "Ranked queue".into(),
        attendees: "Adjusters".into(),
        outcome: "continue".into(),
        link: String::new(),
    };
    app::records::server::add_demo(&pool, &admin, id, &demo, chrono::Utc::now().date_naive())
        .await
        .expect("demo");

    let (status, body) = json(&pool, &format!("/api/v1/projects/{id}"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["records"][0]["kind"], "demo");
    assert_eq!(body["records"][0]["fields"]["attendees"], "Adjusters");
    assert_eq!(body["owners"]["define"]["name"], "Root");
    assert_matches_openapi(&doc, "/api/v1/projects/{id}", 200, &body);
    for missing in [Uuid::nil().to_string(), "not-a-uuid".to_owned()] {
        let (status, body) = json(&pool, &format!("/api/v1/projects/{missing}"), &token).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found"))
        );
        assert_matches_openapi(&doc, "/api/v1/projects/{id}", 404, &body);
    }

    let (status, body) = json(&pool, "/api/v1/portfolio", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["projects"], 1);
    assert_eq!(body["stages"][0]["projects"], 1);
    assert_matches_openapi(&doc, "/api/v1/portfolio", 200, &body);

    let body = feed(&pool, "/api/v1/events", &token, 2).await;
    let actions: Vec<&str> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert!(actions.ends_with(&["created", "demo_added"]), "{actions:?}");
    assert_matches_openapi(&doc, "/api/v1/events", 200, &body);
    assert!(
        body["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["entity_type"] == "project"),
        "no account or token events"
    );
    let after = body["next_after"].as_str().expect("cursor").to_owned();
    let (_, rest) = json(&pool, &format!("/api/v1/events?after={after}"), &token).await;
    assert_eq!(rest["events"], serde_json::json!([]), "nothing new since");
    assert_eq!(rest["next_after"], after);

    let response = send(&pool, api("/api/v1/nothing", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        doc["paths"]["/api/v1/projects.csv"]["get"]["responses"]["200"]["content"]["text/csv"].is_object()
    );
}

/// The schema of a parameter, following a `$ref` into the components.
fn parameter_schema<'a>(doc: &'a Value, path: &str, name: &str) -> Option<&'a Value> {
    let parameter = doc["paths"][path]["get"]["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?;
    let schema = &parameter["schema"];
    // Optional enums come as `oneOf: [null, {$ref}]` or a direct `$ref`.
    let reference = schema["$ref"].as_str().or_else(|| {
        schema["oneOf"]
            .as_array()?
            .iter()
            .find_map(|s| s["$ref"].as_str())
    });
    match reference {
        Some(reference) => {
            let component = reference.rsplit('/').next()?;
            Some(&doc["components"]["schemas"][component])
        }
        None => Some(schema),
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_openapi_document_is_as_strict_as_the_server(pool: PgPool) {
    let doc = openapi(&pool).await;
    assert_eq!(doc["servers"][0]["url"], "/");
    for (method, path) in [
        ("get", "/api/v1/projects"),
        ("get", "/api/v1/projects.csv"),
        ("get", "/api/v1/projects/{id}"),
        ("get", "/api/v1/portfolio"),
        ("get", "/api/v1/events"),
        ("post", "/api/v1/imports"),
        ("get", "/api/v1/imports/{id}"),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(
            operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{path} has a summary"
        );
        assert!(
            operation["description"].as_str().is_some_and(|s| !s.is_empty()),
            "{path} has a description"
        );
        for status in ["401", "500", "503"] {
            assert!(
                operation["responses"][status].is_object(),
                "{path} documents {status}"
            );
        }
    }
    // Enumerations are enums, bounds are bounds.
    for (name, values) in [
        ("stage", vec!["define", "design", "build", "deploy"]),
        ("health", vec!["green", "amber", "red"]),
        ("risk_tier", vec!["low", "medium", "high"]),
    ] {
        let schema = parameter_schema(&doc, "/api/v1/projects", name).expect(name);
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(listed, values, "{name}");
    }
    let limit = parameter_schema(&doc, "/api/v1/projects", "limit").expect("limit");
    assert_eq!(
        (limit["minimum"].as_f64(), limit["maximum"].as_f64()),
        (Some(1.0), Some(1000.0))
    );
    // The portfolio documents only what it accepts.
    assert!(parameter_schema(&doc, "/api/v1/portfolio", "updated_since").is_none());
    assert!(parameter_schema(&doc, "/api/v1/projects", "updated_since").is_some());
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_import_and_its_refusals_match_the_openapi_document(pool: PgPool) {
    let (admin, read) = admin_and_token(&pool).await;
    let write = app::tokens::server::create(&pool, admin.id, "Migration", "write")
        .await
        .expect("token")
        .secret;
    let doc = openapi(&pool).await;
    let post = |token: &str, query: &str, body: &'static str| {
        Request::post(format!("/api/v1/imports{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(body))
            .expect("request")
    };
    let file = "name,team,risk_tier,stage\nClaims triage,Claims,high,define\nBad,Ops,low,prod\n";
    for (token, query, body, status) in [
        (write.as_str(), "", file, 200),
        (write.as_str(), "?dry_run=false", file, 202),
        (read.as_str(), "", file, 403),
        (write.as_str(), "?dry_run=yes", file, 400),
        (write.as_str(), "", "\u{0}\u{1}\u{2}binary", 422),
    ] {
        let response = send(&pool, post(token, query, body)).await;
        assert_eq!(response.status().as_u16(), status, "{query}");
        let body: Value = serde_json::from_str(&body_text(response).await).expect("JSON");
        assert_operation_matches_openapi(&doc, "post", "/api/v1/imports", status, &body);
        if status == 202 {
            let (status, one) = json(&pool, body["url"].as_str().expect("url"), &write).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(one["status"], "queued");
            assert_matches_openapi(&doc, "/api/v1/imports/{id}", 200, &one);
        }
    }
    let (status, body) = json(&pool, &format!("/api/v1/imports/{}", Uuid::nil()), &write).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_matches_openapi(&doc, "/api/v1/imports/{id}", 404, &body);
}
