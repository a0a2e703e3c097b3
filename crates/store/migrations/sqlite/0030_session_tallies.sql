-- Session counts kept by triggers (issue 17): /metrics reads the live-session gauge and the
-- created / ended-by-cause counters from this small table instead of counting session rows,
-- and the numbers are exact for every instance sharing the database.
-- Events: 'created', 'ended:<end_cause>', 'purged' (a live row deleted with its user).
-- live = created - every ended:* - purged. SQLite serializes writers, so one shard (0).
CREATE TABLE session_tallies (
    shard  INTEGER NOT NULL,
    event  TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (shard, event)
);

-- The history already in the table (one full count, at upgrade time only).
INSERT INTO session_tallies (shard, event, n) SELECT 0, 'created', count(*) FROM sessions;
INSERT INTO session_tallies (shard, event, n)
    SELECT 0, 'ended:' || coalesce(end_cause, 'unknown'), count(*) FROM sessions
    WHERE ended_at IS NOT NULL GROUP BY coalesce(end_cause, 'unknown');

CREATE TRIGGER session_tallies_created AFTER INSERT ON sessions BEGIN
    INSERT INTO session_tallies (shard, event, n) VALUES (0, 'created', 1)
        ON CONFLICT (shard, event) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER session_tallies_ended AFTER UPDATE OF ended_at ON sessions
    WHEN OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL BEGIN
    INSERT INTO session_tallies (shard, event, n) VALUES (0, 'ended:' || coalesce(NEW.end_cause, 'unknown'), 1)
        ON CONFLICT (shard, event) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER session_tallies_purged AFTER DELETE ON sessions WHEN OLD.ended_at IS NULL BEGIN
    INSERT INTO session_tallies (shard, event, n) VALUES (0, 'purged', 1)
        ON CONFLICT (shard, event) DO UPDATE SET n = n + 1;
END;

-- The sweep that ends sessions past their absolute lifetime reads this.
CREATE INDEX sessions_live_by_expiry ON sessions(expires_at) WHERE ended_at IS NULL;
