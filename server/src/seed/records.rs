//! A drafted project's governance records: research, demos, sign-offs and reviews.

use super::*;

impl<'g> Draft<'g> {
    /// User research, the first piece before the move to design.
    pub(super) fn add_research(&mut self) {
        let g = self.g;
        let (age, reached) = (self.shape.age, self.shape.reached);
        let rng = &mut self.rng;
        let count = if reached >= 1 {
            rng.gen_range(1..=4)
        } else if rng.gen_bool(0.5) {
            rng.gen_range(1..=2)
        } else {
            0
        };
        let count = if self.shape.gap_overridden(GapKind::Research) {
            0
        } else {
            count
        };
        for k in 0..count {
            let ago = match self.first_entry[1] {
                Some(design) if k == 0 => rng.gen_range(design + 1..age),
                _ => rng.gen_range(1..age.max(2)),
            };
            let created_at = g.at(rng, ago);
            let author = g.or_admin(g.active_editor(rng, created_at), created_at);
            let kind = ResearchKind::ALL[weighted(rng, &[40, 20, 15, 8, 12, 5])].as_str();
            let participants = match kind {
                "survey" => rng.gen_range(40..=2500),
                "data_analysis" => rng.gen_range(0..=3),
                _ => rng.gen_range(3..=24),
            };
            let withdrawn = (self.shape.gap_is(GapKind::Research) || rng.gen_bool(0.015))
                .then(|| g.withdrawal(rng, created_at, author));
            self.evidence.push(Evidence {
                id: new_id(rng),
                kind,
                title: self.words.fill(rng, RESEARCH_TITLES),
                findings: self.words.fill(rng, RESEARCH_FINDINGS),
                participants,
                held_on: g.today - Days::new(ago),
                link: link(rng, "research"),
                author,
                created_at,
                withdrawn,
            });
        }
        self.evidence.sort_by_key(|e| e.created_at);
    }

    /// Demos: the latest one's age follows the project's activity; earlier ones monthly-ish.
    pub(super) fn add_demos(&mut self) {
        let g = self.g;
        let lead = self.lead();
        let shape = &self.shape;
        let age = shape.age;
        let rng = &mut self.rng;
        let latest = match shape.activity {
            Activity::Healthy if age > 30 || rng.gen_bool(0.5) => {
                Some(rng.gen_range(1..=30.min(age - 1).max(1)))
            }
            Activity::Lagging if age > 33 => Some(rng.gen_range(32..=62.min(age - 1))),
            Activity::Stalled if shape.stage >= 2 || rng.gen_bool(0.8) => Some(rng.gen_range(63..=age - 1)),
            Activity::Dormant => Some(rng.gen_range(20..=age - 1)),
            _ => None,
        };
        let Some(latest) = latest.filter(|_| !shape.gap_overridden(GapKind::Demo)) else {
            return;
        };
        let count = rng.gen_range(1..=(1 + (age - latest) / 25).min(8));
        let mut ago = latest;
        for k in 0..count {
            if k > 0 {
                ago += rng.gen_range(18..=40);
                if ago >= age {
                    break;
                }
            }
            let created_at = g.at(rng, ago);
            let author = g.or_admin(lead, created_at);
            // A project stops at its last demo; earlier demos continue it or change course.
            let outcome = if k == 0 && shape.status == "cancelled" {
                "stop"
            } else {
                ["continue", "pivot"][weighted(rng, &[70, 30])]
            };
            let withdrawn = (shape.gap_is(GapKind::Demo) || (k > 0 && rng.gen_bool(0.02)))
                .then(|| g.withdrawal(rng, created_at, author));
            let users = self.words.users;
            self.demos.push(Demo {
                id: new_id(rng),
                held_on: g.today - Days::new(ago),
                summary: self.words.fill(rng, DEMO_SUMMARIES),
                attendees: format!(
                    "{}, {}, {} and {} {users}",
                    person(rng),
                    person(rng),
                    person(rng),
                    rng.gen_range(2..=9)
                ),
                outcome,
                link: link(rng, "demos"),
                author,
                created_at,
                withdrawn,
            });
        }
        self.demos.reverse();
    }

    /// Explainability sign-offs and model-risk reviews, by reviewers (never owners, so always
    /// independent): approved before deploy for projects that got there, under way in build.
    pub(super) fn add_signoffs_and_reviews(&mut self) {
        let g = self.g;
        let reviewer = pick(&mut self.rng, &g.people.reviewers);
        let (age, reached) = (self.shape.age, self.shape.reached);
        let entered = |s: usize, first: &[Option<u64>; 4]| first[s].unwrap_or(age);
        let rng = &mut self.rng;
        if reached >= 3 || (reached == 2 && rng.gen_bool(0.45)) {
            let (approved_ago, decision) = if reached >= 3 {
                (entered(3, &self.first_entry) + rng.gen_range(1..=15), "approved")
            } else {
                let ago = rng.gen_range(1..entered(2, &self.first_entry).max(2));
                (ago, SignoffDecision::ALL[weighted(rng, &[50, 40, 10])].as_str())
            };
            let approved_ago = approved_ago.min(age - 1);
            let earlier = approved_ago + rng.gen_range(10..=40);
            if rng.gen_bool(0.3) && earlier < age {
                let s = self.signoff(earlier, "changes_requested", reviewer);
                self.signoffs.push(s);
            }
            if !self.shape.gap_overridden(GapKind::Signoff) {
                let mut s = self.signoff(approved_ago, decision, reviewer);
                if self.shape.gap_is(GapKind::Signoff) {
                    s.withdrawn = Some(g.withdrawal(&mut self.rng, s.created_at, s.approver));
                }
                self.signoffs.push(s);
            }
        }
        let rng = &mut self.rng;
        let chain = reached >= 3 || (reached == 2 && rng.gen_bool(0.3));
        if !chain || self.shape.gap_overridden(GapKind::Review) {
            return;
        }
        let (ago, decision) = if reached >= 3 {
            (
                entered(3, &self.first_entry) + rng.gen_range(1..=20),
                ReviewDecision::ALL[weighted(rng, &[70, 30, 0])].as_str(),
            )
        } else {
            let ago = rng.gen_range(1..entered(2, &self.first_entry).max(2));
            (ago, ReviewDecision::ALL[weighted(rng, &[55, 30, 15])].as_str())
        };
        let (mut ago, mut decision, mut who) = (ago.min(age - 1), decision, reviewer);
        let keep_up = if self.shape.status == "active" { 0.7 } else { 0.4 };
        let tier = self.shape.tier;
        loop {
            let reviewed_on = g.today - Days::new(ago);
            let next_review_on = Thresholds::default().next_review_due(RiskTier::ALL[tier], reviewed_on);
            let created_at = g.at(rng, ago);
            self.reviews.push(Review {
                id: new_id(rng),
                tier,
                findings: self.words.fill(rng, REVIEW_FINDINGS),
                decision,
                reviewed_on,
                next_review_on,
                reviewer: who,
                created_at,
                withdrawn: None,
            });
            // Periodic re-reviews, until one is skipped (then the review is overdue).
            if next_review_on >= g.today || self.reviews.len() >= 5 || !rng.gen_bool(keep_up) {
                break;
            }
            ago = (g.today - next_review_on).num_days() as u64 + rng.gen_range(0..=14);
            decision = ReviewDecision::ALL[weighted(rng, &[75, 22, 3])].as_str();
            if rng.gen_bool(0.4) {
                who = pick(rng, &g.people.reviewers);
            }
        }
        if self.shape.gap_is(GapKind::Review) {
            for r in self.reviews.iter_mut() {
                r.withdrawn = Some(g.withdrawal(rng, r.created_at, r.reviewer));
            }
        }
    }

    pub(super) fn signoff(&mut self, ago: u64, decision: &'static str, approver: usize) -> Signoff {
        let rng = &mut self.rng;
        let method = pick(rng, METHODS);
        Signoff {
            id: new_id(rng),
            method,
            summary: format!(
                "{method} on a holdout sample: the drivers of {} predictions match what the team \
                 expects; {}",
                self.words.subject,
                pick(rng, SIGNOFF_REMARKS)
            ),
            decision,
            decided_on: self.g.today - Days::new(ago),
            approver,
            created_at: self.g.at(rng, ago),
            withdrawn: None,
        }
    }
}
