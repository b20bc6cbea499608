//! The signed-in home page.

use crate::auth::{Permission, Protected};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home · Tollgate" />
        <Protected permission=Permission::Read view=|user| {
            view! {
                <section class="page">
                    <header class="page-header">
                        <h1>"Welcome, " {user.display_name}</h1>
                        <p class="muted">
                            "Tollgate follows every ML project from define to deploy."
                        </p>
                    </header>
                    <div class="empty-state" data-test="empty-projects">
                        <h2>"No projects yet"</h2>
                        <p>
                            "Projects appear here with their stage, owner and health once the first one is created."
                        </p>
                    </div>
                </section>
            }
        } />
    }
}
