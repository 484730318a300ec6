-- `accord serve` connects as a login role that is only a member of the runtime roles (db/roles.sql), and checks on
-- start that the schema is up to date (outside any tenant or system scope): it reads the migrations applied.
GRANT SELECT ON schema_migrations TO accord_system;
