-- An API token's scope, chosen when it is made: `read` (the export, as every token could until
-- now) or `write` (the export and imports, acting as the admin who made the token).
alter table api_tokens add column scope text not null default 'read'
    constraint api_tokens_scope_known check (scope in ('read', 'write'));
