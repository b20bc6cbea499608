use super::*;
use crate::imports::columns::map_headers;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day")
}

fn ana() -> (String, Person) {
    (
        "ana@example.com".into(),
        Person {
            id: Uuid::from_u128(1),
            role: Role::Editor,
            active: true,
        },
    )
}

fn known() -> Known {
    let people = HashMap::from([
        ana(),
        (
            "vic@example.com".into(),
            Person {
                id: Uuid::from_u128(2),
                role: Role::Viewer,
                active: true,
            },
        ),
        (
            "gone@example.com".into(),
            Person {
                id: Uuid::from_u128(3),
                role: Role::Editor,
                active: false,
            },
        ),
    ]);
    let churn = Existing {
        id: Uuid::from_u128(100),
        version: 4,
        input: ProjectInput {
            name: "Churn model".into(),
            team: "Retention".into(),
            risk_tier: "medium".into(),
            status: "active".into(),
            ..ProjectInput::default()
        },
        stage: Stage::Define,
        owner_email: Some("ana@example.com".into()),
        records: RecordFacts::default(),
    };
    Known::new(vec![churn], people)
}

fn run(header: &[&str], rows: &[&[&str]]) -> Vec<RowPlan> {
    let headers: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let mapping = map_headers(&headers, &[]).expect("mapped");
    let rows: Vec<(usize, Vec<String>)> = rows
        .iter()
        .enumerate()
        .map(|(n, cells)| (n + 2, cells.iter().map(|c| (*c).to_owned()).collect()))
        .collect();
    plan(&mapping, &rows, &known(), today())
}

#[test]
fn a_new_name_creates_a_known_one_updates_and_the_same_values_change_nothing() {
    let plans = run(
        &["Name", "Team", "Risk tier", "Owner email"],
        &[
            &["Fraud scoring", "Risk", "High", "ANA@example.com"],
            &["churn MODEL", "Retention", "medium", "ana@example.com"],
            &["Churn model ", "Growth", "medium", ""],
        ],
    );
    assert_eq!(plans[0].action, Action::Create, "{:?}", plans[0].problems);
    let change = plans[0].change.as_ref().expect("a change");
    assert_eq!(change.project.risk_tier, RiskTier::High, "any case");
    assert_eq!(change.owner, Some(Uuid::from_u128(1)), "owner by email, any case");
    assert_eq!(change.stage, Stage::Define);
    // Rows 2 and 3 both name Churn model: refused, both.
    assert_eq!(plans[1].action, Action::Refused);
    assert!(plans[2].problems[0].contains("name used twice in the file (rows 3, 4)"));

    let plans = run(
        &["name", "team", "risk_tier"],
        &[&["Churn model", "Retention", "medium"]],
    );
    assert_eq!(plans[0].action, Action::Unchanged, "{:?}", plans[0]);
    let plans = run(
        &["name", "team", "risk_tier"],
        &[&["Churn model", "Growth", "medium"]],
    );
    assert_eq!(plans[0].action, Action::Update);
    assert_eq!(plans[0].change.as_ref().and_then(|c| c.version), Some(4));
}

#[test]
fn every_problem_of_a_row_is_said_in_words() {
    let long = "x".repeat(121);
    let plans = run(
        &[
            "name",
            "team",
            "risk tier",
            "stage",
            "status",
            "owner",
            "started on",
        ],
        &[
            &[
                "A",
                "T",
                "extreme",
                "prod",
                "done",
                "nobody@example.com",
                "2027-01-01",
            ],
            &[
                &long,
                "T",
                "low",
                "define",
                "active",
                "vic@example.com",
                "yesterday",
            ],
            &["B", "", "", "", "", "gone@example.com", ""],
        ],
    );
    assert_eq!(
        plans[0].problems,
        vec![
            "unknown risk tier \"extreme\" — allowed: low, medium, high",
            "unknown status \"done\" — allowed: active, paused, cancelled, retired",
            "unknown stage \"prod\" — allowed: define, design, build, deploy",
            "owner nobody@example.com not found",
            "start date 2027-01-01 is in the future",
        ]
    );
    assert!(plans[1]
        .problems
        .iter()
        .any(|p| p.starts_with("name: Use at most 120 characters")));
    assert!(plans[1].problems.contains(
        &"owner vic@example.com is a viewer and cannot own a stage (editors and admins can)".to_owned()
    ));
    assert!(plans[1]
        .problems
        .contains(&"start date \"yesterday\" is not a date (write 2026-11-02)".to_owned()));
    assert!(plans[2]
        .problems
        .contains(&"risk tier is missing — allowed: low, medium, high".to_owned()));
    assert!(plans[2]
        .problems
        .contains(&"team: Say which team runs the project.".to_owned()));
    assert!(plans
        .iter()
        .all(|p| p.action == Action::Refused && p.change.is_none()));
    let kept = run(
        &["name", "team", "risk_tier", "owner"],
        &[&["Kept", "T", "low", "gone@example.com"]],
    );
    assert_eq!(
        kept[0].action,
        Action::Create,
        "a deactivated owner is kept, as the export says"
    );
    assert_eq!(
        kept[0].notes,
        vec!["owner gone@example.com is deactivated: flagged ownerless"]
    );
}

#[test]
fn a_stage_whose_gate_the_row_does_not_meet_is_imported_flagged() {
    let plans = run(
        &["name", "team", "risk_tier", "stage", "problem statement"],
        &[&["Claims triage", "Claims", "low", "Build", "Claims wait nine days"]],
    );
    assert_eq!(plans[0].action, Action::Create, "{:?}", plans[0].problems);
    assert!(!plans[0].change.as_ref().expect("change").gate_gap.is_empty());
    assert!(
        plans[0]
            .notes
            .iter()
            .any(|n| n.starts_with("imported into Build without ")
                && n.ends_with("flagged gate_gap (imported)")),
        "{:?}",
        plans[0].notes
    );
    let define = run(&["name", "team", "risk_tier"], &[&["Plain", "T", "low"]]);
    assert_eq!(
        define[0].notes,
        vec!["no owner: flagged ownerless until one is assigned"],
        "Define has no gate; nobody owns it"
    );
}

#[test]
fn an_id_matches_its_project_names_a_new_one_or_is_refused() {
    let churn = Uuid::from_u128(100).to_string();
    let fresh = Uuid::from_u128(555).to_string();
    let plans = run(
        &["id", "name", "team", "risk_tier"],
        &[
            &[&churn, "Churn model v2", "Retention", "medium"],
            &[&fresh, "Brand new", "T", "low"],
            &["not-an-id", "Other", "T", "low"],
            &[&Uuid::from_u128(556).to_string(), "Churn model", "T", "low"],
        ],
    );
    assert_eq!(plans[0].action, Action::Update, "a rename, matched by id");
    assert_eq!(plans[1].action, Action::Create);
    assert_eq!(
        plans[1].change.as_ref().and_then(|c| c.id),
        Some(Uuid::from_u128(555))
    );
    assert_eq!(
        plans[2].problems,
        vec!["id \"not-an-id\" is not a Tollgate project id"]
    );
    assert!(plans[3].problems[0].starts_with("the name \"Churn model\" belongs to another project"));
}

#[test]
fn dates_read_as_days_or_instants_and_the_stage_date_follows_the_start() {
    assert_eq!(parse_day("2026-11-02"), NaiveDate::from_ymd_opt(2026, 11, 2));
    assert_eq!(
        parse_day("2026-11-02T09:30:00Z"),
        NaiveDate::from_ymd_opt(2026, 11, 2)
    );
    assert_eq!(parse_day("02/11/2026"), None);
    let plans = run(
        &["name", "team", "risk_tier", "created_at", "stage_entered_on"],
        &[&["P", "T", "low", "2026-10-01T08:00:00Z", "2026-09-01"]],
    );
    assert_eq!(
        plans[0].problems,
        vec!["the stage date 2026-09-01 is before the start date 2026-10-01"]
    );
}
