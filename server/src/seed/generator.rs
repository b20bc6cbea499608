//! The generator: who works here, and each project's shape (stage reached, age, activity).

use super::*;

/// The portfolio for one seed: accounts up front, projects one at a time by index.
#[derive(Debug)]
pub struct Generator {
    pub(super) seed: u64,
    pub(super) projects: usize,
    pub(super) today: NaiveDate,
    pub people: People,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Activity {
    /// Demo within the cadence.
    Healthy,
    /// Demo overdue, not yet stalled.
    Lagging,
    /// No stage change or demo for over the stall threshold.
    Stalled,
    /// Paused, cancelled or retired: activity stopped a while ago.
    Dormant,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum GapKind {
    Field(&'static str),
    Research,
    Demo,
    Signoff,
    Review,
}

/// A gate of the current stage left unmet on purpose: overridden by an admin, or its evidence
/// withdrawn (or a field emptied) after the move.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gap {
    pub(super) kind: GapKind,
    pub(super) item: GateItem,
    pub(super) overridden: bool,
}

pub(super) fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

pub(super) fn new_id(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

pub(super) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// An index drawn with the given weights.
pub(super) fn weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let mut roll = rng.gen_range(0..weights.iter().sum::<u32>());
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

pub(super) fn person(rng: &mut ChaCha8Rng) -> String {
    format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES))
}

impl Generator {
    pub fn new(seed: u64, projects: usize, today: NaiveDate) -> Self {
        let people = Self::people(seed, projects, today);
        Self {
            seed,
            projects,
            today,
            people,
        }
    }

    pub(super) fn people(seed: u64, projects: usize, today: NaiveDate) -> People {
        let mut rng = stream(seed, 0);
        let editors = (projects / 25).max(5);
        let reviewers = (projects / 100).max(3);
        let viewers = 3 + projects / 5_000;
        let leavers: HashSet<usize> = rand::seq::index::sample(&mut rng, editors, (editors / 20).max(1))
            .into_iter()
            .collect();
        let mut people = People {
            accounts: Vec::with_capacity(2 + editors + reviewers + viewers),
            admins: Vec::new(),
            editors: Vec::new(),
            stayers: Vec::new(),
            reviewers: Vec::new(),
            viewers,
        };
        let roles = [
            (Role::Admin, 2, 2),
            (Role::Editor, editors, 4),
            (Role::Reviewer, reviewers, 4),
            (Role::Viewer, viewers, 4),
        ];
        for (role, count, width) in roles {
            for n in 0..count {
                let joined = HISTORY_DAYS + rng.gen_range(30..400);
                let created_at = moment(&mut rng, today, joined);
                let leaver = role == Role::Editor && leavers.contains(&n);
                let deactivated_at = if leaver {
                    let gone_ago = rng.gen_range(5..=540);
                    Some(moment(&mut rng, today, gone_ago))
                } else {
                    None
                };
                let index = people.accounts.len();
                people.accounts.push(Account {
                    id: new_id(&mut rng),
                    email: format!("{}{:0width$}@{EMAIL_DOMAIN}", role.as_str(), n + 1),
                    display_name: person(&mut rng),
                    role,
                    created_at,
                    deactivated_at,
                });
                match role {
                    Role::Admin => people.admins.push(index),
                    Role::Editor => {
                        people.editors.push(index);
                        if !leaver {
                            people.stayers.push(index);
                        }
                    }
                    Role::Reviewer => people.reviewers.push(index),
                    Role::Viewer => {}
                }
            }
        }
        people
    }

    pub(super) fn account(&self, index: usize) -> &Account {
        &self.people.accounts[index]
    }

    /// An editor who is still active at `at`.
    pub(super) fn active_editor(&self, rng: &mut ChaCha8Rng, at: NaiveDateTime) -> usize {
        let editor = pick(rng, &self.people.editors);
        if self.account(editor).active_at(at) {
            editor
        } else {
            pick(rng, &self.people.stayers)
        }
    }

    /// `preferred` if still active at `at`, else the first admin (who tidies up after leavers).
    pub(super) fn or_admin(&self, preferred: usize, at: NaiveDateTime) -> usize {
        if self.account(preferred).active_at(at) {
            preferred
        } else {
            self.people.admins[0]
        }
    }

    pub(super) fn at(&self, rng: &mut ChaCha8Rng, days_ago: u64) -> NaiveDateTime {
        moment(rng, self.today, days_ago)
    }

    pub(super) fn days_ago(&self, at: NaiveDateTime) -> u64 {
        (self.today - at.date()).num_days().max(0) as u64
    }

    /// Project `index` (0-based). Projects must be generated in index order for unique names.
    pub fn project(&self, index: usize, names: &mut Names) -> Bundle {
        let mut rng = stream(self.seed, index as u64 + 1);
        let id = new_id(&mut rng);
        let shape = Shape::draw(&mut rng);
        let mut draft = Draft::start(self, rng, id, shape, names);
        draft.move_through_stages();
        draft.hand_off();
        draft.add_research();
        draft.add_demos();
        draft.add_signoffs_and_reviews();
        draft.finish()
    }

    pub(super) fn withdrawal(&self, rng: &mut ChaCha8Rng, created: NaiveDateTime, by: usize) -> Withdrawal {
        let latest = self.today.and_time(NaiveTime::MIN) - TimeDelta::hours(1);
        let at = (created + TimeDelta::hours(rng.gen_range(1..=96))).min(latest);
        Withdrawal {
            at: at.max(created + TimeDelta::minutes(1)),
            by: self.or_admin(by, at),
            reason: pick(rng, WITHDRAW_REASONS),
        }
    }
}

/// What a project is like — where it is, how it got there, how lively it is — drawn first;
/// its records follow from it.
#[derive(Debug)]
pub(super) struct Shape {
    pub(super) stage: usize,
    pub(super) status: &'static str,
    pub(super) tier: usize,
    pub(super) activity: Activity,
    /// The stages in the order they were entered, from `define` to `stage`.
    pub(super) path: Vec<usize>,
    /// The furthest stage it has been in.
    pub(super) reached: usize,
    pub(super) gap: Option<Gap>,
    /// Days since it was created.
    pub(super) age: u64,
    /// Days ago of each move along `path`.
    pub(super) move_agos: Vec<u64>,
}

impl Shape {
    pub(super) fn draw(rng: &mut ChaCha8Rng) -> Self {
        let stage = weighted(rng, &[35, 28, 22, 15]);
        let mut status = ["active", "paused", "cancelled", "retired"][weighted(rng, &[80, 8, 7, 5])];
        if status == "retired" && stage != 3 {
            status = "cancelled";
        }
        let tier = weighted(rng, &[40, 40, 20]);
        let activity = if status == "active" {
            [Activity::Healthy, Activity::Lagging, Activity::Stalled][weighted(rng, &[64, 22, 14])]
        } else {
            Activity::Dormant
        };
        let quiet = matches!(activity, Activity::Stalled | Activity::Dormant);
        let path = stage_path(rng, stage);
        let moves_n = path.len() as u64 - 1;
        let reached = path.iter().copied().max().unwrap_or(0);
        let last_move_forward = path.len() >= 2 && path[path.len() - 2] < path[path.len() - 1];
        let gap = (stage >= 1 && rng.gen_bool(0.06)).then(|| {
            let (kind, item) = pick(rng, GAPS[stage - 1]);
            Gap {
                kind,
                item,
                overridden: last_move_forward && rng.gen_bool(0.6),
            }
        });

        // Created `age` days ago, the last move `last_ago` days ago, the others spread between
        // (at least ten days apart). Quiet projects have not moved for over the stall threshold.
        let age = rng.gen_range(20 * moves_n + if quiet { 70 } else { 3 }..=HISTORY_DAYS);
        let last_ago = if moves_n == 0 {
            age
        } else if quiet {
            rng.gen_range(63..=age - 20 * moves_n)
        } else {
            rng.gen_range(1..=age - 20 * moves_n)
        };
        let span = age - last_ago;
        let mut move_agos = Vec::with_capacity(moves_n as usize);
        for j in 1..=moves_n {
            let ago = if j == moves_n {
                last_ago
            } else {
                let even = age - span * j / moves_n;
                let jitter = span / (4 * moves_n);
                rng.gen_range(even - jitter..=even + jitter)
            };
            move_agos.push(ago);
        }
        Self {
            stage,
            status,
            tier,
            activity,
            path,
            reached,
            gap,
            age,
            move_agos,
        }
    }

    /// Whether the current stage's gate is left unmet in this way.
    pub(super) fn gap_is(&self, kind: GapKind) -> bool {
        self.gap.is_some_and(|g| g.kind == kind)
    }

    /// Whether it is, and an admin pushed the move through anyway (the record never existed).
    pub(super) fn gap_overridden(&self, kind: GapKind) -> bool {
        self.gap.is_some_and(|g| g.kind == kind && g.overridden)
    }
}

/// What a project's texts are about.
pub(super) struct Words {
    pub(super) subject: String,
    pub(super) team: &'static str,
    pub(super) users: &'static str,
}

impl Words {
    pub(super) fn fill(&self, rng: &mut ChaCha8Rng, templates: &[&str]) -> String {
        let template = pick(rng, templates);
        fill(template, &self.subject, self.team, self.users, rng)
    }
}
