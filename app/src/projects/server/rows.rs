//! A view's filters, and the one place a statement over `project_rows` is written.
//!
//! Values from a closed set — the day, a stage, status, tier, health or flag, whether a past
//! day is read — become the call's named arguments, written as literals (formatted from typed
//! values, never from people's text); a filter not asked for is left out, so PostgreSQL folds
//! its condition away while inlining the function. What people type or pick from open sets — a
//! name search, a team, an owner, an email, a set of projects — is bound, as a condition on the
//! call's rows (the same condition the function makes of it), which PostgreSQL pushes down to
//! the tables' indexes. Page sizes and offsets are literals in the statements that page.
//!
//! So each combination of filters is a statement of its own, prepared once per connection, and
//! its one plan (the pool plans generically: `plan_cache_mode = force_generic_plan`) is made
//! knowing which filters, which flag and which day: an onset index for a rare flag, a walk in
//! entry order for a common one, a team's own index. Nothing is planned again on the next
//! request, and no plan changes after a few runs. A name search is the exception: how many
//! names a pattern matches decides its plan (the trigram index or a walk in name order), so
//! [`fetch_all`] plans it for its pattern.

use crate::health::{FlagCode, Health};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::projects::{OwnerFilter, ProjectQuery};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

/// `%text%` for LIKE over lowercased names (`lower(name) like lower(…)`), with the wildcards
/// people might type taken literally.
fn contains_pattern(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// The filters of a view, as `project_rows` takes them.
#[derive(Clone, Debug, Default)]
pub struct SqlFilters {
    pub search: Option<String>,
    pub stage: Option<Stage>,
    pub status: Option<Status>,
    pub team: Option<String>,
    pub owner: Option<Uuid>,
    pub owner_email: Option<String>,
    pub no_owner: bool,
    pub health: Option<Health>,
    pub flag: Option<FlagCode>,
    pub tier: Option<RiskTier>,
    /// The past day to read (`project_rows`' `f_past`), or none for now.
    pub as_of: Option<NaiveDate>,
}

impl SqlFilters {
    pub fn of(query: &ProjectQuery) -> Self {
        let (owner, owner_email, no_owner) = match &query.owner {
            OwnerFilter::Any => (None, None, false),
            OwnerFilter::Nobody => (None, None, true),
            OwnerFilter::Account(id) => (Some(*id), None, false),
            OwnerFilter::Email(email) => (None, Some(email.clone()), false),
        };
        SqlFilters {
            search: contains_pattern(&query.q),
            stage: query.stage,
            status: query.status,
            team: query.team.clone(),
            owner,
            owner_email,
            no_owner,
            health: query.health,
            flag: query.flag,
            tier: query.tier,
            as_of: query.as_of,
        }
    }

    /// The day whose flags are read: the past day asked for, or `today`.
    pub fn day(&self, today: NaiveDate) -> NaiveDate {
        self.as_of.unwrap_or(today)
    }

    /// Whether a past day is read (from the history) rather than the current rows.
    pub fn past(&self) -> bool {
        self.as_of.is_some()
    }

    /// Whether today's rows are read and every filter is one that the counts kept by group
    /// (`project_counts`, `portfolio_days`) split by: stage, status, team, risk tier, no owner.
    pub fn grouped(&self) -> bool {
        self.search.is_none()
            && self.owner.is_none()
            && self.owner_email.is_none()
            && self.health.is_none()
            && self.flag.is_none()
            && !self.past()
    }

    /// Whether today's rows are read with no filter but perhaps a stage.
    pub fn stage_only(&self) -> bool {
        let SqlFilters {
            search,
            stage: _,
            status,
            team,
            owner,
            owner_email,
            no_owner,
            health,
            flag,
            tier,
            as_of,
        } = self;
        search.is_none()
            && status.is_none()
            && team.is_none()
            && owner.is_none()
            && owner_email.is_none()
            && !no_owner
            && health.is_none()
            && flag.is_none()
            && tier.is_none()
            && as_of.is_none()
    }

    /// What to sum over today's kept counts (`portfolio_now`) to count these filters' projects,
    /// when they ask for a flag or a health and otherwise only for what those counts group by:
    /// the flag's column, or the health's difference of columns (amber is flagged but not red).
    pub fn counted_now(&self) -> Option<&'static str> {
        let ungrouped = SqlFilters {
            health: None,
            flag: None,
            ..self.clone()
        };
        if !ungrouped.grouped() {
            return None;
        }
        match (self.flag, self.health) {
            (Some(flag), None) => Some(flag.as_str()),
            (None, Some(Health::Red)) => Some("red"),
            (None, Some(Health::Amber)) => Some("flagged - red"),
            (None, Some(Health::Green)) => Some("projects - flagged"),
            _ => None,
        }
    }

    /// The name pattern, when a name search is the only filter and today's rows are read: its
    /// matches are then found in the name index alone (see [`name_matches`]).
    pub fn search_alone(&self) -> Option<&str> {
        let SqlFilters {
            search,
            stage,
            status,
            team,
            owner,
            owner_email,
            no_owner,
            health,
            flag,
            tier,
            as_of,
        } = self;
        let others = stage.is_some()
            || status.is_some()
            || team.is_some()
            || owner.is_some()
            || owner_email.is_some()
            || *no_owner
            || health.is_some()
            || flag.is_some()
            || tier.is_some()
            || as_of.is_some();
        search.as_deref().filter(|_| !others)
    }

    /// Only the filters the counts kept by group split by (see [`SqlFilters::grouped`]).
    pub fn grouping(&self) -> SqlFilters {
        SqlFilters {
            stage: self.stage,
            status: self.status,
            team: self.team.clone(),
            no_owner: self.no_owner,
            tier: self.tier,
            ..SqlFilters::default()
        }
    }

    /// Writes the conditions on the filters a roll-up groups by (stage, status, team, tier,
    /// no owner: see [`SqlFilters::grouped`]) for the roll-up row `alias`, each as ` and …`.
    pub fn push_groups(&self, sql: &mut QueryBuilder<'_, Postgres>, alias: &str) {
        if let Some(stage) = self.stage {
            sql.push(format_args!(
                " and {alias}.stage = '{}'::project_stage",
                stage.as_str()
            ));
        }
        if let Some(status) = self.status {
            sql.push(format_args!(
                " and {alias}.status = '{}'::project_status",
                status.as_str()
            ));
        }
        if let Some(team) = &self.team {
            sql.push(format_args!(" and lower({alias}.team) = lower("))
                .push_bind(team.clone())
                .push(")");
        }
        if self.no_owner {
            sql.push(format_args!(" and not {alias}.owned"));
        }
        if let Some(tier) = self.tier {
            sql.push(format_args!(
                " and {alias}.risk_tier = '{}'::risk_tier",
                tier.as_str()
            ));
        }
    }

    /// The rows these filters select on `today` (or the past day they ask for).
    pub fn rows(&self, today: NaiveDate) -> Rows<'_> {
        Rows {
            filters: self,
            day: self.day(today),
            past: self.past(),
            stage: self.stage,
            flag: self.flag,
            ids: None,
            updated_since: None,
        }
    }
}

/// One call of `project_rows`: a view's filters on a day, with what a statement changes in them.
#[derive(Clone, Copy)]
pub struct Rows<'a> {
    filters: &'a SqlFilters,
    day: NaiveDate,
    past: bool,
    stage: Option<Stage>,
    flag: Option<FlagCode>,
    ids: Option<&'a [Uuid]>,
    updated_since: Option<DateTime<Utc>>,
}

impl<'a> Rows<'a> {
    /// The rows of one stage instead of the filters' stage.
    pub fn in_stage(self, stage: Stage) -> Self {
        Rows {
            stage: Some(stage),
            ..self
        }
    }

    /// The rows carrying one flag instead of the filters' flag.
    pub fn flagged(self, flag: FlagCode) -> Self {
        Rows {
            flag: Some(flag),
            ..self
        }
    }

    /// The rows as they were at the end of `day`, from the history.
    pub fn at_end_of(self, day: NaiveDate) -> Self {
        Rows {
            day,
            past: true,
            ..self
        }
    }

    /// The current rows read on `day` (counted on that day's date).
    pub fn on(self, day: NaiveDate) -> Self {
        Rows {
            day,
            past: false,
            ..self
        }
    }

    /// Only these projects.
    pub fn among(self, ids: &'a [Uuid]) -> Self {
        Rows {
            ids: Some(ids),
            ..self
        }
    }

    /// Only projects changed at or after `at`.
    pub fn updated_since(self, at: Option<DateTime<Utc>>) -> Self {
        Rows {
            updated_since: at,
            ..self
        }
    }

    /// The day read.
    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// Whether the statement's plan depends on a bound value enough to plan it for that value
    /// (a name search: see the module's documentation).
    pub fn plan_for_values(&self) -> bool {
        self.filters.search.is_some()
    }

    /// Writes `project_rows(…) r` into `sql` (a FROM item named `r`): the closed sets as the
    /// call's literal arguments, people's text as bound conditions on its rows (see
    /// [`Rows::push_bound`]).
    pub fn push(&self, sql: &mut QueryBuilder<'a, Postgres>) {
        if self.has_bound() {
            sql.push("(select * from ");
        }
        self.push_literals(sql, "project_rows");
        sql.push(")");
        if self.has_bound() {
            self.push_bound(sql);
            sql.push(")");
        }
        sql.push(" r");
    }

    /// Writes a call of `function`, a function taking `project_rows`' arguments except the
    /// search and the set of projects: `project_export` for the CSV's columns. People's text
    /// is bound as its arguments — its `is null or …` then stays in the plan, which suits a
    /// statement that reads every row anyway.
    pub fn push_call(&self, sql: &mut QueryBuilder<'a, Postgres>, function: &str) {
        let f = self.filters;
        self.push_literals(sql, function);
        if let Some(team) = &f.team {
            sql.push(", f_team => ").push_bind(team.clone());
        }
        if let Some(owner) = f.owner {
            sql.push(", f_owner => ").push_bind(owner);
        }
        if let Some(at) = self.updated_since {
            sql.push(", f_updated_since => ").push_bind(at);
        }
        if let Some(email) = &f.owner_email {
            sql.push(", f_owner_email => ").push_bind(email.clone());
        }
        sql.push(")");
    }

    fn has_bound(&self) -> bool {
        let f = self.filters;
        f.search.is_some()
            || f.team.is_some()
            || f.owner.is_some()
            || f.owner_email.is_some()
            || self.updated_since.is_some()
            || self.ids.is_some()
    }

    /// `function('day'` and the closed sets' arguments, unclosed.
    fn push_literals(&self, sql: &mut QueryBuilder<'a, Postgres>, function: &str) {
        let f = self.filters;
        sql.push(format_args!("{function}('{}'::date", self.day));
        if let Some(stage) = self.stage {
            sql.push(format_args!(", f_stage => '{}'::project_stage", stage.as_str()));
        }
        if let Some(status) = f.status {
            sql.push(format_args!(
                ", f_status => '{}'::project_status",
                status.as_str()
            ));
        }
        if f.no_owner {
            sql.push(", f_no_owner => true");
        }
        if let Some(health) = f.health {
            sql.push(format_args!(", f_health => '{}'", health.as_str()));
        }
        if let Some(flag) = self.flag {
            sql.push(format_args!(", f_flag => '{}'", flag.as_str()));
        }
        if let Some(tier) = f.tier {
            sql.push(format_args!(", f_tier => '{}'::risk_tier", tier.as_str()));
        }
        if self.past {
            sql.push(", f_past => true");
        }
    }

    /// People's text as conditions on the call's rows, ` where … and …`: the same conditions
    /// `project_rows` makes of its `f_search`, `f_team`, `f_owner`, `f_owner_email` and
    /// `f_updated_since`, and a set of projects. PostgreSQL pushes them into both of the
    /// function's branches, where they meet their indexes; as the function's bound arguments
    /// they would stay `f_x is null or …`, which no index serves in a plan made for any value.
    fn push_bound(&self, sql: &mut QueryBuilder<'a, Postgres>) {
        let f = self.filters;
        let mut and = {
            let mut first = true;
            move |sql: &mut QueryBuilder<'a, Postgres>, condition: &str| {
                sql.push(if first { " where " } else { " and " });
                sql.push(condition);
                first = false;
            }
        };
        if let Some(search) = &f.search {
            and(sql, "lower(name) like lower(");
            sql.push_bind(search.clone()).push(")");
        }
        if let Some(team) = &f.team {
            and(sql, "lower(team) = lower(");
            sql.push_bind(team.clone()).push(")");
        }
        if let Some(owner) = f.owner {
            and(sql, "owner_id = ");
            sql.push_bind(owner);
        }
        if let Some(email) = &f.owner_email {
            and(
                sql,
                "owner_id = (select o.id from accounts o where lower(o.email) = lower(",
            );
            sql.push_bind(email.clone()).push("))");
        }
        if let Some(at) = self.updated_since {
            and(sql, "updated_at >= ");
            sql.push_bind(at);
        }
        if let Some(ids) = self.ids {
            and(sql, "id = any(");
            sql.push_bind(ids.to_vec()).push(")");
        }
    }
}

/// A transaction whose statements are planned for their values
/// (`plan_cache_mode = force_custom_plan`), for statements whose best plan depends on how many
/// names a pattern matches.
async fn planned_for_values(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("set local plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The projects whose names contain `pattern` (as [`SqlFilters::search`] writes it), in name
/// order: `limit` of them after the first `offset`. Read from the name indexes alone — a walk
/// of the unique name index, which carries each name and id, for a pattern many names match;
/// the trigram index and a sort of its matches for one few names match — and planned for the
/// pattern, which decides between them (a statement over `projects` alone plans in a fraction
/// of a millisecond).
pub async fn name_matches(
    pool: &PgPool,
    pattern: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut tx = planned_for_values(pool).await?;
    let ids = sqlx::query_scalar!(
        "select id from projects where lower(name) like lower($1) order by lower(name) limit $2 offset $3",
        pattern,
        limit,
        offset,
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ids)
}

/// How many projects' names contain `pattern`, counted up to `most` (as [`name_matches`] finds
/// them).
pub async fn count_name_matches(pool: &PgPool, pattern: &str, most: i64) -> Result<i64, sqlx::Error> {
    let mut tx = planned_for_values(pool).await?;
    let counted = sqlx::query_scalar!(
        r#"select count(*) as "count!" from (select from projects where lower(name) like lower($1) limit $2) m"#,
        pattern,
        most,
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(counted)
}

/// Runs a statement over `rows` and returns its rows. A name search is planned for its
/// pattern (in a transaction of its own, `set local plan_cache_mode = force_custom_plan`);
/// every other statement keeps the one plan its connection made for it.
pub async fn fetch_all<T>(
    pool: &PgPool,
    rows: &Rows<'_>,
    sql: &mut QueryBuilder<'_, Postgres>,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let query = sql.build_query_as::<T>();
    if !rows.plan_for_values() {
        return query.fetch_all(pool).await;
    }
    let mut tx = planned_for_values(pool).await?;
    let found = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(found)
}

/// [`fetch_all`] for a statement that returns one row.
pub async fn fetch_one<T>(
    pool: &PgPool,
    rows: &Rows<'_>,
    sql: &mut QueryBuilder<'_, Postgres>,
) -> Result<T, sqlx::Error>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    fetch_all(pool, rows, sql)
        .await?
        .into_iter()
        .next()
        .ok_or(sqlx::Error::RowNotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(rows: Rows<'_>) -> String {
        let mut sql = QueryBuilder::new("");
        rows.push(&mut sql);
        sql.sql().to_owned()
    }

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(contains_pattern("  "), None);
        assert_eq!(contains_pattern("churn"), Some("%churn%".into()));
        assert_eq!(contains_pattern("100%_sure"), Some("%100\\%\\_sure%".into()));
    }

    #[test]
    fn a_filter_not_asked_for_is_not_written_and_closed_sets_are_literals() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let none = SqlFilters::default();
        assert_eq!(written(none.rows(today)), "project_rows('2026-12-01'::date) r");
        let some = SqlFilters {
            search: Some("%o'brien%".into()),
            stage: Some(Stage::Build),
            team: Some("Risk'); drop table projects; --".into()),
            flag: Some(FlagCode::Stalled),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 2),
            ..SqlFilters::default()
        };
        assert_eq!(
            written(some.rows(today)),
            "(select * from project_rows('2026-11-02'::date, f_stage => 'build'::project_stage, \
             f_flag => 'stalled', f_past => true) where lower(name) like lower($1) and lower(team) = lower($2)) r"
        );
        let ids = [Uuid::nil()];
        assert_eq!(
            written(
                some.grouping()
                    .rows(today)
                    .in_stage(Stage::Define)
                    .among(&ids)
                    .at_end_of(today)
            ),
            "(select * from project_rows('2026-12-01'::date, f_stage => 'define'::project_stage, \
             f_past => true) where lower(team) = lower($1) and id = any($2)) r"
        );
    }
}
