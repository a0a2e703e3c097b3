-- Transactional outbox (issue 11): every outgoing message is written here in the same
-- transaction as the change that causes it, and a worker delivers it (retrying with
-- backoff). Keep in step with ../postgres/0050_outbox.sql.
-- status: 'pending' (waiting or being retried), 'sent' (accepted by the SMTP server or
-- written to the outbox directory; the body is erased then), 'failed' (given up).
-- A worker claims a row by writing `claim` and `lease_until`; another instance takes it
-- over only once the lease has run out (a worker that died mid-send).
CREATE TABLE outbox (
    id               BLOB PRIMARY KEY,
    account_id       BLOB NOT NULL REFERENCES accounts(id),
    -- Whom the message is about (the invitee, the user whose session ended…); their
    -- messages go with them when they are purged.
    user_id          BLOB REFERENCES users(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    claim            BLOB,
    lease_until      BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_user ON outbox(user_id, kind, created_at);
