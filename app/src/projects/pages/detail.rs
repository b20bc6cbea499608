//! One project: stage stepper with its gate, stage moves, owners per stage, details, timeline.

use super::timeline::{Handoffs, Timeline};
use super::{load_failed, load_project, project_id_param, StageBadge, StatusBadge};
use crate::auth::{CurrentUser, Role};
use crate::auth::{Permission, Protected};
use crate::error::AppError;
use crate::projects::gate::{gate_items, is_met, RecordFacts};
use crate::projects::input::field_label;
use crate::projects::stage::Stage;
use crate::projects::{
    owner_candidates, AssignOwner, MoveStage, OwnerChoices, Person, Project, ProjectDetail,
};
use crate::records::pages::{RecordActions, Records};
use crate::requests::{reviewer_candidates, RequestReview, ReviewRequests, WithdrawRequest};
use crate::ui::{action_error, field_message, Alert, FieldErrorText, FormAlert, Loading, LocalTime};
use leptos::prelude::*;
use leptos_meta::Title;

/// Counts successful runs of an action, so a page reloads its data only after a change
/// landed (a refused one keeps what the person typed).
pub(crate) fn successes<S>(action: ServerAction<S>) -> Memo<usize>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            count.update(|c| *c += 1);
        }
    });
    Memo::new(move |_| count.get())
}

/// The page's actions and the data they reload.
#[derive(Clone, Copy)]
struct PageData {
    move_stage: ServerAction<MoveStage>,
    assign: ServerAction<AssignOwner>,
    record_actions: RecordActions,
    ask: ServerAction<RequestReview>,
    withdraw_request: ServerAction<WithdrawRequest>,
    project: Resource<Result<ProjectDetail, AppError>>,
    /// Who may own a stage or be asked for a review: for people who can use the menus (for
    /// anyone else the server refuses, and the page carries nobody's name it does not show).
    candidates: Resource<Result<OwnerChoices, AppError>>,
    reviewers: Resource<Result<OwnerChoices, AppError>>,
}

impl PageData {
    fn new() -> Self {
        let id = project_id_param();
        let move_stage = ServerAction::<MoveStage>::new();
        let assign = ServerAction::<AssignOwner>::new();
        let moved = successes(move_stage);
        let assigned = successes(assign);
        let record_actions = RecordActions::new();
        let recorded = record_actions.successes();
        let ask = ServerAction::<RequestReview>::new();
        let withdraw_request = ServerAction::<WithdrawRequest>::new();
        let (asked, withdrawn) = (successes(ask), successes(withdraw_request));
        let project = Resource::new(
            move || {
                (
                    id.get(),
                    moved.get(),
                    assigned.get(),
                    recorded.get(),
                    asked.get(),
                    withdrawn.get(),
                )
            },
            |(id, ..)| load_project(id),
        );
        PageData {
            move_stage,
            assign,
            record_actions,
            ask,
            withdraw_request,
            project,
            candidates: Resource::new(|| (), |_| owner_candidates()),
            reviewers: Resource::new(|| (), |_| reviewer_candidates()),
        }
    }
}

#[component]
pub fn ProjectPage() -> impl IntoView {
    // Created outside `Protected`, which may build its contents more than once on the server:
    // each build would read the project again. (Its server functions authorise on their first
    // line.)
    let data = PageData::new();
    view! {
        <Protected permission=Permission::Read view=move |user| {
            view! { <ProjectView user data /> }
        } />
    }
}

#[component]
fn ProjectView(user: CurrentUser, data: PageData) -> impl IntoView {
    let can_edit = user.role.can(Permission::EditProjects);
    let PageData {
        move_stage,
        assign,
        record_actions,
        ask,
        withdraw_request,
        project,
        candidates,
        reviewers,
    } = data;
    // While the next view loads, the current one stays on screen, dimmed.
    let pending = RwSignal::new(false);
    view! {
        <div class="reloading-area" class:reloading=move || pending.get() aria-busy=move || pending.get().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
            {move || {
                let user = user.clone();
                Suspend::new(async move {
                let candidates = candidates.await.unwrap_or(OwnerChoices::Menu(Vec::new()));
                let reviewers = reviewers.await.unwrap_or(OwnerChoices::Menu(Vec::new()));
                let requests = RequestActions { ask, withdraw: withdraw_request, reviewers };
                match project.await {
                    Ok(detail) => view! {
                        <ProjectBody detail user can_edit candidates move_stage assign record_actions requests />
                    }
                        .into_any(),
                    Err(error) => load_failed(error),
                }
            })}}
        </Transition>
        </div>
    }
}

/// The review-request actions and who may be asked, handed to the page body.
#[derive(Clone)]
struct RequestActions {
    ask: ServerAction<RequestReview>,
    withdraw: ServerAction<WithdrawRequest>,
    reviewers: OwnerChoices,
}

#[component]
fn ProjectBody(
    detail: ProjectDetail,
    user: CurrentUser,
    record_actions: RecordActions,
    can_edit: bool,
    candidates: OwnerChoices,
    move_stage: ServerAction<MoveStage>,
    assign: ServerAction<AssignOwner>,
    requests: RequestActions,
) -> impl IntoView {
    let owner = detail.current_owner().cloned();
    let ProjectDetail {
        today,
        project,
        records,
        record_rows,
        flags,
        owners,
        handoffs,
        timeline,
        requests: open_requests,
    } = detail;
    let RequestActions {
        ask,
        withdraw,
        reviewers,
    } = requests;
    let owner_line = match owner {
        Some(o) if o.owner.active => {
            view! { <span>"Owner: " <strong><bdi>{o.owner.display_name}</bdi></strong></span> }.into_any()
        }
        Some(o) => view! {
            <span class="warning-text">"Owner " <bdi>{o.owner.display_name}</bdi> " is deactivated"</span>
        }
        .into_any(),
        None => view! { <span class="warning-text">"No owner for this stage"</span> }.into_any(),
    };
    view! {
        <Title text=format!("{} · Tollgate", project.name) />
        <section class="page">
            <header class="page-header with-actions">
                <div>
                    <p class="breadcrumb"><a href="/projects">"Projects"</a></p>
                    <h1 data-test="project-name"><bdi>{project.name.clone()}</bdi></h1>
                    <p class="meta-line">
                        <span>{project.team.clone()}</span>
                        <StageBadge stage=project.stage />
                        <StatusBadge status=project.status />
                        <span>"Risk tier: " {project.risk_tier.label()}</span>
                        {owner_line}
                    </p>
                </div>
                {can_edit.then(|| view! {
                    <a class="button" href=format!("/projects/{}/edit", project.id)>"Edit project"</a>
                })}
            </header>
            <Flags flags />
            <StageStepper current=project.stage />
            <div class="columns">
                <div class="column-main">
                    <StagePanel project=project.clone() records can_edit can_override=user.role == Role::Admin
                        move_stage candidates=candidates.clone() owners=owners.clone() />
                    <ReviewRequests project_id=project.id requests=open_requests can_ask=can_edit reviewers ask withdraw />
                    <Records project_id=project.id rows=record_rows user actions=record_actions today />
                    <Details project=project.clone() />
                    <Timeline entries=timeline />
                </div>
                <aside class="column-side">
                    <Owners project=project.clone() owners can_edit candidates assign />
                    <Handoffs handoffs />
                </aside>
            </div>
        </section>
    }
    .into_any()
}

/// The project's health flags, each with its reason and the day it became true.
#[component]
fn Flags(flags: Vec<crate::health::Flag>) -> impl IntoView {
    if flags.is_empty() {
        return view! { <p class="health health-green" data-test="health">"Healthy: no flags."</p> }
            .into_any();
    }
    let items = flags
        .into_iter()
        .map(|flag| {
            let severity = match flag.severity {
                crate::health::Severity::Red => "red",
                crate::health::Severity::Amber => "amber",
            };
            view! {
                <li class=format!("flag flag-{severity}") data-test="flag" data-code=flag.code.as_str()>
                    <span class="flag-name">{flag.code.label()}</span>
                    " — " {flag.reason}
                    <span class="muted small">{format!(" (since {})", flag.since.format("%-d %b %Y"))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="flags" aria-label="Health flags" data-test="health">{items}</ul>
    }
    .into_any()
}

#[component]
fn StageStepper(current: Stage) -> impl IntoView {
    let steps = Stage::ALL
        .iter()
        .map(|stage| {
            let state = if *stage < current {
                "done"
            } else if *stage == current {
                "current"
            } else {
                "todo"
            };
            let suffix = match state {
                "done" => " (done)",
                "current" => " (current stage)",
                _ => "",
            };
            view! {
                <li class=format!("step step-{state}") aria-current=(state == "current").then_some("step")>
                    <span class="step-name">{stage.label()}</span>
                    <span class="visually-hidden">{suffix}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ol class="stepper" aria-label="Stages" data-test="stage-stepper">{steps}</ol> }
}

/// The gate into the next stage as a checklist, and the forms that move the project.
#[component]
fn StagePanel(
    project: Project,
    records: RecordFacts,
    can_edit: bool,
    /// Admins may push a refused move through with a written justification.
    can_override: bool,
    move_stage: ServerAction<MoveStage>,
    /// Who may own a stage (active editors and admins), or a box for an email.
    candidates: OwnerChoices,
    owners: Vec<crate::projects::StageOwner>,
) -> impl IntoView {
    let override_form = {
        let (id, version, next) = (project.id, project.version, project.stage.next());
        move || {
            let refused = match move_stage.value().get() {
                Some(Err(AppError::GateNotMet { .. })) => true,
                Some(Err(error)) => error.fields().is_some_and(|f| f.get("justification").is_some()),
                _ => false,
            };
            let message = field_message(action_error(move_stage), "justification");
            (can_override && refused).then(|| next.map(|next| view! {
                <ActionForm action=move_stage attr:class="form-stack override" attr:data-test="override-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <input type="hidden" name="to" value=next.as_str() />
                    <input type="hidden" name="override_gate" value="true" />
                    <div class="field" class:field-invalid=move || message.get().is_some()>
                        <label for="override-justification">"Admin override: why move on without these?"</label>
                        <textarea id="override-justification" name="justification" rows="2"
                            aria-describedby="override-justification-error"></textarea>
                        <FieldErrorText id="override-justification-error".into() error=message />
                    </div>
                    <button type="submit" class="button danger">"Override the gate and move to " {next.label()}</button>
                </ActionForm>
            }))
        }
    };
    let error = action_error(move_stage);
    // After a refused move, focus goes to the refusal so a screen reader reads what is missing.
    let refusal = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if matches!(error.get(), Some(AppError::GateNotMet { .. })) {
            request_animation_frame(move || {
                if let Some(alert) = refusal.get_untracked() {
                    let _ = alert.focus();
                }
            });
        }
    });
    let (project_id, next_stage) = (project.id, project.stage.next());
    let missing = move || {
        match error.get() {
        Some(AppError::GateNotMet { message, missing }) => Some(view! {
            <div class="alert alert-error" role="alert" data-test="move-refused" tabindex="-1" node_ref=refusal>
                <p class="strong">{message.split(". Still missing").next().unwrap_or_default().to_owned()} "."</p>
                <p>"Still missing:"</p>
                <ul>{missing.into_iter().map(|m| {
                    // Each item links to the field or record form that puts it right.
                    let fix = next_stage
                        .and_then(|next| gate_items(next).iter().find(|i| i.describe() == m).copied())
                        .map(|item| item.fix_at(project_id));
                    match fix {
                        Some(href) => view! { <li><a href=href>{m}</a></li> }.into_any(),
                        None => view! { <li>{m}</li> }.into_any(),
                    }
                }).collect_view()}</ul>
            </div>
        }
        .into_any()),
        Some(AppError::Invalid(_)) | None => None,
        Some(other) => Some(view! { <FormAlert message=Some(Alert::from(other)) /> }.into_any()),
    }
    };
    let facts = project.gate_facts(records);
    let checklist = project.stage.next().map(|next| {
        let items = gate_items(next)
            .iter()
            .map(|item| {
                let met = is_met(*item, &facts);
                view! {
                    <li class:met=met class:missing=!met data-test="gate-item">
                        <span class="check" aria-hidden="true">{if met { "✓" } else { "○" }}</span>
                        <span class="visually-hidden">{if met { "Done: " } else { "Missing: " }}</span>
                        {item.describe()}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>"To enter " {next.label()}</h3>
            <ul class="checklist" data-test="gate-checklist">{items}</ul>
        }
        .into_any()
    });
    let forward = project.stage.next().filter(|_| can_edit).map(|next| {
        // The next stage's owner: whoever already owns it, else the owner of the stage being
        // left (when they may own one), else nobody until someone chooses.
        let owner_of = |stage: Stage| owners.iter().find(|o| o.stage == stage).map(|o| o.owner.id);
        let proposed = owner_of(next).or_else(|| owner_of(project.stage)).filter(|id| match &candidates {
            OwnerChoices::Menu(people) => people.iter().any(|p| p.id == *id),
            OwnerChoices::ByEmail => owners.iter().any(|o| o.owner.id == *id && o.owner.active),
        });
        // With a menu, everyone who may own it; otherwise the one proposed, and a box for
        // anyone else's email.
        let menu: Vec<Person> = match &candidates {
            OwnerChoices::Menu(people) => people.clone(),
            OwnerChoices::ByEmail => owners
                .iter()
                .filter(|o| Some(o.owner.id) == proposed)
                .map(|o| o.owner.clone())
                .take(1)
                .collect(),
        };
        let options = menu
            .iter()
            .map(|p| {
                let selected = Some(p.id) == proposed;
                view! { <option value=p.id.to_string() selected=selected>{p.display_name.clone()}</option> }
            })
            .collect_view();
        let email_box = matches!(candidates, OwnerChoices::ByEmail).then(|| view! {
            <div class="field" class:field-invalid=move || field_message(error, "next_owner_email").get().is_some()>
                <label for="next-owner-email">"Or someone else: their email address"</label>
                <input id="next-owner-email" name="next_owner_email" type="email" maxlength="254"
                    autocomplete="off" aria-describedby="next-owner-email-error" data-test="next-owner-email" />
                <FieldErrorText id="next-owner-email-error".into() error=field_message(error, "next_owner_email") />
            </div>
        });
        view! {
            <ActionForm action=move_stage attr:data-test="move-forward-form" attr:class="form-stack move-forward">
                <input type="hidden" name="id" value=project.id.to_string() />
                <input type="hidden" name="version" value=project.version.to_string() />
                <input type="hidden" name="to" value=next.as_str() />
                <div class="field" class:field-invalid=move || field_message(error, "next_owner").get().is_some()>
                    <label for="next-owner">{format!("Owner of {}", next.label())}</label>
                    <select id="next-owner" name="next_owner" aria-describedby="next-owner-hint next-owner-error">
                        <option value="" selected=proposed.is_none()>"Nobody for now (the project shows as ownerless)"</option>
                        {options}
                    </select>
                    <p class="hint" id="next-owner-hint">"Who is accountable once the project is in " {next.label()} "."</p>
                    <FieldErrorText id="next-owner-error".into() error=field_message(error, "next_owner") />
                </div>
                {email_box}
                <div>
                    <button type="submit" class="button primary" disabled=move || move_stage.pending().get()>
                        "Move to " {next.label()}
                    </button>
                </div>
            </ActionForm>
        }
    });
    let earlier: Vec<Stage> = Stage::ALL
        .iter()
        .copied()
        .filter(|s| *s < project.stage)
        .collect();
    let back = (can_edit && !earlier.is_empty()).then(|| {
        let options = earlier
            .iter()
            .rev()
            .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
            .collect_view();
        view! {
            <details class="pivot">
                <summary>"Go back a stage (pivot)"</summary>
                <ActionForm action=move_stage attr:data-test="move-back-form" attr:class="form-stack">
                    <input type="hidden" name="id" value=project.id.to_string() />
                    <input type="hidden" name="version" value=project.version.to_string() />
                    <div class="field">
                        <label for="pivot-to">"Back to"</label>
                        <select id="pivot-to" name="to">{options}</select>
                    </div>
                    <div class="field" class:field-invalid=move || field_message(error, "note").get().is_some()>
                        <label for="pivot-note">"Why? (required)"</label>
                        <textarea id="pivot-note" name="note" rows="2"
                            aria-describedby="pivot-note-error"></textarea>
                        <FieldErrorText id="pivot-note-error".into() error=field_message(error, "note") />
                    </div>
                    <button type="submit" class="button">"Move back"</button>
                </ActionForm>
            </details>
        }
    });
    view! {
        <div class="card" data-test="stage-panel">
            <h2>"Stage: " {project.stage.label()}</h2>
            <p class="muted small">"In this stage since " <LocalTime at=project.stage_entered_at /> "."</p>
            {missing}
            {override_form}
            {checklist.unwrap_or_else(|| {
                view! { <p class="muted">"Deploy is the last stage."</p> }.into_any()
            })}
            {forward}
            {back}
        </div>
    }
    .into_any()
}

#[component]
fn Details(project: Project) -> impl IntoView {
    let input = project.to_input();
    let rows = input
        .fields()
        .into_iter()
        .filter(|(field, _)| !matches!(*field, "name" | "team" | "risk_tier" | "status"))
        .map(|(field, value)| {
            let value = value.to_owned();
            view! {
                <div class="detail">
                    <dt>{field_label(field).to_owned()}</dt>
                    <dd data-test=format!("detail-{field}")>
                        {if value.is_empty() {
                            view! { <span class="muted">"Not written yet"</span> }.into_any()
                        } else {
                            view! { <span class="prewrap">{value}</span> }.into_any()
                        }}
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="card">
            <h2>"Details"</h2>
            <dl class="details">{rows}</dl>
            <p class="muted small">
                "Version " {project.version} " · last changed " <LocalTime at=project.updated_at />
                {project.updated_by.map(|who| format!(" by {who}"))}
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn Owners(
    project: Project,
    owners: Vec<crate::projects::StageOwner>,
    can_edit: bool,
    candidates: OwnerChoices,
    assign: ServerAction<AssignOwner>,
) -> impl IntoView {
    let error = action_error(assign);
    let rows = Stage::ALL
        .iter()
        .map(|stage| {
            let owner = owners.iter().find(|o| o.stage == *stage).cloned();
            let current = owner.as_ref().map(|o| o.owner.id);
            let input_id = format!("owner-{}", stage.as_str());
            let label = format!("Owner of {}", stage.label());
            let picker = match &candidates {
                OwnerChoices::Menu(people) => {
                    let options = people
                        .iter()
                        .map(|p| {
                            let selected = Some(p.id) == current;
                            view! { <option value=p.id.to_string() selected=selected>{p.display_name.clone()}</option> }
                        })
                        .collect_view();
                    view! {
                        <label class="visually-hidden" for=input_id.clone()>{label}</label>
                        <select id=input_id name="owner_id">
                            {current.is_none().then(|| view! { <option value="">"Choose…"</option> })}
                            {options}
                        </select>
                    }
                    .into_any()
                }
                OwnerChoices::ByEmail => view! {
                    <label class="visually-hidden" for=input_id.clone()>{format!("{label}: their email address")}</label>
                    <input id=input_id name="owner_email" type="email" maxlength="254" required
                        autocomplete="off" placeholder="their email address" />
                }
                .into_any(),
            };
            let form = can_edit.then(|| view! {
                <ActionForm action=assign attr:class="inline-form" attr:data-test=format!("assign-{}", stage.as_str())>
                    <input type="hidden" name="id" value=project.id.to_string() />
                    <input type="hidden" name="version" value=project.version.to_string() />
                    <input type="hidden" name="stage" value=stage.as_str() />
                    {picker}
                    <button type="submit" class="button small">"Assign"</button>
                </ActionForm>
            });
            let who = match owner {
                Some(o) => {
                    let name = if o.owner.active {
                        o.owner.display_name.clone()
                    } else {
                        format!("{} (deactivated)", o.owner.display_name)
                    };
                    view! {
                        <span class="strong" class:warning-text=!o.owner.active><bdi>{name}</bdi></span>
                        <span class="muted small">
                            " since " <LocalTime at=o.assigned_at />
                        </span>
                    }
                    .into_any()
                }
                None => view! { <span class="muted">"Nobody"</span> }.into_any(),
            };
            view! {
                <li class="owner-row" class:current=*stage == project.stage data-test=format!("owner-{}", stage.as_str())>
                    <div><StageBadge stage=*stage /> " " {who}</div>
                    {form}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-test="owners">
            <h2>"Owners"</h2>
            <p class="muted small">"One accountable owner per stage. The owner of the current stage owns the project."</p>
            <FormAlert message=Signal::derive(move || {
                error.get().map(|e| e.fields().and_then(|f| f.0.first()).map(|f| Alert::Text(f.message.clone())).unwrap_or_else(|| Alert::from(e)))
            }) />
            <ul class="owner-list">{rows}</ul>
        </div>
    }.into_any()
}
