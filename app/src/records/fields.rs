//! The checks of single form fields that record forms share. Pure: no IO.

use crate::error::FieldErrors;
use crate::vocabulary::Word;
use chrono::NaiveDate;

/// A date field: required, ISO (`2026-11-25`, as `<input type=date>` sends it), not in the future.
pub fn past_date(errors: &mut FieldErrors, field: &str, value: &str, today: NaiveDate) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, "Enter the date.");
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if date > today => {
            errors.add(field, "This already happened: the date can't be in the future.");
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            errors.add(field, "Enter a date like 2026-11-25.");
            None
        }
    }
}

/// A required text of at most `max` characters, trimmed.
pub fn required_text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, empty: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, empty);
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("Use at most {max} characters ({} now).", value.chars().count()),
        );
    }
    value.to_owned()
}

/// An optional link: empty, or an http(s) address.
pub fn optional_link(errors: &mut FieldErrors, field: &str, value: &str) -> String {
    let value = value.trim();
    let web = value.starts_with("https://") || value.starts_with("http://");
    if !value.is_empty() && !web {
        errors.add(
            field,
            "Enter a web address starting with https:// (or leave it empty).",
        );
    }
    value.to_owned()
}

/// One word of a closed set; a message naming the allowed ones otherwise.
pub fn choice<W: Word>(errors: &mut FieldErrors, field: &str, value: &str) -> Option<W> {
    let found = W::parse_word(value);
    if found.is_none() {
        errors.add(field, format!("Choose one of: {}.", W::names()));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Outcome, ResearchKind};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn dates_must_be_real_and_not_in_the_future() {
        let mut e = FieldErrors::default();
        assert_eq!(
            past_date(&mut e, "held_on", "2026-11-25", today()),
            Some(today()),
            "today is fine"
        );
        assert_eq!(past_date(&mut e, "a", "2026-11-26", today()), None);
        assert_eq!(past_date(&mut e, "b", "25/11/2026", today()), None);
        assert_eq!(past_date(&mut e, "c", " ", today()), None);
        assert_eq!(
            e.get("a"),
            Some("This already happened: the date can't be in the future.")
        );
        assert_eq!(e.get("b"), Some("Enter a date like 2026-11-25."));
        assert_eq!(e.get("c"), Some("Enter the date."));
    }

    #[test]
    fn links_are_web_addresses_or_nothing() {
        let mut e = FieldErrors::default();
        optional_link(&mut e, "ok", "https://wiki.example.com/demo");
        optional_link(&mut e, "empty", "");
        optional_link(&mut e, "bad", "javascript:alert(1)");
        assert!(e.get("ok").is_none() && e.get("empty").is_none());
        assert!(e.get("bad").is_some());
    }

    #[test]
    fn a_choice_outside_the_list_names_the_allowed_values() {
        let mut e = FieldErrors::default();
        assert_eq!(choice(&mut e, "outcome", " pivot"), Some(Outcome::Pivot));
        assert_eq!(choice::<Outcome>(&mut e, "outcome2", "abandon"), None);
        assert_eq!(e.get("outcome2"), Some("Choose one of: continue, pivot, stop."));
        assert_eq!(
            choice(&mut e, "kind", "usability_test"),
            Some(ResearchKind::UsabilityTest),
            "names of two words are snake_case"
        );
    }
}
