//! Tollgate's web application: pages, server functions and the domain rules they share.
//!
//! Compiled twice: with `ssr` into the server binary, with `hydrate` into WebAssembly.
//! Server-only code lives in modules gated on `ssr`.

pub mod admin;
pub mod auth;
pub mod clock;
pub mod conditions;
pub mod error;
pub mod health;
pub mod home;
pub mod imports;
pub mod jobs;
pub mod mywork;
pub mod notify;
pub mod pipeline;
pub mod portfolio;
pub mod projects;
pub mod records;
pub mod requests;
pub mod shell;
pub mod tokens;
pub mod ui;
pub mod vocabulary;
pub mod webhooks;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod state;

pub use shell::{shell, App};

/// Entry point of the WebAssembly bundle: attaches to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // End-to-end tests wait for this marker instead of sleeping.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
