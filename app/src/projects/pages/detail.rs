//! One project: stage stepper with its gate, stage moves, owners per stage, details, timeline.

use super::stage_panel::StagePanel;
use super::timeline::{Handoffs, Timeline};
use super::{load_failed, load_project, project_id_param, StageBadge, StatusBadge};
use crate::auth::{CurrentUser, Role};
use crate::auth::{Permission, Protected};
use crate::error::AppError;
use crate::projects::input::field_label;
use crate::projects::stage::Stage;
use crate::projects::{owner_candidates, AssignOwner, MoveStage, OwnerChoices, Project, ProjectDetail};
use crate::records::pages::{RecordActions, Records};
use crate::requests::{reviewer_candidates, RequestReview, ReviewRequests, WithdrawRequest};
use crate::ui::{action_error, Alert, FormAlert, Loading, LocalTime};
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
    conditions: crate::conditions::ConditionActions,
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
        let conditions = crate::conditions::ConditionActions::new();
        let conditions_changed = (
            successes(conditions.add),
            successes(conditions.resolve),
            successes(conditions.acknowledge),
        );
        let project = Resource::new(
            move || {
                (
                    id.get(),
                    moved.get(),
                    assigned.get(),
                    recorded.get(),
                    asked.get(),
                    withdrawn.get(),
                    (
                        conditions_changed.0.get(),
                        conditions_changed.1.get(),
                        conditions_changed.2.get(),
                    ),
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
            conditions,
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
        conditions,
        candidates,
        reviewers,
    } = data;
    // While the next view loads, the current one stays on screen, dimmed.
    let pending = RwSignal::new(false);
    view! {
        <div class="reloading-area" class:reloading=crate::ui::busy(pending) aria-busy=move || crate::ui::busy(pending)().to_string()>
            <Transition fallback=Loading set_pending=pending.write_only()>
            {move || {
                let user = user.clone();
                Suspend::new(async move {
                let candidates = candidates.await.unwrap_or(OwnerChoices::Menu(Vec::new()));
                let reviewers = reviewers.await.unwrap_or(OwnerChoices::Menu(Vec::new()));
                let requests = RequestActions { ask, withdraw: withdraw_request, reviewers };
                match project.await {
                    Ok(detail) => view! {
                        <ProjectBody detail user can_edit candidates move_stage assign record_actions requests conditions />
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
    conditions: crate::conditions::ConditionActions,
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
        voided,
        conditions: condition_rows,
    } = detail;
    // Reviews approved with conditions that stand: conditions are added to them.
    let conditional_reviews: Vec<(uuid::Uuid, String)> = record_rows
        .iter()
        .filter(|r| {
            r.kind == crate::records::RecordKind::Review
                && r.withdrawn.is_none()
                && r.values.get("decision") == "approved_with_conditions"
        })
        .map(|r| {
            (
                r.id,
                format!("Review of {} by {}", r.on.format("%-d %b %Y"), r.author),
            )
        })
        .collect();
    let drifting = flags.iter().any(|f| f.code == crate::health::FlagCode::GoalDrift);
    let acknowledge = (drifting && user.role.can(Permission::ReviewModels)).then(|| {
        view! { <crate::conditions::AcknowledgeDriftForm project_id=project.id action=conditions.acknowledge /> }
    });
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
            {acknowledge}
            <StageStepper current=project.stage />
            <div class="columns">
                <div class="column-main">
                    <StagePanel project=project.clone() records voided can_edit can_override=user.role == Role::Admin
                        move_stage candidates=candidates.clone() owners=owners.clone() />
                    <ReviewRequests project_id=project.id requests=open_requests can_ask=can_edit reviewers ask withdraw />
                    <crate::conditions::Conditions project_id=project.id conditions=condition_rows
                        reviews=conditional_reviews user=user.clone() actions=conditions today />
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
