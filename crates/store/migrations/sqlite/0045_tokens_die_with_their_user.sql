-- Single-use links die with the standing of the user they were sent to (issue 10.2): when
-- the user is deleted, suspended, or their address changes to another mailbox, every live
-- invitation and password-reset link of theirs is spent, in the same statement. Spent
-- links stay spent: a restore or a re-activation brings no link back (the admin resends
-- one). A re-key of the same address (email_key recomputed, email unchanged) keeps them.
-- Keep in step with ../postgres/0045_tokens_die_with_their_user.sql.
CREATE TRIGGER user_tokens_die_with_their_user
AFTER UPDATE OF deleted_at, status, email, email_key ON users
WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
  OR (NEW.status = 'suspended' AND OLD.status <> 'suspended')
  OR (NEW.email <> OLD.email AND NEW.email_key <> OLD.email_key)
BEGIN
    UPDATE user_tokens SET used_at = NEW.updated_at WHERE user_id = NEW.id AND used_at IS NULL;
END;

-- Links already live for users deleted or suspended before this release die now.
UPDATE user_tokens SET used_at = (SELECT coalesce(u.deleted_at, u.updated_at) FROM users u WHERE u.id = user_tokens.user_id)
WHERE used_at IS NULL
  AND user_id IN (SELECT id FROM users WHERE deleted_at IS NOT NULL OR status = 'suspended');
