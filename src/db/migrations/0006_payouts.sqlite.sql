-- 0006_payouts (SQLite 3.40)
--
-- Money out: hosts' bank accounts and their payout requests. A payout request
-- is an immutable snapshot of an event's sales taken when the host asks to be
-- paid; staff then move it through pending -> approved -> processing ->
-- completed, or rejected / cancelled. Accounts and events that have payout
-- requests cannot be deleted (ON DELETE RESTRICT).

-- bank_accounts: where a host is paid. The account number is stored only
-- encrypted (account_number_enc, application-side authenticated encryption,
-- base64) plus its last 4 digits for the "****1234" display; never in plain.
-- Accounts are deactivated, not deleted. An inactive account is never
-- primary, and a host has at most one primary account (partial unique index:
-- setting a new primary must clear the old one in the same transaction).
CREATE TABLE bank_accounts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    host_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    bank_name           TEXT NOT NULL CHECK (length(bank_name) BETWEEN 2 AND 100 AND bank_name = trim(bank_name)),
    account_holder_name TEXT NOT NULL CHECK (length(account_holder_name) BETWEEN 2 AND 100 AND account_holder_name = trim(account_holder_name)),
    account_number_enc  TEXT NOT NULL CHECK (length(account_number_enc) BETWEEN 16 AND 512),
    account_last4       TEXT NOT NULL CHECK (account_last4 GLOB '[0-9][0-9][0-9][0-9]'),
    ifsc_code           TEXT NOT NULL CHECK (ifsc_code GLOB '[A-Z][A-Z][A-Z][A-Z]0[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]'),
    is_primary          INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    is_verified         INTEGER NOT NULL DEFAULT 0 CHECK (is_verified IN (0, 1)),
    is_active           INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    verified_at         TEXT CHECK (verified_at GLOB '????-??-??T??:??:??.??????Z'),
    verified_by_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at          TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (is_active OR NOT is_primary)
) STRICT;
CREATE UNIQUE INDEX bank_accounts_one_primary_key ON bank_accounts (host_id) WHERE is_primary = true;
CREATE INDEX bank_accounts_host_idx ON bank_accounts (host_id, is_active, created_at);
CREATE INDEX bank_accounts_verified_by_idx ON bank_accounts (verified_by_id);

-- host_payout_requests: the payout snapshot (API.md 14.1 / 14.9), all money
-- in minor units of `currency`, the fee rate frozen in basis points. At most
-- one active (pending / approved / processing) request per event, enforced
-- by a partial unique index. A completed payout carries its bank transaction
-- reference and processed_at; a rejected one its reason. The snapshot columns
-- cannot change after insert (trigger below).
CREATE TABLE host_payout_requests (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                      TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    host_id                   INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    bank_account_id           INTEGER NOT NULL REFERENCES bank_accounts (id) ON DELETE RESTRICT,
    event_id                  INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    -- snapshot, frozen at creation
    host_name                 TEXT NOT NULL CHECK (length(host_name) BETWEEN 1 AND 200),
    event_name                TEXT NOT NULL CHECK (length(event_name) BETWEEN 1 AND 200),
    event_date                TEXT NOT NULL CHECK (event_date GLOB '????-??-??T??:??:??.??????Z'),
    event_location            TEXT NOT NULL CHECK (length(event_location) BETWEEN 1 AND 300),
    total_capacity            INTEGER NOT NULL CHECK (total_capacity >= 0),
    base_ticket_fare_minor    INTEGER NOT NULL CHECK (base_ticket_fare_minor >= 0),
    final_ticket_fare_minor   INTEGER NOT NULL CHECK (final_ticket_fare_minor >= base_ticket_fare_minor),
    currency                  TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    platform_fee_bps          INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
    total_tickets_sold        INTEGER NOT NULL CHECK (total_tickets_sold >= 1),
    attendees_details         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attendees_details) AND json_type(attendees_details) = 'array'),
    platform_fee_amount_minor INTEGER NOT NULL CHECK (platform_fee_amount_minor >= 0),
    final_earning_minor       INTEGER NOT NULL CHECK (final_earning_minor >= 0),
    -- workflow, changed by staff
    status                    TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'processing', 'completed', 'rejected', 'cancelled')),
    processed_at              TEXT CHECK (processed_at GLOB '????-??-??T??:??:??.??????Z'),
    processed_by_id           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    transaction_reference     TEXT NOT NULL DEFAULT '' CHECK (length(transaction_reference) <= 100),
    rejection_reason          TEXT NOT NULL DEFAULT '',
    notes                     TEXT NOT NULL DEFAULT '',
    created_at                TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at                TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (status <> 'completed' OR (processed_at IS NOT NULL AND transaction_reference <> '')),
    CHECK (status <> 'rejected' OR rejection_reason <> '')
) STRICT;
CREATE UNIQUE INDEX host_payout_requests_one_active_key ON host_payout_requests (event_id) WHERE status IN ('pending', 'approved', 'processing');
CREATE INDEX host_payout_requests_event_idx ON host_payout_requests (event_id);
CREATE INDEX host_payout_requests_host_idx ON host_payout_requests (host_id, created_at);
CREATE INDEX host_payout_requests_bank_account_idx ON host_payout_requests (bank_account_id);
CREATE INDEX host_payout_requests_processed_by_idx ON host_payout_requests (processed_by_id);
CREATE INDEX host_payout_requests_status_idx ON host_payout_requests (status, created_at);
CREATE INDEX host_payout_requests_event_date_idx ON host_payout_requests (event_date);
CREATE INDEX host_payout_requests_created_at_idx ON host_payout_requests (created_at);

CREATE TRIGGER host_payout_requests_freeze_snapshot BEFORE UPDATE ON host_payout_requests
WHEN NEW.uuid IS NOT OLD.uuid
    OR NEW.host_id IS NOT OLD.host_id
    OR NEW.event_id IS NOT OLD.event_id
    OR NEW.host_name IS NOT OLD.host_name
    OR NEW.event_name IS NOT OLD.event_name
    OR NEW.event_date IS NOT OLD.event_date
    OR NEW.event_location IS NOT OLD.event_location
    OR NEW.total_capacity IS NOT OLD.total_capacity
    OR NEW.base_ticket_fare_minor IS NOT OLD.base_ticket_fare_minor
    OR NEW.final_ticket_fare_minor IS NOT OLD.final_ticket_fare_minor
    OR NEW.currency IS NOT OLD.currency
    OR NEW.platform_fee_bps IS NOT OLD.platform_fee_bps
    OR NEW.total_tickets_sold IS NOT OLD.total_tickets_sold
    OR NEW.attendees_details IS NOT OLD.attendees_details
    OR NEW.platform_fee_amount_minor IS NOT OLD.platform_fee_amount_minor
    OR NEW.final_earning_minor IS NOT OLD.final_earning_minor
    OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'host_payout_requests: the payout snapshot is immutable');
END;

-- host_payout_request_orders: the paid final orders a payout request covers
-- (for reconciliation). An order is never removed while linked.
CREATE TABLE host_payout_request_orders (
    payout_request_id INTEGER NOT NULL REFERENCES host_payout_requests (id) ON DELETE CASCADE,
    payment_order_id  INTEGER NOT NULL REFERENCES payment_orders (id) ON DELETE RESTRICT,
    PRIMARY KEY (payout_request_id, payment_order_id)
) STRICT;
CREATE INDEX host_payout_request_orders_order_idx ON host_payout_request_orders (payment_order_id);
