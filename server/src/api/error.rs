//! The one error envelope of the REST API: `{"code": "...", "message": "..."}` with the
//! matching HTTP status.

use app::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answer: a stable machine-readable code and a message for people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for programs: `unauthenticated`, `insufficient_scope`, `invalid_filter`,
    /// `invalid_cursor`, `invalid_file`, `not_found`, `payload_too_large`, `refused`,
    /// `database_unavailable` or `internal`.
    #[schema(example = "invalid_filter")]
    pub code: &'static str,
    /// What went wrong, for people, naming what is allowed where that helps.
    #[schema(example = "Unknown stage \u{201c}launch\u{201d}: use one of define, design, build, deploy.")]
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: message.into(),
            },
        }
    }

    pub fn unauthenticated(message: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn invalid_filter(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_filter", message)
    }

    pub fn invalid_cursor() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
            "The cursor is not one this API gave out: start again without it.",
        )
    }

    pub fn insufficient_scope(message: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "insufficient_scope", message)
    }

    pub fn invalid_file(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", message)
    }

    pub fn payload_too_large(message: &str) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message)
    }

    pub fn not_found(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(status, error.code(), error.to_string())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

#[cfg(test)]
impl ApiError {
    pub fn code(&self) -> &'static str {
        self.body.code
    }

    pub fn message(&self) -> &str {
        &self.body.message
    }
}
