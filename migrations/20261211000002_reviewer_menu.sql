-- The reviewer menus read the first few people who may review a model, by name, as the owner
-- menus do theirs (`accounts_owner_menu_idx`); both statements name their roles as literals, so
-- a plan made once per connection knows the index applies.
create index accounts_reviewer_menu_idx on accounts (lower(display_name), id)
    where active and role in ('reviewer', 'admin');
