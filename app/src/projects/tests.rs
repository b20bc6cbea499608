//! Unit tests of `projects`.

use super::*;
use std::collections::HashMap;

fn parse(pairs: &[(&str, &str)]) -> ProjectQuery {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ProjectQuery::from_params(|k| map.get(k).cloned())
}

#[test]
fn searches_and_filters_longer_than_two_hundred_characters_are_refused() {
    let fine = ProjectQuery {
        q: "x".repeat(FILTER_TEXT_MAX),
        ..ProjectQuery::default()
    };
    assert!(fine.check().is_ok());
    let long = ProjectQuery {
        q: "x".repeat(FILTER_TEXT_MAX + 1),
        team: Some("t".repeat(FILTER_TEXT_MAX + 1)),
        ..ProjectQuery::default()
    };
    let error = long.check().expect_err("too long");
    let fields = error.fields().expect("field messages");
    assert!(fields.get("q").is_some() && fields.get("team").is_some());
}

#[test]
fn a_view_survives_the_round_trip_through_its_url() {
    let query = ProjectQuery {
        q: "churn & fraud".into(),
        stage: Some(Stage::Build),
        status: Some(Status::Paused),
        team: Some("Risk Ops".into()),
        owner: OwnerFilter::Nobody,
        health: Some(crate::health::Health::Amber),
        flag: Some(crate::health::FlagCode::DemoOverdue),
        tier: Some(stage::RiskTier::High),
        sort: SortKey::StageAge,
        page: 3,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30),
    };
    let url = query.to_url();
    assert_eq!(url, "/projects?q=churn%20%26%20fraud&stage=build&status=paused&team=Risk%20Ops&owner=none&health=amber&flag=demo_overdue&tier=high&sort=stage_age&page=3&as_of=2026-06-30");
    let params: Vec<(String, String)> = url
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), percent_decode(v)))
        .collect();
    let back = ProjectQuery::from_params(|k| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()));
    assert_eq!(back, query);
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&value[i + 1..i + 3], 16).expect("hex"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn an_owner_is_nobody_an_account_id_or_an_email() {
    let id = Uuid::from_u128(7);
    assert_eq!(OwnerFilter::parse("none"), Some(OwnerFilter::Nobody));
    assert_eq!(
        OwnerFilter::parse(&id.to_string()),
        Some(OwnerFilter::Account(id))
    );
    assert_eq!(
        OwnerFilter::parse(" Ana@Example.com "),
        Some(OwnerFilter::Email("ana@example.com".into()))
    );
    assert_eq!(OwnerFilter::parse("bob"), None);
    let query = ProjectQuery {
        owner: OwnerFilter::Email("ana@example.com".into()),
        ..ProjectQuery::default()
    };
    assert_eq!(query.to_url(), "/projects?owner=ana%40example.com");
}

#[test]
fn the_default_view_has_a_clean_url() {
    assert_eq!(ProjectQuery::default().with_page(1).to_url(), "/projects");
}

#[test]
fn nonsense_in_the_url_falls_back_to_the_defaults() {
    let query = parse(&[
        ("stage", "launch"),
        ("page", "0"),
        ("sort", "random"),
        ("owner", "bob"),
        ("health", "purple"),
        ("flag", "late"),
        ("tier", "extreme"),
    ]);
    assert_eq!(
        query,
        ProjectQuery {
            page: 1,
            ..ProjectQuery::default()
        }
    );
}
