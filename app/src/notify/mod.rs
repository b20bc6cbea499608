//! Notifications: reminders before things fall due, escalations after, and a weekly digest —
//! kept in the app for each person and, with SMTP configured, emailed.
//!
//! A reminder is about one occurrence of a cause: a demo that falls due on a day, a project
//! stalled since a day. Its occurrence is the flag's onset date from the project's stored
//! signals, so a reminder goes out once per occurrence (the same cause scanned again is the
//! same occurrence) and none is made once the cause is gone (a demo held moves the onset: the
//! next reminder is about the next demo). The rules here are pure; `server` runs them.

mod api;
#[cfg(feature = "ssr")]
pub mod mail;
mod page;
#[cfg(feature = "ssr")]
pub mod server;

pub use api::*;
pub use page::{NotificationsPage, PreferencesCard};

use crate::auth::Role;
use crate::health::Signals;
use crate::vocabulary::word_enum;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

word_enum!(
    /// What a notification is about.
    Kind, "text", "notification", [
        DemoDueSoon => "demo_due_soon", "Demo due soon";
        DemoOverdue => "demo_overdue", "Demo overdue";
        DemoEscalated => "demo_escalated", "Demo overdue for more than 14 days";
        ReviewDueSoon => "review_due_soon", "Model-risk review due soon";
        ReviewOverdue => "review_overdue", "Model-risk review overdue";
        ReviewEscalated => "review_escalated", "Model-risk review overdue for more than 14 days";
        Stalled => "stalled", "Project stalled";
        Ownerless => "ownerless", "Project without an owner";
        Digest => "digest", "Weekly digest";
    ]
);

/// A demo reminder goes out this many days before the demo falls due.
pub const DEMO_NOTICE_DAYS: u64 = 7;
/// A model-risk review reminder goes out this many days before the review falls due.
pub const REVIEW_NOTICE_DAYS: u64 = 30;
/// Overdue by more than this many days, a demo or review is escalated to the admins.
pub const ESCALATE_AFTER_DAYS: u64 = 14;

/// Who a reminder goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The owner of the project's current stage.
    Owner,
    /// Every active admin (and the escalation address, when one is configured).
    Admins,
}

/// One reminder a project calls for on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub kind: Kind,
    /// The occurrence: the onset date of the flag the reminder is about.
    pub occurrence: NaiveDate,
    /// The day the reminder became due (a week before the demo, the onset, 14 days after).
    pub due_from: NaiveDate,
    pub audience: Audience,
}

impl Reminder {
    /// The key that makes a reminder one per occurrence, per project.
    pub fn key(&self, project: uuid::Uuid) -> String {
        format!("{}:{project}:{}", self.kind.as_str(), self.occurrence)
    }
}

fn minus(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

fn plus(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

/// The reminders a project with `signals` calls for on `today`: a clock (demo, review) warns
/// ahead, then says overdue, then escalates once overdue by more than
/// [`ESCALATE_AFTER_DAYS`]; a stalled project tells its owner; an ownerless one the admins.
pub fn reminders(signals: &Signals, today: NaiveDate) -> Vec<Reminder> {
    let mut due = Vec::new();
    let mut clock = |onset: Option<NaiveDate>, notice: u64, [soon, overdue, escalated]: [Kind; 3]| {
        let Some(on) = onset else { return };
        let reminder = |kind, due_from, audience| Reminder {
            kind,
            occurrence: on,
            due_from,
            audience,
        };
        // Due the day before the onset, so overdue by n days on onset + n - 1: by more than 14
        // days from onset + 14.
        let escalation = plus(on, ESCALATE_AFTER_DAYS);
        if today >= on {
            due.push(reminder(overdue, on, Audience::Owner));
            if today >= escalation {
                due.push(reminder(escalated, escalation, Audience::Admins));
            }
        } else if today >= minus(on, notice) {
            due.push(reminder(soon, minus(on, notice), Audience::Owner));
        }
    };
    clock(
        signals.demo_overdue_on,
        DEMO_NOTICE_DAYS,
        [Kind::DemoDueSoon, Kind::DemoOverdue, Kind::DemoEscalated],
    );
    clock(
        signals.review_overdue_on,
        REVIEW_NOTICE_DAYS,
        [Kind::ReviewDueSoon, Kind::ReviewOverdue, Kind::ReviewEscalated],
    );
    if let Some(on) = signals.stalled_on.filter(|on| *on <= today) {
        due.push(Reminder {
            kind: Kind::Stalled,
            occurrence: on,
            due_from: on,
            audience: Audience::Owner,
        });
    }
    if let Some(on) = signals.ownerless_on.filter(|on| *on <= today) {
        due.push(Reminder {
            kind: Kind::Ownerless,
            occurrence: on,
            due_from: on,
            audience: Audience::Admins,
        });
    }
    due
}

/// How far before and after an onset a reminder can fall: the scan looks at projects whose
/// onsets lie within these many days of the days it covers.
pub const REMINDER_REACH_BEFORE: u64 = REVIEW_NOTICE_DAYS;
pub const REMINDER_REACH_AFTER: u64 = ESCALATE_AFTER_DAYS;

/// One line of a message, with the page of Tollgate it links to (a path such as `/projects/…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub text: String,
    pub link: Option<String>,
}

/// A part of a message, under its heading (none for a message of one part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: Option<String>,
    pub items: Vec<Item>,
    /// Said when the section has no items ("Nothing needs your attention.").
    pub empty: Option<String>,
}

/// What a notification says, the same in the app and by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub intro: String,
    pub sections: Vec<Section>,
}

fn day(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// The subject and message of `reminder` about project `name` (at `link`).
pub fn reminder_message(
    reminder: &Reminder,
    name: &str,
    link: &str,
    owner: Option<&str>,
) -> (String, Message) {
    let on = reminder.occurrence;
    // A clock's onset is the first day it is overdue: the thing fell due the day before.
    let due_by = day(minus(on, 1));
    let overdue_since = day(on);
    let owner = owner.unwrap_or("nobody");
    let (subject, text) = match reminder.kind {
        Kind::DemoDueSoon => (
            format!("Demo due by {due_by}: {name}"),
            format!("{name} needs its next demo checkpoint by {due_by}. Record it on the project page once held."),
        ),
        Kind::DemoOverdue => (
            format!("Demo overdue: {name}"),
            format!("{name} missed its demo checkpoint: it was due by {due_by}."),
        ),
        Kind::DemoEscalated => (
            format!("Escalation — demo overdue since {overdue_since}: {name}"),
            format!("{name} has been without its demo checkpoint for more than {ESCALATE_AFTER_DAYS} days (due by {due_by}). Its owner: {owner}."),
        ),
        Kind::ReviewDueSoon => (
            format!("Model-risk review due by {due_by}: {name}"),
            format!("{name} needs its next model-risk review by {due_by}."),
        ),
        Kind::ReviewOverdue => (
            format!("Model-risk review overdue: {name}"),
            format!("{name} is past its model-risk review: it was due by {due_by}."),
        ),
        Kind::ReviewEscalated => (
            format!("Escalation — model-risk review overdue since {overdue_since}: {name}"),
            format!("{name} has been past its model-risk review for more than {ESCALATE_AFTER_DAYS} days (due by {due_by}). Its owner: {owner}."),
        ),
        Kind::Stalled => (
            format!("Stalled since {overdue_since}: {name}"),
            format!("{name} has had no stage move and no demo for too long: it is flagged stalled since {overdue_since}."),
        ),
        Kind::Ownerless => (
            format!("No owner: {name}"),
            format!("Nobody owns the current stage of {name} (since {overdue_since}). Assign an owner on the project page."),
        ),
        Kind::Digest => (format!("About {name}"), String::new()),
    };
    let message = Message {
        intro: reminder.kind.label().to_owned(),
        sections: vec![Section {
            heading: None,
            items: vec![Item {
                text,
                link: Some(link.to_owned()),
            }],
            empty: None,
        }],
    };
    (subject, message)
}

/// Which parts of the weekly digest a person gets: what needs their attention when they own
/// projects; the portfolio's week in numbers when they lead, review or watch (and for an
/// editor who owns nothing, who would otherwise get an empty digest).
pub fn digest_parts(role: Role, owns_projects: bool) -> (bool, bool) {
    let attention = owns_projects;
    let numbers = role != Role::Editor || !owns_projects;
    (attention, numbers)
}

/// The ISO week a day is in, as a key ("2026-W49").
pub fn week_key(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// When this week's digest is due: `weekday` at `hour` UTC of the ISO week of `now`.
pub fn digest_moment(now: DateTime<Utc>, weekday: Weekday, hour: u32) -> DateTime<Utc> {
    let today = now.date_naive();
    let monday = minus(today, u64::from(today.weekday().num_days_from_monday()));
    let day = plus(monday, u64::from(weekday.num_days_from_monday()));
    day.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default().and_utc()
}

/// A notification as its recipient's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    pub subject: String,
    pub message: Message,
    /// Whether it was emailed too ("in_app", "queued", "sent").
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// A person's notifications page: the newest, how many are unread, and whether email is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsView {
    pub items: Vec<Notification>,
    pub unread: i64,
    pub email_configured: bool,
}

/// What a person wants by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub email_reminders: bool,
    pub weekly_digest: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            email_reminders: true,
            weekly_digest: true,
        }
    }
}

#[cfg(test)]
mod tests;
