-- The ksgov record store lives beside Temporal's databases, with two roles of its own.
--
-- ksgov_owner owns the database and every table: migrations (`ksgov db upgrade`) run as it.
-- ksgov, the role the worker and every `ksgov` command connect as, reads and writes rows but
-- owns nothing, so it can neither drop nor disable the triggers that keep the audit log
-- append-only (docs/guarantees.md). Passwords here are for a local trial only.
CREATE ROLE ksgov_owner LOGIN PASSWORD 'ksgov_owner';
CREATE ROLE ksgov LOGIN PASSWORD 'ksgov';
CREATE DATABASE ksgov OWNER ksgov_owner;

\connect ksgov

-- Only the owner creates tables; what it creates, the worker's role may read and write.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE ksgov_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ksgov;
ALTER DEFAULT PRIVILEGES FOR ROLE ksgov_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO ksgov;
