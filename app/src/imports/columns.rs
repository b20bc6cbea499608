//! Which column of a spreadsheet holds which field. Headers are matched whatever their case,
//! spaces and punctuation ("Risk tier", "risk_tier", "RISK-TIER"), under a field's name, its
//! label, or a name other tools use for it; Tollgate's own CSV export reads back as it is.
//! Pure: no IO, unit-tested.

use crate::projects::input::{NAME_MAX, SHORT_MAX};
use crate::projects::stage::{RiskTier, Stage, Status};
use crate::vocabulary::Word;
use serde::{Deserialize, Serialize};

/// A field a row can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Id,
    Name,
    Team,
    Summary,
    ProblemStatement,
    SuccessMetric,
    SuccessTarget,
    BaselineMetric,
    BaselineMethod,
    DataReadiness,
    FallbackPlan,
    MonitoringOwner,
    RiskTier,
    Status,
    Stage,
    OwnerEmail,
    StartedOn,
    StageEnteredOn,
}

impl Column {
    pub const ALL: [Column; 18] = [
        Column::Id,
        Column::Name,
        Column::Team,
        Column::Summary,
        Column::ProblemStatement,
        Column::SuccessMetric,
        Column::SuccessTarget,
        Column::BaselineMetric,
        Column::BaselineMethod,
        Column::DataReadiness,
        Column::FallbackPlan,
        Column::MonitoringOwner,
        Column::RiskTier,
        Column::Status,
        Column::Stage,
        Column::OwnerEmail,
        Column::StartedOn,
        Column::StageEnteredOn,
    ];

    /// The header the template writes.
    pub fn key(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Name => "name",
            Column::Team => "team",
            Column::Summary => "summary",
            Column::ProblemStatement => "problem_statement",
            Column::SuccessMetric => "success_metric",
            Column::SuccessTarget => "success_target",
            Column::BaselineMetric => "baseline_metric",
            Column::BaselineMethod => "baseline_method",
            Column::DataReadiness => "data_readiness",
            Column::FallbackPlan => "fallback_plan",
            Column::MonitoringOwner => "monitoring_owner",
            Column::RiskTier => "risk_tier",
            Column::Status => "status",
            Column::Stage => "stage",
            Column::OwnerEmail => "owner_email",
            Column::StartedOn => "started_on",
            Column::StageEnteredOn => "stage_entered_on",
        }
    }

    /// The field in words, for choosing it ("success metric").
    pub fn label(self) -> String {
        self.key().replace('_', " ")
    }

    /// The words a cell may hold, for a field that takes one of a few (a template's drop-down).
    pub fn allowed(self) -> Option<Vec<&'static str>> {
        fn words<T: Word>() -> Vec<&'static str> {
            T::ALL.iter().map(|w| w.as_str()).collect()
        }
        match self {
            Column::RiskTier => Some(words::<RiskTier>()),
            Column::Stage => Some(words::<Stage>()),
            Column::Status => Some(words::<Status>()),
            _ => None,
        }
    }

    /// What a cell of this column takes, for people filling in a file; `None` for the optional
    /// free-text fields.
    pub fn guide(self) -> Option<String> {
        Some(match self {
            Column::Id => "A Tollgate project id (optional): the project to update.".to_owned(),
            Column::Name => format!("Required; at most {NAME_MAX} characters. Matches an existing project whatever its case."),
            Column::Team => format!("Required; at most {SHORT_MAX} characters."),
            Column::RiskTier => format!("One of {}.", RiskTier::names()),
            Column::Stage => format!(
                "One of {} (empty: define). A stage whose gate the row does not meet is imported as it is and flagged gate_gap.",
                Stage::names()
            ),
            Column::Status => format!("One of {} (empty: active).", Status::names()),
            Column::OwnerEmail => "The email of an editor or admin who owns the current stage (optional).".to_owned(),
            Column::StartedOn | Column::StageEnteredOn => "A date, 2026-11-02 (optional).".to_owned(),
            _ => return None,
        })
    }

    /// The field a [`Column::key`] names.
    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Other headers that mean this field, written as [`normalise`] leaves them.
    fn other_names(self) -> &'static [&'static str] {
        match self {
            Column::Id => &["projectid"],
            Column::Name => &["projectname", "project", "title"],
            Column::Team => &["owningteam", "department"],
            Column::Summary => &["description"],
            Column::ProblemStatement => &["problem", "businessproblem"],
            Column::SuccessMetric => &["metric", "kpi"],
            Column::SuccessTarget => &["target"],
            Column::BaselineMetric => &["baseline"],
            Column::BaselineMethod => &[],
            Column::DataReadiness => &["data"],
            Column::FallbackPlan => &["fallback"],
            Column::MonitoringOwner => &["monitoring"],
            Column::RiskTier => &["risk", "risklevel", "risktier"],
            Column::Status => &["projectstatus"],
            Column::Stage => &["phase", "lifecyclestage", "currentstage"],
            Column::OwnerEmail => &["owner", "stageowner", "stageowneremail", "owneremailaddress"],
            Column::StartedOn => &["createdat", "createdon", "started", "startdate", "created"],
            Column::StageEnteredOn => &["stageenteredat", "enteredstageon", "stagesince"],
        }
    }
}

/// Columns of Tollgate's own export that Tollgate works out itself: read back, they are left
/// alone (not reported as unknown).
const COMPUTED: [&str; 9] = [
    "ownername",
    "daysinstage",
    "lastdemoon",
    "nextreviewon",
    "health",
    "flags",
    "updatedat",
    "updatedon",
    "openconditions",
];

/// A header as it is compared: lower case, letters and digits only.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a header was taken to mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    Field(Column),
    /// A column Tollgate computes itself (from its own export).
    Computed,
    Unknown,
}

/// The meaning of one header.
pub fn match_header(header: &str) -> Header {
    let name = normalise(header);
    if name.is_empty() {
        return Header::Unknown;
    }
    for column in Column::ALL {
        if normalise(column.key()) == name || column.other_names().contains(&name.as_str()) {
            return Header::Field(column);
        }
    }
    if COMPUTED.contains(&name.as_str()) {
        Header::Computed
    } else {
        Header::Unknown
    }
}

/// How a file's columns are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// For each column of the file, the field it gives (none: ignored).
    pub fields: Vec<Option<Column>>,
    /// Headers nobody recognised, ignored (and reported).
    pub unknown: Vec<String>,
    /// Tollgate's own computed columns, ignored.
    pub computed: Vec<String>,
    /// The fields the person chose for columns (header as written, field), applied first.
    #[serde(default)]
    pub chosen: Vec<(String, Column)>,
}

impl Mapping {
    /// The position of `column` in the file, if it is there.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(column))
    }
}

/// Reads `headers`; `chosen` maps a header (as written) to a field the person picked for it,
/// before any matching. Refused: no column gives the name, or two give the same field.
pub fn map_headers(headers: &[String], chosen: &[(String, Column)]) -> Result<Mapping, String> {
    let mut mapping = Mapping {
        chosen: chosen.to_vec(),
        ..Mapping::default()
    };
    for header in headers {
        let picked = chosen
            .iter()
            .find(|(h, _)| normalise(h) == normalise(header))
            .map(|(_, c)| *c);
        let field = match picked.map(Header::Field).unwrap_or_else(|| match_header(header)) {
            Header::Field(column) => {
                if let Some(first) = mapping.position(column) {
                    return Err(format!(
                        "The columns \"{}\" and \"{}\" both give the {}: keep one, or choose another field for one of them.",
                        headers[first],
                        header,
                        column.key().replace('_', " ")
                    ));
                }
                Some(column)
            }
            Header::Computed => {
                mapping.computed.push(header.clone());
                None
            }
            Header::Unknown => {
                if !header.trim().is_empty() {
                    mapping.unknown.push(header.clone());
                }
                None
            }
        };
        mapping.fields.push(field);
    }
    if mapping.position(Column::Name).is_none() {
        return Err(
            "No column holds the projects' names: name one \"name\", or choose which column it is.".into(),
        );
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_match_whatever_their_case_spaces_and_punctuation() {
        for header in ["risk_tier", "Risk tier", "RISK-TIER", " risk  tier ", "Risk"] {
            assert_eq!(match_header(header), Header::Field(Column::RiskTier), "{header}");
        }
        assert_eq!(
            match_header("Owner's phone"),
            Header::Unknown,
            "not a name we know"
        );
        assert_eq!(match_header("Owner e-mail"), Header::Field(Column::OwnerEmail));
        assert_eq!(match_header("Owner email"), Header::Field(Column::OwnerEmail));
        assert_eq!(match_header("Phase"), Header::Field(Column::Stage));
        assert_eq!(match_header(""), Header::Unknown);
    }

    #[test]
    fn tollgates_own_export_reads_back_with_its_computed_columns_left_alone() {
        let export = headers(&[
            "id",
            "name",
            "team",
            "stage",
            "status",
            "risk_tier",
            "owner_name",
            "owner_email",
            "stage_entered_on",
            "days_in_stage",
            "last_demo_on",
            "next_review_on",
            "health",
            "flags",
            "created_at",
            "updated_at",
        ]);
        let mapping = map_headers(&export, &[]).expect("read");
        assert!(mapping.unknown.is_empty(), "{:?}", mapping.unknown);
        assert_eq!(mapping.computed.len(), 7);
        assert_eq!(
            mapping.position(Column::StartedOn),
            Some(14),
            "created_at is when it started"
        );
        assert_eq!(mapping.position(Column::StageEnteredOn), Some(8));
        assert_eq!(mapping.position(Column::OwnerEmail), Some(7));
    }

    #[test]
    fn unknown_columns_are_reported_and_a_chosen_field_comes_first() {
        let file = headers(&["Project", "Squad", "Notes"]);
        let mapping = map_headers(&file, &[("squad".into(), Column::Team)]).expect("read");
        assert_eq!(mapping.fields, vec![Some(Column::Name), Some(Column::Team), None]);
        assert_eq!(
            mapping.chosen,
            vec![("squad".to_owned(), Column::Team)],
            "kept, to choose again"
        );
        assert_eq!(mapping.unknown, vec!["Notes".to_owned()]);
    }

    #[test]
    fn a_file_without_names_or_with_one_field_twice_is_refused_in_words() {
        assert!(map_headers(&headers(&["team"]), &[])
            .expect_err("no names")
            .contains("No column holds the projects' names"));
        let twice = map_headers(&headers(&["name", "Project name"]), &[]).expect_err("twice");
        assert!(
            twice.contains("\"name\" and \"Project name\" both give the name"),
            "{twice}"
        );
    }
}
