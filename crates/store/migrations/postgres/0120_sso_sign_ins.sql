-- Single sign-on (issue 15): one row per sign-in sent to the OpenID provider, found again
-- by the SHA-256 of its `state` when the provider redirects back. It keeps what the
-- callback must check (the nonce) and prove (the PKCE verifier); `used_at` makes each
-- state work once (a replayed callback finds it spent). Rows live for minutes; old ones
-- are deleted when new ones are made. The provider settings are the account's `sso`
-- settings document (no schema).
-- Keep in step with ../sqlite/0120_sso_sign_ins.sql.
CREATE TABLE sso_sign_ins (
    state_hash     BYTEA PRIMARY KEY,
    account_id     UUID NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    next_path      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX sso_sign_ins_by_expiry ON sso_sign_ins(expires_at);
