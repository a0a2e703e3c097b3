-- Performance at a million users (issue 12). Keep in step with ../postgres/0020_performance.sql.

-- Sign-in looks a user up by email key in every account (the unique index leads with
-- account_id, so it could not serve that lookup: a scan of every user per sign-in).
CREATE INDEX users_by_email_key ON users(email_key);

-- Member counts kept by the database itself (every writer of group_members, cascades
-- included), so the groups page never counts 55,000 rows per group.
ALTER TABLE groups ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE groups SET member_count = (SELECT count(*) FROM group_members gm WHERE gm.group_id = groups.id);
CREATE TRIGGER group_members_count_insert AFTER INSERT ON group_members BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = new.group_id;
END;
CREATE TRIGGER group_members_count_delete AFTER DELETE ON group_members BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = old.group_id;
END;
