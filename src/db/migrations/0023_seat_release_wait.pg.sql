-- 0023_seat_release_wait (PostgreSQL 15)
--
-- The paid rush (bench/run.sh, "Paid admission") showed releases
-- serialising the event: paying releases the reservation's held seat, and
-- when every bucket holding one was locked by another payment, seat_release
-- locked all eight buckets until commit (95% of releases, 34-45 ms waits).
-- Two changes:
--   - seat_release waits for one busy bucket that has the seats (a random
--     one, so waiters spread), as seat_take does since 0020, and locks every
--     bucket only when no single bucket has them;
--   - seat_take's fast path starts at a random free bucket instead of the
--     first, so taken and held seats spread over the buckets and later
--     releases find one nobody holds (with the first-free order a quiet
--     event put every seat in bucket 0);
--   - a sold-out event refuses without locking: when no bucket has room and
--     the committed totals leave fewer free seats than asked, seat_take
--     raises at once. Every loser of a sell-out used to lock all eight
--     buckets in turn just to learn that (a queue of seconds behind the
--     last seats). Refusing on a committed snapshot never oversells; a seat
--     released a moment later is simply not yet there.

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
        ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
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
    -- full on the committed totals (and no unlimited bucket): refuse unlocked
    SELECT SUM(capacity) - SUM(taken), count(*) - count(capacity) INTO free, nb
        FROM event_seat_buckets WHERE event_id = p_event;
    IF nb = 0 AND free < p_seats THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_room": no room for % seat(s)', p_seats
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_room';
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

CREATE OR REPLACE FUNCTION seat_release(p_event BIGINT, p_seats INTEGER, p_held BOOLEAN)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b    INTEGER;
    todo INTEGER := p_seats;
    d    INTEGER;
    r    RECORD;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event
          AND (CASE WHEN p_held THEN held ELSE taken - held END) >= p_seats
        ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        -- every bucket with the seats is held: wait for one (rechecked once locked)
        SELECT bucket INTO b FROM event_seat_buckets
            WHERE event_id = p_event
              AND (CASE WHEN p_held THEN held ELSE taken - held END) >= p_seats
            ORDER BY random() LIMIT 1 FOR UPDATE;
    END IF;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken - p_seats,
            held = held - CASE WHEN p_held THEN p_seats ELSE 0 END
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    FOR r IN SELECT bucket, taken, held FROM event_seat_buckets
             WHERE event_id = p_event ORDER BY bucket FOR UPDATE LOOP
        EXIT WHEN todo = 0;
        d := LEAST(CASE WHEN p_held THEN r.held ELSE r.taken - r.held END, todo);
        IF d > 0 THEN
            UPDATE event_seat_buckets SET taken = taken - d,
                held = held - CASE WHEN p_held THEN d ELSE 0 END
                WHERE event_id = p_event AND bucket = r.bucket;
            todo := todo - d;
        END IF;
    END LOOP;
    IF todo > 0 THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_taken": releasing % seat(s) more than taken', todo
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_taken';
    END IF;
END;
$$;
