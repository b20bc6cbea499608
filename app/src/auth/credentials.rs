//! Validation of what people type into account forms. Pure: no IO, unit-tested.

use crate::error::FieldErrors;

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long enough for any passphrase, short enough that hashing stays cheap.
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_NAME_CHARS: usize = 100;

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

/// Checks a new password against the policy: 12 to 256 characters.
pub fn check_new_password(errors: &mut FieldErrors, field: &str, password: &str) {
    let chars = password.chars().count();
    if chars == 0 {
        errors.add(field, "Enter a password.");
    } else if chars < MIN_PASSWORD_CHARS {
        errors.add(
            field,
            format!("Use at least {MIN_PASSWORD_CHARS} characters ({chars} so far)."),
        );
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
