//! The admin's API tokens page: create one (its secret shown once), see use, revoke.

use super::{list_tokens, CreateToken, RevokeToken, Scope};
use crate::auth::{Permission, Protected};
use crate::ui::{
    action_error, columns, field_message, form_message, Alert, DataTable, Field, FormAlert, Loading,
    LocalTime, SelectField,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    view! {
        <Title text="API tokens · Tollgate" />
        <Protected permission=Permission::ManageAccounts view=|_| view! { <Tokens /> } />
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let error = action_error(create);
    let revoke_error = action_error(revoke);
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let created = move || {
        create.value().get().and_then(Result::ok).map(|token| {
            view! {
                <div class="alert alert-success" role="status" data-test="new-token">
                    <p>
                        {format!(
                            "Token \u{201c}{}\u{201d} ({}) created. Copy it now: it is shown only this once.",
                            token.name,
                            token.scope.as_str(),
                        )}
                    </p>
                    <code class="secret" data-test="token-secret">{token.secret}</code>
                </div>
            }
        })
    };
    view! {
        <section class="page narrow-wide">
            <header class="page-header">
                <h1>"API tokens"</h1>
                <p class="muted">
                    "Reporting systems read the REST export (" <a href="/api/v1/openapi.json">"/api/v1"</a>
                    ") with a token: " <code>"Authorization: Bearer <token>"</code> ". A "
                    <strong>"read"</strong> " token reads the export; a " <strong>"write"</strong>
                    " token also imports projects (" <code>"POST /api/v1/imports"</code>
                    "), acting as you: what it changes is recorded under your name, and it stops writing if your account is deactivated."
                </p>
            </header>
            {created}
            <FormAlert message=form_message(error) />
            <ActionForm action=create attr:novalidate="" attr:data-test="token-form" attr:class="card inline-form">
                <Field label="Token name" name="name" hint="Who or what uses it, e.g. \u{201c}Finance BI\u{201d}." error=field_message(error, "name") />
                <SelectField label="Scope" name="scope" id_prefix="token-"
                    options=Scope::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect()
                    error=field_message(error, "scope") />
                <button type="submit" class="button primary">"Create token"</button>
            </ActionForm>
            <FormAlert message=form_message(revoke_error) />
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted" data-test="no-tokens">"No tokens yet."</p> }.into_any(),
                        Ok(list) => {
                            let rows = list
                                .into_iter()
                                .map(|t| {
                                    let used = match t.last_used_at {
                                        Some(at) => view! { <LocalTime at /> }.into_any(),
                                        None => view! { <span class="muted">"never"</span> }.into_any(),
                                    };
                                    let revoke_label = format!("Revoke {}", t.name);
                                    let state = match t.revoked_at {
                                        Some(at) => view! { <span class="warning-text">"Revoked " <LocalTime at /></span> }.into_any(),
                                        None => view! {
                                            <ActionForm action=revoke>
                                                <input type="hidden" name="token_id" value=t.id.to_string() />
                                                <button type="submit" class="button small danger"
                                                    aria-label=revoke_label>"Revoke"</button>
                                            </ActionForm>
                                        }
                                            .into_any(),
                                    };
                                    view! {
                                        <tr data-test="token-row" data-name=t.name.clone()>
                                            <th scope="row"><bdi>{t.name.clone()}</bdi></th>
                                            <td><code>{format!("{}…", t.prefix)}</code></td>
                                            <td data-test="scope">{t.scope.as_str()}</td>
                                            <td>{t.created_by.clone()} " · " <LocalTime at=t.created_at /></td>
                                            <td data-test="last-used">{used}</td>
                                            <td>{state}</td>
                                        </tr>
                                    }
                                })
                                .collect_view();
                            view! {
                                <DataTable
                                    test="tokens-table"
                                    columns=columns(["Name", "Starts with", "Scope", "Created", "Last used", "State"])
                                >
                                    {rows}
                                </DataTable>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <FormAlert message=Some(Alert::from(error)) /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
