//! One truth: over a seeded portfolio, the portfolio page, `GET /api/v1/portfolio` and the
//! rows of the CSV export give the same numbers, for every filter, today and as of past days.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::{body_text, form, post_form, session_cookie};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::BTreeMap;
use tower::ServiceExt;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

fn state(pool: &PgPool) -> AppState {
    AppState {
        clock: app::clock::Clock::Fixed(today()),
        ..common::state(pool.clone())
    }
}

async fn fetch(pool: &PgPool, request: Request<Body>) -> (StatusCode, String, Option<String>) {
    let response = server::app(state(pool)).oneshot(request).await.expect("router");
    let cookie = session_cookie(&response);
    (response.status(), body_text(response).await, cookie)
}

fn with(path: &str, name: header::HeaderName, value: &str) -> Request<Body> {
    Request::get(path)
        .header(name, value)
        .body(Body::empty())
        .expect("request")
}

/// The number shown inside the element after `marker` (`data-test="…"`) and its count child.
fn shown(html: &str, marker: &str, count: &str) -> i64 {
    let start = html
        .find(&format!("data-test=\"{marker}\""))
        .unwrap_or_else(|| panic!("{marker} on the page"));
    let rest = &html[start..];
    let at = rest.find(&format!("data-test=\"{count}\"")).expect("a count");
    let text = &rest[at..][rest[at..].find('>').expect("the element's end") + 1..];
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a number for {marker}: {}", &text[..40]))
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_page_the_api_and_the_csv_agree_for_every_filter(pool: PgPool) {
    let plan = server::seed::SeedPlan {
        projects: 400,
        seed: 7,
        today: today(),
    };
    server::seed::run(&pool, plan).await.expect("seeded");
    let admin: uuid::Uuid = sqlx::query_scalar("select id from accounts where role = 'admin' limit 1")
        .fetch_one(&pool)
        .await
        .expect("an admin");
    let token = app::tokens::server::create(&pool, admin, "one truth", "read")
        .await
        .expect("token")
        .secret;
    let (_, _, cookie) = fetch(
        &pool,
        post_form(
            "/api/login",
            &form(&[
                ("email", "viewer0001@seed.example"),
                ("password", "seed-password-123"),
            ]),
            None,
        ),
    )
    .await;
    let cookie = cookie.expect("the seeded viewer signs in");
    let team: String =
        sqlx::query_scalar("select team from projects group by team order by count(*) desc limit 1")
            .fetch_one(&pool)
            .await
            .expect("a team");
    let team = team.replace(' ', "%20");

    // (page and CSV parameters, API parameters): the page says `tier`, the API `risk_tier`.
    let views = [
        (String::new(), String::new()),
        ("stage=build".into(), "stage=build".into()),
        (format!("team={team}"), format!("team={team}")),
        ("health=red".into(), "health=red".into()),
        ("tier=high".into(), "risk_tier=high".into()),
        ("owner=none".into(), "owner=none".into()),
        (
            "stage=deploy&health=amber".into(),
            "stage=deploy&health=amber".into(),
        ),
        // A past day: the same numbers everywhere, from the history.
        ("as_of=2026-05-25".into(), "as_of=2026-05-25".into()),
        (
            "stage=build&as_of=2025-11-25".into(),
            "stage=build&as_of=2025-11-25".into(),
        ),
        (
            format!("team={team}&health=red&as_of=2026-08-25"),
            format!("team={team}&health=red&as_of=2026-08-25"),
        ),
    ];
    let mut nonzero_views = 0;
    let mut past_views = 0;
    for (page_params, api_params) in views {
        let bearer = format!("Bearer {token}");
        let (status, body, _) = fetch(
            &pool,
            with(
                &format!("/api/v1/portfolio?{api_params}"),
                header::AUTHORIZATION,
                &bearer,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let api: Value = serde_json::from_str(&body).expect("JSON");

        let (status, csv, _) = fetch(
            &pool,
            with(
                &format!("/api/v1/projects.csv?{api_params}"),
                header::AUTHORIZATION,
                &bearer,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let headers = reader.headers().expect("headers").clone();
        let rows: Vec<BTreeMap<String, String>> = reader
            .records()
            .map(|r| {
                headers
                    .iter()
                    .map(str::to_owned)
                    .zip(r.expect("row").iter().map(str::to_owned))
                    .collect()
            })
            .collect();
        let count = |column: &str, value: &str| rows.iter().filter(|r| r[column] == value).count() as i64;
        let flagged = |code: &str| {
            rows.iter()
                .filter(|r| r["flags"].split(' ').any(|c| c == code))
                .count() as i64
        };

        let (status, html, _) = fetch(
            &pool,
            with(&format!("/portfolio?{page_params}"), header::COOKIE, &cookie),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, download, _) = fetch(
            &pool,
            with(
                &format!("/portfolio/export.csv?{page_params}"),
                header::COOKIE,
                &cookie,
            ),
        )
        .await;
        assert_eq!(
            download, csv,
            "{page_params}: the page's download is the API's CSV"
        );

        let view = if page_params.is_empty() {
            "everything"
        } else {
            page_params.as_str()
        };
        assert_eq!(
            api["projects"].as_i64(),
            Some(rows.len() as i64),
            "{view}: projects"
        );
        if rows.is_empty() {
            assert!(html.contains("data-test=\"portfolio-empty\""), "{view}");
            continue;
        }
        nonzero_views += 1;
        if page_params.contains("as_of") {
            past_views += 1;
            assert!(
                html.contains("data-test=\"as-of-banner\""),
                "{page_params}: the page says it shows a past day"
            );
        }
        assert_eq!(
            shown(&html, "tile-projects", "tile-count"),
            rows.len() as i64,
            "{view}: page projects"
        );
        for health in ["green", "amber", "red"] {
            assert_eq!(
                api["health"][health].as_i64(),
                Some(count("health", health)),
                "{view}: {health}"
            );
            assert_eq!(
                shown(&html, &format!("health-{health}"), "health-count"),
                count("health", health),
                "{view}: page {health}"
            );
        }
        for flag in [
            "ownerless",
            "stalled",
            "demo_overdue",
            "review_overdue",
            "gate_gap",
            "conditions_overdue",
            "goal_drift",
            "continue_loop",
        ] {
            assert_eq!(api["flags"][flag].as_i64(), Some(flagged(flag)), "{view}: {flag}");
            assert_eq!(
                shown(&html, &format!("tile-{flag}"), "tile-count"),
                flagged(flag),
                "{view}: page {flag}"
            );
        }
        for stage in api["stages"].as_array().expect("stages") {
            let name = stage["stage"].as_str().expect("stage");
            assert_eq!(
                stage["projects"].as_i64(),
                Some(count("stage", name)),
                "{view}: {name}"
            );
        }
        let attention = api["attention"].as_array().expect("attention");
        for list in attention {
            let flag = list["flag"].as_str().expect("flag");
            assert_eq!(list["total"].as_i64(), Some(flagged(flag)), "{view}: {flag} list");
            for item in list["items"].as_array().expect("items") {
                let row = rows
                    .iter()
                    .find(|r| r["id"] == item["id"].as_str().expect("id"))
                    .expect("listed row in CSV");
                assert!(
                    row["flags"].contains(flag),
                    "{view}: {} carries {flag}",
                    row["name"]
                );
                assert!(!item["reason"].as_str().expect("reason").is_empty());
            }
        }
    }
    assert!(nonzero_views >= 5, "the views are not all empty");
    assert!(
        past_views >= 2,
        "the past days have projects: the seeded history spans them"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_broad_name_search_is_counted_up_to_a_limit_and_a_narrow_one_exactly(pool: PgPool) {
    use app::projects::{ProjectQuery, PAGE_SIZE, SEARCH_COUNT_LIMIT};
    let plan = server::seed::SeedPlan {
        projects: 1_100,
        seed: 11,
        today: today(),
    };
    server::seed::run(&pool, plan).await.expect("seeded");
    let matching = |word: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from projects where name ilike '%' || $1 || '%'")
                .bind(word)
                .fetch_one(&pool)
                .await
                .expect("counted")
        }
    };
    // The letter in most names matches more than the limit.
    let mut broad = (String::new(), 0);
    for letter in ["a", "e", "i", "o", "r", "n"] {
        let n = matching(letter.to_owned()).await;
        if n > broad.1 {
            broad = (letter.to_owned(), n);
        }
    }
    assert!(broad.1 > SEARCH_COUNT_LIMIT, "{broad:?}");
    let search = |q: &str| ProjectQuery {
        q: q.to_owned(),
        ..ProjectQuery::default()
    };
    let list = app::projects::server::list::list(&pool, &search(&broad.0), today())
        .await
        .expect("listed");
    assert_eq!((list.total, list.more), (SEARCH_COUNT_LIMIT, true));
    assert_eq!(list.rows.len(), PAGE_SIZE as usize);

    // A narrower search: the first word of a project's name.
    let name: String = sqlx::query_scalar("select name from projects order by name limit 1")
        .fetch_one(&pool)
        .await
        .expect("a name");
    let word = name.split_whitespace().next().expect("a word").to_owned();
    let exact = matching(word.clone()).await;
    assert!(exact <= SEARCH_COUNT_LIMIT, "{word}: {exact}");
    let list = app::projects::server::list::list(&pool, &search(&word), today())
        .await
        .expect("listed");
    assert_eq!((list.total, list.more), (exact, false), "{word}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_name_search_pages_through_its_matches_in_name_order_whatever_their_number(pool: PgPool) {
    use app::projects::{ProjectQuery, SortKey, PAGE_SIZE};
    let plan = server::seed::SeedPlan {
        projects: 400,
        seed: 5,
        today: today(),
    };
    server::seed::run(&pool, plan).await.expect("seeded");
    // Names that need their wildcards taken literally, and a case to ignore.
    sqlx::query("update projects set name = name || ' 100%_Sure' where id in (select id from projects order by id limit 3)")
        .execute(&pool)
        .await
        .expect("renamed");
    let expected = |text: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>(
                "select id from projects where strpos(lower(name), lower($1)) > 0 order by lower(name)",
            )
            .bind(text)
            .fetch_all(&pool)
            .await
            .expect("matched")
        }
    };
    // A letter most names hold (the index walked in name order), a word few do (the trigram
    // index), the literal wildcards in another case, and nothing.
    let common = "e";
    for text in [common, "Sure", "100%_SURE", "zzqx"] {
        let all = expected(text).await;
        let pages = all.len().div_ceil(PAGE_SIZE as usize).max(1);
        for page in 1..=pages.min(3) {
            let query = ProjectQuery {
                q: text.to_owned(),
                page: page as u32,
                ..ProjectQuery::default()
            };
            let list = app::projects::server::list::list(&pool, &query, today())
                .await
                .expect("listed");
            let ids: Vec<_> = list.rows.iter().map(|r| r.id).collect();
            let from = (page - 1) * PAGE_SIZE as usize;
            let want = &all[from.min(all.len())..(from + PAGE_SIZE as usize).min(all.len())];
            assert_eq!(ids, want, "{text}, page {page}");
            assert_eq!((list.total, list.more), (all.len() as i64, false), "{text}");

            // The same search in another order reads the rows the general way: the same
            // projects, with the same health and flags.
            let by_stage = app::projects::server::list::list(
                &pool,
                &ProjectQuery {
                    sort: SortKey::Stage,
                    page: 1,
                    ..query.clone()
                },
                today(),
            )
            .await
            .expect("listed by stage");
            assert_eq!(by_stage.total, list.total, "{text}");
            for row in &by_stage.rows {
                if let Some(same) = list.rows.iter().find(|r| r.id == row.id) {
                    assert_eq!(same, row, "{text}");
                }
            }
        }
        if text == common {
            assert!(all.len() > 3 * PAGE_SIZE as usize, "{}", all.len());
        }
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_list_filtered_by_flag_or_health_counts_the_projects_it_pages_through(pool: PgPool) {
    use app::health::{FlagCode, Health};
    use app::projects::stage::{RiskTier, Stage};
    use app::projects::{OwnerFilter, ProjectQuery};
    let plan = server::seed::SeedPlan {
        projects: 400,
        seed: 11,
        today: today(),
    };
    server::seed::run(&pool, plan).await.expect("seeded");
    let team: String =
        sqlx::query_scalar("select team from projects group by team order by count(*) desc limit 1")
            .fetch_one(&pool)
            .await
            .expect("a team");
    // Counted independently: every current row's flags and health as `project_rows` reads them.
    let counted = |query: ProjectQuery| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from project_rows($1) r
                 where ($2::text is null or r.flags ~ ('(^| )' || $2 || '( |$)'))
                   and ($3::text is null or r.health = $3)
                   and ($4::project_stage is null or r.stage = $4)
                   and ($5::text is null or lower(r.team) = lower($5))
                   and ($6::risk_tier is null or r.risk_tier = $6)
                   and (not $7 or r.owner_id is null)
                   and ($8::text is null or strpos(lower(r.name), $8) > 0)",
            )
            .bind(today())
            .bind(query.flag.map(FlagCode::as_str))
            .bind(query.health.map(Health::as_str))
            .bind(query.stage)
            .bind(query.team.clone())
            .bind(query.tier)
            .bind(query.owner == OwnerFilter::Nobody)
            .bind(Some(query.q.clone()).filter(|q| !q.is_empty()))
            .fetch_one(&pool)
            .await
            .expect("counted")
        }
    };
    let mut views: Vec<ProjectQuery> = Vec::new();
    for flag in FlagCode::ALL {
        views.push(ProjectQuery {
            flag: Some(flag),
            ..ProjectQuery::default()
        });
    }
    for health in Health::ALL {
        views.push(ProjectQuery {
            health: Some(health),
            ..ProjectQuery::default()
        });
        views.push(ProjectQuery {
            health: Some(health),
            team: Some(team.to_uppercase()),
            stage: Some(Stage::Build),
            ..ProjectQuery::default()
        });
    }
    views.push(ProjectQuery {
        flag: Some(FlagCode::Stalled),
        tier: Some(RiskTier::High),
        ..ProjectQuery::default()
    });
    views.push(ProjectQuery {
        flag: Some(FlagCode::Ownerless),
        owner: OwnerFilter::Nobody,
        ..ProjectQuery::default()
    });
    // Not from the kept counts: a search, and a flag with a health.
    views.push(ProjectQuery {
        flag: Some(FlagCode::Stalled),
        q: "e".into(),
        ..ProjectQuery::default()
    });
    views.push(ProjectQuery {
        flag: Some(FlagCode::Stalled),
        health: Some(Health::Red),
        ..ProjectQuery::default()
    });
    let mut nonzero = 0;
    // With today's counts kept (the seed counts them), and then with them kept for another day.
    for kept_for_today in [true, false] {
        if !kept_for_today {
            sqlx::query("update portfolio_now_day set day = day - 1")
                .execute(&pool)
                .await
                .expect("another day");
        }
        for query in &views {
            let want = counted(query.clone()).await;
            let list = app::projects::server::list::list(&pool, query, today())
                .await
                .expect("listed");
            assert_eq!(list.total, want, "{query:?}, kept for today: {kept_for_today}");
            assert!(!list.more);
            assert_eq!(list.rows.len() as i64, want.min(25), "{query:?}");
            for row in &list.rows {
                if let Some(flag) = query.flag {
                    assert!(row.flags.contains(&flag), "{query:?}: {}", row.name);
                }
                if let Some(health) = query.health {
                    assert_eq!(row.health, health, "{query:?}: {}", row.name);
                }
            }
            nonzero += usize::from(want > 0);
        }
    }
    assert!(nonzero > views.len(), "most views have projects: {nonzero}");
}
