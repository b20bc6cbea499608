-- The sign-in throttle also counts failures per client address, and old failures are purged.
alter table login_failures add column client_addr inet;
create index login_failures_client_addr_failed_at_idx on login_failures (client_addr, failed_at desc)
    where client_addr is not null;
create index login_failures_failed_at_idx on login_failures (failed_at);
