-- User lifecycle and administration: invitations, password resets, password history,
-- soft delete, and the account's SSO switch. Keep in step with ../sqlite/0003_lifecycle.sql.

-- Soft delete: a deleted user is gone from lists and sign-in at once, restorable until
-- `deleted_at` + the retention window, then purged.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
ALTER TABLE users ADD COLUMN deleted_by UUID REFERENCES users(id);
CREATE INDEX users_deleted ON users(account_id, deleted_at) WHERE deleted_at IS NOT NULL;

-- When SSO is on, the identity provider owns passwords: no resets, no password changes.
ALTER TABLE accounts ADD COLUMN sso_enabled BOOLEAN NOT NULL DEFAULT FALSE;

-- Single-use links (invitation, password reset): only the SHA-256 of the token is kept.
CREATE TABLE user_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX user_tokens_by_user ON user_tokens(user_id, purpose);

-- Earlier password hashes, for the "not one of the last N" rule.
CREATE TABLE password_history (
    user_id        UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, created_at)
);
