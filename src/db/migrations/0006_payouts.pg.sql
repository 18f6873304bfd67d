-- 0006_payouts (PostgreSQL 15)
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
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                UUID NOT NULL UNIQUE,
    host_id             BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    bank_name           TEXT NOT NULL CHECK (length(bank_name) BETWEEN 2 AND 100 AND bank_name = trim(bank_name)),
    account_holder_name TEXT NOT NULL CHECK (length(account_holder_name) BETWEEN 2 AND 100 AND account_holder_name = trim(account_holder_name)),
    account_number_enc  TEXT NOT NULL CHECK (length(account_number_enc) BETWEEN 16 AND 512),
    account_last4       TEXT NOT NULL CHECK (account_last4 ~ '^[0-9]{4}$'),
    ifsc_code           TEXT NOT NULL CHECK (ifsc_code ~ '^[A-Z]{4}0[A-Z0-9]{6}$'),
    is_primary          BOOLEAN NOT NULL DEFAULT false,
    is_verified         BOOLEAN NOT NULL DEFAULT false,
    is_active           BOOLEAN NOT NULL DEFAULT true,
    verified_at         TIMESTAMPTZ,
    verified_by_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CHECK (is_active OR NOT is_primary)
);
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
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                      UUID NOT NULL UNIQUE,
    host_id                   BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    bank_account_id           BIGINT NOT NULL REFERENCES bank_accounts (id) ON DELETE RESTRICT,
    event_id                  BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    -- snapshot, frozen at creation
    host_name                 TEXT NOT NULL CHECK (length(host_name) BETWEEN 1 AND 200),
    event_name                TEXT NOT NULL CHECK (length(event_name) BETWEEN 1 AND 200),
    event_date                TIMESTAMPTZ NOT NULL,
    event_location            TEXT NOT NULL CHECK (length(event_location) BETWEEN 1 AND 300),
    total_capacity            INTEGER NOT NULL CHECK (total_capacity >= 0),
    base_ticket_fare_minor    BIGINT NOT NULL CHECK (base_ticket_fare_minor >= 0),
    final_ticket_fare_minor   BIGINT NOT NULL CHECK (final_ticket_fare_minor >= base_ticket_fare_minor),
    currency                  TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    platform_fee_bps          INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
    total_tickets_sold        INTEGER NOT NULL CHECK (total_tickets_sold >= 1),
    attendees_details         JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attendees_details) = 'array'),
    platform_fee_amount_minor BIGINT NOT NULL CHECK (platform_fee_amount_minor >= 0),
    final_earning_minor       BIGINT NOT NULL CHECK (final_earning_minor >= 0),
    -- workflow, changed by staff
    status                    TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'processing', 'completed', 'rejected', 'cancelled')),
    processed_at              TIMESTAMPTZ,
    processed_by_id           BIGINT REFERENCES users (id) ON DELETE SET NULL,
    transaction_reference     TEXT NOT NULL DEFAULT '' CHECK (length(transaction_reference) <= 100),
    rejection_reason          TEXT NOT NULL DEFAULT '',
    notes                     TEXT NOT NULL DEFAULT '',
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CHECK (status <> 'completed' OR (processed_at IS NOT NULL AND transaction_reference <> '')),
    CHECK (status <> 'rejected' OR rejection_reason <> '')
);
CREATE UNIQUE INDEX host_payout_requests_one_active_key ON host_payout_requests (event_id) WHERE status IN ('pending', 'approved', 'processing');
CREATE INDEX host_payout_requests_event_idx ON host_payout_requests (event_id);
CREATE INDEX host_payout_requests_host_idx ON host_payout_requests (host_id, created_at);
CREATE INDEX host_payout_requests_bank_account_idx ON host_payout_requests (bank_account_id);
CREATE INDEX host_payout_requests_processed_by_idx ON host_payout_requests (processed_by_id);
CREATE INDEX host_payout_requests_status_idx ON host_payout_requests (status, created_at);
CREATE INDEX host_payout_requests_event_date_idx ON host_payout_requests (event_date);
CREATE INDEX host_payout_requests_created_at_idx ON host_payout_requests (created_at);

CREATE FUNCTION host_payout_requests_freeze_snapshot() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.uuid, NEW.host_id, NEW.event_id, NEW.host_name, NEW.event_name, NEW.event_date,
        NEW.event_location, NEW.total_capacity, NEW.base_ticket_fare_minor,
        NEW.final_ticket_fare_minor, NEW.currency, NEW.platform_fee_bps,
        NEW.total_tickets_sold, NEW.attendees_details, NEW.platform_fee_amount_minor,
        NEW.final_earning_minor, NEW.created_at)
       IS DISTINCT FROM
       (OLD.uuid, OLD.host_id, OLD.event_id, OLD.host_name, OLD.event_name, OLD.event_date,
        OLD.event_location, OLD.total_capacity, OLD.base_ticket_fare_minor,
        OLD.final_ticket_fare_minor, OLD.currency, OLD.platform_fee_bps,
        OLD.total_tickets_sold, OLD.attendees_details, OLD.platform_fee_amount_minor,
        OLD.final_earning_minor, OLD.created_at) THEN
        RAISE EXCEPTION 'host_payout_requests: the payout snapshot is immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER host_payout_requests_freeze_snapshot BEFORE UPDATE ON host_payout_requests
    FOR EACH ROW EXECUTE FUNCTION host_payout_requests_freeze_snapshot();

-- host_payout_request_orders: the paid final orders a payout request covers
-- (for reconciliation). An order is never removed while linked.
CREATE TABLE host_payout_request_orders (
    payout_request_id BIGINT NOT NULL REFERENCES host_payout_requests (id) ON DELETE CASCADE,
    payment_order_id  BIGINT NOT NULL REFERENCES payment_orders (id) ON DELETE RESTRICT,
    PRIMARY KEY (payout_request_id, payment_order_id)
);
CREATE INDEX host_payout_request_orders_order_idx ON host_payout_request_orders (payment_order_id);
