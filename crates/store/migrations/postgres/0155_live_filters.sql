-- The users list's count (store::users::count) reads up to 10,001 matching users in no
-- order. For the filters on the user's own columns (status, Bot Builder access, account
-- role) and for none, this index answers it alone: no table row is read to check
-- `deleted_at` or the filter (a count of 10,001 read as many rows: ~25 ms at 1M users).
-- `deleted_at` is a column too: SQLite counts an index as covering only when it holds every
-- column the statement names, its own WHERE's included.
CREATE INDEX users_live_filters
    ON users(account_id, status, builder_access, admin_role_id, is_primary_admin, deleted_at)
    WHERE deleted_at IS NULL;
-- (SQLite's twin analyses the table for its planner; PostgreSQL's plans use the columns'
-- statistics, which a new index over existing columns does not change.)
