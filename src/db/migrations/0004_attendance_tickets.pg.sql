-- 0004_attendance_tickets (PostgreSQL 15)
--
-- Tickets: the attendance record of every confirmed attendee, the salted hash
-- of its ticket secret, and the log of door scans (online, or synced later
-- from an offline scanner). payment_order_id on attendance_records is added
-- by 0005_payments, which creates payment_orders.

-- attendance_records: the ticket. One per (event, user), and only for an
-- existing attendee row (composite foreign key): a ticket never exists
-- without a seat holder. ticket_ref is the ticket's public, non-secret
-- reference (printed on the ticket, looked up at the door); the secret itself
-- is never stored, only its salted hash in ticket_secrets. Check-in happens
-- once; check-out, when used, comes after check-in.
CREATE TABLE attendance_records (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           UUID NOT NULL UNIQUE,
    event_id       BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status         TEXT NOT NULL DEFAULT 'going' CHECK (status IN ('going', 'not_going', 'maybe', 'checked_in', 'cancelled')),
    payment_status TEXT NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid')),
    ticket_ref     TEXT NOT NULL UNIQUE CHECK (length(ticket_ref) BETWEEN 8 AND 64),
    seats          INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1),
    checked_in_at  TIMESTAMPTZ,
    checked_out_at TIMESTAMPTZ,
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (event_id, user_id),
    FOREIGN KEY (event_id, user_id) REFERENCES event_attendees (event_id, user_id) ON DELETE RESTRICT,
    CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL),
    CHECK (checked_out_at IS NULL OR (checked_in_at IS NOT NULL AND checked_out_at >= checked_in_at))
);
CREATE INDEX attendance_records_event_status_idx ON attendance_records (event_id, status, payment_status);
CREATE INDEX attendance_records_user_idx ON attendance_records (user_id, created_at);

-- ticket_secrets: the salted hash (hex) of a ticket's secret, one per
-- attendance record. is_redeemed and redeemed_at move together, once.
CREATE TABLE ticket_secrets (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attendance_record_id BIGINT NOT NULL UNIQUE REFERENCES attendance_records (id) ON DELETE RESTRICT,
    secret_hash          TEXT NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{32,128}$'),
    secret_salt          TEXT NOT NULL CHECK (length(secret_salt) BETWEEN 8 AND 256),
    is_redeemed          BOOLEAN NOT NULL DEFAULT false,
    redeemed_at          TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    CHECK (is_redeemed = (redeemed_at IS NOT NULL))
);

-- ticket_scans: every scan at the door, as reported by the scanning host's
-- device. Offline scanners upload their scans later: (scanned_by_id,
-- client_scan_id) is unique so re-uploading a batch is harmless. scanned_at is
-- the device's clock; created_at is when the server received the scan.
-- attendance_record_id is NULL when the scanned code matched no ticket.
CREATE TABLE ticket_scans (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                 UUID NOT NULL UNIQUE,
    event_id             BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    attendance_record_id BIGINT REFERENCES attendance_records (id) ON DELETE RESTRICT,
    scanned_by_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    client_scan_id       TEXT NOT NULL CHECK (length(client_scan_id) BETWEEN 1 AND 100),
    device_id            TEXT NOT NULL DEFAULT '' CHECK (length(device_id) <= 255),
    action               TEXT NOT NULL DEFAULT 'check_in' CHECK (action IN ('check_in', 'check_out')),
    source               TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'offline')),
    result               TEXT NOT NULL CHECK (result IN ('accepted', 'duplicate', 'rejected')),
    reason               TEXT NOT NULL DEFAULT '',
    scanned_at           TIMESTAMPTZ NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (scanned_by_id, client_scan_id)
);
CREATE INDEX ticket_scans_event_idx ON ticket_scans (event_id, scanned_at);
CREATE INDEX ticket_scans_record_idx ON ticket_scans (attendance_record_id);
