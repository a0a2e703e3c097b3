-- SCIM provisioning (issue 16). Keep in step with ../sqlite/0110_scim.sql.
-- externalId (RFC 7643 §3.1): the identity provider's own id of a user or group, stored as
-- given and filterable (`externalId eq "…"`) through its own index.
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE INDEX users_by_external_id ON users(account_id, external_id);
-- meta.lastModified is updated_at: sorted and filtered on through this index, so neither
-- `sortBy=meta.lastModified` nor `meta.lastModified gt "…"` (Okta's incremental reads) scans.
CREATE INDEX users_by_updated ON users(account_id, updated_at, id);
-- Groups get the same: externalId, and meta.version / meta.lastModified, moved by every
-- change SCIM makes to the group (ETag, If-Match).
ALTER TABLE groups ADD COLUMN external_id TEXT;
ALTER TABLE groups ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE groups ADD COLUMN updated_at BIGINT;
