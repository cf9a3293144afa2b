-- People and sign-in, routing (reps, pools, rules), assignments and the
-- notice outbox.
CREATE TABLE users (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE reps (
    user_id UUID PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    profile JSONB NOT NULL
);

CREATE TABLE pools (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    strategy TEXT NOT NULL,
    overflow_user_id UUID REFERENCES users (id),
    last_assigned_user_id UUID REFERENCES users (id)
);

CREATE TABLE pool_members (
    pool_id UUID NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    weight INTEGER NOT NULL DEFAULT 1,
    assigned_count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, user_id)
);

CREATE TABLE routing_rules (
    id UUID PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    rule JSONB NOT NULL
);

ALTER TABLE accounts ADD COLUMN owner_user_id UUID REFERENCES users (id);

ALTER TABLE leads ADD COLUMN status TEXT NOT NULL DEFAULT 'new';
ALTER TABLE leads ADD COLUMN assigned_user_id UUID REFERENCES users (id);
ALTER TABLE leads ADD COLUMN pool TEXT;
ALTER TABLE leads ADD COLUMN assigned_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN accept_by TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN accepted_at TIMESTAMPTZ;
ALTER TABLE leads ADD COLUMN verdict_reason TEXT;

CREATE INDEX leads_assigned ON leads (assigned_user_id, status);
CREATE INDEX leads_accept_by ON leads (status, accept_by);

CREATE TABLE assignments (
    id UUID PRIMARY KEY NOT NULL,
    lead_id UUID NOT NULL REFERENCES leads (id),
    user_id UUID REFERENCES users (id),
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_user_id UUID REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX assignments_lead ON assignments (lead_id, created_at);

CREATE TABLE outbox (
    id UUID PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    payload JSONB NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE webhook_endpoints (
    id UUID PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_types JSONB NOT NULL,
    format TEXT NOT NULL DEFAULT 'standard',
    allow_private BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY NOT NULL,
    notice_id UUID NOT NULL,
    endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status INTEGER,
    duration_ms BIGINT NOT NULL,
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
