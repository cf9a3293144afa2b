-- Forms, their immutable published versions, responses and leads.
CREATE TABLE forms (
    id UUID PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    draft JSONB NOT NULL,
    draft_revision BIGINT NOT NULL DEFAULT 1,
    published_version INTEGER,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE form_versions (
    form_id UUID NOT NULL REFERENCES forms (id),
    version INTEGER NOT NULL,
    definition JSONB NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (form_id, version)
);

CREATE TABLE accounts (
    id UUID PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE leads (
    id UUID PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    account_id UUID REFERENCES accounts (id),
    form_id UUID NOT NULL REFERENCES forms (id),
    response_id UUID NOT NULL,
    fields JSONB NOT NULL,
    fit INTEGER NOT NULL,
    intent INTEGER NOT NULL,
    breakdown JSONB NOT NULL,
    outcome_id TEXT NOT NULL,
    tier TEXT NOT NULL,
    handoff JSONB NOT NULL,
    disqualified_reason TEXT,
    hidden JSONB NOT NULL,
    submissions INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE responses (
    id UUID PRIMARY KEY NOT NULL,
    form_id UUID NOT NULL REFERENCES forms (id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'in_progress',
    answers JSONB NOT NULL,
    answer_times JSONB NOT NULL,
    hidden JSONB NOT NULL,
    current_question TEXT,
    fit INTEGER NOT NULL DEFAULT 0,
    intent INTEGER NOT NULL DEFAULT 0,
    running_outcome TEXT,
    is_bot BOOLEAN NOT NULL DEFAULT FALSE,
    bot_reason TEXT,
    embedded BOOLEAN NOT NULL DEFAULT FALSE,
    client_ip TEXT,
    user_agent TEXT,
    outcome_id TEXT,
    lead_id UUID REFERENCES leads (id),
    started_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    FOREIGN KEY (form_id, version) REFERENCES form_versions (form_id, version)
);

CREATE INDEX responses_form_started ON responses (form_id, started_at);
CREATE INDEX leads_account ON leads (account_id);
