-- Issue 17: `roster account create --admin-email` names the Primary Master Admin of a new
-- account; its setup link creates that address only. NULL: the first start's link, where
-- the operator chooses the address on the setup page.
ALTER TABLE setup_tokens ADD COLUMN email TEXT;
