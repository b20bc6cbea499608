//! The HTML document, the router and the frame around every page.

use crate::admin::AccountsPage;
use crate::auth::{AccountPage, AuthContext, LoginPage, LogoutButton, Permission, SessionInfo, SetupPage};
use crate::health::ThresholdsPage;
use crate::home::HomePage;
use crate::pipeline::PipelinePage;
use crate::portfolio::PortfolioPage;
use crate::projects::{EditProjectPage, NewProjectPage, ProjectPage, ProjectsPage};
use crate::tokens::TokensPage;
use crate::ui::set_status;
use crate::webhooks::WebhooksPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

/// The document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
                // Instants in the viewer's time zone (see ui::LocalTime); tidy filter addresses.
                <script nonce=leptos::nonce::use_nonce() inner_html=include_str!("page.js")></script>
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Sends the page's Content-Security-Policy: scripts only from our origin or inline with this
/// response's nonce (which leptos puts on its hydration scripts), WebAssembly allowed, no
/// plugins, no framing, forms and `<base>` only to our own origin.
#[cfg(feature = "ssr")]
fn send_content_security_policy(options: &LeptosOptions) {
    use http::header::CONTENT_SECURITY_POLICY;
    use http::HeaderValue;
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    // `cargo leptos watch` reloads the page over a websocket of its own.
    let reload = if options.env == leptos::config::Env::DEV {
        " ws:"
    } else {
        ""
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    match HeaderValue::from_str(&policy) {
        Ok(value) => response.insert_header(CONTENT_SECURITY_POLICY, value),
        Err(error) => tracing::error!(%error, "invalid Content-Security-Policy"),
    }
}

/// Every page renders completely on the server before it is sent (`SsrMode::Async`): forms
/// and their error messages work before (or without) the WebAssembly, and a page's status code
/// (404, 403) and redirects are decided before the first byte.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/tollgate.css" />
        <Title text="Tollgate" />
        <Router>
            <Routes fallback=NotFound>
                <ParentRoute path=path!("") view=Frame ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("notifications") view=crate::notify::NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("setup") view=SetupPage ssr=SsrMode::Async />
                    <Route path=path!("portfolio") view=PortfolioPage ssr=SsrMode::Async />
                    <Route path=path!("pipeline/:view?") view=PipelinePage ssr=SsrMode::Async />
                    <Route path=path!("projects") view=ProjectsPage ssr=SsrMode::Async />
                    <Route path=path!("projects/new") view=NewProjectPage ssr=SsrMode::Async />
                    <Route path=path!("projects/import") view=crate::imports::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("projects/import/:id") view=crate::imports::ImportPreviewPage ssr=SsrMode::Async />
                    <Route path=path!("projects/:id") view=ProjectPage ssr=SsrMode::Async />
                    <Route path=path!("projects/:id/edit") view=EditProjectPage ssr=SsrMode::Async />
                    <Route path=path!("admin/accounts") view=AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/thresholds") view=ThresholdsPage ssr=SsrMode::Async />
                    <Route path=path!("admin/tokens") view=TokensPage ssr=SsrMode::Async />
                    <Route path=path!("admin/webhooks") view=WebhooksPage ssr=SsrMode::Async />
                    <Route path=path!("*any") view=NotFound ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The frame around every page. It is a route so that the actions it creates see errors
/// posted back by plain HTML forms (the router provides them to its routes).
#[component]
fn Frame() -> impl IntoView {
    AuthContext::provide();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <SiteHeader />
        <main id="main" tabindex="-1">
            <Outlet />
        </main>
    }
}

#[component]
fn SiteHeader() -> impl IntoView {
    let session = AuthContext::get().session;
    // On a phone the menu folds away. With JavaScript "Menu" toggles it and following any of
    // its links closes it; without, the link opens it by its address (`:target`).
    let menu_open = RwSignal::new(false);
    view! {
        <header class="site-header">
            <div class="site-header-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"▲"</span>
                    "Tollgate"
                </a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (user, unread) = match session.await {
                            Ok(SessionInfo { user: Some(user), unread, .. }) => (user, unread),
                            _ => return None,
                        };
                        let notifications_label = match unread {
                            0 => "Notifications, none unread".to_owned(),
                            1 => "Notifications, 1 unread".to_owned(),
                            n => format!("Notifications, {n} unread"),
                        };
                        let admin = user.role.can(Permission::ManageAccounts);
                        Some(view! {
                            <a class="menu-toggle" href="#site-menu" aria-controls="site-menu"
                                aria-expanded=move || menu_open.get().to_string()
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    menu_open.update(|open| *open = !*open);
                                }>"Menu"</a>
                            <nav class="site-nav" class:open=move || menu_open.get() id="site-menu" aria-label="Main"
                                on:click=move |_| menu_open.set(false)>
                                <A href="/">"Home"</A>
                                <A href="/portfolio">"Portfolio"</A>
                                <A href="/projects">"Projects"</A>
                                {admin.then(|| view! {
                                    <A href="/admin/accounts">"Accounts"</A>
                                    <A href="/admin/thresholds">"Thresholds"</A>
                                    <A href="/admin/tokens">"API tokens"</A>
                                    <A href="/admin/webhooks">"Webhooks"</A>
                                })}
                                <a class="menu-close" href="#" on:click=|ev| ev.prevent_default()>"Close the menu"</a>
                            </nav>
                            <div class="site-user" data-test="signed-in-user">
                                <a class="notifications-link" href="/notifications" data-test="notifications-link"
                                    aria-label=notifications_label title="Notifications">
                                    <svg class="bell" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                                        <path fill="currentColor" d="M12 2a6 6 0 0 0-6 6v4l-2 3v1h16v-1l-2-3V8a6 6 0 0 0-6-6zm0 20a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22z" />
                                    </svg>
                                    {(unread > 0).then(|| view! {
                                        <span class="unread-count" aria-hidden="true" data-test="unread-count">{unread.min(99)}</span>
                                    })}
                                </a>
                                <a class="user-name" href="/account" title="Your account"><bdi>{user.display_name}</bdi></a>
                                <span class="role-badge">{user.role.label()}</span>
                                <LogoutButton />
                            </div>
                        })
                    })}
                </Suspense>
            </div>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found · Tollgate" />
        <section class="page narrow">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <a class="button" href="/">"Go to home"</a>
        </section>
    }
}
