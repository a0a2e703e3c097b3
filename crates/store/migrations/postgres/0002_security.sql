-- Sessions across workspaces, lockout and the security settings (issue: sessions & devices).
-- Keep in step with ../sqlite/0002_security.sql.

-- When a locked user unlocks by themselves (NULL: only an admin unlocks).
ALTER TABLE users ADD COLUMN lock_until BIGINT;

-- The workspace the user is acting for now (the switcher); `workspace_id` stays the one
-- the session started in.
ALTER TABLE sessions ADD COLUMN current_workspace_id UUID REFERENCES workspaces(id);
-- Why it ended: signed_out, killed, locked, suspended, reported, expired.
ALTER TABLE sessions ADD COLUMN end_cause TEXT;

-- Recent failed sign-ins, shown on the profile (count, times, source IPs).
CREATE TABLE login_failures (
    id       UUID PRIMARY KEY,
    user_id  UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    ip       TEXT NOT NULL
);
CREATE INDEX login_failures_by_user ON login_failures(user_id, at);
