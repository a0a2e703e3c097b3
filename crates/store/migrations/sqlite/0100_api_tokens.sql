-- API tokens (issue 14): bearer secrets for scripts, made by an admin with tokens.manage.
-- Only the SHA-256 of the secret is kept. A token's permissions and workspace scope are
-- stored as rows (as admin roles' are); its rights at each request are these intersected
-- with its creator's current role. Revoked and expired tokens stay as history.
-- Keep in step with ../postgres/0100_api_tokens.sql.
CREATE TABLE api_tokens (
    id               BLOB PRIMARY KEY,
    account_id       BLOB NOT NULL REFERENCES accounts(id),
    creator_user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    secret_hash      BLOB NOT NULL UNIQUE,
    all_workspaces   BOOLEAN NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    revoked_at       BIGINT,
    revoked_by_user_id BLOB REFERENCES users(id) ON DELETE SET NULL,
    last_used_at     BIGINT,
    last_used_ip     TEXT
);
CREATE INDEX api_tokens_by_account ON api_tokens(account_id, created_at);

CREATE TABLE api_token_permissions (
    token_id    BLOB NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
    permission  TEXT NOT NULL,
    PRIMARY KEY (token_id, permission)
);

CREATE TABLE api_token_workspaces (
    token_id      BLOB NOT NULL REFERENCES api_tokens(id) ON DELETE CASCADE,
    workspace_id  BLOB NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, workspace_id)
);
