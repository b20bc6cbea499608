//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the handlers and the
//! response types themselves (tests validate real responses against it).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tollgate REST API",
        version = "1",
        description = "The ML project portfolio: its export for reporting systems, and imports \
            of an existing inventory. Authenticate with `Authorization: Bearer <token>` (an admin \
            creates tokens under Admin → API tokens: a `read` token reads, a `write` token also \
            imports). Every error is `{\"code\": \"…\", \"message\": \"…\"}`."
    ),
    servers((url = "/", description = "This Tollgate server")),
    paths(
        super::projects::list,
        super::export::csv,
        super::projects::one,
        super::projects::portfolio,
        super::pipeline::pipeline,
        super::trend::trend,
        super::events::list,
        super::imports::create,
        super::imports::one,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "projects", description = "Projects with their owner, health and flags"),
        (name = "portfolio", description = "The numbers behind the portfolio page"),
        (name = "pipeline", description = "How projects flow through the stages: conversion, time in stage, prototype → production"),
        (name = "events", description = "The audit trail, for incremental sync"),
        (name = "imports", description = "Bring an existing inventory in from a spreadsheet (write scope)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
