//! The portfolio over time: a past day reads what the portfolio showed on that day — stage,
//! status, team, owner and flags as they were — however much changed since, and a day the
//! history cannot show is refused with a message that says why.
#![expect(clippy::expect_used, reason = "a test fails loudly on what it did not expect")]

mod common;

use app::admin::server as admins;
use app::auth::Role;
use app::error::AppError;
use app::health::FlagCode;
use app::portfolio::server::portfolio;
use app::portfolio::Portfolio;
use app::projects::input::ProjectInput;
use app::projects::server::list::list;
use app::projects::server::{read, write};
use app::projects::stage::{RiskTier, Stage};
use app::projects::{OwnerFilter, ProjectQuery};
use app::records::server::{self as records, DemoInput};
use chrono::{Days, Timelike, Utc};
use common::{account, user};
use sqlx::PgPool;
use uuid::Uuid;

fn input(n: usize) -> ProjectInput {
    let written = |every: usize| {
        if n.is_multiple_of(every) {
            String::new()
        } else {
            "written".to_owned()
        }
    };
    ProjectInput {
        name: format!("Project {n}"),
        team: ["Alpha", "Beta", "Gamma"][n % 3].into(),
        risk_tier: ["low", "medium", "high"][n % 3].into(),
        status: "active".into(),
        problem_statement: written(4),
        success_metric: written(5),
        success_target: written(5),
        baseline_metric: written(6),
        baseline_method: written(6),
        data_readiness: written(7),
        fallback_plan: written(3),
        monitoring_owner: written(3),
        ..ProjectInput::default()
    }
}

/// The views compared: everything, and one per kind of filter.
fn views(owner: Uuid) -> Vec<ProjectQuery> {
    vec![
        ProjectQuery::default(),
        ProjectQuery {
            stage: Some(Stage::Define),
            ..ProjectQuery::default()
        },
        ProjectQuery {
            team: Some("alpha".into()),
            ..ProjectQuery::default()
        },
        ProjectQuery {
            owner: OwnerFilter::Nobody,
            ..ProjectQuery::default()
        },
        ProjectQuery {
            owner: OwnerFilter::Account(owner),
            ..ProjectQuery::default()
        },
        ProjectQuery {
            tier: Some(RiskTier::High),
            ..ProjectQuery::default()
        },
        ProjectQuery {
            flag: Some(FlagCode::Ownerless),
            ..ProjectQuery::default()
        },
    ]
}

/// Makes everything recorded so far three days old, as if it had been written then: each
/// version's instants, its stage entry and the days its flags came on, creations and moves.
async fn age_history(pool: &PgPool) {
    let dates = "stage_entered_at = stage_entered_at - interval '3 days',
                 ownerless_on = ownerless_on - 3, stalled_on = stalled_on - 3,
                 demo_overdue_on = demo_overdue_on - 3, review_overdue_on = review_overdue_on - 3,
                 gate_gap_on = gate_gap_on - 3, conditions_overdue_on = conditions_overdue_on - 3,
                 goal_drift_on = goal_drift_on - 3, continue_loop_on = continue_loop_on - 3,
                 red_on = red_on - 3, flagged_on = flagged_on - 3";
    let mut tx = pool.begin().await.expect("a transaction");
    // Rewriting the past is not a change to version: the history trigger stays out of it.
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .expect("triggers off");
    sqlx::query(&format!(
        "update project_signals_history
            set valid_from = valid_from - interval '3 days', valid_to = valid_to - interval '3 days', {dates}"
    ))
    .execute(&mut *tx)
    .await
    .expect("history aged");
    sqlx::query("update stage_moves set moved_at = moved_at - interval '3 days'")
        .execute(&mut *tx)
        .await
        .expect("moves aged");
    sqlx::query(&format!(
        "update projects set signals_from = signals_from - interval '3 days',
                             created_at = created_at - interval '3 days', {dates}"
    ))
    .execute(&mut *tx)
    .await
    .expect("current versions aged");
    // The entries per stage and day are kept by a trigger it kept out: counted again.
    sqlx::raw_sql(
        "delete from stage_entry_days;
         insert into stage_entry_days (stage, entered_on, projects)
         select stage, (stage_entered_at at time zone 'UTC')::date, count(*) from projects group by 1, 2",
    )
    .execute(&mut *tx)
    .await
    .expect("entries counted again");
    tx.commit().await.expect("aged");
}

fn without_as_of(portfolio: Portfolio) -> Portfolio {
    Portfolio {
        as_of: None,
        ..portfolio
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_past_day_shows_what_the_portfolio_showed_that_day(pool: PgPool) {
    let admin = user(&account(&pool, "admin@example.com", Role::Admin).await);
    let mut editors = Vec::new();
    for n in 0..3 {
        editors.push(user(
            &account(&pool, &format!("editor{n}@example.com"), Role::Editor).await,
        ));
    }
    let today = Utc::now().date_naive();
    let yesterday = today - Days::new(1);

    // A small portfolio: handed to another owner, or moved to Design with nobody owning it;
    // a demo on some.
    let mut ids = Vec::new();
    for n in 0..36 {
        let id = write::create(&pool, &editors[n % 3], input(n).validate().expect("valid"))
            .await
            .expect("created");
        let project = read::project(&pool, id).await.expect("read").expect("exists");
        if !n.is_multiple_of(4) {
            write::assign_owner(
                &pool,
                &admin,
                id,
                project.version,
                Stage::Define,
                editors[(n + 1) % 3].id,
            )
            .await
            .expect("owner assigned");
        } else {
            write::move_stage(
                &pool,
                &admin,
                id,
                project.version,
                Stage::Design,
                "",
                "Committee",
                None,
            )
            .await
            .expect("moved");
        }
        if n.is_multiple_of(3) {
            let demo = DemoInput {
                held_on: (today - Days::new(10)).format("%Y-%m-%d").to_string(),
                summary: "Showed the model".into(),
                attendees: "Ops".into(),
                outcome: "continue".into(),
                link: String::new(),
            };
            records::add_demo(&pool, &editors[n % 3], id, &demo, today)
                .await
                .expect("demo");
        }
        ids.push(id);
    }
    age_history(&pool).await;

    // What the portfolio and the list showed yesterday.
    let mut before = Vec::new();
    for view in views(editors[1].id) {
        let shown = portfolio(&pool, &view, yesterday).await.expect("portfolio");
        let listed = list(&pool, &view, yesterday).await.expect("list");
        before.push((view, shown, listed.total));
    }
    assert_eq!(
        (before[0].1.projects, before[0].1.flags.ownerless > 0),
        (36, true),
        "{:?}",
        before[0].1.flags
    );

    // Today: moves with a new owner, a team and tier change, a cancellation, a leaver, demos.
    for (n, id) in ids.iter().enumerate() {
        let project = read::project(&pool, *id).await.expect("read").expect("exists");
        match n % 6 {
            0 => {
                let next = if project.stage == Stage::Define {
                    Stage::Design
                } else {
                    Stage::Build
                };
                write::move_stage(
                    &pool,
                    &admin,
                    *id,
                    project.version,
                    next,
                    "",
                    "Committee",
                    Some(editors[2].id),
                )
                .await
                .expect("moved");
            }
            1 => {
                let mut edited = input(n);
                edited.team = "Delta".into();
                edited.risk_tier = "high".into();
                write::update(
                    &pool,
                    &editors[0],
                    *id,
                    project.version,
                    edited.validate().expect("valid"),
                )
                .await
                .expect("edited");
            }
            2 => {
                let mut edited = input(n);
                edited.status = "cancelled".into();
                write::update(
                    &pool,
                    &editors[0],
                    *id,
                    project.version,
                    edited.validate().expect("valid"),
                )
                .await
                .expect("cancelled");
            }
            _ => {
                let demo = DemoInput {
                    held_on: today.format("%Y-%m-%d").to_string(),
                    summary: "Another demo".into(),
                    attendees: "Ops".into(),
                    outcome: "continue".into(),
                    link: String::new(),
                };
                records::add_demo(&pool, &editors[0], *id, &demo, today)
                    .await
                    .expect("demo");
            }
        }
    }
    admins::set_active(&pool, admin.id, editors[1].id, false)
        .await
        .expect("a leaver");

    let now = portfolio(&pool, &ProjectQuery::default(), yesterday)
        .await
        .expect("portfolio now");
    assert_ne!(now, before[0].1, "today's changes changed the portfolio");

    for (view, shown, total) in before {
        let past = ProjectQuery {
            as_of: Some(yesterday),
            ..view.clone()
        };
        let read_back = portfolio(&pool, &past, today).await.expect("portfolio as of");
        assert_eq!(read_back.as_of, Some(yesterday));
        assert_eq!(without_as_of(read_back), shown, "{view:?}");
        let listed = list(&pool, &past, today).await.expect("list as of");
        assert_eq!(listed.total, total, "{view:?}: list");
        assert_eq!(listed.today, yesterday);
    }

    // The trend, counted from version boundaries, says what each day's portfolio says.
    let days = [today - Days::new(3), today - Days::new(2), yesterday, today];
    // Flows: the aged creations and moves (three days ago) fall in the first period.
    let flow_days = [today - Days::new(4), today - Days::new(2), yesterday, today];
    let wide_days = [today - Days::new(4), today];
    let trend_views: Vec<ProjectQuery> = views(editors[1].id)
        .into_iter()
        .filter(|v| v.flag.is_none())
        .collect();
    let mut series = Vec::new();
    for view in &trend_views {
        let points = app::portfolio::server::points(&pool, view, &days, today)
            .await
            .expect("trend");
        for point in &points {
            let that_day = ProjectQuery {
                as_of: Some(point.day),
                ..view.clone()
            };
            let shown = portfolio(&pool, &that_day, today)
                .await
                .expect("portfolio that day");
            assert_eq!(
                (point.projects, point.health, point.flags),
                (shown.projects, shown.health, shown.flags),
                "{view:?} on {}",
                point.day
            );
        }
        // Counted day by day from the rows, the same points.
        for point in &points {
            let alone = app::portfolio::server::points(&pool, view, &[point.day], today)
                .await
                .expect("one day");
            assert_eq!(alone, vec![*point], "{view:?} on {} alone", point.day);
        }
        let flows = app::portfolio::server::flows(&pool, view, &flow_days, today)
            .await
            .expect("flows");
        // One period over counted days and today: its counted days and today's moves.
        let wide = app::portfolio::server::flows(&pool, view, &wide_days, today)
            .await
            .expect("flows of one period");
        series.push((points, flows, wide));
    }
    assert!(
        series[0].1.iter().any(|f| f.day == flow_days[1] && f.entered > 0),
        "the aged creations are moves into Define: {:?}",
        series[0].1
    );
    assert!(
        series[0].2.iter().any(|f| f.day == today && f.entered > 0),
        "the wide period holds them: {:?}",
        series[0].2
    );

    // Today's portfolio (and one a few days on), counted from every project before the roll-up
    // exists, and from the last counted day plus what changed since once it does.
    let mut counted_now = Vec::new();
    for view in views(editors[1].id) {
        for day in [today, today + Days::new(5)] {
            let shown = portfolio(&pool, &view, day).await.expect("portfolio");
            counted_now.push((view.clone(), day, shown));
        }
    }

    // Ended days are counted once into the roll-up (days that ended over an hour ago), and the
    // series read from it are the same.
    let added = app::portfolio::server::count_ended_days(&pool, today)
        .await
        .expect("ended days counted");
    if Utc::now().hour() >= 1 {
        assert!(added >= 3, "the aged history's days are counted: {added}");
    }
    assert_eq!(
        app::portfolio::server::count_ended_days(&pool, today)
            .await
            .expect("counted again"),
        0,
        "a day is counted once"
    );
    for (view, (points, flows, wide)) in trend_views.iter().zip(series) {
        let read_back = app::portfolio::server::points(&pool, view, &days, today)
            .await
            .expect("trend from the roll-up");
        assert_eq!(read_back, points, "{view:?} from the roll-up");
        let read_back = app::portfolio::server::flows(&pool, view, &flow_days, today)
            .await
            .expect("flows from the roll-up");
        assert_eq!(read_back, flows, "{view:?}: flows from the roll-up");
        let read_back = app::portfolio::server::flows(&pool, view, &wide_days, today)
            .await
            .expect("one period's flows from the roll-up and today's moves");
        assert_eq!(read_back, wide, "{view:?}: one period's flows from the roll-up");
    }
    for (view, day, shown) in counted_now {
        let read_back = portfolio(&pool, &view, day)
            .await
            .expect("portfolio after the roll-up");
        assert_eq!(
            read_back, shown,
            "{view:?} on {day}: from the roll-up and the changes since"
        );
    }
    // A clock set back to a day the roll-up has counted still reads "today" from the current
    // rows (today's changes included), not from the end of that day.
    let set_back = app::portfolio::server::points(&pool, &ProjectQuery::default(), &[yesterday], yesterday)
        .await
        .expect("a clock set back");
    let current = portfolio(&pool, &ProjectQuery::default(), yesterday)
        .await
        .expect("the current rows");
    assert_eq!(set_back, vec![current.point()]);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_day_the_history_cannot_show_is_refused_with_the_reason(pool: PgPool) {
    let editor = user(&account(&pool, "editor@example.com", Role::Editor).await);
    let today = Utc::now().date_naive();
    let message = |error: AppError| {
        error
            .fields()
            .and_then(|f| f.get("as_of").map(str::to_owned))
            .expect("a message for as_of")
    };

    let none_yet = ProjectQuery {
        as_of: Some(today),
        ..ProjectQuery::default()
    };
    let error = portfolio(&pool, &none_yet, today).await.expect_err("no history");
    assert!(message(error).contains("no history yet"));

    write::create(&pool, &editor, input(1).validate().expect("valid"))
        .await
        .expect("created");
    let tomorrow = ProjectQuery {
        as_of: Some(today + Days::new(1)),
        ..ProjectQuery::default()
    };
    let error = portfolio(&pool, &tomorrow, today).await.expect_err("the future");
    assert!(message(error).contains("has not happened yet"));
    let last_month = ProjectQuery {
        as_of: Some(today - Days::new(30)),
        ..ProjectQuery::default()
    };
    let error = list(&pool, &last_month, today)
        .await
        .expect_err("before the history");
    assert!(
        message(error).contains(&format!("The history starts on {today}")),
        "names the first day"
    );
    let shown = portfolio(
        &pool,
        &ProjectQuery {
            as_of: Some(today),
            ..ProjectQuery::default()
        },
        today,
    )
    .await
    .expect("today as a past day");
    assert_eq!(shown.projects, 1);
}
