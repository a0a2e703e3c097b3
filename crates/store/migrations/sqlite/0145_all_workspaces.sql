-- The console's "All workspaces" choice (issue 13): an account-wide admin's session acts for
-- no single workspace. Keep in step with ../postgres/0145_all_workspaces.sql.
ALTER TABLE sessions ADD COLUMN all_workspaces BOOLEAN NOT NULL DEFAULT FALSE;
