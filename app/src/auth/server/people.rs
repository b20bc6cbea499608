//! Choosing a person for a part in a project (a stage's owner, a reviewer to ask): the active
//! accounts whose role grants the permission the part needs, as a menu by name or — when they
//! are too many for a menu — as an email address to type.

use crate::auth::{Permission, Role};
use crate::error::AppError;
use crate::projects::{OwnerChoices, Person, OWNER_MENU_LIMIT};
use sqlx::PgPool;
use uuid::Uuid;

/// The roles granting `permission`, by name ([`Role::can`] decides).
fn roles(permission: Permission) -> Vec<String> {
    Role::ALL
        .into_iter()
        .filter(|role| role.can(permission))
        .map(|role| role.as_str().to_owned())
        .collect()
}

/// The active accounts granted `permission`, A–Z, or [`OwnerChoices::ByEmail`] when there
/// are more than [`OWNER_MENU_LIMIT`].
pub async fn choices(pool: &PgPool, permission: Permission) -> Result<OwnerChoices, AppError> {
    let people = sqlx::query_as!(
        Person,
        r#"
        select id, display_name, active from accounts
        where active and role::text = any($1)
        order by lower(display_name), id
        limit $2
        "#,
        &roles(permission),
        OWNER_MENU_LIMIT + 1
    )
    .fetch_all(pool)
    .await?;
    Ok(if people.len() as i64 > OWNER_MENU_LIMIT {
        OwnerChoices::ByEmail
    } else {
        OwnerChoices::Menu(people)
    })
}

/// The active account whose email address is `email` (in any case), if it is granted `permission`.
pub async fn by_email(pool: &PgPool, email: &str, permission: Permission) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar!(
        "select id from accounts where lower(email) = lower($1) and active and role::text = any($2)",
        email,
        &roles(permission),
    )
    .fetch_optional(pool)
    .await?)
}
