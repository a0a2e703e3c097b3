-- Performance at a million users (issue 12). Keep in step with ../sqlite/0020_performance.sql.

-- Sign-in looks a user up by email key in every account (the unique index leads with
-- account_id, so it could not serve that lookup: a scan of every user per sign-in).
CREATE INDEX users_by_email_key ON users(email_key);

-- Member counts kept by the database itself (every writer of group_members, cascades
-- included), so the groups page never counts 55,000 rows per group. Statement-level
-- triggers: a bulk insert of 5,000 memberships updates each group once.
ALTER TABLE groups ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE groups SET member_count = (SELECT count(*) FROM group_members gm WHERE gm.group_id = groups.id);

CREATE FUNCTION group_members_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE groups g SET member_count = g.member_count + d.n
    FROM (SELECT group_id, count(*) AS n FROM new_rows GROUP BY group_id) d WHERE g.id = d.group_id;
    RETURN NULL;
END $$;
CREATE FUNCTION group_members_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE groups g SET member_count = g.member_count - d.n
    FROM (SELECT group_id, count(*) AS n FROM old_rows GROUP BY group_id) d WHERE g.id = d.group_id;
    RETURN NULL;
END $$;
CREATE TRIGGER group_members_count_insert AFTER INSERT ON group_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION group_members_count_insert();
CREATE TRIGGER group_members_count_delete AFTER DELETE ON group_members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION group_members_count_delete();
