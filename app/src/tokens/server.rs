//! Storing and checking API tokens (server only).

use super::{NewToken, Scope, TokenSummary};
use crate::audit;
use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

/// Every secret starts with this, so it is recognisable when it leaks into a log or a repo.
pub const SECRET_PREFIX: &str = "tg_";

/// The stored form of a secret: lower-case hex SHA-256.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub async fn list(pool: &PgPool) -> Result<Vec<TokenSummary>, AppError> {
    Ok(sqlx::query_as!(
        TokenSummary,
        r#"
        select t.id, t.name, t.prefix, t.scope as "scope: Scope", a.display_name as created_by,
               t.created_at, t.last_used_at, t.revoked_at
        from api_tokens t join accounts a on a.id = t.created_by
        order by t.revoked_at is not null, t.created_at desc
        "#
    )
    .fetch_all(pool)
    .await?)
}

pub async fn create(pool: &PgPool, admin: Uuid, name: &str, scope: &str) -> Result<NewToken, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "Name the token after who uses it (at most 100 characters), e.g. \"Finance BI\".",
        ));
    }
    let scope: Scope = scope
        .parse()
        .map_err(|message: String| AppError::field("scope", &message))?;
    let secret = new_secret();
    let prefix: String = secret.chars().take(10).collect();
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "insert into api_tokens (name, token_hash, prefix, created_by, scope) values ($1, $2, $3, $4, $5) returning id",
        name,
        hash(&secret),
        prefix,
        admin,
        scope as Scope,
    )
    .fetch_one(&mut *tx)
    .await?;
    let changes = json!({
        "name": { "before": null, "after": name },
        "prefix": { "before": null, "after": prefix },
        "scope": { "before": null, "after": scope },
    });
    audit::record(&mut *tx, Some(admin), "api_token", id, "token_created", changes).await?;
    tx.commit().await?;
    Ok(NewToken {
        name: name.to_owned(),
        scope,
        secret,
    })
}

pub async fn revoke(pool: &PgPool, admin: Uuid, token: Uuid) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let name = sqlx::query_scalar!(
        "update api_tokens set revoked_at = now(), revoked_by = $2 where id = $1 and revoked_at is null returning name",
        token,
        admin
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::Refused("This token is already revoked (or does not exist).".into()))?;
    let changes =
        json!({ "revoked": { "before": false, "after": true }, "name": { "before": name, "after": name } });
    audit::record(
        &mut *tx,
        Some(admin),
        "api_token",
        token,
        "token_revoked",
        changes,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A live token, as a request presents it.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub id: Uuid,
    pub name: String,
    pub scope: Scope,
    /// Who a write token acts as: the admin who made it, while that account is active and may
    /// still edit projects (else the token can only read).
    pub acts_as: Option<CurrentUser>,
}

/// The token a bearer secret belongs to, if it is live. Its last-used time is kept to the
/// minute (one write a minute at most, however busy the client).
pub async fn authenticate(
    pool: &PgPool,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<Bearer>, AppError> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Ok(None);
    }
    let row = sqlx::query!(
        r#"
        select t.id, t.name, t.scope as "scope: Scope", t.last_used_at,
               a.id as account, a.email, a.display_name, a.role as "role: Role", a.active
        from api_tokens t join accounts a on a.id = t.created_by
        where t.token_hash = $1 and t.revoked_at is null
        "#,
        hash(secret)
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row
        .last_used_at
        .is_none_or(|at| now - at > chrono::Duration::minutes(1))
    {
        sqlx::query!(
            "update api_tokens set last_used_at = $2 where id = $1",
            row.id,
            now
        )
        .execute(pool)
        .await?;
    }
    let acts_as =
        (row.active && row.role.can(crate::auth::Permission::EditProjects)).then_some(CurrentUser {
            id: row.account,
            email: row.email,
            display_name: row.display_name,
            role: row.role,
            must_change_password: false,
        });
    Ok(Some(Bearer {
        id: row.id,
        name: row.name,
        scope: row.scope,
        acts_as,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_recognisable_and_only_their_hash_is_kept() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(
            a.starts_with(SECRET_PREFIX) && a.len() == SECRET_PREFIX.len() + 43,
            "{a}"
        );
        assert_eq!(hash("tg_x").len(), 64);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
