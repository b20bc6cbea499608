//! The one error type every server function returns.
//!
//! Expected failures are typed values the UI shows next to the field or above the form;
//! anything unexpected is logged on the server and reaches the client only as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A message for one named form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every field-level problem found in one submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was added, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self))
        }
    }
}

/// Every error travels as one JSON envelope with a stable `code` (see [`ErrorEnvelope`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "ErrorEnvelope", from = "ErrorEnvelope")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You don't have permission to do that.")]
    Forbidden,
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("That email and password don't match an account.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Try again in {minutes} minute(s).")]
    Throttled { minutes: i64 },
    #[error("Tollgate is already set up. Sign in with your account.")]
    SetupClosed,
    #[error("{0}")]
    Refused(String),
    /// Someone else saved first: who, and when (pages show the time in the viewer's zone).
    #[error(
        "{by} changed this project at {} since you opened it, so your change was not saved. \
         Your input is still here: open the project in a new tab to see what changed, then try again.",
        at.format("%-d %b %Y, %H:%M UTC")
    )]
    Conflict {
        by: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// A stage move whose gate is not met, with each missing item in words.
    #[error("{message}")]
    GateNotMet { message: String, missing: Vec<String> },
    #[error("{0}")]
    BadRequest(String),
    #[error("Not found.")]
    NotFound,
    #[error("Could not reach the server. Check your connection and try again.")]
    Unreachable,
    /// The database is not answering (down, restarting, or every connection busy for 2 s).
    #[error("Tollgate can't reach its database right now. Please try again in a moment.")]
    DatabaseUnavailable,
    /// Too much is being asked at once (password checks queue for a free slot).
    #[error("Tollgate is busy right now. Please try again in a moment.")]
    Busy,
    /// A state-changing request that did not come from Tollgate's own pages.
    #[error("This request did not come from Tollgate's own pages, so it was refused.")]
    ForbiddenOrigin,
    #[error("That is more than Tollgate accepts in one request.")]
    PayloadTooLarge,
    #[error("Send this request as a form or as JSON.")]
    UnsupportedMediaType,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// A stable machine-readable code, used by the REST API and the tests.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Invalid(_) => "invalid",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::SetupClosed => "setup_closed",
            AppError::Refused(_) => "refused",
            AppError::Conflict { .. } => "conflict",
            AppError::GateNotMet { .. } => "gate_not_met",
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound => "not_found",
            AppError::Unreachable => "unreachable",
            AppError::Busy => "busy",
            AppError::DatabaseUnavailable => "database_unavailable",
            AppError::ForbiddenOrigin => "forbidden_origin",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal => "internal",
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::SetupClosed | AppError::Refused(_) | AppError::Conflict { .. } => 409,
            AppError::GateNotMet { .. } => 422,
            AppError::Invalid(_) => 422,
            AppError::Throttled { .. } => 429,
            AppError::BadRequest(_) => 400,
            AppError::Unreachable | AppError::Busy | AppError::DatabaseUnavailable => 503,
            AppError::ForbiddenOrigin => 403,
            AppError::PayloadTooLarge => 413,
            AppError::UnsupportedMediaType => 415,
            AppError::Internal => 500,
        }
    }

    /// Field-level messages, when the error is a validation failure.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(fields) => Some(fields),
            _ => None,
        }
    }

    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        AppError::Invalid(errors)
    }
}

/// The wire form of [`AppError`]: `{"code", "message", "fields"?, "retry_after_minutes"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_minutes: Option<i64>,
    /// For `gate_not_met`: each missing item, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// For `conflict`: who saved since, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<AppError> for ErrorEnvelope {
    fn from(error: AppError) -> Self {
        let retry_after_minutes = match error {
            AppError::Throttled { minutes } => Some(minutes),
            _ => None,
        };
        let missing = match &error {
            AppError::GateNotMet { missing, .. } => missing.clone(),
            _ => Vec::new(),
        };
        let (changed_by, changed_at) = match &error {
            AppError::Conflict { by, at } => (Some(by.clone()), Some(*at)),
            _ => (None, None),
        };
        ErrorEnvelope {
            code: error.code().to_owned(),
            message: error.to_string(),
            fields: error.fields().map(|f| f.0.clone()).unwrap_or_default(),
            retry_after_minutes,
            missing,
            changed_by,
            changed_at,
        }
    }
}

impl From<ErrorEnvelope> for AppError {
    fn from(envelope: ErrorEnvelope) -> Self {
        match envelope.code.as_str() {
            "unauthenticated" => AppError::Unauthenticated,
            "forbidden" => AppError::Forbidden,
            "invalid" => AppError::Invalid(FieldErrors(envelope.fields)),
            "invalid_credentials" => AppError::InvalidCredentials,
            "throttled" => AppError::Throttled {
                minutes: envelope.retry_after_minutes.unwrap_or(1),
            },
            "setup_closed" => AppError::SetupClosed,
            "refused" => AppError::Refused(envelope.message),
            "conflict" => match (envelope.changed_by, envelope.changed_at) {
                (Some(by), Some(at)) => AppError::Conflict { by, at },
                _ => AppError::Refused(envelope.message),
            },
            "gate_not_met" => AppError::GateNotMet {
                message: envelope.message,
                missing: envelope.missing,
            },
            "bad_request" => AppError::BadRequest(envelope.message),
            "not_found" => AppError::NotFound,
            "unreachable" => AppError::Unreachable,
            "busy" => AppError::Busy,
            "database_unavailable" => AppError::DatabaseUnavailable,
            "forbidden_origin" => AppError::ForbiddenOrigin,
            "payload_too_large" => AppError::PayloadTooLarge,
            "unsupported_media_type" => AppError::UnsupportedMediaType,
            _ => AppError::Internal,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            // Malformed or missing arguments come from a hand-made request, not from our forms.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::BadRequest("The request was malformed.".into())
            }
            _ => AppError::Internal,
        }
    }
}

/// A violation of one of `constraints` — (constraint name, field, message) — as that field's
/// error next to it; any other error as [`From<sqlx::Error>`] makes it.
#[cfg(feature = "ssr")]
pub fn on_constraint(error: sqlx::Error, constraints: &[(&str, &str, &str)]) -> AppError {
    if let sqlx::Error::Database(db) = &error {
        if let Some((_, field, message)) = constraints
            .iter()
            .find(|(name, ..)| db.constraint() == Some(*name))
        {
            return AppError::field(field, *message);
        }
    }
    error.into()
}

#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    /// Database and unexpected errors are logged where they arose: the `?` that converted them
    /// (its file and line name the statement that failed), inside the request's span (its
    /// method and path).
    impl From<sqlx::Error> for AppError {
        #[track_caller]
        fn from(error: sqlx::Error) -> Self {
            let at = std::panic::Location::caller();
            match error {
                // No connection could be had or kept: the database is away, not our fault.
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_) => {
                    tracing::warn!(error = %error, %at, "database unavailable");
                    AppError::DatabaseUnavailable
                }
                sqlx::Error::Database(db) if db.code().as_deref() == Some("57014") => {
                    tracing::error!(error = %db, %at, "a statement ran past the statement timeout");
                    AppError::Internal
                }
                other => {
                    tracing::error!(error = %other, %at, "database error");
                    AppError::Internal
                }
            }
        }
    }

    impl From<anyhow::Error> for AppError {
        #[track_caller]
        fn from(error: anyhow::Error) -> Self {
            let at = std::panic::Location::caller();
            tracing::error!(error = format!("{error:#}"), %at, "unexpected error");
            AppError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_as_an_envelope_and_come_back_unchanged() {
        let errors = [
            AppError::field("email", "Enter an email address."),
            AppError::Throttled { minutes: 7 },
            AppError::Refused("Not now.".into()),
            AppError::Conflict {
                by: "Ada".into(),
                at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("an instant"),
            },
            AppError::GateNotMet {
                message: "Design can't start yet.".into(),
                missing: vec!["A problem statement".into()],
            },
            AppError::SetupClosed,
            AppError::Internal,
        ];
        for error in errors {
            let json = serde_json::to_value(&error).expect("serialises");
            assert_eq!(json["code"], error.code());
            assert_eq!(json["message"], error.to_string());
            let back: AppError = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, error);
        }
    }

    #[test]
    fn a_validation_error_lists_each_field_with_its_message() {
        let json = serde_json::to_value(AppError::field("password", "Too short.")).expect("json");
        assert_eq!(json["fields"][0]["field"], "password");
        assert_eq!(json["fields"][0]["message"], "Too short.");
        assert!(json.get("retry_after_minutes").is_none());
    }
}
