-- SCIM (issue 16). Keep in step with ../postgres/0135_scim_case_and_count.sql.
-- (externalId is already compared byte-wise here: SQLite columns are BINARY.)
-- totalResults of an unfiltered SCIM query counts the account's live users: from this
-- index alone (a covering index), not from the table's rows.
CREATE INDEX users_live ON users(account_id, deleted_at) WHERE deleted_at IS NULL;
