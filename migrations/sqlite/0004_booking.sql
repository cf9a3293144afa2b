-- Booking: each rep's booking settings and calendar feed, busy blocks
-- (manual or read from the feed) and the meetings prospects book.
CREATE TABLE rep_calendars (
    user_id BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    feed_url TEXT,
    feed_checked_at TEXT,
    feed_ok_at TEXT,
    feed_error TEXT,
    feed_events INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

CREATE TABLE busy_blocks (
    id BLOB PRIMARY KEY NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE INDEX busy_blocks_user ON busy_blocks (user_id, ends_at);

CREATE TABLE bookings (
    id BLOB PRIMARY KEY NOT NULL,
    lead_id BLOB NOT NULL REFERENCES leads (id),
    response_id BLOB NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    prospect_zone TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'confirmed',
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The last guard: one live meeting per rep and start, one per lead.
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings (user_id, starts_at) WHERE status = 'confirmed';
CREATE UNIQUE INDEX bookings_one_per_lead ON bookings (lead_id) WHERE status = 'confirmed';
CREATE INDEX bookings_upcoming ON bookings (status, starts_at);
