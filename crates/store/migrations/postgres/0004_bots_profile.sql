-- Bots and ownership, User Settings, self-service profile. Keep in step with
-- ../sqlite/0004_bots_profile.sql.

-- The User Settings in force when the session was created, packed as bits
-- (domain::profile::ProfileSettings::to_bits); NULL for sessions older than this column,
-- which follow the defaults.
ALTER TABLE sessions ADD COLUMN profile_settings BIGINT;

-- Profile pictures, decoded and re-encoded on upload (no metadata survives).
CREATE TABLE user_pictures (
    user_id       UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL,
    data          BYTEA NOT NULL,
    updated_at    BIGINT NOT NULL
);
