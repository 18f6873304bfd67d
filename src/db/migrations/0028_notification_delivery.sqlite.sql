-- 0028_notification_delivery (SQLite; see the PostgreSQL twin for the comments)
--
-- Issue 13: what the dispatcher delivered, event reminders, campaigns and
-- host-lead WhatsApp messages (src/notifications/, docs/notifications.md).

-- notification_deliveries: one row per notification and channel the
-- dispatcher tried. UNIQUE (notification_uuid, channel) is the idempotency
-- of a delivery job: 'sending' is committed before the provider is called,
-- so a retry that finds it knows the earlier attempt may have gone out and
-- asks the provider to de-duplicate (its idempotency key is the uuid).
-- The notification is referenced by uuid, not by a foreign key, so purging
-- old in-app rows and old delivery rows are independent.
CREATE TABLE notification_deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_uuid TEXT NOT NULL CHECK (notification_uuid GLOB '????????-????-????-????-????????????' AND notification_uuid NOT GLOB '*[^0-9a-f-]*'),
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel           TEXT NOT NULL CHECK (channel IN ('push')),
    status            TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'skipped', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    devices           INTEGER NOT NULL DEFAULT 0 CHECK (devices >= 0),
    provider_id       TEXT NOT NULL DEFAULT '' CHECK (length(provider_id) <= 128),
    error             TEXT NOT NULL DEFAULT '' CHECK (length(error) <= 300),
    created_at        TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at        TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    sent_at           TEXT CHECK (sent_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (notification_uuid, channel),
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
) STRICT;
CREATE INDEX notification_deliveries_created_at_idx ON notification_deliveries (created_at);
CREATE INDEX notification_deliveries_user_idx ON notification_deliveries (user_id, created_at);

-- event_reminders: who was reminded of (or told about) what, once per
-- person, event and kind whatever the number of workers or restarts (the
-- primary key). 'event_live' is the announcement of a newly published event
-- to the host's past guests.
CREATE TABLE event_reminders (
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reminder_24h', 'reminder_1h', 'check_in_started', 'event_live')),
    created_at TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    PRIMARY KEY (event_id, user_id, kind)
) STRICT;
CREATE INDEX event_reminders_created_at_idx ON event_reminders (created_at);

-- campaign_templates: staff-written messages with {{var}} placeholders.
-- Each edit of a used (locked) version makes a new version; an unused one is
-- edited in place.
CREATE TABLE campaign_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    is_active  INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE TABLE campaign_template_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id INTEGER NOT NULL REFERENCES campaign_templates (id) ON DELETE RESTRICT,
    version     INTEGER NOT NULL CHECK (version >= 1),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    variables   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(variables) AND json_type(variables) = 'array'),
    locked_at   TEXT CHECK (locked_at GLOB '????-??-??T??:??:??.??????Z'),
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (template_id, version)
) STRICT;

-- campaigns: draft -> previewed -> scheduled -> sending -> sent, or
-- cancelled / failed. The move to 'sending' is one conditional UPDATE, so it
-- happens once; a preview (count and time) is required before scheduling.
CREATE TABLE campaigns (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    template_version_id INTEGER NOT NULL REFERENCES campaign_template_versions (id) ON DELETE RESTRICT,
    variables           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(variables) AND json_type(variables) = 'object'),
    audience            TEXT NOT NULL CHECK (json_valid(audience) AND json_type(audience) = 'object'),
    notification_type   TEXT NOT NULL CHECK (notification_type IN ('promotional', 'system', 'event_update', 'reminder')),
    state               TEXT NOT NULL CHECK (state IN ('draft', 'previewed', 'scheduled', 'sending', 'sent', 'cancelled', 'failed')),
    preview_count       INTEGER CHECK (preview_count >= 0),
    previewed_at        TEXT CHECK (previewed_at GLOB '????-??-??T??:??:??.??????Z'),
    scheduled_at        TEXT CHECK (scheduled_at GLOB '????-??-??T??:??:??.??????Z'),
    started_at          TEXT CHECK (started_at GLOB '????-??-??T??:??:??.??????Z'),
    finished_at         TEXT CHECK (finished_at GLOB '????-??-??T??:??:??.??????Z'),
    recipients          INTEGER NOT NULL DEFAULT 0 CHECK (recipients >= 0),
    failure_reason      TEXT NOT NULL DEFAULT '' CHECK (length(failure_reason) <= 300),
    created_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at          TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (state IN ('draft', 'cancelled') OR (preview_count IS NOT NULL AND previewed_at IS NOT NULL)),
    CHECK (state NOT IN ('scheduled', 'sending', 'sent') OR scheduled_at IS NOT NULL),
    CHECK (state NOT IN ('sending', 'sent') OR started_at IS NOT NULL)
) STRICT;
CREATE INDEX campaigns_state_idx ON campaigns (state, created_at);

-- campaign_executions: one row per recipient, fixed when sending starts
-- (UNIQUE: a person gets a campaign once); batch_no splits them into the
-- batch jobs. A row leaves 'pending' with its notification in one
-- transaction, so a killed worker leaves it pending for the next.
CREATE TABLE campaign_executions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id       INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch_no          INTEGER NOT NULL CHECK (batch_no >= 0),
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped')),
    notification_uuid TEXT CHECK (notification_uuid GLOB '????????-????-????-????-????????????' AND notification_uuid NOT GLOB '*[^0-9a-f-]*'),
    processed_at      TEXT CHECK (processed_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (campaign_id, user_id),
    CHECK (status <> 'sent' OR (notification_uuid IS NOT NULL AND processed_at IS NOT NULL))
) STRICT;
CREATE INDEX campaign_executions_batch_idx ON campaign_executions (campaign_id, batch_no, status);

-- host_lead_messages: WhatsApp messages to host leads (Twilio Content
-- templates: {{1}} the first name, {{2}} the message) and their outcome.
CREATE TABLE host_lead_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    lead_id      INTEGER NOT NULL REFERENCES host_leads (id) ON DELETE CASCADE,
    sent_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    channel      TEXT NOT NULL DEFAULT 'whatsapp' CHECK (channel IN ('whatsapp')),
    content_sid  TEXT NOT NULL CHECK (length(content_sid) BETWEEN 1 AND 64),
    message      TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 1000),
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    provider_sid TEXT NOT NULL DEFAULT '' CHECK (length(provider_sid) <= 64),
    error        TEXT NOT NULL DEFAULT '' CHECK (length(error) <= 300),
    created_at   TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at   TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    sent_at      TEXT CHECK (sent_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
) STRICT;
CREATE INDEX host_lead_messages_lead_idx ON host_lead_messages (lead_id, created_at);

CREATE TABLE platform_switches (
    name       TEXT PRIMARY KEY CHECK (name IN ('campaigns_disabled')),
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;

-- Every foreign key has an index (scripts/check-migrations): deleting a
-- user or a template version must not scan these tables.
CREATE INDEX campaign_executions_user_idx ON campaign_executions (user_id);
CREATE INDEX campaign_template_versions_created_by_idx ON campaign_template_versions (created_by);
CREATE INDEX campaign_templates_created_by_idx ON campaign_templates (created_by);
CREATE INDEX campaigns_created_by_idx ON campaigns (created_by);
CREATE INDEX campaigns_template_version_idx ON campaigns (template_version_id);
CREATE INDEX event_reminders_user_idx ON event_reminders (user_id);
CREATE INDEX host_lead_messages_sent_by_idx ON host_lead_messages (sent_by);
CREATE INDEX platform_switches_updated_by_idx ON platform_switches (updated_by);
