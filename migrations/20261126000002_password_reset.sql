-- An admin may reset a password to a temporary one; its holder must choose a new password
-- before doing anything else.
alter table accounts add column must_change_password boolean not null default false;
