//! The signed-in home page: "My work" for editors and reviewers, the portfolio for viewers,
//! the projects I own for admins, or the first-run empty state.

use crate::auth::{Permission, Protected, Role};
use crate::error::AppError;
use crate::mywork::{my_work, MyWorkSections, OwedConditions};
use crate::portfolio::page::PortfolioHome;
use crate::projects::{list_projects, NoProjectsYet, OwnerFilter, ProjectQuery, ProjectTable};
use crate::ui::{Alert, FormAlert, Loading};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home · Tollgate" />
        <Protected permission=Permission::Read view=|user| {
            // Leadership reads the portfolio first.
            if user.role == Role::Viewer {
                return view! { <PortfolioHome /> }.into_any();
            }
            let can_edit = user.role.can(Permission::EditProjects);
            let mine = ProjectQuery { owner: OwnerFilter::Account(user.id), ..ProjectQuery::default() };
            // Two resources, not one future calling twice: a server function called while the
            // page renders on the server must start before its caller yields.
            let all = Resource::new(|| (), |_| list_projects(ProjectQuery::default()));
            let mine = Resource::new(move || mine.clone(), list_projects);
            // Editors and reviewers land on "My work"; admins on the projects they own (and the
            // review conditions they see to).
            let shows_work = matches!(user.role, Role::Editor | Role::Reviewer);
            let work = Resource::new(|| (), move |_| my_work());
            view! {
                <section class="page">
                    <header class="page-header with-actions">
                        <div>
                            <h1>"Welcome, " <bdi>{user.display_name}</bdi></h1>
                            <p class="muted">"Tollgate follows every ML project from define to deploy."</p>
                        </div>
                        {can_edit.then(|| view! { <a class="button primary" href="/projects/new">"New project"</a> })}
                    </header>
                    <Suspense fallback=Loading>
                        {move || Suspend::new(async move {
                            let lists = async { Ok::<_, AppError>((all.await?.total, mine.await?)) };
                            let (lists, work) = (lists.await, work.await);
                            match lists {
                                Ok((0, _)) => view! { <NoProjectsYet can_edit /> }.into_any(),
                                Ok((total, _)) if shows_work => match work {
                                    Ok(work) => view! {
                                        <MyWorkSections work />
                                        <p class="table-footer"><a href="/projects">{format!("See all {total} projects →")}</a></p>
                                    }
                                        .into_any(),
                                    Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                                },
                                Ok((total, mine)) => view! {
                                    <OwedConditions conditions=work.map(|w| w.conditions).unwrap_or_default() />
                                    <h2>"Projects you own"</h2>
                                    {if mine.rows.is_empty() {
                                        view! { <p class="muted" data-test="none-owned">"You don't own a stage of any project right now."</p> }.into_any()
                                    } else {
                                        view! { <ProjectTable rows=mine.rows today=mine.today /> }.into_any()
                                    }}
                                    <p class="table-footer"><a href="/projects">{format!("See all {total} projects →")}</a></p>
                                }
                                    .into_any(),
                                Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                            }
                        })}
                    </Suspense>
                </section>
            }
            .into_any()
        } />
    }
}
