//! Sessions stored in PostgreSQL behind an opaque cookie.
//!
//! The cookie holds 32 random bytes; the table holds their SHA-256. A session ends when it is
//! idle too long, when it reaches its absolute lifetime, at sign-out, or at once when its
//! account is deactivated (the rows are deleted and every lookup also requires an active account).

use crate::auth::{CurrentUser, Role};
use crate::state::AuthSettings;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, SameSite};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{PgExecutor, PgPool};
use uuid::Uuid;

pub const COOKIE_NAME: &str = "tollgate_session";

/// Only touch `last_seen_at` when it is older than this, so reads stay reads.
const TOUCH_AFTER_SECONDS: i64 = 60;

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Starts a new session for `account_id` and returns its token (for the cookie only).
pub async fn start(
    db: impl PgExecutor<'_>,
    account_id: Uuid,
    settings: &AuthSettings,
) -> sqlx::Result<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let absolute_seconds = settings.absolute_timeout.num_seconds() as f64;
    sqlx::query!(
        r#"
        insert into sessions (token_hash, account_id, expires_at)
        values ($1, $2, now() + make_interval(secs => $3))
        "#,
        token_hash(&token),
        account_id,
        absolute_seconds,
    )
    .execute(db)
    .await?;
    Ok(token)
}

/// The account behind a live session token, refreshing its idle timer.
pub async fn lookup(
    pool: &PgPool,
    token: &str,
    settings: &AuthSettings,
) -> sqlx::Result<Option<CurrentUser>> {
    let hash = token_hash(token);
    let idle_seconds = settings.idle_timeout.num_seconds() as f64;
    let row = sqlx::query!(
        r#"
        select a.id, a.email, a.display_name, a.role as "role: Role", a.must_change_password,
               s.last_seen_at < now() - make_interval(secs => $3) as "needs_touch!"
        from sessions s
        join accounts a on a.id = s.account_id
        where s.token_hash = $1
          and a.active
          and s.expires_at > now()
          and s.last_seen_at > now() - make_interval(secs => $2)
        "#,
        &hash,
        idle_seconds,
        TOUCH_AFTER_SECONDS as f64,
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.needs_touch {
        sqlx::query!(
            "update sessions set last_seen_at = now() where token_hash = $1",
            &hash
        )
        .execute(pool)
        .await?;
    }
    Ok(Some(CurrentUser {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        must_change_password: row.must_change_password,
    }))
}

/// Ends one session.
pub async fn end(db: impl PgExecutor<'_>, token: &str) -> sqlx::Result<()> {
    sqlx::query!("delete from sessions where token_hash = $1", token_hash(token))
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of an account (deactivation).
pub async fn end_all_for(db: impl PgExecutor<'_>, account_id: Uuid) -> sqlx::Result<u64> {
    let done = sqlx::query!("delete from sessions where account_id = $1", account_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Removes sessions past their lifetime; called periodically by the server.
pub async fn purge_expired(db: impl PgExecutor<'_>, settings: &AuthSettings) -> sqlx::Result<u64> {
    let idle_seconds = settings.idle_timeout.num_seconds() as f64;
    let done = sqlx::query!(
        r#"
        delete from sessions
        where expires_at <= now() or last_seen_at <= now() - make_interval(secs => $1)
        "#,
        idle_seconds,
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// The session token in a request's cookies, if any.
pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == COOKIE_NAME)
        .map(|cookie| cookie.value().to_owned())
        .filter(|token| !token.is_empty())
}

/// The session token of the request being handled (page render or server function).
pub fn token_from_request() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    token_from_headers(&parts.headers)
}

fn base_cookie(value: String, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .build()
}

/// The `Set-Cookie` value that starts a session in the browser.
pub fn session_cookie(token: &str, settings: &AuthSettings) -> String {
    let mut cookie = base_cookie(token.to_owned(), settings);
    cookie.set_max_age(cookie::time::Duration::seconds(
        settings.absolute_timeout.num_seconds(),
    ));
    cookie.to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie(settings: &AuthSettings) -> String {
    let mut cookie = base_cookie(String::new(), settings);
    cookie.make_removal();
    cookie.to_string()
}

fn append_set_cookie(value: String) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        tracing::error!("ResponseOptions missing: cannot set the session cookie");
        return;
    };
    match HeaderValue::from_str(&value) {
        Ok(value) => response.append_header(SET_COOKIE, value),
        Err(error) => tracing::error!(%error, "invalid Set-Cookie value"),
    }
}

/// Sets the session cookie on the current response.
pub fn set_cookie(token: &str, settings: &AuthSettings) {
    append_set_cookie(session_cookie(token, settings));
}

/// Removes the session cookie on the current response.
pub fn clear_cookie(settings: &AuthSettings) {
    append_set_cookie(removal_cookie(settings));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_when_configured() {
        let mut settings = AuthSettings::default();
        let plain = session_cookie("abc", &settings);
        assert!(plain.contains("HttpOnly"), "{plain}");
        assert!(plain.contains("SameSite=Lax"), "{plain}");
        assert!(!plain.contains("Secure"), "{plain}");
        settings.secure_cookies = true;
        assert!(session_cookie("abc", &settings).contains("Secure"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; tollgate_session=tok123; x=y"),
        );
        assert_eq!(token_from_headers(&headers).as_deref(), Some("tok123"));
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark"));
        assert_eq!(token_from_headers(&headers), None);
    }
}
