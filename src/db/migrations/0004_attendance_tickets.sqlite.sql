-- 0004_attendance_tickets (SQLite 3.40)
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
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid           TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id       INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status         TEXT NOT NULL DEFAULT 'going' CHECK (status IN ('going', 'not_going', 'maybe', 'checked_in', 'cancelled')),
    payment_status TEXT NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid')),
    ticket_ref     TEXT NOT NULL UNIQUE CHECK (length(ticket_ref) BETWEEN 8 AND 64),
    seats          INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1),
    checked_in_at  TEXT CHECK (checked_in_at GLOB '????-??-??T??:??:??.??????Z'),
    checked_out_at TEXT CHECK (checked_out_at GLOB '????-??-??T??:??:??.??????Z'),
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at     TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (event_id, user_id),
    FOREIGN KEY (event_id, user_id) REFERENCES event_attendees (event_id, user_id) ON DELETE RESTRICT,
    CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL),
    CHECK (checked_out_at IS NULL OR (checked_in_at IS NOT NULL AND checked_out_at >= checked_in_at))
) STRICT;
CREATE INDEX attendance_records_event_status_idx ON attendance_records (event_id, status, payment_status);
CREATE INDEX attendance_records_user_idx ON attendance_records (user_id, created_at);

-- ticket_secrets: the salted hash (hex) of a ticket's secret, one per
-- attendance record. is_redeemed and redeemed_at move together, once.
CREATE TABLE ticket_secrets (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    attendance_record_id INTEGER NOT NULL UNIQUE REFERENCES attendance_records (id) ON DELETE RESTRICT,
    secret_hash          TEXT NOT NULL CHECK (length(secret_hash) BETWEEN 32 AND 128 AND secret_hash NOT GLOB '*[^0-9a-f]*'),
    secret_salt          TEXT NOT NULL CHECK (length(secret_salt) BETWEEN 8 AND 256),
    is_redeemed          INTEGER NOT NULL DEFAULT 0 CHECK (is_redeemed IN (0, 1)),
    redeemed_at          TEXT CHECK (redeemed_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at           TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at           TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (is_redeemed = (redeemed_at IS NOT NULL))
) STRICT;

-- ticket_scans: every scan at the door, as reported by the scanning host's
-- device. Offline scanners upload their scans later: (scanned_by_id,
-- client_scan_id) is unique so re-uploading a batch is harmless. scanned_at is
-- the device's clock; created_at is when the server received the scan.
-- attendance_record_id is NULL when the scanned code matched no ticket.
CREATE TABLE ticket_scans (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                 TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id             INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    attendance_record_id INTEGER REFERENCES attendance_records (id) ON DELETE RESTRICT,
    scanned_by_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    client_scan_id       TEXT NOT NULL CHECK (length(client_scan_id) BETWEEN 1 AND 100),
    device_id            TEXT NOT NULL DEFAULT '' CHECK (length(device_id) <= 255),
    action               TEXT NOT NULL DEFAULT 'check_in' CHECK (action IN ('check_in', 'check_out')),
    source               TEXT NOT NULL DEFAULT 'online' CHECK (source IN ('online', 'offline')),
    result               TEXT NOT NULL CHECK (result IN ('accepted', 'duplicate', 'rejected')),
    reason               TEXT NOT NULL DEFAULT '',
    scanned_at           TEXT NOT NULL CHECK (scanned_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at           TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at           TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (scanned_by_id, client_scan_id)
) STRICT;
CREATE INDEX ticket_scans_event_idx ON ticket_scans (event_id, scanned_at);
CREATE INDEX ticket_scans_record_idx ON ticket_scans (attendance_record_id);
