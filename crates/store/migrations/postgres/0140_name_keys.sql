-- SCIM name filters (issue 16). Keep in step with ../sqlite/0140_name_keys.sql.
-- name.givenName / name.familyName compare case-insensitively (RFC 7643 §2.1) in every
-- script, alike on both databases: the keys are folded in Rust (domain::text::fold), stored
-- and compared byte-wise (COLLATE "C", as SQLite's BINARY), written wherever the names are
-- (store::users::NameKeys). lower() fills them here; the data migration 0140_name_keys
-- (store::name_keys) refolds any whose fold differs from Rust's when the binary starts.
ALTER TABLE users ADD COLUMN first_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE users SET first_key = lower(first_name), last_key = lower(last_name);
-- eq and sw (a range of keys) walk these.
CREATE INDEX users_by_first_key ON users(account_id, first_key);
CREATE INDEX users_by_last_key ON users(account_id, last_key);
-- SCIM Groups' displayName filter compares the group name the same way, by its key.
ALTER TABLE groups ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE groups SET name_key = lower(name);
