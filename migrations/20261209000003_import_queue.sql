-- An import waits for its background run after "Import" is pressed, and a failed run says why.
alter table imports drop constraint imports_status_check;
alter table imports add constraint imports_status_check
    check (status in ('previewed', 'queued', 'running', 'done', 'failed'));
alter table imports add column error text check (length(error) <= 2000);
