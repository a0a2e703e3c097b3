-- SCIM (issue 16). Keep in step with ../sqlite/0135_scim_case_and_count.sql.
-- externalId is caseExact (RFC 7643 §3.1): compared and ordered byte-wise, as SQLite's
-- BINARY columns are, whatever the server's default collation (`gt`, `lt` and the order
-- of an index must not depend on the locale).
ALTER TABLE users ALTER COLUMN external_id TYPE TEXT COLLATE "C";
ALTER TABLE groups ALTER COLUMN external_id TYPE TEXT COLLATE "C";
-- totalResults of an unfiltered SCIM query counts the account's live users: from this
-- index alone (an index-only scan), not from the table's rows.
CREATE INDEX users_live ON users(account_id, deleted_at) WHERE deleted_at IS NULL;
