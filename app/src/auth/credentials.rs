//! Validation of what people type into account forms. Pure: no IO, unit-tested.

use crate::error::{AppError, FieldErrors};

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_NAME_CHARS: usize = 100;

/// The sign-in form's own field messages: the only ones its page will show.
pub const ENTER_EMAIL: &str = "Enter your email address.";
pub const ENTER_PASSWORD: &str = "Enter your password.";
const SIGN_IN_FAILED: &str = "Sign-in failed. Please try again.";

/// The sign-in form's messages for a submission, before any password is checked.
pub fn check_sign_in(email: &str, password: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if email.trim().is_empty() {
        errors.add("email", ENTER_EMAIL);
    } else if email.chars().count() > MAX_EMAIL_CHARS {
        errors.add("email", too_long(MAX_EMAIL_CHARS));
    }
    if password.is_empty() {
        errors.add("password", ENTER_PASSWORD);
    } else if password.chars().count() > MAX_PASSWORD_CHARS {
        errors.add("password", too_long(MAX_PASSWORD_CHARS));
    }
    errors
}

fn too_long(max: usize) -> String {
    format!("Use at most {max} characters.")
}

/// What the sign-in page may show of an error. Without JavaScript an error comes back in the
/// page's address, where anyone can write one (`/login?__err=…`) to make a phishing message
/// appear on our page: so only errors whose words Tollgate itself chooses survive, field
/// messages only if they are the form's own, and any other text becomes a plain "try again".
pub fn sign_in_error(error: AppError) -> AppError {
    match error {
        AppError::InvalidCredentials
        | AppError::Throttled { .. }
        | AppError::Busy
        | AppError::Unreachable
        | AppError::ForbiddenOrigin
        | AppError::PayloadTooLarge
        | AppError::Internal => error,
        AppError::Invalid(fields) => {
            let allowed = [
                ENTER_EMAIL.to_owned(),
                ENTER_PASSWORD.to_owned(),
                too_long(MAX_EMAIL_CHARS),
                too_long(MAX_PASSWORD_CHARS),
            ];
            let mut kept = FieldErrors::default();
            for field in fields.0 {
                if !matches!(field.field.as_str(), "email" | "password") || kept.get(&field.field).is_some() {
                    continue;
                }
                let message = if allowed.contains(&field.message) {
                    field.message
                } else {
                    "Check this field.".to_owned()
                };
                kept.add(&field.field, message);
            }
            if kept.is_empty() {
                AppError::BadRequest(SIGN_IN_FAILED.into())
            } else {
                AppError::Invalid(kept)
            }
        }
        _ => AppError::BadRequest(SIGN_IN_FAILED.into()),
    }
}

/// The form of an email used for lookups and uniqueness: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks an email address the way people expect: one `@`, something on both sides,
/// a dot in the domain, no spaces.
pub fn check_email(errors: &mut FieldErrors, field: &str, email: &str) {
    let email = email.trim();
    if email.is_empty() {
        errors.add(field, "Enter an email address.");
        return;
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        errors.add(field, format!("Use at most {MAX_EMAIL_CHARS} characters."));
        return;
    }
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !well_formed {
        errors.add(field, "Enter an email address like name@example.com.");
    }
}

/// Checks a new password against the policy: 12 to 256 characters, not all of them spaces.
pub fn check_new_password(errors: &mut FieldErrors, field: &str, password: &str) {
    let chars = password.chars().count();
    if chars == 0 {
        errors.add(field, "Enter a password.");
    } else if chars < MIN_PASSWORD_CHARS {
        errors.add(
            field,
            format!("Use at least {MIN_PASSWORD_CHARS} characters ({chars} so far)."),
        );
    } else if password.trim().is_empty() {
        errors.add(field, "A password can't be only spaces.");
    } else if chars > MAX_PASSWORD_CHARS {
        errors.add(field, format!("Use at most {MAX_PASSWORD_CHARS} characters."));
    }
}

/// Checks a person's display name: required, at most 100 characters.
pub fn check_display_name(errors: &mut FieldErrors, field: &str, name: &str) {
    let name = name.trim();
    if name.is_empty() {
        errors.add(field, "Enter a name.");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(field, format!("Use at most {MAX_NAME_CHARS} characters."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_error(email: &str) -> Option<String> {
        let mut errors = FieldErrors::default();
        check_email(&mut errors, "email", email);
        errors.get("email").map(str::to_owned)
    }

    fn password_error(password: &str) -> Option<String> {
        let mut errors = FieldErrors::default();
        check_new_password(&mut errors, "password", password);
        errors.get("password").map(str::to_owned)
    }

    #[test]
    fn plain_addresses_are_accepted() {
        assert_eq!(email_error("ana@example.com"), None);
        assert_eq!(email_error("  Ana.Lopez+ml@corp.example.org "), None);
    }

    #[test]
    fn malformed_addresses_get_a_message() {
        for bad in [
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "a@b@c.com",
            "ana@.com",
        ] {
            assert!(email_error(bad).is_some(), "{bad} should be refused");
        }
        assert_eq!(email_error("   ").as_deref(), Some("Enter an email address."));
    }

    #[test]
    fn the_sign_in_page_shows_no_text_from_its_address() {
        let planted = AppError::Refused("Your account is locked: call +1 555 0100 now.".into());
        assert_eq!(sign_in_error(planted).to_string(), SIGN_IN_FAILED);
        let mut fields = FieldErrors::default();
        fields.add("email", "Phishing text here");
        fields.add("password", ENTER_PASSWORD);
        fields.add("other", "More phishing");
        let shown = sign_in_error(AppError::Invalid(fields));
        let shown = shown.fields().expect("fields");
        assert_eq!(shown.get("email"), Some("Check this field."));
        assert_eq!(shown.get("password"), Some(ENTER_PASSWORD));
        assert_eq!(shown.get("other"), None);
        assert_eq!(
            sign_in_error(AppError::InvalidCredentials),
            AppError::InvalidCredentials
        );
        assert_eq!(
            sign_in_error(AppError::Throttled { minutes: 3 }),
            AppError::Throttled { minutes: 3 }
        );
    }

    #[test]
    fn sign_in_needs_both_fields_within_their_limits() {
        let errors = check_sign_in(" ", "");
        assert_eq!(errors.get("email"), Some(ENTER_EMAIL));
        assert_eq!(errors.get("password"), Some(ENTER_PASSWORD));
        assert!(check_sign_in(&"a".repeat(300), "x").get("email").is_some());
        assert!(check_sign_in("ana@example.com", "x").is_empty());
    }

    #[test]
    fn emails_normalise_to_trimmed_lower_case() {
        assert_eq!(normalise_email("  Ana@Example.COM "), "ana@example.com");
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(password_error("elevenchars").is_some());
        assert_eq!(password_error("twelve chars"), None);
        // Characters, not bytes: twelve accented letters are enough.
        assert_eq!(password_error("éééééééééééé"), None);
        assert_eq!(password_error("").as_deref(), Some("Enter a password."));
    }

    #[test]
    fn a_password_of_only_spaces_is_refused() {
        assert_eq!(
            password_error(&" ".repeat(16)).as_deref(),
            Some("A password can't be only spaces.")
        );
        assert_eq!(
            password_error(&"\t \n".repeat(5)).as_deref(),
            Some("A password can't be only spaces.")
        );
    }

    #[test]
    fn absurdly_long_passwords_are_refused() {
        assert_eq!(password_error(&"x".repeat(MAX_PASSWORD_CHARS)), None);
        assert!(password_error(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_some());
    }

    #[test]
    fn names_are_required_and_bounded() {
        let check = |name: &str| {
            let mut errors = FieldErrors::default();
            check_display_name(&mut errors, "name", name);
            errors.get("name").map(str::to_owned)
        };
        assert!(check("  ").is_some());
        assert_eq!(check("Ana López"), None);
        assert!(check(&"n".repeat(MAX_NAME_CHARS + 1)).is_some());
    }
}
