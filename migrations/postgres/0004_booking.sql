-- Booking: each rep's booking settings and calendar feed, busy blocks
-- (manual or read from the feed) and the meetings prospects book.
CREATE TABLE rep_calendars (
    user_id UUID PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    settings JSONB NOT NULL,
    feed_url TEXT,
    feed_checked_at TIMESTAMPTZ,
    feed_ok_at TIMESTAMPTZ,
    feed_error TEXT,
    feed_events INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE busy_blocks (
    id UUID PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX busy_blocks_user ON busy_blocks (user_id, ends_at);

CREATE TABLE bookings (
    id UUID PRIMARY KEY NOT NULL,
    lead_id UUID NOT NULL REFERENCES leads (id),
    response_id UUID NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    prospect_zone TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'confirmed',
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The last guard: one live meeting per rep and start, one per lead.
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings (user_id, starts_at) WHERE status = 'confirmed';
CREATE UNIQUE INDEX bookings_one_per_lead ON bookings (lead_id) WHERE status = 'confirmed';
CREATE INDEX bookings_upcoming ON bookings (status, starts_at);
