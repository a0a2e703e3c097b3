-- Roster schema, PostgreSQL flavour. Keep in step with ../sqlite/0001_initial.sql.
-- Sort keys use the "C" collation so lists order byte-wise, exactly as on SQLite,
-- whatever the server's default collation.
-- Ids are UUIDs; times are microseconds since the Unix epoch (BIGINT), which
-- sort and compare the same way on both backends.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE accounts (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE workspaces (
    id          UUID PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX workspaces_account_name ON workspaces(account_id, lower(name));

CREATE TABLE admin_roles (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('master', 'custom')),
    all_workspaces  BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX admin_roles_account_name ON admin_roles(account_id, lower(name));
CREATE UNIQUE INDEX admin_roles_one_master ON admin_roles(account_id) WHERE kind = 'master';

CREATE TABLE admin_role_permissions (
    role_id     UUID NOT NULL REFERENCES admin_roles(id) ON DELETE CASCADE,
    permission  TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE admin_role_workspaces (
    role_id       UUID NOT NULL REFERENCES admin_roles(id) ON DELETE CASCADE,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, workspace_id)
);

CREATE TABLE users (
    id                UUID PRIMARY KEY,
    account_id        UUID NOT NULL REFERENCES accounts(id),
    email             TEXT NOT NULL,
    email_key         TEXT COLLATE "C" NOT NULL,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    name_key          TEXT COLLATE "C" NOT NULL,
    search_text       TEXT NOT NULL,
    status            TEXT COLLATE "C" NOT NULL CHECK (status IN ('invited', 'active', 'locked', 'suspended')),
    builder_access    TEXT NOT NULL DEFAULT 'none' CHECK (builder_access IN ('none', 'builder', 'builder_and_create')),
    is_primary_admin  BOOLEAN NOT NULL DEFAULT FALSE,
    admin_role_id     UUID REFERENCES admin_roles(id),
    password_hash     TEXT,
    failed_logins     INTEGER NOT NULL DEFAULT 0,
    locked_at         BIGINT,
    invited_at        BIGINT,
    last_login_at     BIGINT,
    profile           TEXT NOT NULL DEFAULT '{}',
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_account_email ON users(account_id, email_key);
CREATE UNIQUE INDEX users_one_primary_admin ON users(account_id) WHERE is_primary_admin;
CREATE INDEX users_by_name ON users(account_id, name_key, id);
CREATE INDEX users_by_email ON users(account_id, email_key, id);
CREATE INDEX users_by_status ON users(account_id, status, id);
CREATE INDEX users_by_status_name ON users(account_id, status, name_key, id);
CREATE INDEX users_by_last_login ON users(account_id, coalesce(last_login_at, 0), id);
CREATE INDEX users_by_created ON users(account_id, created_at, id);
CREATE INDEX users_by_role ON users(admin_role_id) WHERE admin_role_id IS NOT NULL;

CREATE INDEX users_search ON users USING gin (search_text gin_trgm_ops);

CREATE TABLE memberships (
    user_id       UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    joined_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, workspace_id)
);
CREATE INDEX memberships_by_workspace ON memberships(workspace_id, user_id);

CREATE TABLE groups (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_workspace_name ON groups(workspace_id, lower(name));

CREATE TABLE group_members (
    group_id  UUID NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members(user_id, group_id);

CREATE TABLE bots (
    id            UUID PRIMARY KEY,
    workspace_id  UUID NOT NULL REFERENCES workspaces(id),
    name          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX bots_workspace_name ON bots(workspace_id, lower(name));

CREATE TABLE bot_members (
    bot_id   UUID NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
    user_id  UUID NOT NULL REFERENCES users(id),
    role     TEXT NOT NULL CHECK (role IN ('owner', 'developer', 'tester')),
    PRIMARY KEY (bot_id, user_id)
);
CREATE UNIQUE INDEX bot_members_one_owner ON bot_members(bot_id) WHERE role = 'owner';
CREATE INDEX bot_members_by_user ON bot_members(user_id, bot_id);

CREATE TABLE sessions (
    id                     UUID PRIMARY KEY,
    token_hash             BYTEA NOT NULL UNIQUE,
    user_id                UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id           UUID REFERENCES workspaces(id),
    csrf_token             TEXT NOT NULL,
    device_type            TEXT NOT NULL,
    browser                TEXT NOT NULL,
    os                     TEXT NOT NULL,
    ip                     TEXT NOT NULL,
    user_agent             TEXT NOT NULL,
    created_at             BIGINT NOT NULL,
    last_activity_at       BIGINT NOT NULL,
    expires_at             BIGINT NOT NULL,
    ended_at               BIGINT,
    ended_by_user_id       UUID REFERENCES users(id),
    ended_by_workspace_id  UUID REFERENCES workspaces(id),
    end_reason             TEXT
);
CREATE INDEX sessions_live_by_user ON sessions(user_id, created_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_by_user ON sessions(user_id, ended_at);

CREATE TABLE settings (
    account_id  UUID NOT NULL REFERENCES accounts(id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);

-- Append-only: nothing in Roster updates or deletes these rows.
CREATE TABLE audit_events (
    id              UUID PRIMARY KEY,
    account_id      UUID NOT NULL REFERENCES accounts(id),
    at              BIGINT NOT NULL,
    actor_user_id   UUID,
    action          TEXT NOT NULL,
    target_user_id  UUID,
    workspace_id    UUID,
    ip              TEXT,
    details         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_time ON audit_events(account_id, at, id);
CREATE INDEX audit_by_actor ON audit_events(account_id, actor_user_id, at);
CREATE INDEX audit_by_target ON audit_events(account_id, target_user_id, at);
CREATE INDEX audit_by_action ON audit_events(account_id, action, at);

CREATE TABLE setup_tokens (
    token_hash  BYTEA PRIMARY KEY,
    account_id  UUID NOT NULL REFERENCES accounts(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
