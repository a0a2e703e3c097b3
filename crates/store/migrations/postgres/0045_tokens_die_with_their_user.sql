-- Single-use links die with the standing of the user they were sent to (issue 10.2): when
-- the user is deleted, suspended, or their address changes to another mailbox, every live
-- invitation and password-reset link of theirs is spent, in the same statement. Spent
-- links stay spent: a restore or a re-activation brings no link back (the admin resends
-- one). A re-key of the same address (email_key recomputed, email unchanged) keeps them.
-- Keep in step with ../sqlite/0045_tokens_die_with_their_user.sql.
CREATE FUNCTION user_tokens_spend() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_tokens SET used_at = NEW.updated_at WHERE user_id = NEW.id AND used_at IS NULL;
    RETURN NULL;
END;
$$;

CREATE TRIGGER user_tokens_die_with_their_user
AFTER UPDATE OF deleted_at, status, email, email_key ON users
FOR EACH ROW
WHEN ((OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
   OR (NEW.status = 'suspended' AND OLD.status <> 'suspended')
   OR (NEW.email <> OLD.email AND NEW.email_key <> OLD.email_key))
EXECUTE FUNCTION user_tokens_spend();

-- Links already live for users deleted or suspended before this release die now.
UPDATE user_tokens t SET used_at = coalesce(u.deleted_at, u.updated_at)
FROM users u
WHERE u.id = t.user_id AND t.used_at IS NULL AND (u.deleted_at IS NOT NULL OR u.status = 'suspended');
