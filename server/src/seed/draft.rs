//! One project drafted over its timeline: its moves, owners and handoffs, then its audit events.

use super::*;

/// A project being generated, step by step. The steps draw from `rng` in a fixed order.
pub(super) struct Draft<'g> {
    pub(super) g: &'g Generator,
    pub(super) rng: ChaCha8Rng,
    pub(super) shape: Shape,
    pub(super) words: Words,
    pub(super) project: Project,
    /// Days ago each stage was first entered.
    pub(super) first_entry: [Option<u64>; 4],
    pub(super) touched: Latest,
    pub(super) owners: Vec<Owner>,
    pub(super) handoffs: Vec<Handoff>,
    pub(super) moves: Vec<Move>,
    pub(super) demos: Vec<Demo>,
    pub(super) evidence: Vec<Evidence>,
    pub(super) signoffs: Vec<Signoff>,
    pub(super) reviews: Vec<Review>,
    pub(super) overrides: Vec<Override>,
    pub(super) events: Vec<Event>,
}

impl<'g> Draft<'g> {
    /// The project as created: its texts, its creator owning `define`, the `created` event.
    pub(super) fn start(
        g: &'g Generator,
        mut rng: ChaCha8Rng,
        id: Uuid,
        shape: Shape,
        names: &mut Names,
    ) -> Self {
        let rng_ = &mut rng;
        let created_at = g.at(rng_, shape.age);
        let creator = g.active_editor(rng_, created_at);
        let subject = pick(rng_, SUBJECTS);
        let task = pick(rng_, TASKS);
        let codename = pick(rng_, CODENAMES);
        let name = unique_name(names, subject, task, codename);
        let team = TEAMS[weighted(rng_, &TEAM_WEIGHTS)];
        let reached = shape.reached;
        let fill_design = reached >= 1 || rng_.gen_bool(0.5);
        let fill_build = reached >= 2 || (reached == 1 && rng_.gen_bool(0.4));
        let fill_deploy = reached >= 3 || (reached == 2 && rng_.gen_bool(0.3));
        // Text is drawn whether or not it is kept, so one field's fate never shifts the others.
        let text = |fill: bool, field: &'static str, value: String| {
            if fill && !shape.gap_is(GapKind::Field(field)) {
                value
            } else {
                String::new()
            }
        };
        let words = Words {
            subject: subject.to_lowercase(),
            team,
            users: pick(rng_, USERS),
        };
        let summary = format!("{task} for {} in {team}, used by {}.", words.subject, words.users);
        let project = Project {
            id,
            problem_statement: text(fill_design, "problem_statement", words.fill(rng_, PROBLEMS)),
            success_metric: text(fill_design, "success_metric", words.fill(rng_, METRICS)),
            success_target: text(fill_design, "success_target", words.fill(rng_, TARGETS)),
            baseline_metric: text(fill_build, "baseline_metric", words.fill(rng_, BASELINES)),
            baseline_method: text(fill_build, "baseline_method", words.fill(rng_, BASELINE_METHODS)),
            data_readiness: text(fill_build, "data_readiness", words.fill(rng_, READINESS)),
            fallback_plan: text(fill_deploy, "fallback_plan", words.fill(rng_, FALLBACKS)),
            monitoring_owner: text(
                fill_deploy,
                "monitoring_owner",
                format!("{} ({team} on-call)", person(rng_)),
            ),
            name,
            team,
            summary,
            risk_tier: shape.tier,
            stage: shape.stage,
            status: shape.status,
            stage_entered_at: created_at,
            created_by: creator,
            updated_by: creator,
            created_at,
            updated_at: created_at,
        };
        let created = Event {
            at: created_at,
            actor: Some(creator),
            entity_type: "project",
            entity_id: id,
            action: "created",
            changes: added(&[
                ("name", json!(project.name)),
                ("team", json!(team)),
                ("summary", json!(project.summary)),
                ("risk_tier", json!(tier_word(shape.tier))),
                ("status", json!("active")),
                ("stage", json!("define")),
                ("owner.define", json!(g.account(creator).display_name)),
            ]),
        };
        Self {
            g,
            rng,
            first_entry: [Some(shape.age), None, None, None],
            shape,
            words,
            project,
            touched: Latest(created_at, creator),
            owners: vec![Owner {
                stage: 0,
                owner: creator,
                assigned_by: creator,
                assigned_at: created_at,
            }],
            handoffs: vec![Handoff {
                stage: 0,
                from: None,
                to: creator,
                by: creator,
                at: created_at,
            }],
            moves: Vec::new(),
            demos: Vec::new(),
            evidence: Vec::new(),
            signoffs: Vec::new(),
            reviews: Vec::new(),
            overrides: Vec::new(),
            events: vec![created],
        }
    }

    pub(super) fn event(&mut self, at: NaiveDateTime, by: usize, action: &'static str, changes: Value) {
        self.events
            .push(record_event(self.project.id, at, by, action, changes));
    }

    /// Each move along the path, by the owner of the stage left (an admin for an override),
    /// and an owner for each stage entered the first time.
    pub(super) fn move_through_stages(&mut self) {
        let g = self.g;
        let admin = g.people.admins[0];
        let overridden = self.shape.gap.filter(|gap| gap.overridden);
        for j in 0..self.shape.path.len() - 1 {
            let (from, to) = (self.shape.path[j], self.shape.path[j + 1]);
            let ago = self.shape.move_agos[j];
            let at = g.at(&mut self.rng, ago);
            let final_move = j + 2 == self.shape.path.len();
            let current_owner = self.owners.iter().find(|o| o.stage == from).map(|o| o.owner);
            let overriding = overridden.filter(|_| final_move);
            let by = match overriding {
                Some(_) => admin,
                None => current_owner.map_or(admin, |o| g.or_admin(o, at)),
            };
            let note = if to < from {
                pick(&mut self.rng, PIVOT_NOTES)
            } else {
                ""
            };
            let mut changes = json!({ "stage": { "before": stage_word(from), "after": stage_word(to) } });
            if !note.is_empty() {
                changes["note"] = json!({ "before": null, "after": note });
            }
            if let Some(gap) = overriding {
                let justification = pick(&mut self.rng, JUSTIFICATIONS);
                let missing = vec![gap.item.describe()];
                changes["override"] = json!({ "before": null, "after": justification });
                changes["missing"] = json!({ "before": null, "after": missing.join("; ") });
                self.overrides.push(Override {
                    stage: to,
                    missing,
                    justification,
                    by,
                    at,
                });
            }
            self.moves.push(Move {
                from,
                to,
                note,
                by,
                at,
            });
            self.event(at, by, "stage_moved", changes);
            self.touched.touch(at, by);
            if self.first_entry[to].is_some() {
                continue;
            }
            self.first_entry[to] = Some(ago);
            // A few current stages were never given an owner.
            if final_move && self.rng.gen_bool(0.035) {
                continue;
            }
            let previous = current_owner.filter(|o| g.account(*o).active_at(at));
            let owner = match previous {
                Some(o) if self.rng.gen_bool(0.55) => o,
                _ => g.active_editor(&mut self.rng, at),
            };
            self.owners.push(Owner {
                stage: to,
                owner,
                assigned_by: by,
                assigned_at: at,
            });
            self.handoffs.push(Handoff {
                stage: to,
                from: None,
                to: owner,
                by,
                at,
            });
        }
        self.project.stage_entered_at = self.moves.last().map_or(self.project.created_at, |m| m.at);
    }

    /// Handoffs after assignment, and some leavers' stages handed on after they left (the
    /// others stay with the leaver, and the project is ownerless).
    pub(super) fn hand_off(&mut self) {
        let g = self.g;
        let rng = &mut self.rng;
        for i in 0..self.owners.len() {
            let o = self.owners[i].clone();
            let assigned_ago = g.days_ago(o.assigned_at);
            let mut when = None;
            if assigned_ago >= 3 && rng.gen_bool(0.12) {
                let ago = rng.gen_range(1..assigned_ago);
                when = Some(g.at(rng, ago));
            }
            if let Some(gone) = g.account(o.owner).deactivated_at {
                if gone > o.assigned_at && rng.gen_bool(0.4) {
                    let after = g.days_ago(gone).saturating_sub(rng.gen_range(1..=20)).max(1);
                    let at = g.at(rng, after);
                    if at > gone {
                        when = Some(at);
                    }
                }
            }
            let Some(at) = when.filter(|at| *at > o.assigned_at) else {
                continue;
            };
            let to = g.active_editor(rng, at);
            if to == o.owner {
                continue;
            }
            let by = g.or_admin(o.owner, at);
            self.handoffs.push(Handoff {
                stage: o.stage,
                from: Some(o.owner),
                to,
                by,
                at,
            });
            let changes = json!({ format!("owner.{}", stage_word(o.stage)): {
                "before": g.account(o.owner).display_name,
                "after": g.account(to).display_name,
            } });
            self.events
                .push(record_event(self.project.id, at, by, "owner_assigned", changes));
            self.touched.touch(at, by);
            self.owners[i] = Owner {
                stage: o.stage,
                owner: to,
                assigned_by: by,
                assigned_at: at,
            };
        }
    }

    /// The owner of the current stage, or the creator when it has none.
    pub(super) fn lead(&self) -> usize {
        self.owners
            .iter()
            .find(|o| o.stage == self.shape.stage)
            .map_or(self.project.created_by, |o| o.owner)
    }

    /// Audit events for the records (the latest of each kind, and every withdrawal), the
    /// status change of projects no longer active, and `updated_at`.
    pub(super) fn finish(mut self) -> Bundle {
        let g = self.g;
        let mut record_events = Vec::new();
        if let Some(d) = self.demos.last() {
            let changes = added(&[
                ("held_on", json!(d.held_on)),
                ("summary", json!(d.summary)),
                ("outcome", json!(d.outcome)),
            ]);
            record_events.push((d.created_at, d.author, "demo_added", changes));
        }
        if let Some(e) = self.evidence.first() {
            let changes = added(&[
                ("kind", json!(e.kind)),
                ("title", json!(e.title)),
                ("participants", json!(e.participants)),
                ("held_on", json!(e.held_on)),
            ]);
            record_events.push((e.created_at, e.author, "evidence_added", changes));
        }
        if let Some(s) = self.signoffs.last() {
            let changes = added(&[
                ("method", json!(s.method)),
                ("decision", json!(s.decision)),
                ("decided_on", json!(s.decided_on)),
            ]);
            record_events.push((s.created_at, s.approver, "signoff_added", changes));
        }
        if let Some(r) = self.reviews.last() {
            let changes = added(&[
                ("risk_tier", json!(tier_word(r.tier))),
                ("decision", json!(r.decision)),
                ("reviewed_on", json!(r.reviewed_on)),
                ("next_review_on", json!(r.next_review_on)),
            ]);
            record_events.push((r.created_at, r.reviewer, "review_added", changes));
        }
        let withdrawals = (self.demos.iter())
            .filter_map(|d| d.withdrawn.map(|w| ("demo checkpoint", d.id, w)))
            .chain(
                (self.evidence.iter())
                    .filter_map(|e| e.withdrawn.map(|w| ("user-research evidence", e.id, w))),
            )
            .chain(
                (self.signoffs.iter())
                    .filter_map(|s| s.withdrawn.map(|w| ("explainability sign-off", s.id, w))),
            )
            .chain((self.reviews.iter()).filter_map(|r| r.withdrawn.map(|w| ("model-risk review", r.id, w))));
        for (kind, record, w) in withdrawals {
            let changes = json!({
                "record": { "before": null, "after": format!("{kind} {record}") },
                "reason": { "before": null, "after": w.reason },
            });
            record_events.push((w.at, w.by, "record_withdrawn", changes));
        }
        for (at, by, action, changes) in record_events {
            self.event(at, by, action, changes);
        }
        let record_times = (self.demos.iter().map(|d| (d.created_at, d.author)))
            .chain(self.evidence.iter().map(|e| (e.created_at, e.author)))
            .chain(self.signoffs.iter().map(|s| (s.created_at, s.approver)))
            .chain(self.reviews.iter().map(|r| (r.created_at, r.reviewer)))
            .chain(self.events.iter().filter_map(|e| e.actor.map(|a| (e.at, a))));
        for (at, by) in record_times.collect::<Vec<_>>() {
            self.touched.touch(at, by);
        }

        // Paused, cancelled and retired projects stopped a while after their last activity.
        let status = self.shape.status;
        if status != "active" {
            let quiet_since = g.days_ago(self.touched.0);
            let ago = quiet_since.saturating_sub(self.rng.gen_range(3..=30)).max(1);
            let at = g.at(&mut self.rng, ago).max(self.touched.0 + TimeDelta::hours(1));
            let by = g.or_admin(self.lead(), at);
            let changes = json!({ "status": { "before": "active", "after": status } });
            self.events.push(Event {
                at,
                actor: Some(by),
                entity_type: "project",
                entity_id: self.project.id,
                action: "updated",
                changes,
            });
            self.touched.touch(at, by);
        }
        let Latest(updated_at, updated_by) = self.touched;
        self.project.updated_at = updated_at;
        self.project.updated_by = updated_by;
        Bundle {
            project: self.project,
            owners: self.owners,
            handoffs: self.handoffs,
            moves: self.moves,
            demos: self.demos,
            evidence: self.evidence,
            signoffs: self.signoffs,
            reviews: self.reviews,
            overrides: self.overrides,
            events: self.events,
        }
    }
}

/// The latest change to a project and who made it (its `updated_at` / `updated_by`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Latest(NaiveDateTime, usize);

impl Latest {
    pub(super) fn touch(&mut self, at: NaiveDateTime, by: usize) {
        if at > self.0 {
            *self = Latest(at, by);
        }
    }
}

/// The stages a project went through, in order, ending at `stage`; 5% pivoted back once.
pub(super) fn stage_path(rng: &mut ChaCha8Rng, stage: usize) -> Vec<usize> {
    let mut path: Vec<usize> = (0..=stage).collect();
    if rng.gen_bool(0.05) {
        if stage >= 2 && (stage == 3 || rng.gen_bool(0.5)) {
            // Reached k, went back to k-1 with a note, then forward again.
            let k = rng.gen_range(1..stage);
            path = (0..=k).chain([k - 1]).chain(k..=stage).collect();
        } else {
            // Tried the next stage and came back.
            path.extend([stage + 1, stage]);
        }
    }
    path
}

/// A moment on the day `days_ago` before `today`, in working hours.
pub(super) fn moment(rng: &mut ChaCha8Rng, today: NaiveDate, days_ago: u64) -> NaiveDateTime {
    let day = today - Days::new(days_ago);
    day.and_time(NaiveTime::MIN) + TimeDelta::seconds(rng.gen_range(8 * 3600..18 * 3600))
}

pub(super) fn unique_name(names: &mut Names, subject: &str, task: &str, codename: &str) -> String {
    let base = format!("{subject} {task}");
    if let Some(name) = names.claim(base.clone()) {
        return name;
    }
    let coded = format!("{base} {codename}");
    if let Some(name) = names.claim(coded.clone()) {
        return name;
    }
    (2..)
        .find_map(|n| names.claim(format!("{coded} {n}")))
        .unwrap_or(coded)
}

/// Fills a template's `{s}` (subject), `{t}` (team), `{u}` (users) and `{n}` (a number).
pub(super) fn fill(template: &str, subject: &str, team: &str, users: &str, rng: &mut ChaCha8Rng) -> String {
    template
        .replace("{s}", subject)
        .replace("{t}", team)
        .replace("{u}", users)
        .replace("{n}", &rng.gen_range(3..=40).to_string())
}

pub(super) fn link(rng: &mut ChaCha8Rng, kind: &str) -> String {
    if rng.gen_bool(0.4) {
        format!("https://wiki.{EMAIL_DOMAIN}/{kind}/{:08x}", rng.gen::<u32>())
    } else {
        String::new()
    }
}

pub(super) fn added(fields: &[(&str, Value)]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!({ "before": null, "after": v })))
            .collect(),
    )
}

pub(super) fn record_event(
    project: Uuid,
    at: NaiveDateTime,
    actor: usize,
    action: &'static str,
    changes: Value,
) -> Event {
    Event {
        at,
        actor: Some(actor),
        entity_type: "project",
        entity_id: project,
        action,
        changes,
    }
}

// ---------------------------------------------------------------------------------------------
// COPY text format.
