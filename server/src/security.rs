//! What every request passes before any handler sees it, and what every response carries.
//!
//! - **Only our own pages may change anything.** A request that is not `GET`, `HEAD` or
//!   `OPTIONS` must name Tollgate's own origin in `Origin` (or, failing that, `Referer`):
//!   `TOLLGATE_PUBLIC_URL` when set, otherwise the host the request was sent to. Anything else
//!   — another site, another port of the same host, no origin at all — gets
//!   `403 forbidden_origin`. `text/plain` bodies (the one kind a foreign page may send without
//!   asking) get `415 unsupported_media_type`. The REST API (`/api/v1/`, a bearer token, no
//!   cookie) is not a page's to call and needs no origin.
//! - **Bounded input.** A body over [`MAX_BODY_BYTES`] gets `413 payload_too_large` (a
//!   spreadsheet upload is bounded by its own route, see [`is_upload`]); a form or
//!   JSON value holding a NUL byte, text that is not UTF-8, or more than [`MAX_FIELD_CHARS`]
//!   characters gets `422 invalid` naming the field (each field's own, smaller limit is checked
//!   by its validation); an address whose query holds such text gets `400`.
//! - **Headers** on every response: a Content-Security-Policy (pages set their own, with the
//!   nonce of their inline scripts; see `app::shell`), `nosniff`, `Referrer-Policy`, no caching
//!   of anything but static files, and HSTS when cookies are marked secure.

use app::error::{AppError, FieldErrors};
use app::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body accepted (forms are far smaller; this only stops floods).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The longest single value accepted in any form field, before the field's own validation.
pub const MAX_FIELD_CHARS: usize = 20_000;

/// Whether `path` takes a spreadsheet upload (the import form, `POST /api/v1/imports`): its
/// body is bounded by the route itself (the import's 20 MB), which answers a larger file with
/// its own message, and is read by the import rather than checked here as a form.
pub fn is_upload(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "/projects/import" | "/api/v1/imports")
}

/// The origin (`scheme://host[:port]`, lower case, default port left out) of an http(s) URL.
pub fn origin_of(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

/// Whether a state-changing request comes from Tollgate's own pages.
///
/// `origin` and `referer` are the request's headers; `host` its `Host` header; `public_origin`
/// the configured public origin, which, when set, is the only one accepted.
pub fn same_origin(
    origin: Option<&str>,
    referer: Option<&str>,
    host: Option<&str>,
    public_origin: Option<&str>,
) -> bool {
    // A page sandboxed or redirected across sites says "null": that is no origin at all.
    let claimed = match origin.filter(|o| !o.trim().eq_ignore_ascii_case("null")) {
        Some(origin) => origin_of(origin),
        None => referer.and_then(origin_of),
    };
    let Some(claimed) = claimed else {
        return false;
    };
    match public_origin {
        Some(public) => origin_of(public).is_some_and(|public| public == claimed),
        None => {
            let Some(host) = host.map(str::trim).filter(|h| !h.is_empty()) else {
                return false;
            };
            // The claimed origin's authority must be the host the request was sent to.
            ["http://", "https://"]
                .iter()
                .filter_map(|scheme| origin_of(&format!("{scheme}{host}")))
                .any(|own| own == claimed)
        }
    }
}

/// What is wrong with one submitted text value, if anything.
pub fn text_problem(value: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(value) else {
        return Some("This text is not valid UTF-8: retype it or paste it as plain text.".into());
    };
    if text.contains('\0') {
        return Some("This text contains a NUL character, which Tollgate can't store.".into());
    }
    let chars = text.chars().count();
    if chars > MAX_FIELD_CHARS {
        return Some(format!("Use at most {MAX_FIELD_CHARS} characters ({chars} now)."));
    }
    None
}

/// The field a form name stands for: `input[name]` is `name`, `query[q]` is `q`.
fn field_name(name: &str) -> String {
    match (name.find('['), name.ends_with(']')) {
        (Some(open), true) => name[open + 1..name.len() - 1].to_owned(),
        _ => name.to_owned(),
    }
}

/// Percent-decodes one part of `application/x-www-form-urlencoded` text, keeping raw bytes.
fn form_decode(part: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = part.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    percent_encoding::percent_decode(&spaced).collect()
}

/// Every field of a urlencoded form (or query string) whose value is unacceptable.
pub fn form_problems(body: &[u8]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let mut halves = pair.splitn(2, |&b| b == b'=');
        let name = form_decode(halves.next().unwrap_or_default());
        let value = form_decode(halves.next().unwrap_or_default());
        let name = String::from_utf8_lossy(&name).replace('\0', "");
        let problem = text_problem(&value).or_else(|| {
            // A name we can't read is as bad as a value we can't read.
            text_problem(name.as_bytes()).map(|_| "This field's name is not readable.".into())
        });
        if let Some(problem) = problem {
            let field = field_name(&name);
            if errors.get(&field).is_none() {
                errors.add(&field, problem);
            }
        }
    }
    errors
}

/// Every string in a JSON body that is unacceptable, named by its key.
pub fn json_problems(value: &serde_json::Value) -> FieldErrors {
    fn walk(value: &serde_json::Value, name: &str, errors: &mut FieldErrors) {
        match value {
            serde_json::Value::String(text) => {
                if let Some(problem) = text_problem(text.as_bytes()) {
                    errors.add(name, problem);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| walk(item, name, errors)),
            serde_json::Value::Object(map) => map.iter().for_each(|(key, item)| walk(item, key, errors)),
            _ => {}
        }
    }
    let mut errors = FieldErrors::default();
    walk(value, "body", &mut errors);
    errors
}

fn refuse(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_vec(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn header_text(request: &Request, name: header::HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The request checks described at the top of this module.
pub async fn check_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Some(query) = request.uri().query() {
        let problems = form_problems(query.as_bytes());
        if !problems.is_empty() {
            let message = "The address holds text Tollgate can't read (a NUL character, text that \
                           is not UTF-8, or a value far too long).";
            if request.uri().path().starts_with("/api/v1/") {
                return crate::api::ApiError::invalid_filter(message).into_response();
            }
            return refuse(AppError::BadRequest(message.into()));
        }
    }
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    // The REST API signs in with a bearer token and never a cookie: nothing a foreign page can
    // make a browser send, so its writes need no origin (its routes check the token and bound
    // their own bodies).
    if request.uri().path().starts_with("/api/v1/") && request.headers().contains_key(header::AUTHORIZATION) {
        return next.run(request).await;
    }

    let origin_ok = same_origin(
        header_text(&request, header::ORIGIN),
        header_text(&request, header::REFERER),
        header_text(&request, header::HOST),
        state.auth.public_origin.as_deref(),
    );
    if !origin_ok {
        tracing::warn!(path = %request.uri().path(), "refused a state-changing request from another origin");
        return refuse(AppError::ForbiddenOrigin);
    }
    let content_type = header_text(&request, header::CONTENT_TYPE)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if content_type.starts_with("text/plain") {
        return refuse(AppError::UnsupportedMediaType);
    }
    if is_upload(request.uri().path()) {
        return next.run(request).await;
    }
    let declared = header_text(&request, header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return refuse(AppError::PayloadTooLarge);
    }

    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return refuse(AppError::PayloadTooLarge);
    };
    let problems = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_problems(&bytes)
    } else if content_type.starts_with("application/json") && !bytes.is_empty() {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) => json_problems(&value),
            Err(_) => return refuse(AppError::BadRequest("The request body is not valid JSON.".into())),
        }
    } else {
        FieldErrors::default()
    };
    if !problems.is_empty() {
        return refuse(AppError::Invalid(problems));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// The policy for responses that are not pages (pages send their own, with a nonce).
const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The security headers described at the top of this module.
pub async fn add_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let static_file =
        path.starts_with(&format!("/{}/", state.leptos_options.site_pkg_dir)) || path == "/favicon.ico";
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_PAGE_CSP),
        );
    }
    if static_file {
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
    } else {
        // Pages and API answers carry personal data: never keep them in a shared or disk cache.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.auth.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://Tollgate.Example.com/login?x=1").as_deref(),
            Some("https://tollgate.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000/").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            origin_of("https://example.com:443").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(origin_of("ftp://example.com"), None);
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn a_request_from_the_host_it_was_sent_to_is_ours() {
        assert!(same_origin(
            Some("http://127.0.0.1:3000"),
            None,
            Some("127.0.0.1:3000"),
            None
        ));
        assert!(same_origin(
            None,
            Some("http://127.0.0.1:3000/projects/new"),
            Some("127.0.0.1:3000"),
            None
        ));
    }

    #[test]
    fn another_port_of_the_same_host_is_another_origin() {
        assert!(!same_origin(
            Some("http://127.0.0.1:8080"),
            None,
            Some("127.0.0.1:3000"),
            None
        ));
    }

    #[test]
    fn another_site_or_no_origin_at_all_is_refused() {
        assert!(!same_origin(
            Some("https://evil.example"),
            None,
            Some("tollgate.example.com"),
            None
        ));
        assert!(!same_origin(None, None, Some("tollgate.example.com"), None));
        assert!(!same_origin(
            Some("null"),
            None,
            Some("tollgate.example.com"),
            None
        ));
        assert!(!same_origin(
            Some("http://tollgate.example.com"),
            None,
            None,
            None
        ));
    }

    #[test]
    fn origin_wins_over_referer() {
        assert!(!same_origin(
            Some("https://evil.example"),
            Some("http://tollgate.example.com/"),
            Some("tollgate.example.com"),
            None
        ));
    }

    #[test]
    fn with_a_public_url_only_that_origin_is_ours() {
        let public = Some("https://tollgate.example.com");
        assert!(same_origin(
            Some("https://tollgate.example.com"),
            None,
            Some("10.0.0.5:3000"),
            public
        ));
        assert!(!same_origin(
            Some("http://tollgate.example.com"),
            None,
            Some("tollgate.example.com"),
            public
        ));
        assert!(!same_origin(
            Some("http://10.0.0.5:3000"),
            None,
            Some("10.0.0.5:3000"),
            public
        ));
    }

    #[test]
    fn nul_bytes_bad_utf8_and_huge_values_are_named_by_field() {
        let problems = form_problems(b"input%5Bname%5D=a%00b&id=1&note=%FF%FE");
        assert!(
            problems.get("name").is_some_and(|m| m.contains("NUL")),
            "{problems:?}"
        );
        assert!(
            problems.get("note").is_some_and(|m| m.contains("UTF-8")),
            "{problems:?}"
        );
        assert_eq!(problems.get("id"), None);
        let huge = format!("q={}", "x".repeat(MAX_FIELD_CHARS + 1));
        assert!(form_problems(huge.as_bytes()).get("q").is_some());
    }

    #[test]
    fn ordinary_forms_pass() {
        assert!(form_problems(b"email=ana%40example.com&password=a+long+password+%C3%A9").is_empty());
        assert!(form_problems(b"").is_empty());
    }

    #[test]
    fn json_strings_are_checked_by_key() {
        let value = serde_json::json!({ "input": { "name": "a\u{0}b" }, "id": 3 });
        assert!(json_problems(&value).get("name").is_some());
        assert!(json_problems(&serde_json::json!({ "name": "fine" })).is_empty());
    }
}
