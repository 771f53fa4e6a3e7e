-- deploy/postgres/roles.sql — run once as the PostgreSQL superuser: sudo -u postgres psql -f roles.sql
-- Two roles (docs/security.md, "安全审计"): the owner runs the migrations and owns every table; the application
-- role serves gunicorn and the workers, may read and write rows but owns nothing, so it cannot drop or disable
-- the triggers that keep the audit log and appeal events append-only, nor alter any table.
-- Replace both passwords (psql: \password qinqing_owner later works too).

CREATE ROLE qinqing_owner LOGIN PASSWORD 'CHANGE-ME-owner';
CREATE ROLE qinqing_app LOGIN PASSWORD 'CHANGE-ME-app';
CREATE DATABASE qinqing OWNER qinqing_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE qinqing FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE qinqing TO qinqing_owner, qinqing_app;

\connect qinqing
-- Only the owner creates objects in the schema (PostgreSQL 15 already refuses PUBLIC; older versions do not).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO qinqing_owner;
GRANT USAGE ON SCHEMA public TO qinqing_app;
-- Every table and sequence the owner's migrations create, now and later: rows only, no DDL, no TRUNCATE.
ALTER DEFAULT PRIVILEGES FOR ROLE qinqing_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO qinqing_app;
ALTER DEFAULT PRIVILEGES FOR ROLE qinqing_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO qinqing_app;
-- Tables made before these defaults (a database migrated as another role): grant them too; harmless when empty.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO qinqing_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO qinqing_app;
