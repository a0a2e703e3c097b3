-- Search terms of one or two characters match the start of the first name, last name or
-- email (store::users::search) by range scans in code-point order: SQLite's BINARY indexes
-- users_by_first_key, users_by_last_key (0140) and users_account_email (0001) already serve
-- them. Kept in step with ../postgres/0150_short_term_prefix.sql, which adds "C" indexes.
SELECT 1;
