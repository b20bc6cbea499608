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
///
/// The roles are written into the statement as literals (formatted from [`Role::as_str`], a
/// closed set), not bound: a plan made once per connection for a bound set of roles cannot
/// know they are those of a partial index (`accounts_owner_menu_idx`,
/// `accounts_reviewer_menu_idx`), and sorted every active account instead of reading the
/// first few by name (3.7 ms with 5,000 accounts, on every list page).
pub async fn choices(pool: &PgPool, permission: Permission) -> Result<OwnerChoices, AppError> {
    let granted: Vec<String> = roles(permission)
        .iter()
        .map(|role| format!("'{role}'::account_role"))
        .collect();
    let sql = format!(
        "select id, display_name, active from accounts \
         where active and role in ({}) \
         order by lower(display_name), id \
         limit {}",
        granted.join(", "),
        OWNER_MENU_LIMIT + 1
    );
    let people: Vec<Person> = sqlx::query_as::<_, (Uuid, String, bool)>(&sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(id, display_name, active)| Person {
            id,
            display_name,
            active,
        })
        .collect();
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
