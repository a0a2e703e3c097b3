-- Search terms of one or two characters match the start of the first name, last name or
-- email (store::users::search): range scans in code-point order, whatever the database's
-- collation, so these indexes compare as "C". SQLite's BINARY indexes (0001, 0140) already do.
CREATE INDEX users_first_prefix ON users (account_id, first_key COLLATE "C");
CREATE INDEX users_last_prefix ON users (account_id, last_key COLLATE "C");
CREATE INDEX users_email_prefix ON users (account_id, email_key COLLATE "C");
