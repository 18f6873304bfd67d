-- 0005_payments (PostgreSQL 15)
--
-- Money in: payment orders (one checkout for seats of one event), the money
-- movements against them (payment / refund / chargeback) and every provider
-- callback as received. Exactly-once is enforced by the database: a webhook
-- is stored once per (provider, dedupe_key), and a provider transaction id is
-- applied once per (provider, type). Amounts are integer minor units; rows
-- are never cascaded away (ON DELETE RESTRICT).
-- Also links attendees and tickets to the order that paid for them.

-- payment_orders: one checkout. order_id (sent to the provider as the
-- transaction id) and order_reference (shown to people) are both unique.
-- The fee snapshot columns freeze the price at creation: base per seat, the
-- fee rate in basis points, the total fee, and what the host earns per seat.
-- At most one order per (user, event) is the final one (is_final), the one
-- payouts count; refunds never exceed the amount paid.
CREATE TABLE payment_orders (
    id                          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                        UUID NOT NULL UNIQUE,
    event_id                    BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    user_id                     BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    reservation_id              BIGINT REFERENCES capacity_reservations (id) ON DELETE RESTRICT,
    order_id                    TEXT NOT NULL UNIQUE CHECK (length(order_id) BETWEEN 1 AND 64),
    order_reference             TEXT NOT NULL UNIQUE CHECK (length(order_reference) BETWEEN 1 AND 64),
    amount_minor                BIGINT NOT NULL CHECK (amount_minor >= 1),
    currency                    TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    seats_count                 INTEGER NOT NULL DEFAULT 1 CHECK (seats_count >= 1),
    base_price_per_seat_minor   BIGINT NOT NULL CHECK (base_price_per_seat_minor >= 0),
    platform_fee_bps            INTEGER NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
    platform_fee_minor          BIGINT NOT NULL CHECK (platform_fee_minor >= 0),
    host_earning_per_seat_minor BIGINT NOT NULL CHECK (host_earning_per_seat_minor >= 0),
    status                      TEXT NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid')),
    payment_provider            TEXT NOT NULL DEFAULT 'payu' CHECK (payment_provider IN ('razorpay', 'stripe', 'paypal', 'paytm', 'phonepe', 'gpay', 'payu', 'cash', 'bank_transfer', 'test')),
    provider_payment_id         TEXT CHECK (length(provider_payment_id) BETWEEN 1 AND 255),
    provider_response           JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(provider_response) = 'object'),
    payment_method              TEXT NOT NULL DEFAULT '' CHECK (length(payment_method) <= 50),
    transaction_id              TEXT CHECK (length(transaction_id) BETWEEN 1 AND 255),
    failure_reason              TEXT NOT NULL DEFAULT '',
    is_final                    BOOLEAN NOT NULL DEFAULT false,
    refund_amount_minor         BIGINT NOT NULL DEFAULT 0 CHECK (refund_amount_minor >= 0),
    refund_reason               TEXT NOT NULL DEFAULT '',
    refunded_at                 TIMESTAMPTZ,
    paid_at                     TIMESTAMPTZ,
    expires_at                  TIMESTAMPTZ NOT NULL,
    created_at                  TIMESTAMPTZ NOT NULL,
    updated_at                  TIMESTAMPTZ NOT NULL,
    CHECK (refund_amount_minor <= amount_minor),
    CHECK (refund_amount_minor = 0 OR refunded_at IS NOT NULL),
    CHECK (NOT is_final OR status IN ('paid', 'completed', 'refunded'))
);
CREATE UNIQUE INDEX payment_orders_one_final_key ON payment_orders (user_id, event_id) WHERE is_final = true;
CREATE INDEX payment_orders_event_status_idx ON payment_orders (event_id, status);
CREATE INDEX payment_orders_user_event_idx ON payment_orders (user_id, event_id, created_at);
CREATE INDEX payment_orders_reservation_idx ON payment_orders (reservation_id);
CREATE INDEX payment_orders_provider_payment_idx ON payment_orders (payment_provider, provider_payment_id);
-- open orders to expire (status created/pending, expires_at <= now)
CREATE INDEX payment_orders_status_expiry_idx ON payment_orders (status, expires_at);
CREATE INDEX payment_orders_created_at_idx ON payment_orders (created_at);

-- payment_transactions: each money movement on an order. The partial unique
-- index makes applying the same provider transaction twice (a replayed or
-- duplicated callback) fail instead of double-booking or double-refunding.
CREATE TABLE payment_transactions (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                    UUID NOT NULL UNIQUE,
    payment_order_id        BIGINT NOT NULL REFERENCES payment_orders (id) ON DELETE RESTRICT,
    transaction_type        TEXT NOT NULL CHECK (transaction_type IN ('payment', 'refund', 'chargeback')),
    amount_minor            BIGINT NOT NULL CHECK (amount_minor >= 0),
    currency                TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    provider                TEXT NOT NULL CHECK (provider IN ('razorpay', 'stripe', 'paypal', 'paytm', 'phonepe', 'gpay', 'payu', 'cash', 'bank_transfer', 'test')),
    provider_transaction_id TEXT CHECK (length(provider_transaction_id) BETWEEN 1 AND 255),
    status                  TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'failed')),
    reason                  TEXT NOT NULL DEFAULT '',
    provider_response       JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(provider_response) = 'object'),
    failure_reason          TEXT NOT NULL DEFAULT '',
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX payment_transactions_provider_txn_key ON payment_transactions (provider, transaction_type, provider_transaction_id) WHERE provider_transaction_id IS NOT NULL;
CREATE INDEX payment_transactions_order_idx ON payment_transactions (payment_order_id, created_at);
CREATE INDEX payment_transactions_created_at_idx ON payment_transactions (created_at);

-- payment_webhooks: every provider callback (redirect or server-to-server),
-- stored before it is verified or applied, including forged and failed ones.
-- dedupe_key is the provider's event id, or a hash of the raw body when the
-- provider sends none; unique per provider, so a duplicate delivery is
-- recognised and not processed twice. payment_order_id is NULL when the
-- callback names no known order.
CREATE TABLE payment_webhooks (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid             UUID NOT NULL UNIQUE,
    provider         TEXT NOT NULL CHECK (provider IN ('razorpay', 'stripe', 'paypal', 'paytm', 'phonepe', 'gpay', 'payu', 'cash', 'bank_transfer', 'test')),
    dedupe_key       TEXT NOT NULL CHECK (length(dedupe_key) BETWEEN 1 AND 255),
    payment_order_id BIGINT REFERENCES payment_orders (id) ON DELETE RESTRICT,
    webhook_type     TEXT NOT NULL DEFAULT '' CHECK (length(webhook_type) <= 100),
    payload          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
    signature        TEXT NOT NULL DEFAULT '',
    signature_valid  BOOLEAN NOT NULL DEFAULT false,
    processed        BOOLEAN NOT NULL DEFAULT false,
    processed_at     TIMESTAMPTZ,
    processing_error TEXT NOT NULL DEFAULT '',
    remote_ip        TEXT NOT NULL DEFAULT '' CHECK (length(remote_ip) <= 45),
    received_at      TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (provider, dedupe_key)
);
CREATE INDEX payment_webhooks_order_idx ON payment_webhooks (payment_order_id);
CREATE INDEX payment_webhooks_unprocessed_idx ON payment_webhooks (processed, received_at);

-- The order that paid for a seat and for a ticket (NULL for free admission).
ALTER TABLE event_attendees ADD COLUMN payment_order_id BIGINT REFERENCES payment_orders (id) ON DELETE RESTRICT;
CREATE INDEX event_attendees_payment_order_idx ON event_attendees (payment_order_id);
ALTER TABLE attendance_records ADD COLUMN payment_order_id BIGINT REFERENCES payment_orders (id) ON DELETE RESTRICT;
CREATE INDEX attendance_records_payment_order_idx ON attendance_records (payment_order_id);
