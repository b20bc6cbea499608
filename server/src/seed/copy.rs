//! Bulk loading: the drafted rows as `COPY` text per table.

use super::*;

#[derive(Debug)]
pub(super) struct Table {
    pub(super) name: &'static str,
    pub(super) columns: &'static str,
    pub(super) buf: String,
    pub(super) rows: u64,
}

impl Table {
    pub(super) fn new(name: &'static str, columns: &'static str) -> Self {
        Self {
            name,
            columns,
            buf: String::new(),
            rows: 0,
        }
    }

    pub(super) fn row(&mut self) -> Row<'_> {
        self.rows += 1;
        Row {
            out: &mut self.buf,
            started: false,
        }
    }
}

/// One line of COPY text: tab-separated fields, `\N` for null, backslash escapes.
pub(super) struct Row<'a> {
    pub(super) out: &'a mut String,
    pub(super) started: bool,
}

impl Row<'_> {
    pub(super) fn sep(&mut self) {
        if self.started {
            self.out.push('\t');
        }
        self.started = true;
    }

    pub(super) fn text(&mut self, value: &str) -> &mut Self {
        self.sep();
        for c in value.chars() {
            match c {
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c => self.out.push(c),
            }
        }
        self
    }

    /// A value whose text form needs no escaping (numbers, ids, dates, enum labels).
    pub(super) fn plain(&mut self, value: impl std::fmt::Display) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{value}");
        self
    }

    pub(super) fn null(&mut self) -> &mut Self {
        self.sep();
        self.out.push_str("\\N");
        self
    }

    pub(super) fn maybe(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(v) => self.plain(v),
            None => self.null(),
        }
    }

    pub(super) fn ts(&mut self, at: NaiveDateTime) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{at}+00");
        self
    }

    pub(super) fn maybe_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub(super) fn maybe_ts(&mut self, at: Option<NaiveDateTime>) -> &mut Self {
        match at {
            Some(at) => self.ts(at),
            None => self.null(),
        }
    }

    pub(super) fn withdrawal(&mut self, w: Option<Withdrawal>, ids: impl Fn(usize) -> Uuid) -> &mut Self {
        self.maybe_ts(w.map(|w| w.at))
            .maybe(w.map(|w| ids(w.by)))
            .text(w.map_or("", |w| w.reason))
    }

    pub(super) fn end(&mut self) {
        self.out.push('\n');
    }
}

/// One chunk of rows, per table, in the order they must be copied (parents first).
#[derive(Debug)]
pub(super) struct Tables {
    pub(super) accounts: Table,
    pub(super) projects: Table,
    pub(super) stage_owners: Table,
    pub(super) ownership_changes: Table,
    pub(super) stage_moves: Table,
    /// Pivots, as the material changes the health rules read.
    pub(super) material: Table,
    pub(super) demos: Table,
    pub(super) evidence: Table,
    pub(super) signoffs: Table,
    pub(super) reviews: Table,
    pub(super) overrides: Table,
    /// The projects' earlier versions.
    pub(super) history: Table,
    pub(super) audit: Table,
    /// Order of audit events that share a moment.
    pub(super) next_seq: u64,
    /// The seed transaction's id: it opened every project's current version.
    pub(super) xact: String,
}

impl Default for Tables {
    fn default() -> Self {
        Self {
            accounts: Table::new(
                "accounts",
                "id, email, display_name, role, password_hash, active, deactivated_at, created_at, updated_at",
            ),
            projects: Table::new(
                "projects",
                "id, name, team, summary, problem_statement, success_metric, success_target, \
                 baseline_metric, baseline_method, data_readiness, fallback_plan, monitoring_owner, \
                 risk_tier, stage, status, stage_entered_at, version, created_by, updated_by, \
                 created_at, updated_at, signals_from, signals_xact",
            ),
            stage_owners: Table::new(
                "stage_owners",
                "project_id, stage, owner_id, assigned_by, assigned_at, created_at, updated_at",
            ),
            ownership_changes: Table::new(
                "ownership_changes",
                "project_id, stage, from_owner_id, to_owner_id, changed_by, changed_at, created_at, updated_at",
            ),
            stage_moves: Table::new(
                "stage_moves",
                "project_id, from_stage, to_stage, note, moved_by, moved_at, created_at, updated_at",
            ),
            demos: Table::new(
                "demo_checkpoints",
                "id, project_id, held_on, summary, attendees, outcome, link, author_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            evidence: Table::new(
                "research_evidence",
                "id, project_id, kind, title, findings, participants, held_on, link, author_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            signoffs: Table::new(
                "explainability_signoffs",
                "id, project_id, method, summary, decision, decided_on, approver_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            reviews: Table::new(
                "risk_reviews",
                "id, project_id, risk_tier, findings, decision, reviewed_on, next_review_on, reviewer_id, \
                 withdrawn_at, withdrawn_by, withdraw_reason, created_at, updated_at",
            ),
            material: Table::new(
                "material_changes",
                "project_id, changed_at, changed_by, kind, stage, before, after",
            ),
            overrides: Table::new(
                "gate_overrides",
                "project_id, stage, missing, justification, overridden_by, overridden_at, created_at, updated_at",
            ),
            history: Table::new(
                "project_signals_history",
                "project_id, valid_from, valid_to, stage, status, team, risk_tier, owner_id, \
                 stage_entered_at, ownerless_on, stalled_on, demo_overdue_on, review_overdue_on, \
                 gate_gap_on, red_on, flagged_on, ownerless_reason, gate_gap_reason, progress_on, \
                 last_demo_on, review_due_on",
            ),
            audit: Table::new(
                "seed_audit",
                "seq, occurred_at, actor_id, entity_type, entity_id, action, changes",
            ),
            next_seq: 0,
            xact: String::new(),
        }
    }
}

impl Tables {
    pub(super) fn all(&self) -> [&Table; 13] {
        [
            &self.accounts,
            &self.projects,
            &self.stage_owners,
            &self.ownership_changes,
            &self.stage_moves,
            &self.material,
            &self.demos,
            &self.evidence,
            &self.signoffs,
            &self.reviews,
            &self.overrides,
            &self.history,
            &self.audit,
        ]
    }

    pub(super) fn event(&mut self, e: &Event, ids: impl Fn(usize) -> Uuid) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.audit
            .row()
            .plain(seq)
            .ts(e.at)
            .maybe(e.actor.map(&ids))
            .text(e.entity_type)
            .plain(e.entity_id)
            .text(e.action)
            .text(&e.changes.to_string())
            .end();
    }

    pub(super) fn accounts(&mut self, people: &People, password_hash: &str) {
        let ids = |i: usize| people.accounts[i].id;
        let admin = people.admins[0];
        for (i, a) in people.accounts.iter().enumerate() {
            let updated = a.deactivated_at.unwrap_or(a.created_at);
            self.accounts
                .row()
                .plain(a.id)
                .text(&a.email)
                .text(&a.display_name)
                .plain(a.role.as_str())
                .text(password_hash)
                .plain(if a.deactivated_at.is_some() { "f" } else { "t" })
                .maybe_ts(a.deactivated_at)
                .ts(a.created_at)
                .ts(updated)
                .end();
            let created = Event {
                at: a.created_at,
                actor: (i != admin).then_some(admin),
                entity_type: "account",
                entity_id: a.id,
                action: "created",
                changes: added(&[
                    ("email", json!(a.email)),
                    ("display_name", json!(a.display_name)),
                    ("role", json!(a.role.as_str())),
                    ("active", json!(true)),
                ]),
            };
            self.event(&created, ids);
            if let Some(gone) = a.deactivated_at {
                let left = Event {
                    at: gone,
                    actor: Some(admin),
                    entity_type: "account",
                    entity_id: a.id,
                    action: "deactivated",
                    changes: json!({ "active": { "before": true, "after": false } }),
                };
                self.event(&left, ids);
            }
        }
    }

    /// The rows of `b`, its state's `versions` among them.
    pub(super) fn bundle(&mut self, b: &Bundle, people: &People, versions: &[Version]) {
        let ids = |i: usize| people.accounts[i].id;
        let p = &b.project;
        let current_since = versions.last().map_or(p.created_at, |v| v.valid_from);
        self.projects
            .row()
            .plain(p.id)
            .text(&p.name)
            .text(p.team)
            .text(&p.summary)
            .text(&p.problem_statement)
            .text(&p.success_metric)
            .text(&p.success_target)
            .text(&p.baseline_metric)
            .text(&p.baseline_method)
            .text(&p.data_readiness)
            .text(&p.fallback_plan)
            .text(&p.monitoring_owner)
            .plain(tier_word(p.risk_tier))
            .plain(stage_word(p.stage))
            .plain(p.status)
            .ts(p.stage_entered_at)
            .plain(1)
            .plain(ids(p.created_by))
            .plain(ids(p.updated_by))
            .ts(p.created_at)
            .ts(p.updated_at)
            .ts(current_since)
            .plain(&self.xact)
            .end();
        for o in &b.owners {
            self.stage_owners
                .row()
                .plain(p.id)
                .plain(stage_word(o.stage))
                .plain(ids(o.owner))
                .plain(ids(o.assigned_by))
                .ts(o.assigned_at)
                .ts(o.assigned_at)
                .ts(o.assigned_at)
                .end();
        }
        for h in &b.handoffs {
            self.ownership_changes
                .row()
                .plain(p.id)
                .plain(stage_word(h.stage))
                .maybe(h.from.map(ids))
                .plain(ids(h.to))
                .plain(ids(h.by))
                .ts(h.at)
                .ts(h.at)
                .ts(h.at)
                .end();
        }
        for m in &b.moves {
            self.stage_moves
                .row()
                .plain(p.id)
                .plain(stage_word(m.from))
                .plain(stage_word(m.to))
                .text(m.note)
                .plain(ids(m.by))
                .ts(m.at)
                .ts(m.at)
                .ts(m.at)
                .end();
            if app::projects::material::is_pivot(Stage::ALL[m.from], Stage::ALL[m.to]) {
                self.material
                    .row()
                    .plain(p.id)
                    .ts(m.at)
                    .plain(ids(m.by))
                    .plain("pivot")
                    .plain(stage_word(m.from))
                    .plain(stage_word(m.from))
                    .plain(stage_word(m.to))
                    .end();
            }
        }
        for d in &b.demos {
            self.demos
                .row()
                .plain(d.id)
                .plain(p.id)
                .plain(d.held_on)
                .text(&d.summary)
                .text(&d.attendees)
                .plain(d.outcome)
                .text(&d.link)
                .plain(ids(d.author))
                .withdrawal(d.withdrawn, ids)
                .ts(d.created_at)
                .ts(d.withdrawn.map_or(d.created_at, |w| w.at))
                .end();
        }
        for e in &b.evidence {
            self.evidence
                .row()
                .plain(e.id)
                .plain(p.id)
                .plain(e.kind)
                .text(&e.title)
                .text(&e.findings)
                .plain(e.participants)
                .plain(e.held_on)
                .text(&e.link)
                .plain(ids(e.author))
                .withdrawal(e.withdrawn, ids)
                .ts(e.created_at)
                .ts(e.withdrawn.map_or(e.created_at, |w| w.at))
                .end();
        }
        for s in &b.signoffs {
            self.signoffs
                .row()
                .plain(s.id)
                .plain(p.id)
                .text(s.method)
                .text(&s.summary)
                .plain(s.decision)
                .plain(s.decided_on)
                .plain(ids(s.approver))
                .withdrawal(s.withdrawn, ids)
                .ts(s.created_at)
                .ts(s.withdrawn.map_or(s.created_at, |w| w.at))
                .end();
        }
        for r in &b.reviews {
            self.reviews
                .row()
                .plain(r.id)
                .plain(p.id)
                .plain(tier_word(r.tier))
                .text(&r.findings)
                .plain(r.decision)
                .plain(r.reviewed_on)
                .plain(r.next_review_on)
                .plain(ids(r.reviewer))
                .withdrawal(r.withdrawn, ids)
                .ts(r.created_at)
                .ts(r.withdrawn.map_or(r.created_at, |w| w.at))
                .end();
        }
        for o in &b.overrides {
            let missing: Vec<String> = o
                .missing
                .iter()
                .map(|m| format!("\"{}\"", m.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            self.overrides
                .row()
                .plain(p.id)
                .plain(stage_word(o.stage))
                .text(&format!("{{{}}}", missing.join(",")))
                .text(o.justification)
                .plain(ids(o.by))
                .ts(o.at)
                .ts(o.at)
                .ts(o.at)
                .end();
        }
        for e in &b.events {
            self.event(e, ids);
        }
        self.history(b, people, versions);
    }

    /// Every one of `b`'s `versions` but the current one (the project row's), each with its
    /// signals as the app's `store` writes them.
    pub(super) fn history(&mut self, b: &Bundle, people: &People, versions: &[Version]) {
        let ids = |i: usize| people.accounts[i].id;
        let p = &b.project;
        for version in versions {
            let Some(valid_to) = version.valid_to else {
                continue;
            };
            let state = &version.state;
            let s = &state.signals;
            self.history
                .row()
                .plain(p.id)
                .ts(version.valid_from)
                .ts(valid_to)
                .plain(state.stage)
                .plain(state.status)
                .text(p.team)
                .plain(tier_word(p.risk_tier))
                .maybe(state.owner.map(ids))
                .ts(state.stage_entered_at)
                .maybe(s.ownerless_on)
                .maybe(s.stalled_on)
                .maybe(s.demo_overdue_on)
                .maybe(s.review_overdue_on)
                .maybe(s.gate_gap_on)
                .maybe(s.onset_of(Severity::Red))
                .maybe(s.onset_of(Severity::Amber))
                .maybe_text(s.ownerless_reason.as_deref())
                .maybe_text(s.gate_gap_reason.as_deref())
                .plain(s.progress_on)
                .maybe(s.last_demo_on)
                .maybe(s.review_due_on)
                .end();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists.
