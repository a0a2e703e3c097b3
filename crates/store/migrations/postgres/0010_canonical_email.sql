-- One mailbox is one user (issue 11): `users.email_key` becomes the canonical key of
-- domain::user::Email (local part NFC + lower case, domain in its IDNA ASCII form). SQL
-- cannot compute it, so the re-keying of existing rows runs in Rust right after the
-- migrations (store::email_keys::rekey); this table records that it is done. It runs
-- again at every start until no two users of an account share a canonical key (such
-- pairs are reported, never merged).
CREATE TABLE data_migrations (
    name        TEXT PRIMARY KEY,
    applied_at  BIGINT NOT NULL
);
