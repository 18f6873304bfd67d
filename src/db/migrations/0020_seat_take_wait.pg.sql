-- 0020_seat_take_wait (PostgreSQL 15)
--
-- seat_take under heavy contention (measured with bench/rush.mjs: with 32
-- clients on one event most takes found every bucket held and went the
-- lock-all way, serialising the event). Now, when no free bucket has room,
-- the take waits for one busy bucket that has room (a random one, so
-- waiters spread) and locks every bucket only when no single bucket has
-- room for the seats (near sell-out, or a multi-seat party).

CREATE OR REPLACE FUNCTION seat_take(p_event BIGINT, p_seats INTEGER, p_held BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    b     INTEGER;
    total INTEGER;
    cap   BIGINT;
    nb    INTEGER;
    free  INTEGER;
    h     INTEGER := CASE WHEN p_held THEN p_seats ELSE 0 END;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event AND (capacity IS NULL OR taken + p_seats <= capacity)
        ORDER BY bucket LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        -- every bucket with room is held: wait for one (rechecked once locked)
        SELECT bucket INTO b FROM event_seat_buckets
            WHERE event_id = p_event AND (capacity IS NULL OR taken + p_seats <= capacity)
            ORDER BY random() LIMIT 1 FOR UPDATE;
    END IF;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken + p_seats, held = held + h
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    PERFORM 1 FROM event_seat_buckets WHERE event_id = p_event ORDER BY bucket FOR UPDATE;
    SELECT COALESCE(SUM(taken), 0), SUM(capacity), count(*), count(capacity)
        INTO total, cap, nb, free
        FROM event_seat_buckets WHERE event_id = p_event;
    IF nb = 0 THEN
        RAISE EXCEPTION 'event % has no seat buckets', p_event
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF free < nb THEN
        UPDATE event_seat_buckets SET taken = taken + p_seats, held = held + h
            WHERE event_id = p_event AND bucket = 0;
        RETURN;
    END IF;
    free := cap - total - p_seats;
    IF free < 0 THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_room": no room for % seat(s)', p_seats
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_room';
    END IF;
    UPDATE event_seat_buckets
        SET taken = taken + CASE WHEN bucket = 0 THEN p_seats ELSE 0 END,
            held = held + CASE WHEN bucket = 0 THEN h ELSE 0 END,
            capacity = taken + CASE WHEN bucket = 0 THEN p_seats ELSE 0 END
                       + free / nb + CASE WHEN bucket < free % nb THEN 1 ELSE 0 END
        WHERE event_id = p_event;
END;
$$;
