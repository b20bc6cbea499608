//! Gives server-function errors their real HTTP status.
//!
//! server_fn answers every error with 500; a wrong password or a missing field is not a
//! server fault. This middleware reads the encoded [`AppError`] and sets its status
//! (401, 403, 422, 429 …), so logs, monitoring and hand-made clients see the truth.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are small JSON documents; anything larger is left untouched.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn set_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_server_fn_error = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key("serverfnerror");
    if !is_server_fn_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
