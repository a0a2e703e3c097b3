-- Session counts kept by triggers (issue 17): /metrics reads the live-session gauge and the
-- created / ended-by-cause counters from this small table instead of counting session rows,
-- and the numbers are exact for every instance sharing the database.
-- Events: 'created', 'ended:<end_cause>', 'purged' (a live row deleted with its user).
-- live = created - every ended:* - purged. Eight shards (picked by the session id's last,
-- random byte) so concurrent sign-ins on several instances do not queue on one row.
CREATE TABLE session_tallies (
    shard  SMALLINT NOT NULL,
    event  TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (shard, event)
);

-- The history already in the table (one full count, at upgrade time only).
INSERT INTO session_tallies (shard, event, n) SELECT 0, 'created', count(*) FROM sessions;
INSERT INTO session_tallies (shard, event, n)
    SELECT 0, 'ended:' || coalesce(end_cause, 'unknown'), count(*) FROM sessions
    WHERE ended_at IS NOT NULL GROUP BY coalesce(end_cause, 'unknown');

CREATE FUNCTION session_tally(tally_shard SMALLINT, tally_event TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO session_tallies (shard, event, n) VALUES (tally_shard, tally_event, 1)
        ON CONFLICT (shard, event) DO UPDATE SET n = session_tallies.n + 1;
$$;

CREATE FUNCTION session_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM session_tally((get_byte(uuid_send(NEW.id), 15) & 7)::smallint, 'created');
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        IF OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL THEN
            PERFORM session_tally((get_byte(uuid_send(NEW.id), 15) & 7)::smallint,
                                  'ended:' || coalesce(NEW.end_cause, 'unknown'));
        END IF;
        RETURN NEW;
    ELSE
        IF OLD.ended_at IS NULL THEN
            PERFORM session_tally((get_byte(uuid_send(OLD.id), 15) & 7)::smallint, 'purged');
        END IF;
        RETURN OLD;
    END IF;
END;
$$;

CREATE TRIGGER session_tallies_created AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION session_tallies_count();
CREATE TRIGGER session_tallies_ended AFTER UPDATE OF ended_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION session_tallies_count();
CREATE TRIGGER session_tallies_purged AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION session_tallies_count();

-- The sweep that ends sessions past their absolute lifetime reads this.
CREATE INDEX sessions_live_by_expiry ON sessions(expires_at) WHERE ended_at IS NULL;
