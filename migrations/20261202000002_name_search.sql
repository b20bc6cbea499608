-- Name search (`ILIKE '%text%'`) reads a trigram index instead of every project's name.
-- pg_trgm ships with PostgreSQL and is a trusted extension: a database owner may create it.
create extension if not exists pg_trgm;
create index projects_name_trgm_idx on projects using gin (name gin_trgm_ops);
