-- API tokens, first-page views per day, deal outcomes on leads, the
-- abandoned Tier 1 handoff claim and the source-quality alert state.
CREATE TABLE api_tokens (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE form_views (
    form_id UUID NOT NULL REFERENCES forms (id),
    version INTEGER NOT NULL,
    day TEXT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (form_id, version, day)
);

ALTER TABLE leads ADD COLUMN deal_status TEXT;
ALTER TABLE leads ADD COLUMN deal_value_cents BIGINT;
ALTER TABLE leads ADD COLUMN deal_currency TEXT;
ALTER TABLE leads ADD COLUMN closed_at TIMESTAMPTZ;

CREATE INDEX leads_form_created ON leads (form_id, created_at);

ALTER TABLE responses ADD COLUMN abandoned_at TIMESTAMPTZ;

CREATE INDEX responses_idle ON responses (status, running_outcome, updated_at);

CREATE TABLE source_alerts (
    source TEXT PRIMARY KEY NOT NULL,
    last_fired_at TIMESTAMPTZ NOT NULL,
    leads BIGINT NOT NULL,
    disqualified BIGINT NOT NULL
);
