//! The enumerations of a project: stage, status, risk tier. Pure: no IO.

use crate::vocabulary::word_enum;

word_enum!(
    /// Where a project is in its life: define → design → build → deploy.
    Stage, "project_stage", "stage", [
        Define => "define", "Define";
        Design => "design", "Design";
        Build => "build", "Build";
        Deploy => "deploy", "Deploy";
    ]
);

word_enum!(
    /// Whether work on a project is going on.
    Status, "project_status", "status", [
        Active => "active", "Active";
        Paused => "paused", "Paused";
        Cancelled => "cancelled", "Cancelled";
        Retired => "retired", "Retired";
    ]
);

word_enum!(
    /// How much harm the model could do, which sets how closely it is reviewed.
    RiskTier, "risk_tier", "risk tier", [
        Low => "low", "Low";
        Medium => "medium", "Medium";
        High => "high", "High";
    ]
);

impl Stage {
    /// Position in the sequence, from 0 (define) to 3 (deploy).
    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or_default()
    }

    /// The stage after this one, if any.
    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_come_in_order() {
        assert_eq!(Stage::Define.next(), Some(Stage::Design));
        assert_eq!(Stage::Build.next(), Some(Stage::Deploy));
        assert_eq!(Stage::Deploy.next(), None);
        assert!(Stage::Define < Stage::Deploy);
    }

    #[test]
    fn words_round_trip_and_unknown_ones_name_the_choices() {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>(), Ok(*stage));
        }
        assert_eq!(
            "launch".parse::<Stage>(),
            Err("Choose a stage (define, design, build, deploy).".to_owned())
        );
        assert_eq!(
            "extreme".parse::<RiskTier>(),
            Err("Choose a risk tier (low, medium, high).".to_owned())
        );
        assert!("Active".parse::<Status>().is_err(), "names are case-sensitive");
    }
}
