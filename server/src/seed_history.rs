//! The history of a seeded project: its state — stage, status, stage owner, stage entry and
//! health signals — version by version, from its creation to today.
//!
//! The state is computed with the app's own rules ([`app::health::signals`],
//! [`app::projects::gate::missing`]) from the facts as they stood at each instant one of them
//! changed: the creation, each stage move, owner assignment or handoff, record added or
//! withdrawn, gate override, owner's deactivation, and the change of status of a project no
//! longer active. The facts are read the way `app::health::server::facts` reads them from the
//! database, so the last version is the one the app computes for the project row.

use crate::seed::{Bundle, People, Review, Signoff, Withdrawal};
use app::health::{signals, GateGapFacts, HealthFacts, OwnerFact, Signals, Thresholds};
use app::projects::gate::{missing, GateFacts, GateItem, RecordFacts};
use app::projects::material::{self, MaterialChange, MaterialKind};
use app::projects::stage::{RiskTier, Stage, Status};
use app::records::Outcome;
use chrono::{NaiveDate, NaiveDateTime};

/// A project's state as the history stores it; its team and risk tier never change in the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub stage: Stage,
    pub status: Status,
    /// The current stage's owner, active or not, as an index into `People::accounts`.
    pub owner: Option<usize>,
    pub stage_entered_at: NaiveDateTime,
    pub signals: Signals,
}

/// One version of a project's state, valid from `valid_from` until `valid_to`. The current
/// version, the one the project row holds, has no end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub valid_from: NaiveDateTime,
    pub valid_to: Option<NaiveDateTime>,
    pub state: State,
}

/// The versions of `bundle`'s state under `limits`, oldest first: the first from its creation,
/// each one ending where the next begins, none equal to the one before.
pub fn versions(bundle: &Bundle, people: &People, limits: &Thresholds) -> Vec<Version> {
    let mut versions: Vec<Version> = Vec::new();
    for at in change_instants(bundle, people) {
        let state = AsOf { bundle, people, at }.state(limits);
        if versions.last().is_some_and(|v| v.state == state) {
            continue;
        }
        if let Some(previous) = versions.last_mut() {
            previous.valid_to = Some(at);
        }
        versions.push(Version {
            valid_from: at,
            valid_to: None,
            state,
        });
    }
    versions
}

/// Every instant at which a fact the rules read changed, in order, without repeats, from the
/// project's creation on.
fn change_instants(bundle: &Bundle, people: &People) -> Vec<NaiveDateTime> {
    let created_at = bundle.project.created_at;
    let owners_gone = (bundle.handoffs.iter()).filter_map(|h| people.accounts[h.to].deactivated_at);
    let records = record_times(bundle).flat_map(|(added, withdrawn)| [Some(added), withdrawn.map(|w| w.at)]);
    let mut instants: Vec<NaiveDateTime> = std::iter::once(created_at)
        .chain(bundle.moves.iter().map(|m| m.at))
        .chain(bundle.handoffs.iter().map(|h| h.at))
        .chain(owners_gone)
        .chain(bundle.overrides.iter().map(|o| o.at))
        .chain(records.flatten())
        .chain(status_changed_at(bundle))
        .filter(|at| *at >= created_at)
        .collect();
    instants.sort_unstable();
    instants.dedup();
    instants
}

/// When each governance record was added, and its withdrawal if it was withdrawn.
fn record_times(bundle: &Bundle) -> impl Iterator<Item = (NaiveDateTime, Option<Withdrawal>)> + '_ {
    let demos = bundle.demos.iter().map(|d| (d.created_at, d.withdrawn));
    let evidence = bundle.evidence.iter().map(|e| (e.created_at, e.withdrawn));
    let signoffs = bundle.signoffs.iter().map(|s| (s.created_at, s.withdrawn));
    let reviews = bundle.reviews.iter().map(|r| (r.created_at, r.withdrawn));
    demos.chain(evidence).chain(signoffs).chain(reviews)
}

/// When a project no longer active took its final status: its last change (`updated_at`), which
/// in the seed is the status change itself.
fn status_changed_at(bundle: &Bundle) -> Option<NaiveDateTime> {
    (bundle.project.status != Status::Active.as_str()).then_some(bundle.project.updated_at)
}

/// A seeded status word as the app's status (the seed writes the enum's own words).
fn parse_status(word: &str) -> Status {
    word.parse().unwrap_or(Status::Active)
}

/// A bundle as it stood at the instant `at`: what had happened by then.
struct AsOf<'b> {
    bundle: &'b Bundle,
    people: &'b People,
    at: NaiveDateTime,
}

impl AsOf<'_> {
    /// Whether `instant` had come by the instant looked at.
    fn happened(&self, instant: NaiveDateTime) -> bool {
        instant <= self.at
    }

    /// Whether a record created at `created` stood at the instant: added and not withdrawn.
    fn standing(&self, created: NaiveDateTime, withdrawn: Option<Withdrawal>) -> bool {
        self.happened(created) && !withdrawn.is_some_and(|w| self.happened(w.at))
    }

    /// The day of the latest of `withdrawals` made by the instant.
    fn last_withdrawn_on(&self, withdrawals: impl Iterator<Item = Option<Withdrawal>>) -> Option<NaiveDate> {
        withdrawals
            .flatten()
            .map(|w| w.at)
            .filter(|at| self.happened(*at))
            .max()
            .map(|at| at.date())
    }

    /// The stage (an index into `Stage::ALL`) and when it was entered: the latest move's, or
    /// `define` since creation.
    fn stage(&self) -> (usize, NaiveDateTime) {
        let project = &self.bundle.project;
        (self.bundle.moves.iter())
            .filter(|m| self.happened(m.at))
            .max_by_key(|m| m.at)
            .map_or((0, project.created_at), |m| (m.to, m.at))
    }

    /// Active until a project no longer active took its final status.
    fn status(&self) -> Status {
        match status_changed_at(self.bundle) {
            Some(at) if self.happened(at) => parse_status(self.bundle.project.status),
            _ => Status::Active,
        }
    }

    /// Who owned `stage`: the latest assignment or handoff of it by the instant.
    fn owner(&self, stage: usize) -> Option<usize> {
        (self.bundle.handoffs.iter())
            .filter(|h| h.stage == stage && self.happened(h.at))
            .max_by_key(|h| h.at)
            .map(|h| h.to)
    }

    /// Whether `account` had been given a stage of the project by the instant.
    fn ever_owned(&self, account: usize) -> bool {
        (self.bundle.handoffs.iter()).any(|h| h.to == account && self.happened(h.at))
    }

    /// The sign-off that decides: the latest standing one.
    fn latest_signoff(&self) -> Option<&Signoff> {
        (self.bundle.signoffs.iter())
            .filter(|s| self.standing(s.created_at, s.withdrawn))
            .max_by_key(|s| (s.decided_on, s.created_at))
    }

    /// The review that decides: the latest standing one.
    fn latest_review(&self) -> Option<&Review> {
        (self.bundle.reviews.iter())
            .filter(|r| self.standing(r.created_at, r.withdrawn))
            .max_by_key(|r| (r.reviewed_on, r.created_at))
    }

    /// The pivots made by the instant, as the material changes the rules read (the seed
    /// changes no material field).
    fn pivots(&self) -> Vec<MaterialChange> {
        (self.bundle.moves.iter().enumerate())
            .filter(|(_, m)| self.happened(m.at) && material::is_pivot(Stage::ALL[m.from], Stage::ALL[m.to]))
            .map(|(i, m)| MaterialChange {
                id: i as i64,
                kind: MaterialKind::Pivot,
                at: m.at.and_utc(),
                stage: Stage::ALL[m.from],
                before: Stage::ALL[m.from].as_str().to_owned(),
                after: Stage::ALL[m.to].as_str().to_owned(),
                acknowledged: false,
            })
            .collect()
    }

    /// The latest sign-off, if it is approved by someone other than the stage owner, with the
    /// instant it was given.
    fn approved_signoff(&self, owner: Option<usize>) -> Option<NaiveDateTime> {
        self.latest_signoff()
            .filter(|s| s.decision == "approved" && Some(s.approver) != owner)
            .map(|s| s.created_at)
    }

    /// An approved latest sign-off by someone other than the stage owner, not voided since.
    fn independent_signoff(&self, owner: Option<usize>) -> bool {
        self.approved_signoff(owner)
            .is_some_and(|at| material::voiding(&self.pivots(), at.and_utc()).is_none())
    }

    /// The approvals that would count but for a pivot since: the item, the day, why.
    fn voided(&self, owner: Option<usize>) -> Vec<(GateItem, NaiveDate, String)> {
        let pivots = self.pivots();
        [
            (GateItem::ExplainabilitySignoff, self.approved_signoff(owner)),
            (GateItem::ModelRiskReview, self.approved_review(owner)),
        ]
        .into_iter()
        .filter_map(|(item, at)| {
            let change = material::voiding(&pivots, at?.and_utc())?;
            Some((item, change.on(), change.describe()))
        })
        .collect()
    }

    /// The project went back before Build and no user research standing at the instant was
    /// held since.
    fn stale_research(&self) -> bool {
        let last_research = (self.bundle.evidence.iter())
            .filter(|e| self.standing(e.created_at, e.withdrawn))
            .map(|e| e.held_on)
            .max();
        material::last_pivot_before(&self.pivots(), Stage::Build)
            .is_some_and(|pivot| last_research.is_none_or(|held| held < pivot))
    }

    /// The latest review, if it approves and is by someone other than the stage owner and, for
    /// a high-risk project, by nobody who had owned a stage of it, with the instant it was given.
    fn approved_review(&self, owner: Option<usize>) -> Option<NaiveDateTime> {
        let high = RiskTier::ALL[self.bundle.project.risk_tier] == RiskTier::High;
        self.latest_review()
            .filter(|r| {
                matches!(r.decision, "approved" | "approved_with_conditions")
                    && Some(r.reviewer) != owner
                    && !(high && self.ever_owned(r.reviewer))
            })
            .map(|r| r.created_at)
    }

    /// An approving independent latest review, not voided since.
    fn independent_review(&self, owner: Option<usize>) -> bool {
        self.approved_review(owner)
            .is_some_and(|at| material::voiding(&self.pivots(), at.and_utc()).is_none())
    }

    /// How many of the records added at `times` stood at the instant.
    fn standing_count(&self, times: impl Iterator<Item = (NaiveDateTime, Option<Withdrawal>)>) -> u32 {
        let standing = times.filter(|(added, withdrawn)| self.standing(*added, *withdrawn));
        u32::try_from(standing.count()).unwrap_or(u32::MAX)
    }

    /// What the records established at the instant, with `owner` owning the stage.
    fn records(&self, owner: Option<usize>) -> RecordFacts {
        let b = self.bundle;
        RecordFacts {
            research: self.standing_count(b.evidence.iter().map(|e| (e.created_at, e.withdrawn))),
            demos: self.standing_count(b.demos.iter().map(|d| (d.created_at, d.withdrawn))),
            independent_signoff: self.independent_signoff(owner),
            independent_review: self.independent_review(owner),
            stale_research: self.stale_research(),
        }
    }

    /// The demos standing at the instant held on or after `day`, in the order they were held.
    fn demos_since(&self, day: NaiveDate) -> Vec<(NaiveDate, Outcome)> {
        let mut demos: Vec<&crate::seed::Demo> = (self.bundle.demos.iter())
            .filter(|d| self.standing(d.created_at, d.withdrawn) && d.held_on >= day)
            .collect();
        demos.sort_by_key(|d| (d.held_on, d.created_at));
        demos
            .into_iter()
            .map(|d| (d.held_on, d.outcome.parse().unwrap_or(Outcome::Continue)))
            .collect()
    }

    /// The latest demo held among those standing at the instant.
    fn last_demo_on(&self) -> Option<NaiveDate> {
        (self.bundle.demos.iter())
            .filter(|d| self.standing(d.created_at, d.withdrawn))
            .map(|d| d.held_on)
            .max()
    }

    /// For each record-backed gate item, the day its last record was withdrawn.
    fn withdrawals(&self) -> Vec<(GateItem, NaiveDate)> {
        let b = self.bundle;
        [
            (
                GateItem::UserResearch,
                self.last_withdrawn_on(b.evidence.iter().map(|e| e.withdrawn)),
            ),
            (
                GateItem::DemoHeld,
                self.last_withdrawn_on(b.demos.iter().map(|d| d.withdrawn)),
            ),
            (
                GateItem::ExplainabilitySignoff,
                self.last_withdrawn_on(b.signoffs.iter().map(|s| s.withdrawn)),
            ),
            (
                GateItem::ModelRiskReview,
                self.last_withdrawn_on(b.reviews.iter().map(|r| r.withdrawn)),
            ),
        ]
        .into_iter()
        .filter_map(|(item, on)| on.map(|on| (item, on)))
        .collect()
    }

    /// What the gate of `stage` lacked at the instant, and since when.
    fn gate(&self, stage: Stage, owner: Option<usize>) -> GateGapFacts {
        let p = &self.bundle.project;
        let facts = GateFacts {
            records: self.records(owner),
            problem_statement: &p.problem_statement,
            success_metric: &p.success_metric,
            success_target: &p.success_target,
            baseline_metric: &p.baseline_metric,
            baseline_method: &p.baseline_method,
            data_readiness: &p.data_readiness,
            fallback_plan: &p.fallback_plan,
            monitoring_owner: &p.monitoring_owner,
        };
        let overridden =
            (self.bundle.overrides.iter()).any(|o| Stage::ALL[o.stage] == stage && self.happened(o.at));
        GateGapFacts {
            unmet: missing(stage, &facts),
            overridden,
            imported: false,
            withdrawn: self.withdrawals(),
            voided: self.voided(owner),
        }
    }

    /// The stage owner as the rules see them: their name, and the day they were deactivated
    /// if they had been by the instant.
    fn owner_fact(&self, owner: usize) -> OwnerFact {
        let account = &self.people.accounts[owner];
        OwnerFact {
            name: account.display_name.clone(),
            deactivated_on: (account.deactivated_at)
                .filter(|gone| self.happened(*gone))
                .map(|gone| gone.date()),
        }
    }

    /// The state at the instant, its signals computed under `limits`.
    fn state(&self, limits: &Thresholds) -> State {
        let project = &self.bundle.project;
        let (index, stage_entered_at) = self.stage();
        let stage = Stage::ALL[index];
        let status = self.status();
        let owner = self.owner(index);
        let facts = HealthFacts {
            status,
            created_on: project.created_at.date(),
            stage_entered_on: stage_entered_at.date(),
            stage_label: stage.label(),
            owner: owner.map(|o| self.owner_fact(o)),
            last_demo_on: self.last_demo_on(),
            review_due_on: self.latest_review().map(|r| r.next_review_on),
            gate: self.gate(stage, owner),
            material: self.pivots(),
            demos_in_stage: self.demos_since(stage_entered_at.date()),
            // The seed gives no review conditions.
            open_conditions: Vec::new(),
        };
        State {
            stage,
            status,
            owner,
            stage_entered_at,
            signals: signals(&facts, limits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{Generator, Names};
    use app::health::Health;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    /// Each bundle of a portfolio with its versions.
    fn histories(seed: u64, n: usize) -> Vec<(Bundle, Vec<Version>)> {
        let generator = Generator::new(seed, n, today());
        let mut names = Names::default();
        let limits = Thresholds::default();
        (0..n)
            .map(|i| {
                let bundle = generator.project(i, &mut names);
                let versions = versions(&bundle, &generator.people, &limits);
                (bundle, versions)
            })
            .collect()
    }

    #[test]
    fn versions_run_from_creation_without_gaps_or_repeats() {
        for (bundle, versions) in histories(5, 2_000) {
            assert_eq!(versions[0].valid_from, bundle.project.created_at);
            for pair in versions.windows(2) {
                assert_eq!(pair[0].valid_to, Some(pair[1].valid_from), "contiguous");
                assert!(pair[0].valid_from < pair[1].valid_from);
                assert_ne!(pair[0].state, pair[1].state, "equal neighbours are merged");
            }
            assert_eq!(
                versions.last().and_then(|v| v.valid_to),
                None,
                "the current one is open"
            );
        }
    }

    #[test]
    fn stages_along_the_versions_follow_the_moves() {
        for (bundle, versions) in histories(6, 2_000) {
            let mut stages: Vec<usize> = versions.iter().map(|v| v.state.stage.index()).collect();
            stages.dedup();
            let moved: Vec<usize> = std::iter::once(0)
                .chain(bundle.moves.iter().map(|m| m.to))
                .collect();
            assert_eq!(stages, moved);
            for m in &bundle.moves {
                let version = versions
                    .iter()
                    .find(|v| v.valid_from == m.at)
                    .expect("a version per move");
                assert_eq!(
                    (version.state.stage.index(), version.state.stage_entered_at),
                    (m.to, m.at)
                );
            }
        }
    }

    #[test]
    fn the_current_version_is_the_project_as_seeded() {
        for (bundle, versions) in histories(7, 2_000) {
            let p = &bundle.project;
            let current = &versions.last().expect("a version").state;
            assert_eq!(current.stage, Stage::ALL[p.stage]);
            assert_eq!(current.status.as_str(), p.status);
            assert_eq!(current.stage_entered_at, p.stage_entered_at);
            let owner = bundle.owners.iter().find(|o| o.stage == p.stage).map(|o| o.owner);
            assert_eq!(current.owner, owner);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_versions() {
        assert_eq!(histories(9, 500), histories(9, 500));
    }

    #[test]
    fn the_portfolio_looked_different_a_year_ago() {
        let histories = histories(3, 2_000);
        let health_on = |day: NaiveDate| -> [usize; 3] {
            let end_of_day = day.succ_opt().expect("a day").and_time(chrono::NaiveTime::MIN);
            let mut counts = [0; 3];
            for (_, versions) in &histories {
                let standing = versions
                    .iter()
                    .find(|v| v.valid_from < end_of_day && v.valid_to.is_none_or(|to| to >= end_of_day));
                if let Some(v) = standing {
                    let health = v.state.signals.health(day);
                    counts[Health::ALL.iter().position(|h| *h == health).expect("a health")] += 1;
                }
            }
            counts
        };
        let now = health_on(today());
        let year_ago = health_on(today() - chrono::Days::new(365));
        assert_eq!(now.iter().sum::<usize>(), 2_000);
        assert!(
            year_ago.iter().sum::<usize>() < 2_000,
            "some projects did not exist yet"
        );
        assert!(
            year_ago.iter().all(|n| *n > 0) && now.iter().all(|n| *n > 0),
            "{year_ago:?} {now:?}"
        );
        assert_ne!(year_ago, now);
    }
}
