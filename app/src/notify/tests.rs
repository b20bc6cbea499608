use super::*;
use chrono::TimeZone;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn kinds(signals: &Signals, today: &str) -> Vec<(Kind, Audience)> {
    reminders(signals, d(today))
        .into_iter()
        .map(|r| (r.kind, r.audience))
        .collect()
}

fn demo_due(onset: &str) -> Signals {
    Signals {
        demo_overdue_on: Some(d(onset)),
        ..Signals::default()
    }
}

#[test]
fn a_demo_is_announced_seven_days_ahead_then_overdue_then_escalated_after_fourteen_days() {
    // Due by 30 Nov: overdue from 1 Dec.
    let s = demo_due("2026-12-01");
    assert_eq!(kinds(&s, "2026-11-23"), vec![], "eight days ahead: nothing yet");
    assert_eq!(
        kinds(&s, "2026-11-24"),
        vec![(Kind::DemoDueSoon, Audience::Owner)]
    );
    assert_eq!(
        kinds(&s, "2026-11-30"),
        vec![(Kind::DemoDueSoon, Audience::Owner)]
    );
    assert_eq!(
        kinds(&s, "2026-12-01"),
        vec![(Kind::DemoOverdue, Audience::Owner)]
    );
    assert_eq!(
        kinds(&s, "2026-12-14"),
        vec![(Kind::DemoOverdue, Audience::Owner)],
        "overdue by 14 days: not yet more than 14"
    );
    assert_eq!(
        kinds(&s, "2026-12-15"),
        vec![
            (Kind::DemoOverdue, Audience::Owner),
            (Kind::DemoEscalated, Audience::Admins)
        ]
    );
}

#[test]
fn each_reminder_knows_the_day_it_became_due() {
    let due_from = |today: &str| -> Vec<String> {
        reminders(&demo_due("2026-12-01"), d(today))
            .iter()
            .map(|r| r.due_from.to_string())
            .collect()
    };
    assert_eq!(due_from("2026-11-27"), ["2026-11-24"]);
    assert_eq!(due_from("2026-12-20"), ["2026-12-01", "2026-12-15"]);
}

#[test]
fn a_review_is_announced_thirty_days_ahead() {
    let s = Signals {
        review_overdue_on: Some(d("2027-01-31")),
        ..Signals::default()
    };
    assert_eq!(kinds(&s, "2026-12-31"), vec![]);
    assert_eq!(
        kinds(&s, "2027-01-01"),
        vec![(Kind::ReviewDueSoon, Audience::Owner)]
    );
    assert_eq!(
        kinds(&s, "2027-01-31"),
        vec![(Kind::ReviewOverdue, Audience::Owner)]
    );
    assert_eq!(
        kinds(&s, "2027-02-14"),
        vec![
            (Kind::ReviewOverdue, Audience::Owner),
            (Kind::ReviewEscalated, Audience::Admins)
        ]
    );
}

#[test]
fn stalled_goes_to_the_owner_and_ownerless_to_the_admins_from_their_onset() {
    let s = Signals {
        stalled_on: Some(d("2026-12-10")),
        ownerless_on: Some(d("2026-12-12")),
        ..Signals::default()
    };
    assert_eq!(kinds(&s, "2026-12-09"), vec![]);
    assert_eq!(kinds(&s, "2026-12-10"), vec![(Kind::Stalled, Audience::Owner)]);
    assert_eq!(
        kinds(&s, "2026-12-12"),
        vec![
            (Kind::Stalled, Audience::Owner),
            (Kind::Ownerless, Audience::Admins)
        ]
    );
}

#[test]
fn the_same_cause_is_one_occurrence_and_a_new_due_date_another() {
    let project = uuid::Uuid::nil();
    let first = reminders(&demo_due("2026-12-01"), d("2026-11-25"));
    let again = reminders(&demo_due("2026-12-01"), d("2026-11-28"));
    assert_eq!(
        first[0].key(project),
        again[0].key(project),
        "scanned again: the same reminder"
    );
    // A demo held moves the onset: the next reminder is about the next demo.
    let next = reminders(&demo_due("2026-12-31"), d("2026-12-25"));
    assert_ne!(first[0].key(project), next[0].key(project));
    assert_eq!(
        reminders(&Signals::default(), d("2026-12-25")),
        vec![],
        "no cause, no reminder"
    );
}

#[test]
fn a_reminder_says_when_the_thing_falls_due_and_links_to_the_project() {
    let reminder = reminders(&demo_due("2026-12-01"), d("2026-11-25"))[0];
    let (subject, message) = reminder_message(&reminder, "Churn model", "/projects/x", Some("Ana"));
    assert_eq!(subject, "Demo due by 30 Nov 2026: Churn model");
    assert_eq!(message.sections[0].items[0].link.as_deref(), Some("/projects/x"));
    assert!(message.sections[0].items[0].text.contains("by 30 Nov 2026"));
}

#[test]
fn owners_get_their_projects_and_leaders_the_numbers() {
    assert_eq!(digest_parts(Role::Editor, true), (true, false));
    assert_eq!(
        digest_parts(Role::Editor, false),
        (false, true),
        "an editor who owns nothing still gets a digest"
    );
    assert_eq!(digest_parts(Role::Viewer, false), (false, true));
    assert_eq!(digest_parts(Role::Admin, true), (true, true));
    assert_eq!(digest_parts(Role::Reviewer, false), (false, true));
}

#[test]
fn the_digest_is_due_on_its_weekday_and_hour_of_the_current_week() {
    let wednesday = Utc
        .with_ymd_and_hms(2026, 12, 2, 10, 30, 0)
        .single()
        .expect("a time");
    assert_eq!(
        digest_moment(wednesday, Weekday::Mon, 8),
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0)
            .single()
            .expect("a time")
    );
    assert_eq!(
        digest_moment(wednesday, Weekday::Fri, 17),
        Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0)
            .single()
            .expect("a time")
    );
    assert_eq!(week_key(d("2026-12-02")), "2026-W49");
    assert_eq!(
        week_key(d("2027-01-01")),
        "2026-W53",
        "the ISO week, not the calendar year"
    );
}
